package rotate

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxRingLine is the longest line a Ring keeps; a longer one is cut to this
// many bytes (fewer if that would split a UTF-8 sequence).
const MaxRingLine = 4096

// Ring keeps the last lines a program wrote, for `tail NAME N`: at most
// maxLines lines and maxBytes bytes in all, the oldest dropped first. A
// line longer than MaxRingLine is kept cut short. A Ring is safe for
// concurrent use: one goroutine adding while others read is the intended
// use.
type Ring struct {
	maxLines, maxBytes int

	mu    sync.RWMutex
	lines []string // oldest first
	bytes int      // the sum of their lengths
}

// NewRing returns an empty Ring that keeps at most maxLines lines and
// maxBytes bytes. maxLines below 1 keeps nothing; maxBytes below 1 sets no
// limit on bytes beyond that of lines (each at most MaxRingLine bytes).
func NewRing(maxLines int, maxBytes int) *Ring {
	return &Ring{maxLines: maxLines, maxBytes: maxBytes}
}

// Add keeps a copy of line, without its trailing newline if it has one,
// dropping the oldest lines as needed to stay within the limits. A line
// longer than MaxRingLine, or than the byte limit, is cut to fit.
func (r *Ring) Add(line []byte) {
	if r.maxLines < 1 {
		return
	}
	line = bytes.TrimSuffix(line, []byte{'\n'})
	limit := MaxRingLine
	if r.maxBytes > 0 {
		limit = min(limit, r.maxBytes)
	}
	s := string(cut(line, limit)) // the copy, made outside the lock
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, s)
	r.bytes += len(s)
	r.evict()
}

// AddLines keeps the lines of chunk (each ends in a newline, but the last
// may not), as Add would one at a time, with one copy and one lock for the
// whole chunk. Output arrives in chunks of many lines, and a copy and a
// lock per line cost a pump more than writing the lines out
// (BENCHMARKS.md, "Logs"). A line shares its chunk's copy, so at most one
// chunk more than the limits is kept alive.
func (r *Ring) AddLines(chunk []byte) {
	if r.maxLines < 1 || len(chunk) == 0 {
		return
	}
	// Only the chunk's last maxLines lines can stay: copy just those.
	start, n := len(chunk), 0
	for start > 0 && n < r.maxLines {
		start = bytes.LastIndexByte(chunk[:start-1], '\n') + 1
		n++
	}
	s := string(chunk[start:])
	limit := MaxRingLine
	if r.maxBytes > 0 {
		limit = min(limit, r.maxBytes)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = cut(line, limit)
		r.lines = append(r.lines, line)
		r.bytes += len(line)
	}
	r.evict()
}

// evict drops the oldest lines until the limits hold.
func (r *Ring) evict() {
	for len(r.lines) > r.maxLines || (r.maxBytes > 0 && r.bytes > r.maxBytes) {
		r.bytes -= len(r.lines[0])
		r.lines[0] = "" // let the string go
		// Appending to a slice taken from the front reallocates it, live
		// lines only, when it reaches its capacity: memory stays in
		// proportion to what is kept.
		r.lines = r.lines[1:]
	}
}

// Last returns the last n lines kept, oldest first; fewer if fewer are
// kept, nil if n < 1.
func (r *Ring) Last(n int) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	n = min(n, len(r.lines))
	if n < 1 {
		return nil
	}
	return append([]string(nil), r.lines[len(r.lines)-n:]...)
}

// cut shortens b, a line as bytes or as a string, to at most n bytes,
// without a copy, not splitting a UTF-8 sequence when it can help it
// (invalid UTF-8 is cut at n).
func cut[S ~string | ~[]byte](b S, n int) S {
	if len(b) <= n {
		return b
	}
	for i := n; i > 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return b[:i]
		}
	}
	return b[:n]
}
