package rotate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// clock is a fake clock for RetryInterval: it moves only when told to.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// mustOpen opens a Writer on path that fails the test on error and is closed
// when the test ends.
func mustOpen(t *testing.T, path string, o Options) *Writer {
	t.Helper()
	w, err := Open(path, o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// must fails the test on an error in its setup.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, w *Writer, s string) {
	t.Helper()
	if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
		t.Fatalf("Write(%q) = %d, %v; want %d, nil", s, n, err, len(s))
	}
}

// files returns the contents of path and of path.1 .. path.9 that exist,
// keyed by suffix ("", ".1", ...).
func files(t *testing.T, path string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for i := range 10 {
		suffix := ""
		if i > 0 {
			suffix = "." + strconv.Itoa(i)
		}
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got[suffix] = string(b)
	}
	return got
}

func checkFiles(t *testing.T, path string, want map[string]string) {
	t.Helper()
	got := files(t, path)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("file%s = %q, want %q", k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("file%s = %q exists, want none", k, v)
		}
	}
}

func checkNoDrops(t *testing.T, w *Writer) {
	t.Helper()
	if n, err := w.TakeDropped(); n != 0 || err != nil {
		t.Errorf("TakeDropped = %d, %v; want 0, nil", n, err)
	}
}

func TestRotate(t *testing.T) {
	tests := []struct {
		name    string
		max     int64
		backups int
		writes  []string
		want    map[string]string
	}{
		{"maxbytes 0 never rotates", 0, 3,
			[]string{"aaaa\n", "bbbb\n", "cccc\n"},
			map[string]string{"": "aaaa\nbbbb\ncccc\n"}},
		{"lines fit exactly", 10, 3,
			[]string{"aaaa\n", "bbbb\n"},
			map[string]string{"": "aaaa\nbbbb\n"}},
		{"one byte over rotates", 10, 3,
			[]string{"aaaa\n", "bbbb\n", "c\n"},
			map[string]string{"": "c\n", ".1": "aaaa\nbbbb\n"}},
		{"lines that fit are written first", 10, 3,
			[]string{"aaa\nbbb\nccc\n"},
			map[string]string{"": "ccc\n", ".1": "aaa\nbbb\n"}},
		{"many rotations in one write", 4, 5,
			[]string{"aa\nbb\ncc\ndd\n"},
			map[string]string{"": "dd\n", ".1": "cc\n", ".2": "bb\n", ".3": "aa\n"}},
		{"backups shift and the oldest is removed", 4, 2,
			[]string{"aaa\n", "bbb\n", "ccc\n", "ddd\n"},
			map[string]string{"": "ddd\n", ".1": "ccc\n", ".2": "bbb\n"}},
		{"backups 0 keeps no old file", 4, 0,
			[]string{"aaa\n", "bbb\n", "ccc\n", "ddd\n"},
			map[string]string{"": "ddd\n"}},
		{"a long line is cut into maxbytes pieces", 4, 5,
			[]string{"x\n", "abcdefghij\n", "y\n"},
			map[string]string{"": "y\n", ".1": "ij\n", ".2": "efgh", ".3": "abcd", ".4": "x\n"}},
		{"a long line among others", 6, 5,
			[]string{"ab\ncdefghijk\nl\n"},
			map[string]string{"": "ijk\nl\n", ".1": "cdefgh", ".2": "ab\n"}},
		{"a line of exactly maxbytes", 4, 5,
			[]string{"a\n", "bcd\n", "efg\n"},
			map[string]string{"": "efg\n", ".1": "bcd\n", ".2": "a\n"}},
		{"maxbytes 1", 1, 5,
			[]string{"ab\n"},
			map[string]string{"": "\n", ".1": "b", ".2": "a"}},
		{"a line in pieces stays whole when it fits", 9, 3,
			[]string{"abc", "def\n", "gh\n"},
			map[string]string{"": "gh\n", ".1": "abcdef\n"}},
		{"a line in pieces starts the next file when it does not fit", 8, 3,
			[]string{"12345\n", "abcd", "e\n"},
			map[string]string{"": "abcde\n", ".1": "12345\n"}},
		{"a line in pieces fills the file when a later piece does not fit", 8, 3,
			[]string{"1234\n", "ab", "cdef\n"},
			map[string]string{"": "def\n", ".1": "1234\nabc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log")
			w := mustOpen(t, path, Options{MaxBytes: tt.max, Backups: tt.backups})
			for _, s := range tt.writes {
				mustWrite(t, w, s)
			}
			checkFiles(t, path, tt.want)
			checkNoDrops(t, w)
		})
	}
}

func TestOpenExisting(t *testing.T) {
	t.Run("smaller than maxbytes is appended to", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log")
		must(t, os.WriteFile(path, []byte("aaaa\n"), 0o600))
		w := mustOpen(t, path, Options{MaxBytes: 10, Backups: 2})
		mustWrite(t, w, "bbbb\n")
		checkFiles(t, path, map[string]string{"": "aaaa\nbbbb\n"})
		mustWrite(t, w, "c\n")
		checkFiles(t, path, map[string]string{"": "c\n", ".1": "aaaa\nbbbb\n"})
	})
	t.Run("larger than maxbytes is rotated at the first write", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log")
		must(t, os.WriteFile(path, []byte("0123456789abcdef\n"), 0o600))
		w := mustOpen(t, path, Options{MaxBytes: 10, Backups: 2})
		checkFiles(t, path, map[string]string{"": "0123456789abcdef\n"})
		mustWrite(t, w, "x\n")
		checkFiles(t, path, map[string]string{"": "x\n", ".1": "0123456789abcdef\n"})
	})
	t.Run("existing mode is kept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "log")
		must(t, os.WriteFile(path, nil, 0o600))
		must(t, os.Chmod(path, 0o604))
		w := mustOpen(t, path, Options{})
		mustWrite(t, w, "x\n")
		checkMode(t, path, 0o604)
	})
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode(), want)
	}
}

// TestMode: files are created 0640 whatever tend's umask. The umask is the
// process's, so these subtests do not run in parallel with anything.
func TestMode(t *testing.T) {
	for _, umask := range []int{0o077, 0o022, 0o000} {
		t.Run(strconv.FormatInt(int64(umask), 8), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			path := filepath.Join(t.TempDir(), "log")
			w := mustOpen(t, path, Options{MaxBytes: 4, Backups: 1})
			checkMode(t, path, 0o640)
			mustWrite(t, w, "aaa\nbbb\n") // rotates: the new file is 0640 too
			checkMode(t, path, 0o640)
			checkMode(t, path+".1", 0o640)
		})
	}
}

func TestSetLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w := mustOpen(t, path, Options{})
	mustWrite(t, w, "aaa\nbbb\n")
	w.SetLimits(4, 1)
	mustWrite(t, w, "ccc\n")
	checkFiles(t, path, map[string]string{"": "ccc\n", ".1": "aaa\nbbb\n"})
	w.SetLimits(0, -1)
	mustWrite(t, w, "ddd\n")
	checkFiles(t, path, map[string]string{"": "ccc\nddd\n", ".1": "aaa\nbbb\n"})
}

// TestConcurrent runs Reopen and TakeDropped beside Write, for -race.
func TestConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w := mustOpen(t, path, Options{MaxBytes: 1000, Backups: 9})
	const lines = 900 // 9 files of 1000 bytes
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := w.Reopen(); err != nil {
				t.Error(err)
			}
			if n, err := w.TakeDropped(); n != 0 || err != nil {
				t.Errorf("TakeDropped = %d, %v", n, err)
			}
		}
	})
	for i := range lines {
		mustWrite(t, w, strconv.Itoa(i%10)+"bcdefghi\n")
	}
	close(done)
	wg.Wait()
	total := 0
	for _, s := range files(t, path) {
		total += len(s)
	}
	if total != lines*10 {
		t.Errorf("%d bytes in files, want %d", total, lines*10)
	}
}
