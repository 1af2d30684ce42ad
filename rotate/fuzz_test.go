package rotate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// feed hands data to write as tend's log pump would: it reads chunks of the
// sizes in reads (cycled; each byte b reads b+1 bytes), keeps them in a
// buffer of buf bytes, and passes on the whole lines in it; a line longer
// than buf goes out in buf-sized pieces. What is left at the end (the
// program exited mid-line) is passed on as it is.
func feed(data, reads []byte, buf int, write func([]byte)) {
	var pending []byte
	for r := 0; len(data) > 0; r++ {
		n := 1
		if len(reads) > 0 {
			n = int(reads[r%len(reads)]) + 1
		}
		n = min(n, len(data))
		pending = append(pending, data[:n]...)
		data = data[n:]
		for {
			if i := bytes.LastIndexByte(pending[:min(len(pending), buf)], '\n'); i >= 0 {
				write(pending[:i+1])
				pending = pending[i+1:]
			} else if len(pending) >= buf {
				write(pending[:buf])
				pending = pending[buf:]
			} else {
				break
			}
		}
	}
	if len(pending) > 0 {
		write(pending)
	}
}

// lineAt returns the bounds of the line of data that holds data[pos]: from
// after the newline before it to its own newline included (or the end).
func lineAt(data []byte, pos int) (start, end int) {
	start = bytes.LastIndexByte(data[:pos], '\n') + 1
	end = len(data)
	if i := bytes.IndexByte(data[pos:], '\n'); i >= 0 {
		end = pos + i + 1
	}
	return start, end
}

func FuzzRotate(f *testing.F) {
	f.Add([]byte("aaa\nbbb\nccc\n"), []byte{3}, uint16(64), uint8(9), uint8(2))
	f.Add([]byte("a\nbcd\nefg\n"), []byte{0, 7}, uint16(64), uint8(3), uint8(5))                      // lines of exactly MaxBytes
	f.Add([]byte("x\nabcdefghijklmnopqrstuvwxyz\ny\n"), []byte{255}, uint16(255), uint8(3), uint8(5)) // a line longer than MaxBytes
	f.Add([]byte("x\nabcdefghijklmnopqrstuvwxyz\ny\n"), []byte{1, 2}, uint16(5), uint8(9), uint8(1))  // longer than the buffer
	f.Add([]byte("\n\n\nno newline at the end"), []byte{}, uint16(7), uint8(0), uint8(0))
	f.Add([]byte(strings.Repeat("0123456789\n", 40)), []byte{99, 5, 17}, uint16(40), uint8(32), uint8(4))
	f.Fuzz(func(t *testing.T, data, reads []byte, bufSize uint16, maxByte, backupsByte uint8) {
		data = data[:min(len(data), 400)] // each rotation costs ~10 syscalls: keep execs fast
		buf := int(bufSize%300) + 1
		maxBytes := int(maxByte%200) + 1
		backups := int(backupsByte % 6)
		path := filepath.Join(t.TempDir(), "log")
		w, err := Open(path, Options{MaxBytes: int64(maxBytes), Backups: backups})
		if err != nil {
			t.Fatal(err)
		}
		// Every file as it is rotated away: the whole history, which the
		// files kept must be the end of.
		var history []string
		w.onRotate = func() {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("onRotate: %v", err)
			}
			history = append(history, string(b))
		}
		feed(data, reads, buf, func(p []byte) {
			if n, err := w.Write(p); n != len(p) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		})
		if n, err := w.TakeDropped(); n != 0 || err != nil {
			t.Fatalf("TakeDropped = %d, %v", n, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		cur, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		all := append(history, string(cur))

		// Every byte once, in order.
		if got := strings.Join(all, ""); got != string(data) {
			t.Fatalf("files joined = %q\nwant %q", got, data)
		}

		// The kept files are the last Backups+1 of the history; no more.
		n := len(all)
		for i := 1; i <= backups+1; i++ {
			b, err := os.ReadFile(path + "." + strconv.Itoa(i))
			switch {
			case i < n && i <= backups:
				if err != nil || string(b) != all[n-1-i] {
					t.Errorf("file.%d = %q, %v; want %q", i, b, err, all[n-1-i])
				}
			case !errors.Is(err, fs.ErrNotExist):
				t.Errorf("file.%d exists (%v), want none: %d files, backups %d", i, err, n, backups)
			}
		}

		// Sizes: no file over MaxBytes, no empty old file, and a file that
		// does not end at a line boundary is full.
		pos := 0
		starts := map[int]bool{}
		for i, s := range all {
			starts[pos] = true
			pos += len(s)
			if len(s) > maxBytes {
				t.Errorf("file %d of %d: %d bytes > MaxBytes %d", i, n, len(s), maxBytes)
			}
			if i == n-1 {
				break
			}
			if s == "" {
				t.Errorf("file %d of %d is empty", i, n)
			} else if s[len(s)-1] != '\n' && len(s) != maxBytes {
				t.Errorf("file %d of %d: %q ends mid-line and is not full (%d bytes)", i, n, s, maxBytes)
			} else if start, end := lineAt(data, pos); end-start <= buf && len(s)+end-start <= maxBytes {
				t.Errorf("file %d of %d: %q rotated, but the next line %q fits", i, n, s, data[start:end])
			}
		}

		// Lines: a file starts at a line boundary, unless the line it
		// starts in is longer than MaxBytes or came in pieces (longer than
		// the buffer). A line longer than MaxBytes that came whole starts
		// a file, so it is cut into MaxBytes pieces.
		for p := range starts {
			if p == 0 || data[p-1] == '\n' {
				continue
			}
			start, end := lineAt(data, p)
			if l := end - start; l <= maxBytes && l <= buf {
				t.Errorf("line %q (%d bytes) split at %d; MaxBytes %d, buffer %d", data[start:end], l, p-start, maxBytes, buf)
			}
		}
		for p := 0; p < len(data); {
			start, end := lineAt(data, p)
			if l := end - start; l > maxBytes && l <= buf && !starts[start] {
				t.Errorf("line %q (%d bytes > MaxBytes %d) does not start a file", data[start:end], l, maxBytes)
			}
			p = end
		}
	})
}
