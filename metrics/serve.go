package metrics

import (
	"bufio"
	"errors"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// contentType is the media type of the text exposition format.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// maxConns bounds the connections served at once. Serve takes a slot
// before it calls Accept, so the next client waits in the kernel's backlog
// rather than holding one of tend's descriptors: a flood of scrapers costs
// tend at most 64 descriptors and goroutines, and a well-behaved one that
// arrives during the flood is served late rather than refused.
const maxConns = 64

// Limits that tests shorten.
var (
	// exchangeTimeout is the deadline for a whole connection, request,
	// response and close: a slow or silent client is dropped when it
	// passes.
	exchangeTimeout = 10 * time.Second
	// lingerTimeout bounds the wait, after the response, for the client
	// to close its side (see linger).
	lingerTimeout = time.Second
)

// maxDrain bounds what linger reads and discards.
const maxDrain = 256 << 10

// Serve answers HTTP/1.x requests on ln until ln is closed:
//
//   - GET or HEAD /metrics, with or without a query string: 200, with
//     Content-Type "text/plain; version=0.0.4; charset=utf-8",
//     Content-Length and the body render returns (HEAD omits the body);
//   - any other path: 404;
//   - any other method on /metrics: 405, with "Allow: GET, HEAD";
//   - a request ParseRequest refuses (syntax, a head over 8 KiB): 400.
//
// Every response has "Connection: close", and the connection is closed
// after it. A client that sends no complete head within 10 s, or hangs up
// first, is dropped unanswered. A body is never read: what follows the
// head is discarded, unparsed, only while closing (see linger).
//
// render is called only for GET and HEAD /metrics, on the connection's
// goroutine, so possibly on several at once.
//
// Each connection is served on its own goroutine, at most 64 at once;
// more wait in the listen backlog until one ends (within its 10 s). An
// Accept error for want of descriptors or memory is retried after a pause
// growing to 1 s, as net/http does; any other ends Serve, which returns
// it, or nil when ln was closed. Serve takes a slot before it calls
// Accept, so with all 64 busy it sees the close only when one ends.
// Before returning, Serve closes the connections still open and waits for
// their goroutines: render is not called once Serve has returned.
func Serve(ln net.Listener, render func() []byte) error {
	s := &server{render: render, live: make(map[net.Conn]struct{})}
	err := s.accept(ln)
	s.closeAll()
	s.wg.Wait()
	return err
}

// server is one Serve's state.
type server struct {
	render func() []byte
	wg     sync.WaitGroup

	mu   sync.Mutex
	live map[net.Conn]struct{}
}

// accept runs Serve's accept loop until Accept fails for good.
func (s *server) accept(ln net.Listener) error {
	slots := make(chan struct{}, maxConns)
	var delay time.Duration
	for {
		slots <- struct{}{}
		c, err := ln.Accept()
		if err != nil {
			<-slots
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			if !exhausted(err) {
				return err
			}
			// Spinning would not free a descriptor sooner.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			time.Sleep(delay)
			continue
		}
		delay = 0
		s.mu.Lock()
		s.live[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-slots }()
			s.exchange(c)
			s.mu.Lock()
			delete(s.live, c)
			s.mu.Unlock()
			_ = c.Close()
		}()
	}
}

// exhausted reports whether an Accept error is a shortage that passes:
// descriptors (the process's or the system's) or kernel memory.
func exhausted(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// closeAll closes the connections still being served, which ends their
// reads and writes at once.
func (s *server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.live {
		_ = c.Close()
	}
}

// exchange reads one request from c and answers it.
func (s *server) exchange(c net.Conn) {
	deadline := time.Now().Add(exchangeTimeout)
	_ = c.SetDeadline(deadline)
	method, path, err := ParseRequest(bufio.NewReader(c))
	var bad badRequest
	if err != nil && !errors.As(err, &bad) {
		// Silent, slow or gone: nobody is waiting for an answer.
		return
	}
	// One write of head and body together: net.Buffers' writev would
	// save copying the body, but links more code than the copy costs.
	if _, err := c.Write(s.respond(method, path, err != nil)); err != nil {
		return
	}
	linger(c, deadline)
}

// respond is the response to method and path, or to a malformed request
// when bad: head and body (the head alone for HEAD).
func (s *server) respond(method, path string, bad bool) []byte {
	const textType = "text/plain; charset=utf-8"
	var body []byte
	status, ctype, extra := "200 OK", contentType, ""
	switch {
	case bad:
		status, ctype, body = "400 Bad Request", textType, []byte("bad request\n")
	case path != "/metrics":
		status, ctype, body = "404 Not Found", textType, []byte("not found\n")
	case method != "GET" && method != "HEAD":
		status, ctype, extra = "405 Method Not Allowed", textType, "Allow: GET, HEAD\r\n"
		body = []byte("method not allowed\n")
	default:
		body = s.render()
	}
	resp := appendHead(make([]byte, 0, 256+len(body)), status, ctype, len(body), extra)
	if method == "HEAD" {
		return resp
	}
	return append(resp, body...)
}

// appendHead appends a response's status line and headers. Date is there
// because RFC 9110 asks it of a server with a clock.
func appendHead(b []byte, status, ctype string, length int, extra string) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = append(b, status...)
	b = append(b, "\r\nDate: "...)
	b = time.Now().UTC().AppendFormat(b, "Mon, 02 Jan 2006 15:04:05 GMT")
	b = append(b, "\r\nContent-Type: "...)
	b = append(b, ctype...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(length), 10)
	b = append(b, "\r\n"...)
	b = append(b, extra...)
	return append(b, "Connection: close\r\n\r\n"...)
}

// linger half-closes c and discards what the client still sends until it
// closes too, for at most lingerTimeout and maxDrain bytes, and never past
// the exchange's deadline. Closing a TCP socket with unread bytes in it (a
// body sent with a GET, a second request) sends a reset, which can destroy
// the response before the client reads it; net/http lingers the same way.
// The bytes are thrown away unparsed.
func linger(c net.Conn, deadline time.Time) {
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	if d := time.Now().Add(lingerTimeout); d.Before(deadline) {
		deadline = d
	}
	_ = c.SetReadDeadline(deadline)
	// A plain loop: io.Copy would link the sendfile and splice paths.
	buf := make([]byte, 4096)
	for n := 0; n < maxDrain; {
		m, err := c.Read(buf)
		if err != nil {
			return
		}
		n += m
	}
}
