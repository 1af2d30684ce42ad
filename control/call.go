package control

import (
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Call is one request waiting for the loop's answer. The loop answers with
// any number of Line calls, then OK or Err. Its methods never block: the
// lines go into a bounded buffer that the connection's own goroutine
// writes to the socket.
//
// A client that reads too slowly is cut off rather than waited for: when
// the buffer holds more than 4 MiB, or, for events, more than 1000 lines,
// the connection is closed, Done is closed and Line returns false. So an
// events subscriber that cannot keep up never holds the loop back.
type Call struct {
	Req     Request // the request, as Parse read it
	PeerUID int     // the client's effective uid (SO_PEERCRED)
	PeerPID int     // the client's pid; 0 when outside tend's PID namespace

	conn         *net.UnixConn
	maxLines     int // 0: no limit on the number of lines pending
	maxBytes     int
	writeTimeout time.Duration

	mu      sync.Mutex
	queue   []string // lines not yet taken by pump
	pending int      // bytes in queue, newlines included
	final   bool     // OK or Err was called
	gone    bool     // done is closed
	wake    chan struct{}
	done    chan struct{}
}

// aLongTimeAgo is a deadline that has passed: setting it wakes every read
// and write blocked on the connection, without Close's wait for them.
var aLongTimeAgo = time.Unix(1, 0)

func newCall(conn *net.UnixConn, t tuning) *Call {
	return &Call{
		conn:         conn,
		maxBytes:     t.maxBytes,
		writeTimeout: t.writeTimeout,
		wake:         make(chan struct{}, 1),
		done:         make(chan struct{}),
	}
}

// Line queues one reply line; a newline is added. s should not hold a
// newline itself: nc would show it as two lines. Line returns false, and
// sends nothing, once the client is gone, once OK or Err was called, or
// when this line overflows the buffer, which cuts the client off.
func (c *Call) Line(s string) bool {
	c.mu.Lock()
	if c.gone || c.final {
		c.mu.Unlock()
		return false
	}
	if (c.maxLines > 0 && len(c.queue) >= c.maxLines) || c.pending+len(s)+1 > c.maxBytes {
		c.cutLocked()
		c.mu.Unlock()
		return false
	}
	c.queue = append(c.queue, s)
	c.pending += len(s) + 1
	c.mu.Unlock()
	c.poke()
	return true
}

// OK ends the reply with the line "OK"; the connection closes once it is
// written. Later calls of Line, OK and Err do nothing.
func (c *Call) OK() { c.end("OK") }

// Err ends the reply with the line "ERR reason"; the connection closes
// once it is written. reason is one line: line breaks in it become "; ",
// so that the ERR stays the final line. Later calls of Line, OK and Err do
// nothing.
func (c *Call) Err(reason string) {
	parts := strings.FieldsFunc(reason, func(r rune) bool { return r == '\n' || r == '\r' })
	c.end("ERR " + strings.Join(parts, "; "))
}

// end queues the final line. It is kept even beyond the buffer's limit, so
// that a reply the loop completes is never cut for its last line.
func (c *Call) end(line string) {
	c.mu.Lock()
	if c.gone || c.final {
		c.mu.Unlock()
		return
	}
	c.final = true
	c.queue = append(c.queue, line)
	c.mu.Unlock()
	c.poke()
}

// Done returns a channel closed when the connection is gone: the client
// went away (closed its socket, not merely its write side, as nc -N and
// socat do), was cut off, or the reply was written in full.
func (c *Call) Done() <-chan struct{} { return c.done }

func (c *Call) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// ending reports whether the final line is queued and the connection is
// still up to send it.
func (c *Call) ending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.final && !c.gone
}

func (c *Call) isGone() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

// cut ends the connection without a final line.
func (c *Call) cut() {
	c.mu.Lock()
	c.cutLocked()
	c.mu.Unlock()
}

func (c *Call) cutLocked() {
	if c.gone {
		return
	}
	c.gone = true
	close(c.done)
	// The connection's goroutines wake with ErrDeadlineExceeded, and pump
	// closes it. An error means it is closed already: nothing to wake.
	_ = c.conn.SetDeadline(aLongTimeAgo)
}

// setDeadline sets the read or the write deadline unless the call is
// gone; it is under mu so that it cannot undo cut's deadline.
func (c *Call) setDeadline(read bool, t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return false
	}
	if read {
		return c.conn.SetReadDeadline(t) == nil
	}
	return c.conn.SetWriteDeadline(t) == nil
}

// pump writes queued lines to the client until the final line is written
// or the call is gone, then closes the connection. Each write has
// writeTimeout to complete: a client that stops reading is dropped.
func (c *Call) pump() {
	var buf []byte
	defer c.close()
	for {
		select {
		case <-c.wake:
		case <-c.done:
			return
		}
		c.mu.Lock()
		lines, final := c.queue, c.final
		c.queue, c.pending = nil, 0
		c.mu.Unlock()
		buf = buf[:0]
		for _, l := range lines {
			buf = append(buf, l...)
			buf = append(buf, '\n')
		}
		if len(buf) > 0 {
			if !c.setDeadline(false, time.Now().Add(c.writeTimeout)) {
				return
			}
			if _, err := c.conn.Write(buf); err != nil {
				return
			}
		}
		if final {
			c.drain()
			return
		}
	}
}

// close marks the call gone and closes the connection.
func (c *Call) close() {
	c.cut()
	// Nothing is left to do if close(2) fails: the descriptor is gone
	// either way.
	_ = c.conn.Close()
}

// drain reads and drops what the client sent after its request and has
// not been read yet. Closing a Unix socket with unread data makes the
// client's read fail with ECONNRESET instead of seeing EOF after the
// reply (unix_release_sock in net/unix/af_unix.c).
func (c *Call) drain() {
	rc, err := c.conn.SyscallConn()
	if err != nil {
		return
	}
	var buf [512]byte
	// An error means the connection is closed: nothing to drain.
	_ = rc.Control(func(fd uintptr) {
		for {
			n, err := unix.Read(int(fd), buf[:])
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if n <= 0 || err != nil {
				return
			}
		}
	})
}

// watch waits for the client to go away, reading and dropping whatever it
// sends after its request, and then cuts the call. EOF alone is not the
// client going away: nc -N and socat shut down their write side after the
// request and still read the reply. Only POLLHUP, which a Unix socket
// reports once the peer has closed both directions (unix_poll), or a read
// error, is.
func (c *Call) watch() {
	defer c.cut()
	if !c.setDeadline(true, time.Time{}) {
		return
	}
	rc, err := c.conn.SyscallConn()
	if err != nil {
		return
	}
	var buf [512]byte
	// Read returns when the callback reports the client gone, or with an
	// error once the call is cut (deadline) or the connection closed.
	_ = rc.Read(func(fd uintptr) bool {
		for {
			n, err := unix.Read(int(fd), buf[:])
			switch {
			case errors.Is(err, unix.EINTR):
				continue
			case errors.Is(err, unix.EAGAIN), err == nil && n == 0:
				return hungUp(int(fd))
			case err != nil:
				return true
			}
		}
	})
}

// hungUp reports whether the peer has closed its socket (POLLHUP, poll(2)).
func hungUp(fd int) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(p, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return true
		}
		return p[0].Revents&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
	}
}
