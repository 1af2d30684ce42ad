package metrics

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// safety bounds every wait in these tests, so that a bug fails a test
// instead of hanging it. Nothing waits for it to pass.
const safety = 20 * time.Second

// testBody is what the test servers' render returns.
func testBody() []byte {
	b := Family(nil, "tend_up", "Whether tend is up.", "gauge")
	b = Sample(b, "tend_up", 1)
	b = Family(b, "tend_program_restarts_total", "Restarts of a program.", "counter")
	b = Sample(b, "tend_program_restarts_total", 3, "program", `we"b`)
	return Sample(b, "tend_program_restarts_total", 0, "program", "db")
}

// testServe runs Serve on a fresh 127.0.0.1 port with render testBody,
// counting its calls in *renders. At the end of the test it closes the
// listener and checks that Serve returned nil.
func testServe(t *testing.T) (addr string, renders *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	renders = new(atomic.Int32)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ln, func() []byte {
			renders.Add(1)
			return testBody()
		})
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v, want nil", err)
			}
		case <-time.After(safety):
			t.Error("Serve did not return after its listener closed")
		}
	})
	return ln.Addr().String(), renders
}

// client is net/http's, without keep-alive: Serve closes anyway.
var client = &http.Client{Timeout: safety, Transport: &http.Transport{DisableKeepAlives: true}}

func TestScrape(t *testing.T) {
	addr, renders := testServe(t)
	for _, path := range []string{"/metrics", "/metrics?name[]=x&y"} {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %s", path, resp.Status)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if resp.ContentLength != int64(len(testBody())) || !resp.Close || resp.Header.Get("Date") == "" {
			t.Errorf("%s: Content-Length %d, close %v, Date %q", path, resp.ContentLength, resp.Close, resp.Header.Get("Date"))
		}
		fams, err := parseText(string(body))
		if err != nil {
			t.Fatalf("%s: %v in\n%s", path, err, body)
		}
		if len(fams) != 2 || fams[1].samples[0].labels[0].value != `we"b` {
			t.Errorf("%s: parsed as %+v", path, fams)
		}
	}
	if n := renders.Load(); n != 2 {
		t.Errorf("render called %d times, want 2", n)
	}
}

func TestHead(t *testing.T) {
	addr, _ := testServe(t)
	resp, err := client.Head("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len(testBody())) {
		t.Errorf("status %s, Content-Length %d", resp.Status, resp.ContentLength)
	}
	// net/http's client would not tell a body sent after HEAD's head.
	for _, c := range []struct{ path, status string }{{"/metrics", "200"}, {"/x", "404"}} {
		got := exchange(t, addr, "HEAD "+c.path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		head, body, _ := strings.Cut(got, "\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 "+c.status+" ") || body != "" || !strings.Contains(head, "\r\nContent-Length: ") {
			t.Errorf("HEAD %s: got %q", c.path, got)
		}
	}
}

// exchange sends req on a fresh connection to addr and returns all that
// comes back until the server closes.
func exchange(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(safety))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%.60q: %v", req, err)
	}
	return string(got)
}

func TestErrors(t *testing.T) {
	addr, renders := testServe(t)
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/", 404},
		{"GET", "/metrics/", 404},
		{"GET", "/metricsx", 404},
		{"GET", "/Metrics", 404},
		{"POST", "/x", 404},
		{"POST", "/metrics", 405},
		{"PUT", "/metrics?x", 405},
		{"DELETE", "/metrics", 405},
	} {
		req, err := http.NewRequest(c.method, "http://"+addr+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %s, want %d", c.method, c.path, resp.Status, c.status)
		}
		allow := resp.Header.Get("Allow")
		if (c.status == 405) != (allow == "GET, HEAD") || !resp.Close {
			t.Errorf("%s %s: Allow %q, close %v", c.method, c.path, allow, resp.Close)
		}
	}
	for _, req := range []string{
		"garbage\r\n\r\n",
		"GET /metrics\r\n\r\n",
		"GET /metrics HTTP/2.0\r\n\r\n",
		"GET metrics HTTP/1.1\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nno colon\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nX: " + strings.Repeat("y", maxHead) + "\r\n\r\n",
	} {
		got := exchange(t, addr, req)
		if !strings.HasPrefix(got, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(got, "\r\nConnection: close\r\n") {
			t.Errorf("%.40q: got %q", req, got)
		}
	}
	if n := renders.Load(); n != 0 {
		t.Errorf("render called %d times for errors", n)
	}
}

// TestBodyIgnored sends a GET with a body and a second request after it:
// both are left unread, and the response must still arrive whole.
func TestBodyIgnored(t *testing.T) {
	addr, renders := testServe(t)
	body := strings.Repeat("b", 100<<10)
	req := "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body +
		"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
	got := exchange(t, addr, req)
	head, rest, _ := strings.Cut(got, "\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") || rest != string(testBody()) {
		t.Errorf("got %q", got)
	}
	if n := renders.Load(); n != 1 {
		t.Errorf("render called %d times, want 1", n)
	}
}

// shorten sets *v to d for the test.
func shorten(t *testing.T, v *time.Duration, d time.Duration) {
	old := *v
	*v = d
	t.Cleanup(func() { *v = old })
}

func TestSlowClientDropped(t *testing.T) {
	shorten(t, &exchangeTimeout, 200*time.Millisecond)
	addr, renders := testServe(t)
	for _, req := range []string{"", "GET /metrics HTTP/1.1\r\nHost:"} {
		start := time.Now()
		got := exchange(t, addr, req)
		if got != "" {
			t.Errorf("%q: got %q, want nothing", req, got)
		}
		if d := time.Since(start); d < 150*time.Millisecond || d > 5*time.Second {
			t.Errorf("%q: dropped after %v, want 200ms", req, d)
		}
	}
	if n := renders.Load(); n != 0 {
		t.Errorf("render called %d times", n)
	}
}

func TestHangUpUnanswered(t *testing.T) {
	addr, _ := testServe(t)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(safety))
	io.WriteString(c, "GET /metrics HTTP/1.1\r\n")
	c.(*net.TCPConn).CloseWrite()
	if got, err := io.ReadAll(c); len(got) != 0 || err != nil {
		t.Errorf("got %q, %v; want nothing", got, err)
	}
}

// TestConnectionLimit holds 64 silent connections: a 65th waits, and is
// served as soon as one of them ends.
func TestConnectionLimit(t *testing.T) {
	addr, _ := testServe(t)
	var idle []net.Conn
	for range maxConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	// The backlog is first in, first out: the 65th is accepted only
	// after the 64, and only once one of them ends.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET /metrics HTTP/1.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := c.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("65th connection answered (%d bytes, %v) while 64 were open", n, err)
	}
	start := time.Now()
	idle[0].Close()
	c.SetReadDeadline(time.Now().Add(safety))
	got, err := io.ReadAll(c)
	if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 200 OK\r\n") {
		t.Fatalf("65th connection: %q, %v", got, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("65th served %v after a slot freed", d)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestCloseCutsConnections checks that Serve, when its listener closes,
// ends the connections still open and returns promptly.
func TestCloseCutsConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve(ln, testBody) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A served request proves the idle connection below was accepted.
	if _, err := client.Get("http://" + ln.Addr().String() + "/x"); err != nil {
		t.Fatal(err)
	}
	ln.Close()
	// Well before the idle connection's 10 s are up.
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its listener closed")
	}
	c.SetDeadline(time.Now().Add(safety))
	if got, err := io.ReadAll(c); len(got) != 0 || err != nil {
		t.Errorf("open connection: read %q, %v; want EOF", got, err)
	}
}

// fakeListener returns errs from Accept, one a call, then net.ErrClosed.
type fakeListener struct {
	errs  []error
	calls int
}

func (l *fakeListener) Accept() (net.Conn, error) {
	l.calls++
	if len(l.errs) == 0 {
		return nil, net.ErrClosed
	}
	err := l.errs[0]
	l.errs = l.errs[1:]
	return nil, err
}

func (l *fakeListener) Close() error   { return nil }
func (l *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }

func TestAcceptErrors(t *testing.T) {
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: fmt.Errorf("accept4: %w", syscall.EMFILE)}
	l := &fakeListener{errs: []error{emfile, emfile}}
	if err := Serve(l, testBody); err != nil || l.calls != 3 {
		t.Errorf("after EMFILE twice: Serve returned %v after %d Accepts, want nil after 3", err, l.calls)
	}
	other := errors.New("listener broke")
	l = &fakeListener{errs: []error{other, emfile}}
	if err := Serve(l, testBody); err != other || l.calls != 1 {
		t.Errorf("Serve returned %v after %d Accepts, want %v after 1", err, l.calls, other)
	}
}

func TestParseRequest(t *testing.T) {
	for _, c := range []struct{ req, method, path string }{
		{"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "GET", "/metrics"},
		{"GET /metrics?a=b?c HTTP/1.0\n\n", "GET", "/metrics"},
		{"\r\n\nHEAD / HTTP/1.1\r\nA:\r\nB:\tc \x80\r\n\r\n", "HEAD", "/"},
		{"GET http://host:9100/metrics?x HTTP/1.1\r\n\r\n", "GET", "/metrics"},
		{"GET HTTPS://host HTTP/1.1\r\n\r\n", "GET", "/"},
		{"GET http://host?q HTTP/1.1\r\n\r\n", "GET", "/"},
		{"get /%6Detrics HTTP/1.9\r\n\r\n", "get", "/%6Detrics"},
		{"GET / HTTP/1.1\r\nX: " + strings.Repeat("y", maxHead-len("GET / HTTP/1.1\r\nX: \r\n\r\n")) + "\r\n\r\n", "GET", "/"},
	} {
		method, path, err := ParseRequest(bufio.NewReader(strings.NewReader(c.req)))
		if method != c.method || path != c.path || err != nil {
			t.Errorf("%.40q: %q %q %v, want %q %q", c.req, method, path, err, c.method, c.path)
		}
	}
	for _, c := range []struct{ req, err string }{
		{"", "EOF"},
		{"GET / HTTP/1.1\r\n", "unexpected EOF"},
		{"\r\n", "unexpected EOF"},
		{"GET  / HTTP/1.1\r\n\r\n", `malformed request line "GET  / HTTP/1.1"`},
		{"GET / HTTP/1.1 \r\n\r\n", `malformed request line "GET / HTTP/1.1 "`},
		{"GET /  HTTP/1.1\r\n\r\n", `malformed request line "GET /  HTTP/1.1"`},
		{"GET HTTP/1.1\r\n\r\n", `malformed request line "GET HTTP/1.1"`},
		{"GET / HTTP/1.1\r\r\n\r\n", `unsupported HTTP version "HTTP/1.1\r"`},
		{"GET / http/1.1\r\n\r\n", `unsupported HTTP version "http/1.1"`},
		{"G(T / HTTP/1.1\r\n\r\n", `malformed request line "G(T / HTTP/1.1"`},
		{"GET /a#b HTTP/1.1\r\n\r\n", `malformed request target "/a#b"`},
		{"GET /\xe9 HTTP/1.1\r\n\r\n", `malformed request target "/\xe9"`},
		{"GET * HTTP/1.1\r\n\r\n", `malformed request target "*"`},
		{"GET ftp://x/ HTTP/1.1\r\n\r\n", `malformed request target "ftp://x/"`},
		{"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", `malformed header line "X: a\rb"`},
		{"GET / HTTP/1.1\r\n: x\r\n\r\n", `malformed header line ": x"`},
		{"GET / HTTP/1.1\r\nX: " + strings.Repeat("y", maxHead) + "\r\n\r\n", "request head over 8192 bytes"},
		{"GET / HTTP/1.1\r\nX: " + strings.Repeat("y", maxHead-len("GET / HTTP/1.1\r\nX: \r\n\r\n")+1) + "\r\n\r\n", "request head over 8192 bytes"},
		{strings.Repeat("\r\n", maxHead/2+1), "request head over 8192 bytes"},
	} {
		_, _, err := ParseRequest(bufio.NewReader(strings.NewReader(c.req)))
		if err == nil || err.Error() != c.err {
			t.Errorf("%.40q: error %v, want %s", c.req, err, c.err)
		}
	}
}

// TestParseRequestStops checks that nothing after the head is read.
func TestParseRequestStops(t *testing.T) {
	r := bufio.NewReader(strings.NewReader("GET / HTTP/1.1\r\n\r\nbody"))
	if _, _, err := ParseRequest(r); err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "body" {
		t.Errorf("left %q, want body", rest)
	}
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		"GET /metrics HTTP/1.1\r\nHost: localhost:9100\r\nUser-Agent: Prometheus/2.53.0\r\nAccept: text/plain\r\n\r\n",
		"HEAD /metrics?x=1 HTTP/1.0\n\n",
		"\r\nGET http://h/metrics HTTP/1.1\r\n\r\nbody",
		"GET * HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n",
		"GET /" + strings.Repeat("a", 5000) + " HTTP/1.1\r\n" + strings.Repeat("X: y\r\n", 600) + "\r\n",
		"GET / HTTP/1.1\r\n" + strings.Repeat("\r", 9000),
	} {
		f.Add([]byte(s), uint16(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		// Small buffers make lines longer than the buffer, read in
		// pieces; bufio's smallest is 16. Kept small too, since each
		// run allocates one.
		br := bytes.NewReader(data)
		r := bufio.NewReaderSize(br, 16+int(size%512))
		method, path, err := ParseRequest(r)
		if err != nil {
			if method != "" || path != "" {
				t.Errorf("error %v with %q %q", err, method, path)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q has a newline", err)
			}
			return
		}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?# \r\n") || !isToken(method) {
			t.Errorf("method %q path %q", method, path)
		}
		consumed := len(data) - br.Len() - r.Buffered()
		if consumed > maxHead {
			t.Errorf("head of %d bytes accepted", consumed)
		}
		// net/http, where it also reads the request, agrees on it.
		req, herr := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
		if herr != nil {
			return
		}
		want, _, _ := strings.Cut(req.RequestURI, "?")
		if req.URL.Scheme != "" {
			if want = req.URL.EscapedPath(); want == "" {
				want = "/"
			}
		}
		if req.Method != method || want != path {
			t.Errorf("%q %q, net/http %q %q", method, path, req.Method, want)
		}
	})
}
