package output

import (
	"io"
	"regexp"
	"time"
)

// A program's multiline pattern makes a line that matches it part of the
// record before it: with multiline = "^\\s", a stack trace's "\tat ..."
// lines join the line that started it. Records matter only where output
// is written as JSON (one object per record, its lines joined by "\n" in
// msg); text is written line by line, each line with its prefix, as if no
// pattern were set, and so are the tail ring and the log files.
//
// A record stays pending while it may still grow, and is bounded two
// ways: its msg holds at most recordMax bytes (a line that would take it
// past that starts a new record), and it waits at most recordPause for
// its next line, so that a program's last line before a quiet spell is not
// held. The pause is the pipe's read deadline, set only while a record is
// pending: a program without the pattern, or with nothing pending, costs
// no goroutine and no timer.

// recordMax is the most msg a multiline record holds, in bytes as the
// program wrote them (before escaping and U+FFFD). One line never exceeds
// it: a pump passes on at most pumpBuffer bytes at once.
const recordMax = 64 << 10

// recordPause is how long a pending record waits for a line to continue
// it.
const recordPause = 100 * time.Millisecond

// source is what a pump reads: a pipe from os.Pipe, which is pollable, so
// its read deadline is a timer in the runtime's poller, not a goroutine.
// Tests give a pump a scripted one.
type source interface {
	io.ReadCloser
	SetReadDeadline(t time.Time) error
}

// records builds one pump's JSON objects. buf holds the records finished
// since the last write, then the pending one, if any: its line may still be
// continued by the next chunk's first lines.
type records struct {
	head      []byte         // jsonHead: program and stream
	multiline *regexp.Regexp // nil: every line is a record
	stamp     []byte         // the time of the chunk being added
	buf       []byte
	open      int // where the pending record starts in buf; -1 for none
	msgLen    int // the pending record's msg so far, as written (see recordMax)
}

func newRecords(program, stream string, multiline *regexp.Regexp) *records {
	return &records{head: jsonHead(program, stream), multiline: multiline, open: -1}
}

// add turns chunk's lines, read at t, into records.
func (rs *records) add(chunk []byte, t time.Time) {
	rs.stamp = appendJSONTime(rs.stamp[:0], t)
	forLines(chunk, func(line []byte) bool {
		rs.line(line)
		return true
	})
}

// line adds one line: to the pending record if it continues it, else as
// a record of its own, which, with a multiline pattern, stays pending.
func (rs *records) line(line []byte) {
	body := lineBody(line)
	if rs.open >= 0 && rs.msgLen+1+len(body) <= recordMax && rs.multiline.Match(body) {
		rs.buf = append(rs.buf, `\n`...)
		rs.buf = appendJSONText(rs.buf, body)
		rs.msgLen += 1 + len(body)
		return
	}
	rs.end()
	if rs.multiline == nil {
		rs.buf = appendJSONLine(rs.buf, rs.stamp, rs.head, line)
		return
	}
	rs.open = len(rs.buf)
	rs.buf = appendRecordStart(rs.buf, rs.stamp, rs.head)
	rs.buf = appendJSONText(rs.buf, body)
	rs.msgLen = len(body)
}

// pending reports whether a record waits for more lines.
func (rs *records) pending() bool { return rs.open >= 0 }

// end finishes the pending record, if any.
func (rs *records) end() {
	if rs.open >= 0 {
		rs.buf = appendRecordEnd(rs.buf)
		rs.open = -1
	}
}

// write writes the finished records to w, all at once, and keeps the
// pending one, moved to the front of buf.
func (rs *records) write(w io.Writer) {
	done := len(rs.buf)
	if rs.open >= 0 {
		done = rs.open
	}
	if done > 0 {
		w.Write(rs.buf[:done]) // a Console: it never fails
	}
	rs.buf = rs.buf[:copy(rs.buf, rs.buf[done:])]
	if rs.open >= 0 {
		rs.open = 0
	}
}

// flush finishes the pending record and writes it, with any other.
func (rs *records) flush(w io.Writer) {
	rs.end()
	rs.write(w)
}
