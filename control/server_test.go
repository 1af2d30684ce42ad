package control

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// safety bounds every wait on a connection in these tests, so that a bug
// fails a test instead of hanging it. Nothing waits for it to pass.
const safety = 20 * time.Second

// sockPath returns a fresh socket path short enough for sun_path (108
// bytes): t.TempDir can be longer.
func sockPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if len(dir) > 80 {
		d, err := os.MkdirTemp("", "tc")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	return filepath.Join(dir, "s.sock")
}

// testServer listens on a fresh path with tuning tu, and closes at the
// end of the test.
func testServer(t *testing.T, o Options, tu tuning) *Server {
	t.Helper()
	if o.Path == "" {
		o.Path = sockPath(t)
	}
	s, err := listen(o, tu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// fakeLoop answers calls as the supervisor's loop would, on one goroutine,
// and records each call it got. Calls for events, and for start of a
// program named "hold", are passed to the test on held instead.
type fakeLoop struct {
	mu   sync.Mutex
	cmds []string
	held chan *Call
}

func runLoop(t *testing.T, s *Server) *fakeLoop {
	l := &fakeLoop{held: make(chan *Call, 1000)}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case c := <-s.Calls():
				l.answer(c)
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-finished
	})
	return l
}

func (l *fakeLoop) answer(c *Call) {
	l.mu.Lock()
	l.cmds = append(l.cmds, strings.Join(append([]string{c.Req.Cmd}, c.Req.Args...), " "))
	l.mu.Unlock()
	switch {
	case c.Req.Cmd == "status":
		c.Line("web  RUNNING  pid 42, uptime 0:03:10")
		c.Line("db  STOPPED  Not started")
		c.OK()
	case c.Req.Cmd == "start" && c.Req.Targets[0] == "nope":
		c.Err(`no such program "nope"`)
	case c.Req.Cmd == "stop":
		c.Err("first\nsecond\r\nthird")
	case c.Req.Cmd == "version":
		c.Line("OK")
		c.Line("tend test")
		c.OK()
	case c.Req.Cmd == "events", c.Req.Cmd == "start" && c.Req.Targets[0] == "hold":
		l.held <- c
	default:
		c.OK()
	}
}

func (l *fakeLoop) seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.cmds...)
}

// take returns the next held call.
func (l *fakeLoop) take(t *testing.T) *Call {
	t.Helper()
	select {
	case c := <-l.held:
		return c
	case <-time.After(safety):
		t.Fatal("no call reached the loop")
		return nil
	}
}

func dial(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.SetDeadline(time.Now().Add(safety)); err != nil {
		t.Fatal(err)
	}
	return c
}

// ask sends req, leaving the write side open as nc without -N does, and
// returns the whole reply up to EOF.
func ask(t *testing.T, path, req string) string {
	t.Helper()
	c := dial(t, path)
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("read reply to %q: %v (got %q)", req, err, b)
	}
	return string(b)
}

const statusReply = "web  RUNNING  pid 42, uptime 0:03:10\ndb  STOPPED  Not started\nOK\n"

func TestReplies(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	l := runLoop(t, s)
	for _, tt := range []struct{ req, want string }{
		{"status\n", statusReply},
		{"status\r\n", statusReply},
		{"  Status  web\t\n", statusReply},
		{"status\nstop web\n", statusReply}, // one request per connection
		{"start nope\n", "ERR no such program \"nope\"\n"},
		{"stop web\n", "ERR first; second; third\n"},
		{"version\n", "OK\ntend test\nOK\n"},
		{"reload\n", "OK\n"},
		{"rstart web\n", "ERR unknown command \"rstart\"; try help\n"},
		{"start\n", "ERR start: want at least one target\n"},
		{"signal FOO web\n", "ERR signal: unknown signal \"FOO\"\n"},
		{"\n", "ERR empty request\n"},
		{"status " + strings.Repeat("a", MaxLine-len("status ")) + "\n", statusReply},
		{"status " + strings.Repeat("a", MaxLine-len("status ")) + "\r\n", statusReply},
		{"status " + strings.Repeat("a", MaxLine+1-len("status ")) + "\n", "ERR line too long\n"},
		{"status " + strings.Repeat("a", MaxLine+1-len("status ")) + "\r\n", "ERR line too long\n"},
		{strings.Repeat("b", 3*MaxLine) + "\n", "ERR line too long\n"},
	} {
		if got := ask(t, s.path, tt.req); got != tt.want {
			t.Errorf("reply to %.40q = %q, want %q", tt.req, got, tt.want)
		}
	}
	// Only the valid requests reached the loop; the bad ones and the line
	// after the first did not.
	got := strings.Join(l.seen(), ",")
	if !strings.HasPrefix(got, "status,status,status web,status,start nope,stop web,version,reload,status a") || strings.Count(got, ",") != 9 {
		t.Errorf("the loop saw %.200q", got)
	}
}

// A final line without a newline counts when the client closes its write
// side, as `printf status | nc -N` and socat do.
func TestRequestAtEOF(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	runLoop(t, s)
	for _, tt := range []struct{ req, want string }{
		{"status", statusReply},
		{"status\r", statusReply},
		{"", "ERR empty request\n"},
		{strings.Repeat("a", MaxLine+1), "ERR line too long\n"},
	} {
		c := dial(t, s.path)
		if _, err := io.WriteString(c, tt.req); err != nil {
			t.Fatal(err)
		}
		if err := c.CloseWrite(); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(c)
		if err != nil || string(b) != tt.want {
			t.Errorf("reply to %.20q then EOF = %q, %v; want %q", tt.req, b, err, tt.want)
		}
	}
}
