package rotate

import (
	"bytes"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxRingLine is the longest line Last returns; a longer one is cut to this
// many bytes (fewer if that would split a UTF-8 sequence).
const MaxRingLine = 4096

// Ring keeps the last lines a program wrote, for `tail NAME N`: the lines
// that lie wholly within the last maxBytes bytes written, each counted with
// its newline. A line whose start has been overwritten is gone, so a line
// longer than maxBytes (newline included) is never returned.
//
// A Ring is one buffer of bytes, written round and round, allocated on the
// first write so that a program that writes nothing costs nothing. Adding
// is a copy into the buffer under one lock, with no work per line and no
// allocation: output arrives in chunks of many lines, and a tail that cost
// a copy and a lock per line took 46% of a log pump's CPU (BENCHMARKS.md,
// "Logs"). Lines are found only when asked for, by Last.
//
// Every Add and AddLines ends at a line end: a chunk that does not end in a
// newline has its last line ended by the Ring. So the stdout and stderr
// pumps of a program, which share its Ring, never run their lines
// together, and neither does the last partial line of one run with the
// first of the next; a line longer than a pump's buffer is kept as the
// pieces the pump hands on.
//
// A Ring is safe for concurrent use: goroutines adding while others read
// is the intended use.
type Ring struct {
	maxLines, maxBytes int

	mu sync.Mutex
	// buf holds the last len(buf) bytes written, oldest at buf[w] once
	// full: maxBytes, and the byte before them, which tells whether the
	// oldest of those bytes starts a line. nil until the first write.
	buf  []byte
	w    int  // where the next byte goes
	full bool // every byte of buf has been written: the window wraps at w

	followers []*follower // tail -f clients; nil for none, which costs nothing
}

// follower is one Follow: told each line added, under the lock, so that
// it gets them in order.
type follower struct{ line func(string) bool }

// NewRing returns an empty Ring that keeps the lines within the last
// maxBytes bytes written and returns at most maxLines of them. maxLines
// below 1 keeps nothing; maxBytes below 1 gives room for maxLines lines of
// MaxRingLine bytes.
func NewRing(maxLines int, maxBytes int) *Ring {
	if maxBytes < 1 {
		maxBytes = max(maxLines, 0) * (MaxRingLine + 1)
	}
	return &Ring{maxLines: maxLines, maxBytes: maxBytes}
}

// Add keeps line as a line: the newline at its end is optional, and an
// empty line is kept as an empty line. A newline inside line ends a line
// there, as in AddLines.
func (r *Ring) Add(line []byte) {
	if len(line) == 0 {
		line = []byte{'\n'}
	}
	r.AddLines(line)
}

// AddLines keeps the lines of chunk, each ending in a newline; a last line
// without one is ended as if it had one. An empty chunk adds nothing. The
// bytes are copied: the caller may reuse chunk.
func (r *Ring) AddLines(chunk []byte) {
	if r.maxLines < 1 || len(chunk) == 0 {
		return
	}
	open := chunk[len(chunk)-1] != '\n'
	r.mu.Lock()
	defer r.mu.Unlock()
	r.grow(len(chunk) + 1)
	r.write(chunk)
	if open {
		r.buf[r.w] = '\n'
		r.advance(1)
	}
	if len(r.followers) > 0 {
		r.tell(chunk)
	}
}

// Follow calls line with each line added from now on, without its
// newline and cut to MaxRingLine bytes, in order, until line returns false
// or stop is called. line is called with the Ring's lock held: it must not
// block, nor use the Ring.
// It first calls line with the last n lines kept (n < 1: none), under the
// same lock, so that no line is missed or told twice between the two.
func (r *Ring) Follow(n int, line func(string) bool) (stop func()) {
	f := &follower{line: line}
	r.mu.Lock()
	if n = min(n, r.maxLines); n > 0 {
		if s, count := r.lastLocked(n); count > 0 {
			for _, l := range strings.SplitN(s, "\n", count) {
				line(cut(l, MaxRingLine))
			}
		}
	}
	r.followers = append(r.followers, f)
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		r.drop(f)
		r.mu.Unlock()
	}
}

// tell hands the lines of chunk to every follower.
func (r *Ring) tell(chunk []byte) {
	var gone []*follower
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n')
		line := chunk
		if i >= 0 {
			line, chunk = chunk[:i], chunk[i+1:]
		} else {
			chunk = nil
		}
		s := cut(string(line), MaxRingLine)
		for _, f := range r.followers {
			if !f.line(s) {
				gone = append(gone, f)
			}
		}
	}
	for _, f := range gone {
		r.drop(f)
	}
}

func (r *Ring) drop(f *follower) {
	for i, g := range r.followers {
		if g == f {
			r.followers = append(r.followers[:i], r.followers[i+1:]...)
			break
		}
	}
	if len(r.followers) == 0 {
		r.followers = nil
	}
}

// ringStart is the size of a Ring's first buffer; tests shrink it, so
// that small rings grow too.
var ringStart = 16 << 10

// grow makes room for n more bytes without wrapping while the buffer is
// smaller than its full size: it starts at ringStart and doubles, so that
// a program that says little holds little, and the garbage collector does
// not count a megabyte for each program that has written a line. Until
// the buffer wraps, it holds all that was written, from its start.
func (r *Ring) grow(n int) {
	size := r.maxBytes + 1
	// Strictly more room than n: a buffer smaller than its full size must
	// not wrap.
	if r.full || len(r.buf) == size || r.w+n < len(r.buf) {
		return
	}
	next := max(len(r.buf), ringStart)
	for next <= r.w+n && next < size {
		next *= 2
	}
	buf := make([]byte, min(next, size))
	copy(buf, r.buf[:r.w])
	r.buf = buf
}

// write copies p into the buffer: its last len(r.buf) bytes, in at most two
// copies.
func (r *Ring) write(p []byte) {
	if len(p) >= len(r.buf) {
		copy(r.buf, p[len(p)-len(r.buf):])
		r.w, r.full = 0, true
		return
	}
	if n := copy(r.buf[r.w:], p); n < len(p) {
		copy(r.buf, p[n:])
	}
	r.advance(len(p))
}

// advance moves the write position past n bytes just written, n at most
// len(r.buf).
func (r *Ring) advance(n int) {
	r.w += n
	if r.w >= len(r.buf) {
		r.w -= len(r.buf)
		r.full = true
	}
}

// Last returns the last n lines kept, at most maxLines, oldest first and
// without their newlines, each cut to MaxRingLine bytes; fewer if fewer are
// kept, nil if n < 1.
func (r *Ring) Last(n int) []string {
	n = min(n, r.maxLines)
	if n < 1 {
		return nil
	}
	s, count := r.last(n)
	if count == 0 {
		return nil
	}
	lines := strings.SplitN(s, "\n", count)
	for i, l := range lines {
		lines[i] = cut(l, MaxRingLine)
	}
	return lines
}

// last returns a copy of the last n whole lines in the buffer, joined by
// newlines (without the last one), and how many there are. Only this copy
// is made under the lock; the splitting is left to the caller.
func (r *Ring) last(n int) (string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastLocked(n)
}

// lastLocked is last, with the lock held.
func (r *Ring) lastLocked(n int) (string, int) {
	// The window, oldest first, is older followed by newer. It is empty or
	// ends in a newline: every write ends a line.
	older, newer := []byte(nil), r.buf[:r.w]
	if r.full {
		older = r.buf[r.w:]
	}
	size := len(older) + len(newer)
	if size == 0 {
		return "", 0
	}
	// The oldest of the last n lines starts after the n-th newline back
	// from the one that ends the newest. Once full, the window's first byte
	// is the one before the last maxBytes bytes, so a line starts within
	// them exactly when a newline in the window precedes it. Until then,
	// the window starts the output, and so does its first line.
	end := size - 1
	// a and b are the window up to that newline, in its two parts.
	a, b := older[:min(end, len(older))], newer[:max(end-len(older), 0)]
	i, found := newlineBack(b, n)
	if i >= 0 {
		i += len(a)
	} else {
		var more int
		i, more = newlineBack(a, n-found)
		found += more
	}
	start, count := i+1, n
	switch {
	case i >= 0:
	case !r.full:
		start, count = 0, found+1
	case found == 0:
		return "", 0 // the newest line's start is overwritten
	default: // the oldest line's start is overwritten: begin a line later
		if i = bytes.IndexByte(a, '\n'); i < 0 {
			i = len(a) + bytes.IndexByte(b, '\n')
		}
		start, count = i+1, found
	}
	var s strings.Builder
	s.Grow(end - start)
	if start < len(older) {
		s.Write(older[start:min(end, len(older))])
	}
	if end > len(older) {
		s.Write(newer[max(start-len(older), 0) : end-len(older)])
	}
	return s.String(), count
}

// newlineBack returns the index in p of the k-th newline back from its end
// (k at least 1), or -1 and how many newlines p has if it has fewer than k.
// It counts a block at a time, because bytes.Count is vectorised where
// bytes.LastIndexByte is a loop over bytes: a tail of 1000 lines in a full
// 1 MiB Ring held the lock for over a millisecond (BenchmarkRingLast1000).
func newlineBack(p []byte, k int) (i, found int) {
	const block = 4096
	for end := len(p); end > 0; {
		start := max(end-block, 0)
		c := bytes.Count(p[start:end], []byte{'\n'})
		if found+c < k {
			found += c
			end = start
			continue
		}
		// The one wanted is the block's (c-(k-found)+1)-th newline.
		i = start - 1
		for range c - (k - found) + 1 {
			i += 1 + bytes.IndexByte(p[i+1:end], '\n')
		}
		return i, k
	}
	return -1, found
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
