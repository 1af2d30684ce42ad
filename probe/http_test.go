package probe

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// server answers one HTTP connection on a loopback listener: it reads the
// request head, sends it on heads, then calls reply. It returns the
// listener's host:port.
func server(t *testing.T, network string, reply func(net.Conn)) (addr string, heads <-chan string) {
	t.Helper()
	loopback := "127.0.0.1:0"
	if network == "tcp6" {
		loopback = "[::1]:0"
	}
	ln, err := net.Listen(network, loopback)
	if err != nil {
		if network == "tcp6" {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	done := make(chan struct{})
	ch := make(chan string, 1)
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var head strings.Builder
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadString('\n')
			head.WriteString(line)
			if err != nil || line == "\r\n" {
				break
			}
		}
		ch <- head.String()
		reply(c)
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String(), ch
}

// says returns a reply that writes s and closes the connection.
func says(s string) func(net.Conn) {
	return func(c net.Conn) { io.WriteString(c, s) }
}

// silent returns a reply that says nothing until the client goes away.
func silent(c net.Conn) { io.Copy(io.Discard, c) }

func TestHTTP(t *testing.T) {
	long := func(n int) string { // a 2xx status line of n bytes, newline included
		s := "HTTP/1.1 200 "
		return s + strings.Repeat("x", n-len(s)-1) + "\n"
	}
	tests := []struct {
		name  string
		reply func(net.Conn)
		want  string // "" for success, else a substring of the error
	}{
		{"200", says("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), ""},
		{"204 without reason", says("HTTP/1.1 204\r\n\r\n"), ""},
		{"HTTP/1.0 bare LF", says("HTTP/1.0 299 Whatever\n\n"), ""},
		{"4096 bytes before the newline", says(long(4097)), ""},
		{"4097 bytes before the newline", func(c net.Conn) { io.WriteString(c, long(4098)); silent(c) }, "longer than 4096 bytes"},
		{"endless status line", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 200 "+strings.Repeat("A", 100000))
			silent(c)
		}, "longer than 4096 bytes"},
		{"301", says("HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n\r\n"), ": status 301"},
		{"404", says("HTTP/1.1 404 Not Found\r\n\r\n"), ": status 404"},
		{"503", says("HTTP/1.1 503 Service Unavailable\r\n\r\n"), ": status 503"},
		{"100", says("HTTP/1.1 100 Continue\r\n\r\n"), ": status 100"},
		{"garbage", says("hello there\r\n"), `malformed status line "hello there"`},
		{"HTTP/2", says("HTTP/2 200\r\n\r\n"), "malformed status line"},
		{"two-digit code", says("HTTP/1.1 20 OK\r\n"), "malformed status line"},
		{"code glued to reason", says("HTTP/1.1 200OK\r\n"), "malformed status line"},
		{"empty reply", says(""), "read status line: EOF"},
		{"cut short", says("HTTP/1.1 200 OK"), "read status line: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, _ := server(t, "tcp", tt.reply)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			err := HTTP(ctx, "http://"+addr+"/")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("HTTP = %v, want nil", err)
			case tt.want != "" && err == nil:
				t.Fatalf("HTTP = nil, want an error with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("HTTP = %v, want an error with %q", err, tt.want)
			case errors.Is(err, context.DeadlineExceeded):
				t.Fatalf("HTTP = %v: waited for the deadline", err)
			}
		})
	}
}

func TestHTTPRequest(t *testing.T) {
	addr, heads := server(t, "tcp", says("HTTP/1.1 200 OK\r\n\r\n"))
	if err := HTTP(t.Context(), "http://"+addr+"/health/a b?x=1&y=%20#frag"); err != nil {
		t.Fatal(err)
	}
	want := "GET /health/a%20b?x=1&y=%20 HTTP/1.1\r\nHost: " + addr +
		"\r\nUser-Agent: tend\r\nConnection: close\r\n\r\n"
	if got := <-heads; got != want {
		t.Fatalf("request:\n%q\nwant\n%q", got, want)
	}
}

func TestHTTPStatusError(t *testing.T) {
	addr, _ := server(t, "tcp", says("HTTP/1.1 503 Service Unavailable\r\n\r\n"))
	u := "http://" + addr + "/"
	err := HTTP(t.Context(), u)
	if want := `http "` + u + `": status 503`; err == nil || err.Error() != want {
		t.Fatalf("HTTP = %v, want %s", err, want)
	}
}

func TestHTTPIPv6(t *testing.T) {
	addr, heads := server(t, "tcp6", says("HTTP/1.1 200 OK\r\n\r\n"))
	if err := HTTP(t.Context(), "http://"+addr); err != nil {
		t.Fatal(err)
	}
	if got := <-heads; !strings.Contains(got, "\r\nHost: "+addr+"\r\n") {
		t.Fatalf("request %q lacks Host: %s", got, addr)
	}
}

func TestHTTPRefused(t *testing.T) {
	u := "http://" + closedPort(t) + "/"
	err := HTTP(t.Context(), u)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("HTTP = %v, want ECONNREFUSED", err)
	}
	if want := `http "` + u + `": dial tcp `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

func TestHTTPDeadline(t *testing.T) {
	addr, _ := server(t, "tcp", silent)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	err := HTTP(ctx, "http://"+addr+"/")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("HTTP = %v, want context.DeadlineExceeded", err)
	}
}

func TestHTTPCancel(t *testing.T) {
	addr, heads := server(t, "tcp", silent)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- HTTP(ctx, "http://"+addr+"/") }()
	<-heads // the request was sent: HTTP is waiting for the answer
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("HTTP = %v, want context.Canceled", err)
		}
		if !strings.HasSuffix(err.Error(), ": read status line: context canceled") {
			t.Errorf("error %q does not say it was cancelled while reading", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("HTTP did not return after cancel")
	}
}

func TestHTTPBadURL(t *testing.T) {
	err := HTTP(t.Context(), "https://example.com/")
	if want := `http "https://example.com/": https is not supported`; err == nil || err.Error() != want {
		t.Fatalf("HTTP = %v, want %s", err, want)
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in                 string
		addr, host, target string
	}{
		{"http://example.com", "example.com:80", "example.com", "/"},
		{"http://example.com/", "example.com:80", "example.com", "/"},
		{"HTTP://Example.com:8080/a/b?c=d&e=%2F#frag", "Example.com:8080", "Example.com:8080", "/a/b?c=d&e=%2F"},
		{"http://127.0.0.1:9/healthz", "127.0.0.1:9", "127.0.0.1:9", "/healthz"},
		{"http://x?q=1", "x:80", "x", "/?q=1"},
		{"http://x#top", "x:80", "x", "/"},
		{"http://x:/", "x:80", "x", "/"},
		{"http://x:65535", "x:65535", "x:65535", "/"},
		{"http://my_host.local~1/", "my_host.local~1:80", "my_host.local~1", "/"},
		{"http://[::1]/", "[::1]:80", "[::1]", "/"},
		{"http://[::1]:8080/p?q", "[::1]:8080", "[::1]:8080", "/p?q"},
		{"http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]:80", "[::ffff:127.0.0.1]", "/"},
		{"http://[fe80::1%25eth0]:8080/", "[fe80::1%eth0]:8080", "[fe80::1%25eth0]:8080", "/"},
		{"http://x/a b/\u00e9?\u00fc", "x:80", "x", "/a%20b/%C3%A9?%C3%BC"},
		{"http://x/a/../b;c=d", "x:80", "x", "/a/../b;c=d"},
	}
	for _, tt := range tests {
		u, err := parseURL(tt.in)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.in, err)
			continue
		}
		if want := (httpURL{tt.addr, tt.host, tt.target}); u != want {
			t.Errorf("parseURL(%q) = %+v, want %+v", tt.in, u, want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x/", "https is not supported"},
		{"HTTPS://x/", "https is not supported"},
		{"ftp://x/", `unsupported scheme "ftp"`},
		{"x:80", "not an http:// URL"},
		{"http:x", "not an http:// URL"},
		{"", "not an http:// URL"},
		{"http://", "missing host"},
		{"http:///path", "missing host"},
		{"http://:80/", "missing host"},
		{"http://?q", "missing host"},
		{"http://x:0/", `bad port "0"`},
		{"http://x:65536/", `bad port "65536"`},
		{"http://x:-1/", `bad port "-1"`},
		{"http://x:+1/", `bad port "+1"`},
		{"http://x:8o/", `bad port "8o"`},
		{"http://x:1_0/", `bad port "1_0"`},
		{"http://::1/", `bad host ":"`},
		{"http://a b/", `bad host "a b"`},
		{"http://x\r\nEvil: 1/", `bad host`},
		{"http://[::1/", "missing ']'"},
		{"http://[::1]x/", `unexpected "x" after ']'`},
		{"http://[::1]:/", ""}, // empty port: the default, like "x:"
		{"http://[]/", "bad IPv6 address"},
		{"http://[1.2.3.4]/", `bad IPv6 address "1.2.3.4"`},
		{"http://[x]/", "bad IPv6 address"},
		{"http://[fe80::1%25]/", "bad zone"},
		{"http://[fe80::1%eth0]/", "bad IPv6 address"},
		{"http://[fe80::1%25a b]/", "bad zone"},
		{"http://user:pw@x/", "user information"},
		{"http://x/\r\nEvil: 1", `control character '\r'`},
		{"http://x/a\x00", `control character '\x00'`},
		{"http://x/a\x7f", `control character '\x7f'`},
		{"http://x/%zz", `bad escape "%zz"`},
		{"http://x/%4", `bad escape "%4"`},
		{"http://x/?a=%", `bad escape "%"`},
	}
	for _, tt := range tests {
		_, err := parseURL(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("parseURL(%q): %v, want success", tt.in, err)
		case tt.want != "" && err == nil:
			t.Errorf("parseURL(%q) succeeded, want %q", tt.in, tt.want)
		case tt.want != "" && !strings.Contains(err.Error(), tt.want):
			t.Errorf("parseURL(%q): %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParseStatusLine(t *testing.T) {
	tests := []struct {
		in   string
		code int // 0: malformed
	}{
		{"HTTP/1.1 200 OK\r\n", 200},
		{"HTTP/1.0 404 Not Found\n", 404},
		{"HTTP/1.1 204\r\n", 204},
		{"HTTP/1.1 204 \r\n", 204},
		{"HTTP/1.1 999 odd\r\n", 999},
		{"HTTP/1.1 2000\r\n", 0},
		{"HTTP/1.1  200\r\n", 0},
		{"HTTP/1.1 -20\r\n", 0},
		{"http/1.1 200 OK\r\n", 0},
		{"HTTP/1.1\r\n", 0},
		{"\r\n", 0},
	}
	for _, tt := range tests {
		code, err := parseStatusLine([]byte(tt.in))
		if tt.code == 0 && err == nil || tt.code != 0 && (err != nil || code != tt.code) {
			t.Errorf("parseStatusLine(%q) = %d, %v; want %d", tt.in, code, err, tt.code)
		}
	}
}
