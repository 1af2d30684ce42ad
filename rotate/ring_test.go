package rotate

import (
	"bytes"
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
		{"byte limit", 10, 6, []string{"aa", "bb", "cc", "dd"}, 10, []string{"bb", "cc", "dd"}},
		{"byte limit, exact", 10, 4, []string{"aa", "bb"}, 10, []string{"aa", "bb"}},
		{"a line over the byte limit is cut", 10, 4, []string{"aa", "bbbbbb"}, 10, []string{"bbbb"}},
		{"no byte limit", 2, 0, []string{"aa", "bb", "cc"}, 10, []string{"bb", "cc"}},
		{"empty lines count", 2, 10, []string{"a", "\n", ""}, 10, []string{"", ""}},
		{"no lines kept", 0, 100, []string{"a"}, 10, nil},
		{"only one newline is removed", 5, 100, []string{"a\n\n"}, 10, []string{"a\n"}},
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
}

// TestRingBytes checks the byte count across many evictions.
func TestRingBytes(t *testing.T) {
	r := NewRing(50, 300)
	for i := range 10000 {
		r.Add([]byte(strings.Repeat("x", i%37)))
		lines := r.Last(1000)
		total := 0
		for _, l := range lines {
			total += len(l)
		}
		if len(lines) > 50 || total > 300 || total != r.bytes {
			t.Fatalf("after %d: %d lines, %d bytes (counted %d)", i, len(lines), total, r.bytes)
		}
	}
}

// TestRingConcurrent: one writer and several readers, for -race. Each read
// sees consecutive lines, oldest first.
func TestRingConcurrent(t *testing.T) {
	r := NewRing(100, 1000)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2000 {
				got := r.Last(50)
				for i := 1; i < len(got); i++ {
					a, _ := strconv.Atoi(got[i-1])
					b, _ := strconv.Atoi(got[i])
					if b != a+1 {
						t.Errorf("Last = ... %q, %q ...: not consecutive", got[i-1], got[i])
						return
					}
				}
			}
		})
	}
	for i := range 20000 {
		r.Add([]byte(strconv.Itoa(i) + "\n"))
	}
	wg.Wait()
	got := r.Last(1)
	if len(got) != 1 || got[0] != "19999" {
		t.Errorf("Last(1) = %q", got)
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
		if strings.Join(got, "|") != strings.Join(want, "|") {
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
