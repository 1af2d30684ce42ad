package rotate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// checkDropped checks what TakeDropped reports, and that it then reports
// nothing.
func checkDropped(t *testing.T, w *Writer, want int64, cause error) {
	t.Helper()
	n, err := w.TakeDropped()
	if n != want || !errors.Is(err, cause) {
		t.Errorf("TakeDropped = %d, %v; want %d, %v", n, err, want, cause)
	}
	if n, err := w.TakeDropped(); n != 0 || err != nil {
		t.Errorf("TakeDropped again = %d, %v; want 0, nil", n, err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDirectoryRemoved: the log directory vanishes under a running Writer,
// then comes back. What is written meanwhile is dropped and counted, and
// the Writer tries again only once per RetryInterval.
func TestDirectoryRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	must(t, os.Mkdir(dir, 0o755))
	path := filepath.Join(dir, "log")
	c := newClock()
	w := mustOpen(t, path, Options{MaxBytes: 100, Backups: 1, RetryInterval: time.Second, Now: c.Now})
	mustWrite(t, w, "before\n")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Second) // the Writer looks at the path once a second
	mustWrite(t, w, "lost 1\n")
	mustWrite(t, w, "lost 2\n")
	checkDropped(t, w, 14, fs.ErrNotExist)

	must(t, os.Mkdir(dir, 0o755))
	c.Advance(time.Second - 1)
	mustWrite(t, w, "lost 3\n") // too soon to try again
	checkDropped(t, w, 7, fs.ErrNotExist)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("retried before RetryInterval: %v", err)
	}
	c.Advance(1)
	mustWrite(t, w, "after\n")
	checkNoDrops(t, w)
	checkFiles(t, path, map[string]string{"": "after\n"})
	checkMode(t, path, 0o640)
}

// TestOpenFails: Open reports the error and returns a Writer that works
// once the directory exists.
func TestOpenFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	path := filepath.Join(dir, "log")
	c := newClock()
	w, err := Open(path, Options{Now: c.Now})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `open "`+path+`"`) {
		t.Fatalf("Open = %v; want open %q: ... no such file", err, path)
	}
	defer w.Close()
	mustWrite(t, w, "lost\n")
	checkDropped(t, w, 5, fs.ErrNotExist)
	must(t, os.Mkdir(dir, 0o755))
	c.Advance(time.Second) // the default RetryInterval
	mustWrite(t, w, "kept\n")
	checkNoDrops(t, w)
	checkFiles(t, path, map[string]string{"": "kept\n"})
}

// TestSymlink: O_NOFOLLOW refuses a symlink at the path; nothing is written
// through it.
func TestSymlink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	target := filepath.Join(dir, "target")
	must(t, os.WriteFile(target, []byte("secret\n"), 0o600))
	c := newClock()

	t.Run("replaced under a running Writer", func(t *testing.T) {
		w := mustOpen(t, path, Options{Now: c.Now})
		mustWrite(t, w, "a\n")
		must(t, os.Remove(path))
		if err := os.Symlink(target, path); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Second)
		mustWrite(t, w, "b\n")
		checkDropped(t, w, 2, unix.ELOOP)
		c.Advance(time.Second)
		mustWrite(t, w, "c\n")
		checkDropped(t, w, 2, unix.ELOOP)
		if err := w.Reopen(); !errors.Is(err, unix.ELOOP) {
			t.Errorf("Reopen = %v, want ELOOP", err)
		}
		if got := readString(t, target); got != "secret\n" {
			t.Errorf("written through the symlink: target = %q", got)
		}
	})
	t.Run("at Open", func(t *testing.T) {
		w, err := Open(path, Options{Now: c.Now})
		if !errors.Is(err, unix.ELOOP) {
			t.Errorf("Open = %v, want ELOOP", err)
		}
		mustWrite(t, w, "d\n")
		checkDropped(t, w, 2, unix.ELOOP)
		w.Close()
		if got := readString(t, target); got != "secret\n" {
			t.Errorf("written through the symlink: target = %q", got)
		}
	})
}

// TestReopen: after an outside logrotate renames the file, Reopen starts a
// new one and the renamed file is left as it was.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	c := newClock()
	w := mustOpen(t, path, Options{MaxBytes: 100, Backups: 2, Now: c.Now})
	mustWrite(t, w, "a\n")
	must(t, os.Rename(path, path+".old"))
	mustWrite(t, w, "b\n") // still the open file, now renamed
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, w, "c\n")
	checkNoDrops(t, w)
	checkFiles(t, path, map[string]string{"": "c\n"})
	checkMode(t, path, 0o640)
	if got := readString(t, path+".old"); got != "a\nb\n" {
		t.Errorf("renamed file = %q, want %q", got, "a\nb\n")
	}

	// Without Reopen, the Writer notices within RetryInterval.
	must(t, os.Rename(path, path+".old2"))
	c.Advance(time.Second)
	mustWrite(t, w, "d\n")
	checkFiles(t, path, map[string]string{"": "d\n"})
	if got := readString(t, path+".old2"); got != "c\n" {
		t.Errorf("renamed file = %q, want %q", got, "c\n")
	}
}

// TestRotateAfterOutsideRename: when the path no longer names the open
// file, a rotation opens the path again instead of shifting backups: here,
// shifting would put logrotate's new empty file over the old one.
func TestRotateAfterOutsideRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	c := newClock()
	w := mustOpen(t, path, Options{MaxBytes: 4, Backups: 1, Now: c.Now})
	mustWrite(t, w, "aaa\n")
	must(t, os.Rename(path, path+".1")) // logrotate, before its SIGUSR2
	must(t, os.WriteFile(path, nil, 0o600))
	mustWrite(t, w, "bbb\n")
	checkNoDrops(t, w)
	checkFiles(t, path, map[string]string{"": "bbb\n", ".1": "aaa\n"})
}

// TestRotateFails: a rotation that cannot be done drops what does not fit,
// and never lets the file grow past MaxBytes.
func TestRotateFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	c := newClock()
	w := mustOpen(t, path, Options{MaxBytes: 8, Backups: 1, Now: c.Now})
	must(t, os.MkdirAll(path+".1/x", 0o755)) // rename(2) onto a non-empty directory fails
	mustWrite(t, w, "aaa\nbbb\nccc\n")
	checkDropped(t, w, 4, unix.EISDIR)
	c.Advance(time.Second)
	mustWrite(t, w, "ddd\n")
	checkDropped(t, w, 4, unix.EISDIR)
	if got := readString(t, path); got != "aaa\nbbb\n" {
		t.Errorf("file = %q, want %q", got, "aaa\nbbb\n")
	}
	must(t, os.RemoveAll(path+".1"))
	c.Advance(time.Second)
	mustWrite(t, w, "eee\n")
	checkNoDrops(t, w)
	checkFiles(t, path, map[string]string{"": "eee\n", ".1": "aaa\nbbb\n"})
}

// TestFIFO: a FIFO at the path is never rotated, and a full one (or one
// nobody reads) drops instead of blocking.
func TestFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	c := newClock()
	if _, err := Open(path, Options{Now: c.Now}); !errors.Is(err, unix.ENXIO) {
		t.Errorf("Open with no reader = %v, want ENXIO", err)
	}
	r, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(r)
	w := mustOpen(t, path, Options{MaxBytes: 4, Backups: 1, Now: c.Now})
	mustWrite(t, w, "aaa\nbbb\n")
	checkNoDrops(t, w)
	if _, err := os.Lstat(path + ".1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a FIFO was rotated: %v", err)
	}
	big := bytes.Repeat([]byte("x"), 1<<20) // more than a pipe holds
	if n, err := w.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	n, err := w.TakeDropped()
	if n == 0 || !errors.Is(err, unix.EAGAIN) {
		t.Errorf("TakeDropped = %d, %v; want some, EAGAIN", n, err)
	}
}

// TestClosed: a closed Writer drops and counts.
func TestClosed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w := mustOpen(t, path, Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	mustWrite(t, w, "x\n")
	checkDropped(t, w, 2, fs.ErrClosed)
	if err := w.Reopen(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("Reopen = %v, want ErrClosed", err)
	}
}

// TestFullDisk: on a 64 KiB tmpfs, ENOSPC drops are counted to the byte,
// and writing resumes once there is room again.
func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root with CAP_SYS_ADMIN): %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	filler := filepath.Join(dir, "filler")
	must(t, os.WriteFile(filler, bytes.Repeat([]byte("f"), 32<<10), 0o600))
	path := filepath.Join(dir, "log")
	c := newClock()
	w := mustOpen(t, path, Options{Now: c.Now})
	line := strings.Repeat("y", 999) + "\n"
	var given int64
	for range 100 { // 100 KB into the 32 KiB left
		mustWrite(t, w, line)
		given += int64(len(line))
	}
	dropped, err := w.TakeDropped()
	if !errors.Is(err, unix.ENOSPC) {
		t.Errorf("TakeDropped error = %v, want ENOSPC", err)
	}
	size := int64(len(readString(t, path)))
	if size+dropped != given {
		t.Errorf("%d bytes in file + %d dropped = %d, want %d given", size, dropped, size+dropped, given)
	}
	if size == 0 || dropped == 0 {
		t.Errorf("file %d bytes, dropped %d: want both > 0", size, dropped)
	}

	must(t, os.Remove(filler))
	c.Advance(time.Second)
	mustWrite(t, w, "resumed\n")
	checkNoDrops(t, w)
	if got := readString(t, path); !strings.HasSuffix(got, "resumed\n") || int64(len(got)) != size+8 {
		t.Errorf("after freeing space: %d bytes ending %q", len(got), got[max(0, len(got)-10):])
	}
	if err := w.Close(); err != nil {
		t.Error(err)
	}
}
