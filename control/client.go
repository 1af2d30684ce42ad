package control

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// ErrReply matches, with errors.Is, the error Do returns when tend's reply
// ended in ERR; errors.As finds the *ReplyError with the reason.
var ErrReply = errors.New("tend replied ERR")

// ErrIncomplete is the error Do wraps when the connection ended before the
// final OK or ERR: tend cut the client off, or shut down during the reply.
var ErrIncomplete = errors.New("reply ended without OK or ERR")

// ReplyError is a reply that ended in "ERR reason".
type ReplyError struct {
	Reason string // as tend gave it: `no such program "wbe"`
}

// Error returns the reason.
func (e *ReplyError) Error() string { return e.Reason }

// Is reports whether target is ErrReply.
func (e *ReplyError) Is(target error) bool { return target == ErrReply }

// ConnectError is Do's error when it cannot reach tend at all.
type ConnectError struct {
	Path string
	Err  error
}

// Error says which socket could not be reached, and why.
func (e *ConnectError) Error() string {
	return fmt.Sprintf("connect %q: %v", e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// dialTimeout bounds the connect only; a reply may take as long as the
// request needs (start waits until RUNNING, events never ends).
const dialTimeout = 5 * time.Second

// Do is the client of `tend ctl`. It connects to the socket at path, sends
// request as one line, and copies the reply's lines to w as they arrive,
// without the final OK or ERR. It returns nil on OK, an error matching
// ErrReply on ERR, a *ConnectError when it cannot connect, and otherwise
// an error wrapping ErrIncomplete or saying what failed; SPEC's exit
// statuses are 0, 1, 2, and 1 for the rest.
//
// A reply line that reads "OK" or starts with "ERR " is written only once
// another line follows it, since only the last line is the final one.
func Do(path, request string, w io.Writer) error {
	if strings.ContainsAny(request, "\r\n") {
		return fmt.Errorf("send request %q: a request is one line", request)
	}
	conn, err := net.DialTimeout("unix", path, dialTimeout)
	if err != nil {
		err = bare(err)
		var se *os.SyscallError
		if errors.As(err, &se) {
			err = se.Err // "connect" is said once, by ConnectError
		}
		return &ConnectError{Path: path, Err: err}
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, request+"\n"); err != nil {
		return fmt.Errorf("send request: %w", bare(err))
	}
	r := bufio.NewReader(conn)
	var held string // a line that may be the final one
	holding := false
	for {
		line, rerr := r.ReadString('\n')
		if line != "" {
			line = strings.TrimSuffix(line, "\n")
			if holding {
				if _, err := fmt.Fprintln(w, held); err != nil {
					return fmt.Errorf("write reply: %w", err)
				}
				holding = false
			}
			if line == "OK" || line == "ERR" || strings.HasPrefix(line, "ERR ") {
				held, holding = line, true
			} else if _, err := fmt.Fprintln(w, line); err != nil {
				return fmt.Errorf("write reply: %w", err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			if holding {
				// The final line came; what broke came after it.
				break
			}
			return fmt.Errorf("read reply: %w: %w", ErrIncomplete, bare(rerr))
		}
	}
	switch {
	case !holding:
		return fmt.Errorf("read reply: %w", ErrIncomplete)
	case held == "OK":
		return nil
	}
	return &ReplyError{Reason: strings.TrimPrefix(strings.TrimPrefix(held, "ERR"), " ")}
}
