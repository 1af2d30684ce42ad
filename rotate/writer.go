package rotate

import (
	"bytes"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// Options configure a Writer. The zero value writes one file that is never
// rotated.
type Options struct {
	// MaxBytes is the most a file may hold; when a write would take it
	// further, the file is rotated first. 0 means never rotate; a negative
	// value counts as 0.
	MaxBytes int64
	// Backups is how many old files are kept, path.1 (the newest) to
	// path.N. 0 keeps none: a rotation removes the file and starts a new,
	// empty one. A negative value counts as 0.
	Backups int
	// RetryInterval is the least time between two attempts to open the
	// file after a fault, and between two checks that the path still names
	// the open file. 0 means one second.
	RetryInterval time.Duration
	// Now reads the clock that RetryInterval is measured on; nil means
	// time.Now. Tests set it.
	Now func() time.Time
}

// Writer writes one output stream of a program to a file at a path, rotating
// it by size. The zero Writer is not usable; call Open. See the package
// documentation for what it does on a fault.
//
// All methods are safe to call from several goroutines. Writes are meant
// to come from one (the pump of one output stream): from several, they
// would interleave whole Writes, and only the caller knows its lines.
type Writer struct {
	path     string
	interval time.Duration
	now      func() time.Time

	mu        sync.Mutex // guards what follows; held across file I/O
	maxBytes  int64
	backups   int
	fd        int // -1 when no file is open
	dev, ino  uint64
	regular   bool  // only a regular file is rotated
	size      int64 // bytes in the open file, learned by fstat at open
	midLine   bool  // the last byte given to Write was not a newline
	closed    bool
	fault     error     // why no file is open, for the drops it causes
	nextTry   time.Time // after a fault, no open before this
	nextCheck time.Time // when to check again that path names fd
	onRotate  func()    // test hook: called before a file is renamed away

	statMu  sync.Mutex // guards the counters; never held across I/O
	dropped int64
	dropErr error
}

// Open opens the file at path for appending, creating it with mode 0640 if
// it does not exist.
//
// Open always returns a usable Writer, even with an error. When the file
// cannot be opened (its directory does not exist yet, say), the error says
// why, and the Writer drops and counts what it is given until a later
// attempt succeeds; it makes one every RetryInterval. The caller may log
// the error and use the Writer anyway.
func Open(path string, o Options) (*Writer, error) {
	w := &Writer{
		path:     path,
		interval: o.RetryInterval,
		now:      o.Now,
		fd:       -1,
	}
	if w.interval <= 0 {
		w.interval = time.Second
	}
	if w.now == nil {
		w.now = time.Now
	}
	w.setLimits(o.MaxBytes, o.Backups)
	return w, w.open(w.now())
}

// Write writes p, which the caller guarantees is one or more whole lines,
// except that the last may be part of a line longer than the caller's
// buffer. It never fails and always returns len(p), nil: what cannot be
// written is dropped and counted (see TakeDropped).
//
// A file is rotated before a write that would take it past MaxBytes, at a
// line boundary: if only some of the lines in p fit, those are written, the
// file is rotated, and the rest follow (as many times as needed). A line
// longer than MaxBytes is cut into MaxBytes pieces, one file each, so that
// no file ever holds more than MaxBytes.
//
// A line that arrives in pieces (longer than the caller's buffer) is placed
// by its first piece, which starts the next file if it does not fit. When a
// later piece does not fit, the file is filled up and the line continues in
// the next one. Write never holds bytes back to learn how long such a line
// will be, so it may split one that is shorter than MaxBytes but longer
// than the room left where it started. Lines given whole are never split
// unless longer than MaxBytes.
func (w *Writer) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 {
		return 0, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		w.drop(int64(n), fmt.Errorf("write %q: %w", w.path, fs.ErrClosed))
		return n, nil
	}
	now := w.now()
	w.check(now)
	last := p[n-1]
	stalled := 0 // rotations since a byte was last written
	for len(p) > 0 {
		if w.fd < 0 && (now.Before(w.nextTry) || w.open(now) != nil) {
			break
		}
		k := w.fit(p)
		if k == 0 {
			// Two rotations may be needed (the path was replaced, then the
			// real one); a third means a new file keeps turning up full,
			// which only an outside writer racing us can do.
			if stalled++; stalled > 2 {
				w.fail(now, fmt.Errorf("rotate %q: new file is already full", w.path))
				break
			}
			if w.rotate(now) != nil {
				break
			}
			continue
		}
		stalled = 0
		m, err := writeAll(w.fd, p[:k])
		w.size += int64(m)
		if m > 0 {
			w.midLine = p[m-1] != '\n'
		}
		p = p[m:]
		if err != nil {
			w.fail(now, fmt.Errorf("write %q: %w", w.path, err))
			break
		}
	}
	if len(p) > 0 {
		w.drop(int64(len(p)), w.fault)
	}
	w.midLine = last != '\n'
	return n, nil
}

// fit returns how many leading bytes of p go into the open file before it
// must be rotated; 0 means rotate now.
func (w *Writer) fit(p []byte) int {
	if w.maxBytes == 0 || !w.regular {
		return len(p)
	}
	room := w.maxBytes - w.size
	if room >= int64(len(p)) {
		return len(p)
	}
	if room <= 0 {
		return 0
	}
	if i := bytes.LastIndexByte(p[:room], '\n'); i >= 0 {
		return i + 1 // the whole lines that fit
	}
	// The first line does not fit. In an empty file it is longer than
	// MaxBytes, and is cut. In the middle of a line, that line is split
	// whatever we do, so fill the file up. Otherwise it starts the next file.
	if w.size == 0 || w.midLine {
		return int(room)
	}
	return 0
}

// Reopen closes the file and opens the path again, creating it if need be:
// after an outside logrotate has renamed the file, writing goes on in a new
// one and the renamed file is left alone. It reports why the path could not
// be opened; the Writer then retries as after any fault. Reopen waits for a
// Write in progress.
//
// The Writer also notices by itself, within RetryInterval, that the path
// no longer names its file, and reopens it then; Reopen does it at once.
func (w *Writer) Reopen() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("reopen %q: %w", w.path, fs.ErrClosed)
	}
	cerr := w.closeFile()
	if err := w.open(w.now()); err != nil {
		return err
	}
	return cerr
}

// SetLimits changes MaxBytes and Backups, as a reload of the config does,
// without reopening the file. They apply from the next Write. Lowering
// Backups leaves the old files above the new number where they are.
func (w *Writer) SetLimits(maxBytes int64, backups int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.setLimits(maxBytes, backups)
}

func (w *Writer) setLimits(maxBytes int64, backups int) {
	w.maxBytes = max(maxBytes, 0)
	w.backups = max(backups, 0)
}

// TakeDropped returns how many bytes were dropped since it was last called,
// and the error behind the latest drop, and clears both, so that each loss
// is reported once. It returns 0, nil when nothing was lost. The count may
// be 0 with an error when a loss cannot be measured: a close that reports
// an earlier write failure, as NFS may. TakeDropped never waits on I/O.
func (w *Writer) TakeDropped() (int64, error) {
	w.statMu.Lock()
	defer w.statMu.Unlock()
	n, err := w.dropped, w.dropErr
	w.dropped, w.dropErr = 0, nil
	return n, err
}

// Close closes the file. Writes after Close are dropped and counted, and
// Reopen fails. Closing a closed Writer does nothing and returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.closeFile()
}

// drop counts n bytes lost because of err.
func (w *Writer) drop(n int64, err error) {
	if err == nil {
		err = fmt.Errorf("write %q: file not open", w.path)
	}
	w.statMu.Lock()
	defer w.statMu.Unlock()
	w.dropped += n
	w.dropErr = err
}

// fail records a fault, closes the file and schedules the next attempt.
func (w *Writer) fail(now time.Time, err error) {
	w.fault = err
	w.closeQuiet()
	w.nextTry = now.Add(w.interval)
}
