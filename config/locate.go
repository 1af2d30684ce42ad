package config

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The TOML library reports positions only for syntax errors, so a locator
// scans the source once more to learn on which line each key is first
// defined: [table] and [[table]] headers, key = value lines with dotted or
// quoted keys, and keys inside inline tables (which TOML 1.1 lets span
// lines). It skips strings, arrays and comments without interpreting them.
// It is only asked about documents the library accepted, but it stops at the
// end of any input and never loops without progress.

// locator maps key paths to the line that first defines them.
type locator struct {
	keys map[string]int
}

// keySep joins key parts: TOML keys can contain any character but this one
// is unlikely enough, and a wrong line is all a collision could cost.
const keySep = "\x00"

// line returns the line of path, else of its nearest ancestor that has one
// (a table header), else 0.
func (l *locator) line(path []string) int {
	if l == nil {
		return 0
	}
	for n := len(path); n > 0; n-- {
		if line, ok := l.keys[strings.Join(path[:n], keySep)]; ok {
			return line
		}
	}
	return 0
}

// locate scans src.
func locate(src string) *locator {
	sc := &scanner{s: src, line: 1, keys: map[string]int{}}
	sc.document()
	return &locator{keys: sc.keys}
}

// scanner is the locator's cursor.
type scanner struct {
	s    string
	i    int
	line int
	keys map[string]int
}

// document scans top-level lines: headers and key/value pairs.
func (sc *scanner) document() {
	var table []string
	for sc.i < len(sc.s) {
		switch c := sc.s[sc.i]; {
		case c == '\n':
			sc.line++
			sc.i++
		case c == ' ' || c == '\t' || c == '\r':
			sc.i++
		case c == '#':
			sc.skipLine()
		case c == '[':
			sc.i++
			if sc.i < len(sc.s) && sc.s[sc.i] == '[' {
				sc.i++
			}
			table = sc.key()
			sc.record(table)
			sc.skipLine()
		default:
			start := sc.i
			k := sc.key()
			if len(k) == 0 || sc.i == start {
				sc.skipLine()
				continue
			}
			path := join(table, k)
			sc.record(path)
			sc.spaces()
			if sc.i < len(sc.s) && sc.s[sc.i] == '=' {
				sc.i++
				sc.value(path)
			}
			sc.skipLine()
		}
	}
}

// join returns a new slice: a then b.
func join(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

// record notes path and each of its prefixes at the current line, unless an
// earlier line defined them.
func (sc *scanner) record(path []string) {
	for n := 1; n <= len(path); n++ {
		k := strings.Join(path[:n], keySep)
		if _, ok := sc.keys[k]; !ok {
			sc.keys[k] = sc.line
		}
	}
}

// skipLine moves to the next newline, leaving it for the caller to count.
func (sc *scanner) skipLine() {
	if j := strings.IndexByte(sc.s[sc.i:], '\n'); j >= 0 {
		sc.i += j
	} else {
		sc.i = len(sc.s)
	}
}

// spaces skips blanks within a line.
func (sc *scanner) spaces() {
	for sc.i < len(sc.s) && (sc.s[sc.i] == ' ' || sc.s[sc.i] == '\t') {
		sc.i++
	}
}

// blank skips blanks, newlines and comments, as allowed inside arrays and
// TOML 1.1 inline tables.
func (sc *scanner) blank() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case '\n':
			sc.line++
			sc.i++
		case ' ', '\t', '\r':
			sc.i++
		case '#':
			sc.skipLine()
		default:
			return
		}
	}
}

// advance moves n bytes on, counting newlines.
func (sc *scanner) advance(n int) {
	end := min(sc.i+n, len(sc.s))
	sc.line += strings.Count(sc.s[sc.i:end], "\n")
	sc.i = end
}

// key reads a dotted key: bare, "basic" or 'literal' parts joined by dots.
func (sc *scanner) key() []string {
	var path []string
	for {
		sc.spaces()
		if sc.i >= len(sc.s) {
			return path
		}
		switch sc.s[sc.i] {
		case '"':
			raw := sc.quoted('"')
			path = append(path, unescape(raw))
		case '\'':
			path = append(path, sc.quoted('\''))
		default:
			start := sc.i
			for sc.i < len(sc.s) && !strings.ContainsRune(" \t\r\n=.[]{}#,\"'", rune(sc.s[sc.i])) {
				sc.i++
			}
			if sc.i == start {
				return path
			}
			path = append(path, sc.s[start:sc.i])
		}
		sc.spaces()
		if sc.i >= len(sc.s) || sc.s[sc.i] != '.' {
			return path
		}
		sc.i++
	}
}

// quoted reads a one-line string opened by q at the cursor and returns its
// raw content.
func (sc *scanner) quoted(q byte) string {
	sc.i++
	start := sc.i
	for sc.i < len(sc.s) && sc.s[sc.i] != q && sc.s[sc.i] != '\n' {
		if q == '"' && sc.s[sc.i] == '\\' {
			sc.i++
		}
		sc.i++
	}
	end := min(sc.i, len(sc.s))
	if sc.i < len(sc.s) && sc.s[sc.i] == q {
		sc.i++
	}
	return sc.s[start:end]
}

// value skips a value, recording the keys of inline tables under path (nil
// inside arrays, whose tables this config never addresses).
func (sc *scanner) value(path []string) {
	sc.spaces()
	if sc.i >= len(sc.s) {
		return
	}
	rest := sc.s[sc.i:]
	switch {
	case strings.HasPrefix(rest, `"""`):
		sc.multiline(`"""`)
	case strings.HasPrefix(rest, `'''`):
		sc.multiline(`'''`)
	case rest[0] == '"' || rest[0] == '\'':
		sc.quoted(rest[0])
	case rest[0] == '[':
		sc.i++
		sc.array()
	case rest[0] == '{':
		sc.i++
		sc.inline(path)
	default:
		for sc.i < len(sc.s) && !strings.ContainsRune(",]}#\n", rune(sc.s[sc.i])) {
			sc.i++
		}
	}
}

// multiline skips a multi-line string opened by delim at the cursor.
func (sc *scanner) multiline(delim string) {
	sc.advance(3)
	for sc.i < len(sc.s) {
		if delim == `"""` && sc.s[sc.i] == '\\' {
			sc.advance(2)
			continue
		}
		if strings.HasPrefix(sc.s[sc.i:], delim) {
			sc.advance(3)
			// Up to two quotes may end the content right before the
			// delimiter: """a""""" is `a""`.
			for n := 0; n < 2 && sc.i < len(sc.s) && sc.s[sc.i] == delim[0]; n++ {
				sc.i++
			}
			return
		}
		sc.advance(1)
	}
}

// array skips the rest of an array whose '[' was just read.
func (sc *scanner) array() {
	for {
		sc.blank()
		if sc.i >= len(sc.s) {
			return
		}
		if sc.s[sc.i] == ']' {
			sc.i++
			return
		}
		start := sc.i
		sc.value(nil)
		sc.blank()
		if sc.i < len(sc.s) && sc.s[sc.i] == ',' {
			sc.i++
		}
		if sc.i == start {
			sc.i++ // not TOML; move on rather than loop
		}
	}
}

// inline reads the rest of an inline table whose '{' was just read,
// recording its keys under path.
func (sc *scanner) inline(path []string) {
	for {
		sc.blank()
		if sc.i >= len(sc.s) {
			return
		}
		if sc.s[sc.i] == '}' {
			sc.i++
			return
		}
		start := sc.i
		var full []string
		if k := sc.key(); len(k) > 0 && path != nil {
			full = join(path, k)
			sc.record(full)
		}
		sc.spaces()
		if sc.i < len(sc.s) && sc.s[sc.i] == '=' {
			sc.i++
			sc.value(full)
		}
		sc.blank()
		if sc.i < len(sc.s) && sc.s[sc.i] == ',' {
			sc.i++
		}
		if sc.i == start {
			sc.i++ // not TOML; move on rather than loop
		}
	}
}

// unescape decodes a TOML basic string's escapes; an escape it does not know
// is kept as written.
func unescape(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' || i+1 >= len(raw) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := raw[i]; e {
		case 'b':
			b.WriteByte('\b')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'e':
			b.WriteByte(0x1b)
		case '"', '\\':
			b.WriteByte(e)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+n <= len(raw) {
				v, err := strconv.ParseUint(raw[i+1:i+1+n], 16, 32)
				if err == nil && utf8.ValidRune(rune(v)) {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(e)
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String()
}
