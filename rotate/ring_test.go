package rotate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestRing(t *testing.T) {
	tests := []struct {
		name               string
		maxLines, maxBytes int
		add                []string
		n                  int
		want               []string
	}{
		{"empty", 3, 100, nil, 5, nil},
		{"fewer than asked", 3, 100, []string{"a\n", "b\n"}, 5, []string{"a", "b"}},
		{"oldest first, last n", 10, 100, []string{"a", "b", "c", "d"}, 2, []string{"c", "d"}},
		{"n 0", 10, 100, []string{"a"}, 0, nil},
		{"n negative", 10, 100, []string{"a"}, -1, nil},
		{"line limit", 3, 100, []string{"a", "b", "c", "d", "e"}, 10, []string{"c", "d", "e"}},
		{"line limit, fewer asked", 3, 100, []string{"a", "b", "c", "d", "e"}, 2, []string{"d", "e"}},
		// Each line counts its newline: "aa\n" is 3 bytes.
		{"byte limit", 10, 9, []string{"aa", "bb", "cc", "dd"}, 10, []string{"bb", "cc", "dd"}},
		{"byte limit, exact", 10, 6, []string{"aa", "bb"}, 10, []string{"aa", "bb"}},
		{"byte limit, one short", 10, 5, []string{"aa", "bb"}, 10, []string{"bb"}},
		{"a line over the byte limit is gone", 10, 4, []string{"aa", "bbbbbb"}, 10, nil},
		{"and the next line is kept", 10, 4, []string{"aa", "bbbbbb", "c"}, 10, []string{"c"}},
		{"one byte keeps empty lines", 10, 1, []string{"a", "", ""}, 10, []string{""}},
		{"one byte, no room for a", 10, 1, []string{"a"}, 10, nil},
		{"no byte limit", 2, 0, []string{"aa", "bb", "cc"}, 10, []string{"bb", "cc"}},
		{"empty lines count", 2, 10, []string{"a", "\n", ""}, 10, []string{"", ""}},
		{"no lines kept", 0, 100, []string{"a"}, 10, nil},
		{"a newline inside a line ends it", 5, 100, []string{"a\n\n", "b\nc"}, 10, []string{"a", "", "b", "c"}},
		// The buffer holds 11 bytes; "ijkl\n" is written at 10, 0, 1, 2, 3.
		{"a line across the buffer's end", 10, 10, []string{"abcd", "efgh", "ijkl"}, 10, []string{"efgh", "ijkl"}},
		{"and past it", 10, 10, []string{"abcd", "efgh", "ijkl", "m"}, 10, []string{"ijkl", "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRing(tt.maxLines, tt.maxBytes)
			for _, s := range tt.add {
				r.Add([]byte(s))
			}
			if got := r.Last(tt.n); !slices.Equal(got, tt.want) {
				t.Errorf("Last(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func TestRingAddLines(t *testing.T) {
	tests := []struct {
		name               string
		maxLines, maxBytes int
		add                []string
		want               []string
	}{
		{"chunks of lines", 10, 100, []string{"a\nb\n", "c\n"}, []string{"a", "b", "c"}},
		{"a chunk's last line is ended", 10, 100, []string{"a\nb", "c\n"}, []string{"a", "b", "c"}},
		{"an empty chunk adds nothing", 10, 100, []string{"a\n", "", ""}, []string{"a"}},
		{"an empty line", 10, 100, []string{"\n"}, []string{""}},
		// 20 bytes into a buffer of 12 or 11: the last 11 bytes are whole
		// lines, the last 10 are not.
		{"a chunk bigger than the buffer", 10, 11, []string{"1\n22\n333\n4444\n55555\n"}, []string{"4444", "55555"}},
		{"a chunk bigger than the buffer, cut", 10, 10, []string{"1\n22\n333\n4444\n55555\n"}, []string{"55555"}},
		{"and then more", 10, 10, []string{"1\n22\n333\n4444\n55555\n", "6\n"}, []string{"55555", "6"}},
		{"a bigger chunk that is ended", 10, 4, []string{"abc\nxyz"}, []string{"xyz"}},
		{"a bigger chunk, no line whole", 10, 3, []string{"abc\nxyz"}, nil},
		{"a chunk of exactly the buffer", 10, 5, []string{"a\nbcd\n"}, []string{"bcd"}},
		{"lines capped", 2, 100, []string{"a\nb\nc\nd\n"}, []string{"c", "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRing(tt.maxLines, tt.maxBytes)
			for _, s := range tt.add {
				r.AddLines([]byte(s))
			}
			if got := r.Last(1000); !slices.Equal(got, tt.want) {
				t.Errorf("Last = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRingCopies(t *testing.T) {
	r := NewRing(2, 100)
	b := []byte("abc")
	r.Add(b)
	b[0] = 'X'
	if got := r.Last(1); got[0] != "abc" {
		t.Errorf("Last = %q: Add kept the caller's buffer", got)
	}
}

func TestRingTruncates(t *testing.T) {
	r := NewRing(10, 1<<20)
	r.Add([]byte(strings.Repeat("a", 5000) + "\n"))
	if got := r.Last(1)[0]; len(got) != MaxRingLine {
		t.Errorf("kept %d bytes, want %d", len(got), MaxRingLine)
	}
	// A cut does not split a UTF-8 sequence: "é" is 2 bytes, and 4095
	// ASCII bytes leave room for only half of it.
	r.Add([]byte(strings.Repeat("a", MaxRingLine-1) + "éé"))
	got := r.Last(1)[0]
	if len(got) != MaxRingLine-1 || !utf8.ValidString(got) {
		t.Errorf("kept %d bytes (valid UTF-8: %v), want %d", len(got), utf8.ValidString(got), MaxRingLine-1)
	}
	// Invalid UTF-8 is cut at the limit.
	r.Add([]byte(strings.Repeat("\x80", 5000)))
	if got := r.Last(1)[0]; len(got) != MaxRingLine {
		t.Errorf("kept %d bytes of invalid UTF-8, want %d", len(got), MaxRingLine)
	}
	// The cut is made for Last: the line still takes its bytes in the ring.
	if got := r.Last(10); len(got) != 3 {
		t.Errorf("Last(10) returned %d lines, want 3", len(got))
	}
}

// TestRingLazy: a Ring that is never written holds no buffer, and one
// write allocates it once.
func TestRingLazy(t *testing.T) {
	r := NewRing(1000, 1<<20)
	r.Last(50)
	if r.buf != nil {
		t.Fatalf("an unwritten Ring holds %d bytes", len(r.buf))
	}
	r.AddLines([]byte("a\n"))
	if len(r.buf) != ringStart {
		t.Errorf("buffer of %d bytes after a line, want %d", len(r.buf), ringStart)
	}
	line := bytes.Repeat([]byte("z"), 999)
	for range 1100 {
		r.AddLines(append(line, '\n'))
	}
	if len(r.buf) != 1<<20+1 || !r.full {
		t.Errorf("buffer of %d bytes after 1.1 MB, want %d, wrapped", len(r.buf), 1<<20+1)
	}
	if got := r.Last(1000); len(got) != 1000 || got[999] != string(line) {
		t.Errorf("after growing: %d lines", len(got))
	}
	none := NewRing(0, 1<<20)
	none.Add([]byte("a"))
	if none.buf != nil {
		t.Errorf("a Ring that keeps no lines holds %d bytes", len(none.buf))
	}
}

// TestRingNoAllocs: adding allocates nothing once the buffer exists.
func TestRingNoAllocs(t *testing.T) {
	r := NewRing(1000, 1<<20)
	chunk := bytes.Repeat([]byte("0123456789abcde\n"), 4096)
	partial := []byte("no newline")
	if n := testing.AllocsPerRun(100, func() {
		r.AddLines(chunk)
		r.AddLines(partial)
		r.Add(partial)
	}); n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

// AddLines keeps what Add, line by line, keeps.
func TestAddLinesAsAdd(t *testing.T) {
	chunks := [][]byte{
		[]byte("a\nbb\nccc\n"),
		[]byte("no newline at the end"),
		[]byte("\n\n"),
		[]byte(strings.Repeat("x", 5000) + "\n" + "é\n"),
		[]byte(strings.Repeat("line\n", 40)),
	}
	for _, limits := range [][2]int{{1000, 1 << 20}, {7, 1 << 20}, {1000, 30}, {3, 0}} {
		one, all := NewRing(limits[0], limits[1]), NewRing(limits[0], limits[1])
		for _, c := range chunks {
			all.AddLines(c)
			forEachLine(c, one.Add)
		}
		got, want := all.Last(2000), one.Last(2000)
		if !slices.Equal(got, want) {
			t.Errorf("limits %v: AddLines kept %q, Add %q", limits, got, want)
		}
	}
}

func forEachLine(c []byte, f func([]byte)) {
	for len(c) > 0 {
		i := bytes.IndexByte(c, '\n') + 1
		if i == 0 {
			i = len(c)
		}
		f(c[:i])
		c = c[i:]
	}
}

// TestRingConcurrent: a program's stdout and stderr pumps share its Ring,
// and tail reads it meanwhile; run with -race. Each read sees each
// writer's lines consecutive, oldest first.
func TestRingConcurrent(t *testing.T) {
	r := NewRing(100, 1000)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				got := r.Last(100)
				last := map[string]int{}
				for _, l := range got {
					name, num, ok := strings.Cut(l, " ")
					i, err := strconv.Atoi(num)
					if !ok || err != nil {
						t.Errorf("Last returned %q: not a whole line", l)
						return
					}
					if prev, seen := last[name]; seen && i != prev+1 {
						t.Errorf("Last = %q: %s %d after %d", got, name, i, prev)
						return
					}
					last[name] = i
				}
			}
		})
	}
	const lines = 20000
	for _, name := range []string{"out", "err"} {
		wg.Go(func() {
			var chunk []byte
			for i := range lines {
				chunk = fmt.Appendf(chunk, "%s %d\n", name, i)
				if i%7 == 6 || i == lines-1 {
					r.AddLines(chunk)
					chunk = chunk[:0]
				}
			}
		})
	}
	wg.Wait()
	// The writer that finished last wrote the last line.
	if got := r.Last(1); len(got) != 1 || (got[0] != "out 19999" && got[0] != "err 19999") {
		t.Errorf("Last(1) = %q, want a writer's last line", got)
	}
}

// ringModel is what a Ring should keep, stated directly: every line
// written, with the offset of its first byte in all the output, newlines
// included (and those a Ring adds to end a chunk). A line is kept if and
// only if all its bytes are among the last maxBytes written.
type ringModel struct {
	maxLines, maxBytes int
	total              int // bytes written
	lines              []modelLine
}

type modelLine struct {
	start int
	text  string
}

func newRingModel(maxLines, maxBytes int) *ringModel {
	if maxBytes < 1 {
		maxBytes = max(maxLines, 0) * (MaxRingLine + 1)
	}
	return &ringModel{maxLines: maxLines, maxBytes: maxBytes}
}

func (m *ringModel) add(line []byte) {
	if len(line) == 0 {
		line = []byte{'\n'}
	}
	m.addLines(line)
}

func (m *ringModel) addLines(chunk []byte) {
	if m.maxLines < 1 {
		return
	}
	forEachLine(chunk, func(l []byte) {
		text := strings.TrimSuffix(string(l), "\n")
		m.lines = append(m.lines, modelLine{m.total, text})
		m.total += len(text) + 1
	})
}

func (m *ringModel) last(n int) []string {
	var kept []string
	for _, l := range m.lines {
		if l.start >= m.total-m.maxBytes {
			kept = append(kept, cut(l.text, MaxRingLine))
		}
	}
	n = min(n, m.maxLines, len(kept))
	if n < 1 {
		return nil
	}
	return kept[len(kept)-n:]
}

// checkRing runs ops on a Ring and on the model, comparing what Last
// returns after each. An op is: 0 Add, 1 AddLines, 2 Last(n), with its
// bytes.
type ringOp struct {
	kind int
	p    []byte
	n    int
}

func checkRing(t *testing.T, maxLines, maxBytes int, ops []ringOp) {
	t.Helper()
	r, m := NewRing(maxLines, maxBytes), newRingModel(maxLines, maxBytes)
	var trace []string
	check := func(n int) {
		t.Helper()
		if got, want := r.Last(n), m.last(n); !slices.Equal(got, want) {
			t.Fatalf("NewRing(%d, %d), after\n\t%s\nLast(%d) = %q\nwant %q", maxLines, maxBytes, strings.Join(trace, "\n\t"), n, got, want)
		}
	}
	for _, op := range ops {
		switch op.kind {
		case 0:
			r.Add(op.p)
			m.add(op.p)
			trace = append(trace, fmt.Sprintf("Add(%q)", op.p))
		case 1:
			r.AddLines(op.p)
			m.addLines(op.p)
			trace = append(trace, fmt.Sprintf("AddLines(%q)", op.p))
		default:
			check(op.n)
		}
	}
	check(maxLines + 1)
	check(len(m.lines) + 1)
}

// TestRingModel compares a Ring with the model on random output: short
// lines in small rings, so that they wrap often, and lines longer than
// MaxRingLine in rings that can hold them.
func TestRingModel(t *testing.T) {
	smallStart(t)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\n\n")
	for range 2000 {
		maxLines := rng.IntN(12) - 1
		maxBytes := rng.IntN(40)
		long := rng.IntN(10) == 0
		if long {
			maxBytes = MaxRingLine + rng.IntN(3*MaxRingLine)
		}
		var ops []ringOp
		for range rng.IntN(40) {
			size := rng.IntN(2 * max(maxBytes, 1))
			if long && rng.IntN(3) == 0 {
				size = MaxRingLine - 5 + rng.IntN(10)
			}
			p := make([]byte, size)
			for i := range p {
				p[i] = alphabet[rng.IntN(len(alphabet))]
				if long && rng.IntN(100) != 0 {
					p[i] = 'x'
				}
			}
			ops = append(ops, ringOp{kind: rng.IntN(3), p: p, n: rng.IntN(15) - 2})
		}
		checkRing(t, maxLines, maxBytes, ops)
	}
}

// FuzzRing compares a Ring with the model. ops is read as a list: a byte
// whose low two bits are the op (Add, AddLines, Last, AddLines of a line
// longer than MaxRingLine) and whose other bits are a length, then that
// many bytes for the line or chunk (every fifth byte value a newline); for
// Last, the length is n.
func FuzzRing(f *testing.F) {
	f.Add(uint8(10), uint16(16), []byte("\x0cab\n\x0ecd\x11ef\ng\x02"))
	f.Add(uint8(3), uint16(0), []byte("\x05aaaa\x05bbbb\x05cccc\x05dddd\x06"))
	f.Add(uint8(50), uint16(5000), []byte("\x03\x07\x06\x00\x02"))
	f.Add(uint8(0), uint16(10), []byte("\x05abc"))
	smallStart(f)
	f.Fuzz(func(t *testing.T, lines uint8, bytesLimit uint16, data []byte) {
		maxLines := int(lines)%64 - 1
		maxBytes := int(bytesLimit) % 9000
		var ops []ringOp
		for len(data) > 0 {
			kind, size := int(data[0]&3), int(data[0]>>2)
			data = data[1:]
			switch kind {
			case 2:
				ops = append(ops, ringOp{kind: 2, n: size - 2})
				continue
			case 3:
				p := bytes.Repeat([]byte{'y'}, MaxRingLine-32+size)
				if size%2 == 0 {
					p = append(p, '\n')
				}
				ops = append(ops, ringOp{kind: 1, p: p})
				continue
			}
			size = min(size, len(data))
			p := bytes.Clone(data[:size])
			data = data[size:]
			for i, c := range p {
				if c%5 == 0 {
					p[i] = '\n'
				}
			}
			ops = append(ops, ringOp{kind: kind, p: p})
		}
		checkRing(t, maxLines, maxBytes, ops)
	})
}

// smallStart makes rings start at 3 bytes, so that the small rings of the
// model tests grow, doubling, before they wrap.
func smallStart(tb testing.TB) {
	old := ringStart
	ringStart = 3
	tb.Cleanup(func() { ringStart = old })
}

// Follow hands over the last lines, then each new one, in order, until it
// is stopped or its function says no more.
func TestRingFollow(t *testing.T) {
	r := NewRing(10, 0)
	r.AddLines([]byte("a\nb\nc\n"))
	var got []string
	stop := r.Follow(2, func(l string) bool { got = append(got, l); return true })
	r.AddLines([]byte("d\ne")) // a last line without its newline is a line
	stop()
	r.AddLines([]byte("f\n"))
	if strings.Join(got, ",") != "b,c,d,e" {
		t.Errorf("followed %q, want b,c,d,e", got)
	}
	n := 0
	r.Follow(0, func(string) bool { n++; return false })
	r.AddLines([]byte("g\nh\n"))
	r.AddLines([]byte("i\n"))
	if n != 2 || r.followers != nil {
		t.Errorf("a follower that said no more was told %d lines (want the 2 of that chunk), followers %v", n, r.followers)
	}
}
