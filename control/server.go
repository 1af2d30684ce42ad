package control

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// ErrInUse is the error Listen wraps when another tend answers on the
// socket. SPEC: a live socket makes tend refuse to start, where a socket
// that cannot be created is only logged.
var ErrInUse = errors.New("another tend is listening")

// Options configures Listen.
type Options struct {
	Path  string      // the socket's path
	Mode  os.FileMode // the socket file's permissions; 0 means 0600
	Group string      // socket_group: a group name or gid whose members may connect; "" for none

	// Allowed decides whether a peer may use the socket; nil means SPEC's
	// rule: uid 0, tend's own uid, or a member of Group (by the peer's
	// gid or its supplementary groups, read from /proc/PID/status).
	// Tests set it to refuse or admit peers of their own uid. It is
	// called on the connections' goroutines, possibly at once.
	Allowed func(Peer) bool

	// Log receives refused peers and failed accepts; nil discards them.
	Log *slog.Logger
}

// tuning holds the server's limits, which tests shorten.
type tuning struct {
	readTimeout   time.Duration // for the request line: a silent client is dropped
	writeTimeout  time.Duration // for each write of the reply: a client that stops reading is dropped
	closeGrace    time.Duration // Close's wait for replies already complete
	maxEventLines int           // lines pending for an events client
	maxBytes      int           // bytes pending for any client
	maxConns      int           // connections at once; more get ERR too many connections
}

var defaults = tuning{
	readTimeout:   10 * time.Second, // SPEC: "A slow or silent client is dropped after 10 s"
	writeTimeout:  10 * time.Second,
	closeGrace:    time.Second,
	maxEventLines: 1000,
	maxBytes:      4 << 20,
	// Each connection holds a descriptor: a flood of clients must not
	// leave tend without descriptors for its programs' pipes.
	maxConns: 512,
}

// Server accepts connections on a Unix stream socket, reads one request
// from each, and hands the valid ones to the loop through Calls. Bad
// requests, lines too long and refused peers are answered here, without
// reaching the loop.
type Server struct {
	path    string
	ln      *net.UnixListener
	allowed func(Peer) bool
	log     *slog.Logger
	t       tuning
	calls   chan *Call

	mu      sync.Mutex
	live    map[*Call]struct{}
	closing bool
	closed  chan struct{}
	wg      sync.WaitGroup

	once     sync.Once
	closeErr error
}

// Listen creates the socket at o.Path and starts accepting. A stale
// socket file there (nobody answers a connect) is replaced; a live one is
// an error wrapping ErrInUse, such as `socket "/run/tend.sock": another
// tend is listening`. A missing parent directory is created (mode 0755),
// for images without /run. Any other failure is an error the caller logs
// once, running on without a socket.
//
// The socket is made o.Mode and, with o.Group, given that group. Between
// its creation and the chmod its mode follows the umask; the peer check
// guards that moment.
func Listen(o Options) (*Server, error) {
	return listen(o, defaults)
}

func listen(o Options, t tuning) (*Server, error) {
	if o.Path == "" {
		return nil, errors.New("listen: empty socket path")
	}
	fail := func(err error) (*Server, error) {
		return nil, fmt.Errorf("socket %q: %w", o.Path, err)
	}
	if o.Path[0] == '@' {
		// The abstract namespace has no file to chmod: only the peer
		// check would guard it.
		return fail(errors.New("abstract sockets are not supported"))
	}
	gid := -1
	if o.Group != "" {
		g, err := lookupGroup(o.Group)
		if err != nil {
			return fail(err)
		}
		gid = g
	}
	if err := clearStale(o.Path); err != nil {
		return fail(err)
	}
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o755); err != nil {
		return fail(bare(err))
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: o.Path, Net: "unix"})
	if err != nil {
		return fail(bare(err))
	}
	mode := o.Mode.Perm()
	if mode == 0 {
		mode = 0o600
	}
	err = os.Chmod(o.Path, mode)
	if err == nil && gid >= 0 {
		err = os.Lchown(o.Path, -1, gid)
	}
	if err != nil {
		// Close removes the socket file.
		_ = ln.Close()
		return fail(bare(err))
	}
	s := &Server{
		path:    o.Path,
		ln:      ln,
		allowed: o.Allowed,
		log:     o.Log,
		t:       t,
		calls:   make(chan *Call),
		live:    make(map[*Call]struct{}),
		closed:  make(chan struct{}),
	}
	if s.allowed == nil {
		s.allowed = defaultAllowed(gid)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// clearStale removes a socket file nobody answers on.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return bare(err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return errors.New("file exists and is not a socket")
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	switch {
	case err == nil:
		// The other tend sees a client that sent nothing.
		_ = conn.Close()
		return ErrInUse
	case errors.Is(err, syscall.EAGAIN):
		// A listener whose backlog is full is alive.
		return ErrInUse
	case errors.Is(err, syscall.ECONNREFUSED):
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("check for another tend: %w", bare(err))
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove stale socket: %w", bare(err))
	}
	return nil
}

// bare drops the path and address that os and net errors repeat, since
// the caller names the socket once: "bind: read-only file system".
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}

// Calls returns the channel of requests for the loop to answer. It is
// never closed; after Close nothing more arrives on it.
func (s *Server) Calls() <-chan *Call { return s.calls }

// Close stops accepting, closes every connection, and removes the socket
// file. Connections whose reply is complete (a `shutdown` answered OK)
// get up to a second to send it first. Close waits for the server's
// goroutines to end; later calls return the first one's result.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closing = true
		close(s.closed)
		var ending []*Call
		for c := range s.live {
			if c.ending() {
				ending = append(ending, c)
			} else {
				c.cut()
			}
		}
		s.mu.Unlock()
		if err := s.ln.Close(); err != nil {
			s.closeErr = fmt.Errorf("close socket %q: %w", s.path, bare(err))
		}
		finished := make(chan struct{})
		go func() {
			s.wg.Wait()
			close(finished)
		}()
		grace := time.NewTimer(s.t.closeGrace)
		defer grace.Stop()
		select {
		case <-finished:
			return
		case <-grace.C:
		}
		for _, c := range ending {
			c.cut()
		}
		<-finished
	})
	return s.closeErr
}

func (s *Server) accept() {
	defer s.wg.Done()
	var delay time.Duration
	for {
		conn, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// EMFILE and the like: back off, as net/http does, rather
			// than spin until a descriptor is free.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("control socket accept failed", "delay", delay, "err", err)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.closed:
				t.Stop()
				return
			}
			continue
		}
		delay = 0
		c := newCall(conn, s.t)
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			_ = conn.Close()
			return
		}
		full := len(s.live) >= s.t.maxConns
		s.live[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c, full)
	}
}

// serve runs one connection: it reads the request, answers a bad one or
// hands a good one to the loop, then writes the reply.
func (s *Server) serve(c *Call, full bool) {
	defer s.wg.Done()
	defer s.forget(c)
	if full {
		s.watch(c)
		c.Err("too many connections")
		c.pump()
		return
	}
	peer, perr := peerOf(c.conn)
	line, err := s.readLine(c)
	s.watch(c)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		// Ignored if the call was cut by Close rather than timed out.
		c.Err("request timed out")
	case err != nil && !errors.Is(err, errTooLong):
		c.cut()
	case perr != nil || !s.allowed(peer):
		if perr == nil {
			perr = fmt.Errorf("uid %d is not allowed", peer.UID)
		}
		s.log.Warn("control client refused", "pid", peer.PID, "err", perr)
		c.Err("permission denied")
	case err != nil:
		c.Err("line too long")
	default:
		req, err := Parse(line)
		if err != nil {
			c.Err(err.Error())
			break
		}
		c.Req, c.PeerUID, c.PeerPID = req, peer.UID, peer.PID
		switch {
		case req.Cmd == "events":
			c.maxLines = s.t.maxEventLines
		case req.Follow:
			// tail -f queues the last lines (up to the ring's 1000) at
			// once: room for those and as many new ones.
			c.maxLines = 2 * s.t.maxEventLines
		}
		// The loop gets the call even if the client has gone meanwhile:
		// `echo shutdown | nc -U` must shut down whenever nc exits.
		select {
		case s.calls <- c:
		case <-s.closed:
			c.cut()
		}
	}
	c.pump()
}

func (s *Server) forget(c *Call) {
	s.mu.Lock()
	delete(s.live, c)
	s.mu.Unlock()
}

// watch starts c's watcher, which notices the client going away.
func (s *Server) watch(c *Call) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		c.watch()
	}()
}

// errTooLong is readLine's error for a line over MaxLine bytes.
var errTooLong = errors.New("line too long")

// readLine reads the request: bytes up to the first "\n", or up to EOF if
// there is none, without its "\n" or "\r\n". It does not wait for more
// than that: nc without -N keeps its write side open. The client has
// readTimeout to send it.
func (s *Server) readLine(c *Call) (string, error) {
	if !c.setDeadline(true, time.Now().Add(s.t.readTimeout)) {
		return "", net.ErrClosed
	}
	// Room for MaxLine bytes and "\r\n": a full buffer without a newline
	// is too long.
	buf := make([]byte, 0, MaxLine+2)
	for {
		n, err := c.conn.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if i := bytes.IndexByte(buf[len(buf)-n:], '\n'); i >= 0 {
			return checkLen(buf[:len(buf)-n+i])
		}
		if len(buf) == cap(buf) {
			return "", errTooLong
		}
		if err == io.EOF {
			return checkLen(buf)
		}
		if err != nil {
			return "", err
		}
	}
}

func checkLen(line []byte) (string, error) {
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxLine {
		return "", errTooLong
	}
	return string(line), nil
}
