package rotate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// mustOpenShared opens a Stream on path through r that is closed when the
// test ends.
func mustOpenShared(t *testing.T, r *Registry, path string, o Options) *Stream {
	t.Helper()
	s, err := r.Open(path, o)
	if err != nil {
		t.Fatalf("Registry.Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestShared feeds two Streams of one file pieces of lines in turn, and
// checks what the file and its backups hold: each stream's lines whole,
// never mixed with the other's, held back until their newline, and a
// held line written, with a newline, when its stream closes.
func TestShared(t *testing.T) {
	type op struct {
		user  int    // 0 or 1
		write string // written by user; "" with close set
		close bool
	}
	for _, tc := range []struct {
		name string
		o    Options
		ops  []op
		want map[string]string
	}{
		{
			name: "whole lines pass",
			ops:  []op{{0, "a1\n", false}, {1, "b1\nb2\n", false}, {0, "a2\n", false}},
			want: map[string]string{"": "a1\nb1\nb2\na2\n"},
		},
		{
			name: "a partial line waits for its newline",
			ops:  []op{{0, "aa", false}, {1, "b1\n", false}, {0, "a\na2", false}, {1, "b2\n", false}, {0, "\n", false}},
			want: map[string]string{"": "b1\naaa\nb2\na2\n"},
		},
		{
			name: "close writes the held line with a newline",
			ops:  []op{{0, "a1\na-end", false}, {0, "", true}, {1, "b1\n", false}},
			want: map[string]string{"": "a1\na-end\nb1\n"},
		},
		{
			name: "close with nothing held adds nothing",
			ops:  []op{{0, "a1\n", false}, {0, "", true}, {1, "b1", false}, {1, "", true}},
			want: map[string]string{"": "a1\nb1\n"},
		},
		{
			name: "rotation once, at a line end, for both",
			o:    Options{MaxBytes: 8, Backups: 3},
			ops:  []op{{0, "a1\n", false}, {1, "b1\n", false}, {0, "a2\n", false}, {1, "b2\nb3\n", false}, {0, "a3\n", false}},
			want: map[string]string{".2": "a1\nb1\n", ".1": "a2\nb2\n", "": "b3\na3\n"},
		},
		{
			name: "a held line is placed by its end",
			o:    Options{MaxBytes: 8, Backups: 3},
			ops:  []op{{0, "a-lo", false}, {1, "b1\nb2\n", false}, {0, "ng\n", false}},
			want: map[string]string{".1": "b1\nb2\n", "": "a-long\n"},
		},
		{
			name: "a write after close is dropped",
			ops:  []op{{0, "a1\n", false}, {0, "", true}, {0, "a2\n", false}, {1, "b1\n", false}},
			want: map[string]string{"": "a1\nb1\n"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Registry
			path := filepath.Join(t.TempDir(), "shared.log")
			users := []*Stream{mustOpenShared(t, &r, path, tc.o), mustOpenShared(t, &r, path, tc.o)}
			for _, o := range tc.ops {
				if o.close {
					must(t, users[o.user].Close())
					continue
				}
				if n, err := users[o.user].Write([]byte(o.write)); n != len(o.write) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", o.write, n, err)
				}
			}
			checkFiles(t, path, tc.want)
		})
	}
}

// TestSharedLongLine checks that a line held past maxHeld is written in
// maxHeld pieces, each a line, and that a whole long line is not cut.
func TestSharedLongLine(t *testing.T) {
	var r Registry
	path := filepath.Join(t.TempDir(), "long.log")
	a, b := mustOpenShared(t, &r, path, Options{}), mustOpenShared(t, &r, path, Options{})
	long := strings.Repeat("x", maxHeld+10)
	for i := 0; i < len(long); i += 1000 {
		a.Write([]byte(long[i:min(i+1000, len(long))]))
	}
	b.Write([]byte("b1\n"))
	a.Write([]byte("\n"))
	whole := strings.Repeat("y", 3*maxHeld) + "\n"
	a.Write([]byte(whole))
	want := long[:maxHeld] + "\n" + "b1\n" + long[maxHeld:] + "\n" + whole
	if got := readString(t, path); got != want {
		t.Errorf("file holds %d bytes, want %d; line lengths %v", len(got), len(want), lineLengths(got))
	}
}

// lineLengths describes s by the length of each line, for a message.
func lineLengths(s string) []int {
	var ns []int
	for _, l := range strings.SplitAfter(s, "\n") {
		ns = append(ns, len(l))
	}
	return ns
}

// TestRegistry checks the sharing itself: one Writer per cleaned
// absolute path, the first opener's limits, and the file closed with its
// last user.
func TestRegistry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.log")
	var r Registry
	a := mustOpenShared(t, &r, path, Options{MaxBytes: 100, Backups: 2})
	b, err := r.Open(filepath.Join(dir, "sub", "..", ".", "a.log"), Options{MaxBytes: 100, Backups: 2})
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if b.f != a.f || r.Len() != 1 {
		t.Fatalf("two Writers for one path: %q, %q (%d files)", a.Path(), b.Path(), r.Len())
	}
	c, err := r.Open(path, Options{MaxBytes: 5, Backups: 1})
	if !errors.Is(err, ErrLimitsDiffer) || c == nil {
		t.Fatalf("Open with other limits: %v, %v; want a Stream and ErrLimitsDiffer", c, err)
	}
	if c.f.w.maxBytes != 100 || c.f.w.backups != 2 {
		t.Errorf("limits %d, %d; want the first opener's 100, 2", c.f.w.maxBytes, c.f.w.backups)
	}
	other := mustOpenShared(t, &r, filepath.Join(dir, "b.log"), Options{})
	if other.f == a.f || r.Len() != 2 {
		t.Fatalf("two paths share a Writer")
	}
	for _, s := range []*Stream{a, b, c} {
		if r.Len() != 2 || a.f.w.closed {
			t.Fatalf("file closed before its last user")
		}
		must(t, s.Close())
		must(t, s.Close()) // a second Close does not count twice
	}
	if r.Len() != 1 || !a.f.w.closed {
		t.Fatalf("file not closed with its last user: %d files, closed %v", r.Len(), a.f.w.closed)
	}
	d := mustOpenShared(t, &r, path, Options{MaxBytes: 7})
	if d.f == a.f || d.f.w.maxBytes != 7 {
		t.Errorf("after the last user, Open shares the closed Writer or its limits")
	}

	rel, err := filepath.Rel(mustGetwd(t), filepath.Join(dir, "b.log"))
	if err == nil {
		e := mustOpenShared(t, &r, rel, Options{})
		if e.f != other.f {
			t.Errorf("relative path %q is not shared with %q", rel, other.Path())
		}
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	must(t, err)
	return wd
}

// TestSharedDropped checks that a loss of the shared file is reported
// once, by the first Stream to ask, and that a Stream counts its own
// writes after Close.
func TestSharedDropped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gone", "x.log") // its directory does not exist
	var r Registry
	a, err := r.Open(path, Options{})
	if err == nil {
		t.Fatal("Open of a file in a missing directory gave no error")
	}
	defer a.Close()
	b := mustOpenShared(t, &r, path, Options{})
	a.Write([]byte("a1\n"))
	b.Write([]byte("b1\n"))
	if n, err := a.TakeDropped(); n != 6 || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("first TakeDropped = %d, %v; want 6, not exist", n, err)
	}
	if n, err := b.TakeDropped(); n != 0 || err != nil {
		t.Errorf("second TakeDropped = %d, %v; want 0, nil", n, err)
	}
	must(t, b.Close())
	b.Write([]byte("late\n"))
	if n, err := b.TakeDropped(); n != 5 || !errors.Is(err, fs.ErrClosed) {
		t.Errorf("TakeDropped after Close = %d, %v; want 5, closed", n, err)
	}
}

// TestSharedReopen checks that Registry.Reopen reopens a shared file once
// after an outside rename, and both streams go on in the new file.
func TestSharedReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.log")
	var r Registry
	a, b := mustOpenShared(t, &r, path, Options{}), mustOpenShared(t, &r, path, Options{})
	a.Write([]byte("a1\n"))
	must(t, os.Rename(path, path+".old"))
	must(t, r.Reopen())
	b.Write([]byte("b1\n"))
	a.Write([]byte("a2\n"))
	if got, want := readString(t, path+".old"), "a1\n"; got != want {
		t.Errorf("renamed file holds %q, want %q", got, want)
	}
	if got, want := readString(t, path), "b1\na2\n"; got != want {
		t.Errorf("new file holds %q, want %q", got, want)
	}
}

// TestSharedConcurrent has two streams write numbered lines in odd pieces
// at once, under rotation, and checks that every line is in the file or
// a backup whole, once, and in each stream's order. Run it with -race.
func TestSharedConcurrent(t *testing.T) {
	const lines = 2000
	dir := t.TempDir()
	path := filepath.Join(dir, "c.log")
	var r Registry
	o := Options{MaxBytes: 4096, Backups: 200} // enough backups to keep every byte
	users := []*Stream{mustOpenShared(t, &r, path, o), mustOpenShared(t, &r, path, o)}
	var wg sync.WaitGroup
	for u, s := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := range lines {
				buf = fmt.Appendf(buf, "user%d line %05d %s\n", u, i, strings.Repeat("z", i%37))
				// Cut the stream at places that have nothing to do with its
				// lines, as a pipe does.
				if cut := (i*7919 + u*13) % 97; len(buf) > cut {
					s.Write(buf[:cut])
					buf = append(buf[:0], buf[cut:]...)
				}
			}
			s.Write(buf)
		}()
	}
	wg.Wait()
	for _, s := range users {
		must(t, s.Close())
	}
	var all []byte
	for i := o.Backups; i >= 0; i-- {
		name := path
		if i > 0 {
			name += "." + strconv.Itoa(i)
		}
		b, err := os.ReadFile(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		must(t, err)
		if len(b) > int(o.MaxBytes) || len(b) > 0 && b[len(b)-1] != '\n' {
			t.Errorf("%s: %d bytes, or not ending a line", name, len(b))
		}
		all = append(all, b...)
	}
	next := []int{0, 0}
	for _, line := range bytes.SplitAfter(all, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		f := strings.Fields(string(line))
		if len(f) < 3 || !strings.HasPrefix(f[0], "user") {
			t.Fatalf("line not whole: %q", line)
		}
		u, uerr := strconv.Atoi(f[0][len("user"):])
		i, ierr := strconv.Atoi(f[2])
		if uerr != nil || ierr != nil {
			t.Fatalf("line not whole: %q", line)
		}
		want := fmt.Sprintf("user%d line %05d %s\n", u, i, strings.Repeat("z", i%37))
		if u < 0 || u > 1 || string(line) != want {
			t.Fatalf("line not whole: %q", line)
		}
		if i != next[u] {
			t.Fatalf("user%d: line %d, want %d (lost, repeated or out of order)", u, i, next[u])
		}
		next[u]++
	}
	if next[0] != lines || next[1] != lines {
		t.Errorf("lines found: %v, want %d each", next, lines)
	}
}

// FuzzShared reads data as two streams' writes, in turn, to one file of a
// small MaxBytes: each byte's low bit is its stream, the rest its
// character or a newline, and a byte of 0xff or 0xfe ends a write. Every
// line of the files must be one stream's alone, and each stream's lines,
// in order, must be what it wrote (with a newline added at its Close if it
// ended mid-line). No stream writes an empty line, so that each line has
// one owner.
func FuzzShared(f *testing.F) {
	f.Add([]byte("\x02\x03\x04\xff\x05\x00\x01\xfe\x06\x00"))
	f.Add([]byte("abcdefghijklmnopqrstuvwxyz\x00\x01\xff\xfeABCDEF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= maxHeld {
			return // no line is cut: TestSharedLongLine covers that
		}
		path := filepath.Join(t.TempDir(), "f.log")
		var r Registry
		o := Options{MaxBytes: 16, Backups: 1000}
		users := []*Stream{mustOpenShared(t, &r, path, o), mustOpenShared(t, &r, path, o)}
		var wrote [2][]byte
		var pending [2][]byte
		flush := func(u int) {
			users[u].Write(pending[u])
			pending[u] = pending[u][:0]
		}
		for _, b := range data {
			if b >= 0xfe {
				flush(int(b & 1))
				continue
			}
			u := int(b & 1)
			c := byte('\n')
			k := (b >> 1) % 13
			if n := len(wrote[u]); k == 0 && (n == 0 || wrote[u][n-1] == '\n') {
				k = 1 // no empty lines: they would belong to either stream
			}
			if k != 0 {
				c = 'a' + 13*byte(u) + k - 1
			}
			pending[u] = append(pending[u], c)
			wrote[u] = append(wrote[u], c)
		}
		for u := range users {
			flush(u)
			must(t, users[u].Close())
			if n := len(wrote[u]); n > 0 && wrote[u][n-1] != '\n' {
				wrote[u] = append(wrote[u], '\n')
			}
		}
		// A line longer than MaxBytes is cut across files by the Writer
		// (its documented limit): the files are read as one.
		var all []byte
		for i := o.Backups; i >= 0; i-- {
			name := path
			if i > 0 {
				name += "." + strconv.Itoa(i)
			}
			b, err := os.ReadFile(name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			must(t, err)
			all = append(all, b...)
		}
		var got [2][]byte
		for _, line := range bytes.SplitAfter(all, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			u := -1
			for _, c := range line[:len(line)-1] {
				cu := 0
				if c >= 'n' {
					cu = 1
				}
				if u >= 0 && cu != u {
					t.Fatalf("line %q mixes the streams", line)
				}
				u = cu
			}
			if u < 0 {
				t.Fatal("an empty line, which no stream wrote")
			}
			got[u] = append(got[u], line...)
		}
		for u := range got {
			if !bytes.Equal(got[u], wrote[u]) {
				t.Fatalf("stream %d: files hold %q, it wrote %q", u, got[u], wrote[u])
			}
		}
	})
}
