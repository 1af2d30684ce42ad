// Package rotate writes a program's output to a log file with size-based
// rotation, and keeps its last lines for `tail`.
//
// A Writer never blocks its program on a fault and never fails a Write. A
// full disk (ENOSPC, EDQUOT), a read-only filesystem, a permission error, a
// log directory or file that vanished, a path replaced by a symlink: the
// bytes that cannot be written are dropped and counted, and the Writer
// tries again, opening or creating the file anew, at most once per
// RetryInterval. It resumes by itself when writing works again. The caller
// reports the losses: TakeDropped returns what was lost since it was last
// called, and why. Nothing in this package logs.
//
// A file that is removed, or whose directory is, still accepts writes:
// the kernel keeps it until it is closed. The Writer checks once per
// RetryInterval that its path still names the open file, and opens the
// path again when it does not (after an outside rename too). What was
// written in between went to the removed file, and is not counted.
//
// Rotation keeps every byte exactly once and in order. When a write would
// take the file past MaxBytes, the lines that fit are written, then
// path.N-1 becomes path.N (replacing the oldest), ..., path.1 becomes
// path.2, path becomes path.1, and a new path is created for the rest. No
// file exceeds MaxBytes, and each starts at a line boundary, except where a
// line is longer than MaxBytes: that line is cut into MaxBytes pieces.
//
// Files are opened O_WRONLY|O_APPEND|O_NOFOLLOW|O_CLOEXEC (and O_NONBLOCK,
// so that a FIFO at the path cannot block tend), and a file the Writer
// creates is given mode 0640 whatever the umask. Only a regular file is
// ever rotated: /dev/null or a FIFO at the path is written as it is.
//
// Shared files: a Registry gives each path one Writer, reference counted,
// and each stream that writes the path a Stream of its own (the stdout and
// stderr of one program, or several programs, as supervisord allows). A
// Stream hands the Writer whole lines only, holding back a line until its
// newline, so that lines of different streams never mix and the file is
// rotated once, by one Writer that knows its size. See shared.go.
//
// Locking: Write, Reopen, SetLimits and Close share a mutex held across
// file I/O, so Reopen waits for a Write in progress. TakeDropped takes
// only a second mutex that is never held across I/O, so a supervisor loop
// may call it without ever waiting on a slow or hung disk.
package rotate
