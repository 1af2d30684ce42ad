package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// noNewlineError is WatchFD's error when the program closes its end of the
// pipe first; it wraps io.EOF.
type noNewlineError struct{}

func (noNewlineError) Error() string { return "closed before a newline" }
func (noNewlineError) Unwrap() error { return io.EOF }

// WatchFD waits for s6-style readiness (see s6-supervise(8),
// notification-fd): the program writes a newline to descriptor N, the write
// end of a pipe whose read end is r, once it is ready. Anything before the
// newline is ignored.
//
// WatchFD returns nil as soon as a newline is read; an error that wraps
// io.EOF ("closed before a newline") when every write end is closed first
// (the supervisor must close its own copy once the program has started, or
// this never happens); or ctx's error, promptly, when ctx ends. r must
// support deadlines, as the read end from os.Pipe does. WatchFD does not
// close r, and leaves a deadline set on it when ctx ends.
func WatchFD(ctx context.Context, r *os.File) error {
	// A deadline in the past interrupts a Read in progress and leaves r,
	// which the caller owns, open.
	if err := r.SetReadDeadline(time.Time{}); err != nil {
		return fmt.Errorf("watch fd: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { r.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	var buf [512]byte
	for {
		n, err := r.Read(buf[:])
		if bytes.IndexByte(buf[:n], '\n') >= 0 {
			return nil
		}
		switch {
		case errors.Is(err, io.EOF):
			return fmt.Errorf("watch fd: %w", noNewlineError{})
		case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
			return fmt.Errorf("watch fd: %w", ctx.Err())
		case err != nil:
			return fmt.Errorf("watch fd: %w", err)
		}
	}
}
