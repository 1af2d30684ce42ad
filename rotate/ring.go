package rotate

import (
	"bytes"
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

// cut shortens b to at most n bytes, not splitting a UTF-8 sequence when
// it can help it (invalid UTF-8 is cut at n).
func cut(b []byte, n int) []byte {
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
