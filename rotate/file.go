package rotate

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// mode is the mode of a file the Writer creates (SPEC: "created 0640").
const mode = 0o640

// openFlags: O_APPEND so that each write lands at the end even if another
// process appends too; O_NOFOLLOW so that a symlink planted at the path is
// refused (ELOOP) rather than written through; O_NONBLOCK so that opening
// or writing a FIFO at the path fails (ENXIO, EAGAIN) instead of blocking.
// O_NONBLOCK does nothing to a regular file.
const openFlags = unix.O_WRONLY | unix.O_APPEND | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK

// open opens the path and learns the file's size. On failure it records the
// fault and schedules the next attempt.
func (w *Writer) open(now time.Time) error {
	fd, st, err := openFile(w.path)
	if err != nil {
		err = fmt.Errorf("open %q: %w", w.path, err)
		w.fault = err
		w.nextTry = now.Add(w.interval)
		return err
	}
	w.fd = fd
	w.dev, w.ino = uint64(st.Dev), st.Ino
	w.regular = st.Mode&unix.S_IFMT == unix.S_IFREG
	w.size = st.Size
	w.fault = nil
	w.nextCheck = now.Add(w.interval)
	return nil
}

// openFile opens path for appending, creating it with exactly mode 0640,
// and returns its fstat.
func openFile(path string) (int, unix.Stat_t, error) {
	var st unix.Stat_t
	fd, err := openOrCreate(path)
	if err != nil {
		return -1, st, err
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd) // nothing was written to it
		return -1, st, fmt.Errorf("fstat: %w", err)
	}
	return fd, st, nil
}

// openOrCreate opens path, or creates it. The umask applies at creation, so
// a file this creates is fchmod-ed to 0640; one that exists keeps its mode
// (logrotate's "create" directive may have set it).
func openOrCreate(path string) (int, error) {
	err := error(unix.ENOENT)
	// A few rounds: the file may appear or vanish between the two opens.
	for range 3 {
		var fd int
		fd, err = unix.Open(path, openFlags, 0)
		if !errors.Is(err, unix.ENOENT) {
			return fd, err
		}
		fd, err = unix.Open(path, openFlags|unix.O_CREAT|unix.O_EXCL, mode)
		if errors.Is(err, unix.EEXIST) {
			continue // created meanwhile, or a symlink is there: open that
		}
		if err != nil {
			return -1, err
		}
		if err := unix.Fchmod(fd, mode); err != nil {
			err = fmt.Errorf("chmod: %w", err)
			// The file is new and empty: closing it loses nothing, and
			// removing it keeps the rule that a file we create is 0640.
			unix.Close(fd)
			if uerr := unix.Unlink(path); uerr != nil {
				err = fmt.Errorf("%w (and remove: %w)", err, uerr)
			}
			return -1, err
		}
		return fd, nil
	}
	return -1, err
}

// closeFile closes the open file, if any.
func (w *Writer) closeFile() error {
	if w.fd < 0 {
		return nil
	}
	err := unix.Close(w.fd)
	w.fd = -1
	if err != nil {
		// Only a lost earlier write makes close fail on a regular file
		// (close(2), NFS), so it is reported as a loss.
		return fmt.Errorf("close %q: %w", w.path, err)
	}
	return nil
}

// closeQuiet closes the open file and counts a failed close as a loss of
// unknown size, for callers that have no error to return.
func (w *Writer) closeQuiet() {
	if err := w.closeFile(); err != nil {
		w.drop(0, err)
	}
}

// check makes sure, once per interval, that the path still names the open
// file. Bytes written to a file that was removed, or whose directory was,
// are lost; and after an outside rename a new file is wanted. Either way
// the path is opened again at once.
func (w *Writer) check(now time.Time) {
	if w.fd < 0 || now.Before(w.nextCheck) {
		return
	}
	w.nextCheck = now.Add(w.interval)
	if w.gone() {
		w.closeQuiet()
		w.nextTry = now
	}
}

// gone reports whether the path surely no longer names the open file. An
// error other than "does not exist" (EACCES on the directory, say) says
// nothing about the file, which is kept.
func (w *Writer) gone() bool {
	var st unix.Stat_t
	if err := unix.Lstat(w.path, &st); err != nil {
		return errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)
	}
	return uint64(st.Dev) != w.dev || st.Ino != w.ino
}

// rotate moves the full file away and opens a new one. If the path no
// longer names the open file, someone else moved it already, and the path
// is only reopened: renaming another file over our backups would lose them.
func (w *Writer) rotate(now time.Time) error {
	if !w.gone() {
		if w.onRotate != nil {
			w.onRotate()
		}
		if err := w.shift(); err != nil {
			err = fmt.Errorf("rotate %q: %w", w.path, err)
			w.fail(now, err)
			return err
		}
	}
	w.closeQuiet()
	return w.open(now)
}

// shift renames path.N-1 to path.N (replacing the oldest), ..., path to
// path.1; with no backups it removes path. A missing file is skipped. It
// stops at the first other error, before a rename that would overwrite a
// file not yet moved, so a failed rotation loses nothing and can be tried
// again.
func (w *Writer) shift() error {
	if w.backups == 0 {
		if err := unix.Unlink(w.path); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("remove: %w", err)
		}
		return nil
	}
	for i := w.backups; i >= 1; i-- {
		from := w.path
		if i > 1 {
			from += "." + strconv.Itoa(i-1)
		}
		to := w.path + "." + strconv.Itoa(i)
		if err := unix.Rename(from, to); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("rename %q: %w", from, err)
		}
	}
	return nil
}

// writeAll writes b. A short write (write(2): a disk that fills up, a
// signal) is tried once more for the rest; what is still left is reported
// with the error.
func writeAll(fd int, b []byte) (int, error) {
	n, err := write(fd, b)
	if err == nil && n < len(b) {
		var m int
		m, err = write(fd, b[n:])
		n += m
		if err == nil && n < len(b) {
			err = io.ErrShortWrite
		}
	}
	return n, err
}

// write is one write(2), restarted on EINTR.
func write(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Write(fd, b)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		return max(n, 0), err
	}
}
