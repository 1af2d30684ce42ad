package output

import (
	"time"
	"unicode/utf8"
)

// The JSON output format (output_format = "json") writes each record a
// program sends to tend's stdout or stderr as one object on one line:
//
//	{"time":"2026-12-02T10:00:00.123456789Z","program":"web","stream":"stdout","msg":"..."}
//
// time is when the pump read the record's first line; stream is the pipe
// the program wrote it to ("stdout" for everything with redirect_stderr);
// msg is the line without its line ending, "\n" or "\r\n" (a "\r" anywhere
// else, a lone trailing one included, is kept and escaped), or with
// multiline, the record's lines joined by "\n". Whatever the program
// writes, the object parses: invalid UTF-8 becomes U+FFFD, one for each run
// of invalid bytes as strings.ToValidUTF8 does, and control characters are
// escaped. The encoder appends to a reused buffer, with no reflection and
// no allocation per line.

// jsonTime is RFC 3339 in UTC with all nine digits of the nanoseconds:
// every record's time has the same width, so they line up and sort as
// text (time.RFC3339Nano would drop trailing zeros).
const jsonTime = "2006-01-02T15:04:05.000000000Z07:00"

// appendJSONTime appends t as a record's time, in UTC.
func appendJSONTime(dst []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(dst, jsonTime)
}

// jsonHead is what follows the time in every record of one pump, up to
// the opening quote of msg: `","program":"web","stream":"stdout","msg":"`.
// It is built once per pump, so a record costs its time and its msg only.
func jsonHead(program, stream string) []byte {
	b := append([]byte(nil), `","program":"`...)
	b = appendJSONText(b, []byte(program))
	b = append(b, `","stream":"`...)
	b = appendJSONText(b, []byte(stream))
	return append(b, `","msg":"`...)
}

// appendRecordStart opens a record with the time stamp (appendJSONTime's)
// and a pump's head; what follows is msg's text, then appendRecordEnd.
func appendRecordStart(dst, stamp, head []byte) []byte {
	dst = append(dst, `{"time":"`...)
	dst = append(dst, stamp...)
	return append(dst, head...)
}

// appendRecordEnd closes msg and the object, and ends the line.
func appendRecordEnd(dst []byte) []byte {
	return append(dst, "\"}\n"...)
}

// appendJSONLine appends the whole record of one line (see lineBody).
func appendJSONLine(dst, stamp, head, line []byte) []byte {
	dst = appendRecordStart(dst, stamp, head)
	dst = appendJSONText(dst, lineBody(line))
	return appendRecordEnd(dst)
}

// lineBody is line without its line ending: a final "\n", and a "\r"
// just before it (a program that ends its lines with CRLF). A line with no
// newline (a piece of an over-long line, or a program's last words) is
// all body, a final "\r" included: nothing says that "\r" ends a line.
func lineBody(line []byte) []byte {
	n := len(line)
	if n == 0 || line[n-1] != '\n' {
		return line
	}
	n--
	if n > 0 && line[n-1] == '\r' {
		n--
	}
	return line[:n]
}

// hexDigits spells the \u00XX escapes.
const hexDigits = "0123456789abcdef"

// jsonSafe tells the bytes that a JSON string holds as they are: ASCII
// but for the control characters, '"' and '\\'.
var jsonSafe = func() (safe [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\'
	}
	return safe
}()

// appendJSONText appends s as the inside of a JSON string: `"` and `\`
// and the control characters escaped (\n, \r and \t by name, the others
// as \u00XX), each run of invalid UTF-8 bytes replaced by one \ufffd, as
// strings.ToValidUTF8 does, and everything else copied as it is. Runs of
// bytes that need nothing are copied at once.
func appendJSONText(dst, s []byte) []byte {
	start := 0     // the first byte not yet copied
	afterBad := -1 // just after the last invalid byte: a run goes on there
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		if r, size := utf8.DecodeRune(s[i:]); r != utf8.RuneError || size > 1 {
			i += size // valid: copied with its run
			continue
		}
		dst = append(dst, s[start:i]...)
		if i != afterBad {
			dst = append(dst, `\ufffd`...)
		}
		i++
		start, afterBad = i, i
	}
	return append(dst, s[start:]...)
}

// appendEscape appends the escape of the ASCII byte c: `"`, `\` or a
// control character.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
