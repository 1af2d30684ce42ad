package rotate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"
)

// Several streams may write one file: the stdout and stderr of a program
// (stdout_logfile and stderr_logfile naming the same path), or several
// programs, as supervisord allows. A Registry keeps one Writer per path,
// so that the file is opened once, rotated once, and its size known to
// one writer; each stream writes through a Stream of its own, which hands
// the Writer whole lines only, so that lines of two streams never mix.
//
// To use it, the supervisor keeps one Registry and, for each stream that
// logs to a file, calls Open instead of the package's Open:
//
//	s, err := reg.Open(path, rotate.Options{MaxBytes: max, Backups: n})
//	if err != nil { log it; s is usable all the same }
//	... pump: s.Write(chunk) ...
//	s.Close() // when the stream ends; the file is closed with its last user
//
// and calls reg.Reopen on SIGUSR2, so that each file is reopened once.

// ErrLimitsDiffer is wrapped by the error of Registry.Open when the file is
// open already with other MaxBytes or Backups. The limits of the first
// opener stay in force until its last user closes it: two rotation sizes
// for one file cannot both hold, and changing them under the users that
// came first would surprise them. The Stream is usable.
var ErrLimitsDiffer = errors.New("file is shared with other limits; the first opener's apply")

// maxHeld is the most of an unfinished line a Stream holds back. A longer
// line is written in pieces of this size, each ended with a newline, as
// tend's own stdout shows such a line (README: "A line longer than 64 KiB
// is passed on in 64 KiB pieces"): holding more would let one stream that
// never ends its line grow without bound, and writing a piece with no
// newline would let another stream's line land in the middle of it.
const maxHeld = 64 << 10

// Registry hands out Streams that share one Writer per path. The zero
// Registry is ready to use. Its methods are safe to call from several
// goroutines.
type Registry struct {
	mu    sync.Mutex
	files map[string]*sharedFile // by cleaned absolute path
}

// sharedFile is one Writer and how many Streams use it.
type sharedFile struct {
	key      string
	w        *Writer
	maxBytes int64 // the limits it was opened with, as given to setLimits
	backups  int
	users    int // open Streams; guarded by Registry.mu
}

// Stream is one user's handle on a shared file: it writes whole lines and
// holds back a line until its newline. Its methods are safe to call from
// several goroutines, but, as with Writer, the bytes of one stream should
// come from one.
type Stream struct {
	reg *Registry
	f   *sharedFile

	mu     sync.Mutex // guards what follows; held across the Writer's Write
	held   []byte     // the start of a line not yet ended
	closed bool

	statMu  sync.Mutex // guards the counter of writes after Close
	dropped int64
	dropErr error
}

// Key returns the name under which a Registry shares path: the path made
// absolute and cleaned ("logs/../a.log" and "./a.log" share one file).
// Symbolic links are not followed: a log file is opened with O_NOFOLLOW,
// and two spellings through a linked directory are two Writers.
func Key(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("log file %q: %w", path, err)
	}
	return filepath.Clean(abs), nil
}

// Open returns a Stream on the file at path, opening the file as the
// package's Open does if no Stream uses it yet, and sharing its Writer
// otherwise; o applies only when the file is opened here (see
// ErrLimitsDiffer). As with Open, the Stream is usable even with an error:
// when the file cannot be opened, what is written is dropped and counted,
// and the file is tried again every RetryInterval. Only a path that cannot
// be made absolute gives a nil Stream.
func (r *Registry) Open(path string, o Options) (*Stream, error) {
	key, err := Key(path)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.files == nil {
		r.files = map[string]*sharedFile{}
	}
	f, ok := r.files[key]
	if ok {
		f.users++
		s := &Stream{reg: r, f: f}
		if max(o.MaxBytes, 0) != f.maxBytes || max(o.Backups, 0) != f.backups {
			return s, fmt.Errorf("log file %q (maxbytes %d, backups %d asked; %d, %d kept): %w",
				path, o.MaxBytes, o.Backups, f.maxBytes, f.backups, ErrLimitsDiffer)
		}
		return s, nil
	}
	// The path the Writer opens is the key, so that a relative path means
	// the same file whatever the working directory later becomes.
	w, err := Open(key, o)
	f = &sharedFile{key: key, w: w, maxBytes: max(o.MaxBytes, 0), backups: max(o.Backups, 0), users: 1}
	r.files[key] = f
	return &Stream{reg: r, f: f}, err
}

// Reopen reopens every file in use once, as SIGUSR2 asks (see
// Writer.Reopen), and returns the errors of those that could not be opened.
func (r *Registry) Reopen() error {
	r.mu.Lock()
	ws := make([]*Writer, 0, len(r.files))
	for _, f := range r.files {
		ws = append(ws, f.w)
	}
	r.mu.Unlock()
	var errs []error
	for _, w := range ws {
		if err := w.Reopen(); err != nil && !errors.Is(err, fs.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Len returns how many files are open through r.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.files)
}

// Path returns the file's shared name (see Key).
func (s *Stream) Path() string { return s.f.key }

// Write writes the whole lines of p, after the line this Stream held back
// if any, in one Write of the shared Writer, so that no other stream's
// bytes come between them, and holds back what follows the last newline
// until a later Write ends it. It never fails and always returns len(p),
// nil: what cannot be written is dropped and counted, as by Writer.Write.
//
// An unfinished line is held up to 64 KiB: when one reaches that with no
// newline, those 64 KiB are written as a line of their own, ended with a
// newline added here (see maxHeld). A whole line is never cut here,
// however long: the Writer cuts only what is longer than MaxBytes.
//
// Write waits, as Writer.Write does, only for I/O on the file, which may
// be another stream's Write in progress; it never waits for another
// stream's unfinished line.
func (s *Stream) Write(p []byte) (int, error) {
	n := len(p)
	if n == 0 {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.drop(int64(n), fmt.Errorf("write %q: %w", s.f.key, fs.ErrClosed))
		return n, nil
	}
	if i := bytes.LastIndexByte(p, '\n'); i >= 0 {
		s.writeLines(p[:i+1])
		p = p[i+1:]
	}
	// What is left has no newline. len(s.held) < maxHeld holds between
	// calls, so room is never 0.
	for len(s.held)+len(p) >= maxHeld {
		room := maxHeld - len(s.held)
		s.held = append(s.held, p[:room]...)
		s.held = append(s.held, '\n')
		s.writeLines(nil)
		p = p[room:]
	}
	s.held = append(s.held, p...)
	return n, nil
}

// writeLines writes the held line followed by lines, which is empty or
// ends with a newline, as one Write, and empties the held line.
func (s *Stream) writeLines(lines []byte) {
	switch {
	case len(s.held) == 0:
		s.f.w.Write(lines)
	case len(lines) == 0:
		s.f.w.Write(s.held)
	default:
		s.f.w.Write(append(s.held, lines...))
	}
	s.held = s.held[:0]
	if cap(s.held) > 4<<10 {
		s.held = nil // keep no long line's buffer for a stream that went quiet
	}
}

// Close writes the line this Stream holds back, ended with a newline
// added here so that the next stream's line starts on a line of its own
// (as tend's stdout ends a program's last line), and lets go of the file:
// the last Stream of a path closes its Writer. Writes after Close are
// dropped and counted. Closing a closed Stream does nothing and returns
// nil. The error is the Writer's Close error, for the last user only.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	if len(s.held) > 0 {
		s.held = append(s.held, '\n')
		s.writeLines(nil)
	}
	s.closed = true
	r := s.reg
	r.mu.Lock()
	defer r.mu.Unlock()
	s.f.users--
	if s.f.users > 0 {
		return nil
	}
	delete(r.files, s.f.key)
	return s.f.w.Close()
}

// TakeDropped returns the bytes dropped since it was last called, and the
// latest error behind them, as Writer.TakeDropped does: those that this
// Stream was given after Close, and those the shared file lost, whichever
// of its Streams wrote them (so that each loss is reported once, by the
// first Stream to ask). It never waits on I/O.
func (s *Stream) TakeDropped() (int64, error) {
	n, err := s.f.w.TakeDropped()
	s.statMu.Lock()
	defer s.statMu.Unlock()
	n += s.dropped
	if s.dropErr != nil {
		err = s.dropErr
	}
	s.dropped, s.dropErr = 0, nil
	return n, err
}

// drop counts n bytes given after Close.
func (s *Stream) drop(n int64, err error) {
	s.statMu.Lock()
	defer s.statMu.Unlock()
	s.dropped += n
	s.dropErr = err
}

// SetLimits gives the shared file new MaxBytes and Backups, for all its
// users: one file has one rotation policy (tend's config refuses sharers
// that disagree, and a reload's new settings replace the old ones).
func (s *Stream) SetLimits(maxBytes int64, backups int) {
	s.reg.mu.Lock()
	s.f.maxBytes, s.f.backups = max(maxBytes, 0), max(backups, 0)
	s.reg.mu.Unlock()
	s.f.w.SetLimits(maxBytes, backups)
}
