package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func TestParseWait(t *testing.T) {
	for _, tt := range []struct {
		args    string
		timeout time.Duration
		targets []string
		argv    []string
		err     string
	}{
		{"tcp:db:5432", 60 * time.Second, []string{"tcp:db:5432"}, nil, ""},
		{"--timeout 5s tcp:db:5432 http://api/healthz -- app -x -- y", 5 * time.Second,
			[]string{"tcp:db:5432", "http://api/healthz"}, []string{"app", "-x", "--", "y"}, ""},
		{"--timeout=90 tcp:[::1]:80", 90 * time.Second, []string{"tcp:[::1]:80"}, nil, ""},
		{"-timeout 0 http://x:8080/", 0, []string{"http://x:8080/"}, nil, ""},
		{"", 0, nil, nil, "no target"},
		{"--timeout 5s -- app", 0, nil, nil, "no target"},
		{"tcp:db:5432 --", 0, nil, nil, "no program after --"},
		{"--timeout soon tcp:db:1", 0, nil, nil, `--timeout "soon": want a duration such as 60s or 1m30s, or a number of seconds`},
		{"--timeout -1s tcp:db:1", 0, nil, nil, `--timeout "-1s": want a duration such as 60s or 1m30s, or a number of seconds`},
		{"--wait tcp:db:1", 0, nil, nil, "flag provided but not defined: -wait"},
		{"db:5432", 0, nil, nil, `invalid target "db:5432": want tcp:HOST:PORT or an http:// URL`},
		{"tcp:db", 0, nil, nil, `invalid check "tcp:db": want tcp:HOST:PORT`},
		{"tcp:db:http", 0, nil, nil, `invalid check "tcp:db:http": port "http" is not a number in 1..65535`},
		{"tcp:db:0", 0, nil, nil, `invalid check "tcp:db:0": port "0" is not a number in 1..65535`},
		{"https://api/", 0, nil, nil, `invalid check "https://api/": https is not supported; use an http:// URL, tcp:HOST:PORT or a command`},
		{"http:///x", 0, nil, nil, `invalid check "http:///x": the URL has no host`},
		{"http://x:99999/", 0, nil, nil, `invalid check "http://x:99999/": bad port "99999"`},
		{"notify", 0, nil, nil, `invalid target "notify": want tcp:HOST:PORT or an http:// URL`},
	} {
		timeout, targets, argv, err := parseWait(strings.Fields(tt.args))
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("parseWait(%q) = %v, want %s", tt.args, err, tt.err)
			}
			continue
		}
		var texts []string
		for _, t := range targets {
			texts = append(texts, t.text)
		}
		if err != nil || timeout != tt.timeout || !reflect.DeepEqual(texts, tt.targets) || !reflect.DeepEqual(argv, tt.argv) {
			t.Errorf("parseWait(%q) = %s %q %q %v; want %s %q %q", tt.args, timeout, texts, argv, err, tt.timeout, tt.targets, tt.argv)
		}
	}
}

func tcpListener(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestWaitReady(t *testing.T) {
	l := tcpListener(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	var stdout, stderr strings.Builder
	code := waitCommand([]string{"tcp:" + l.Addr().String(), srv.URL + "/healthz"}, &stdout, &stderr)
	if code != 0 || stderr.String() != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	want := map[string]bool{
		"tend wait: tcp:" + l.Addr().String() + " is ready (0s)": true,
		"tend wait: " + srv.URL + "/healthz is ready (0s)":       true,
	}
	if len(lines) != 2 || !want[lines[0]] || !want[lines[1]] || lines[0] == lines[1] {
		t.Errorf("stdout %q, want the lines %v", stdout.String(), want)
	}
}

// TestWaitLater waits for a server that fails twice before it answers
// 2xx, and checks that it is tried about once a second.
func TestWaitLater(t *testing.T) {
	var tries atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	var stdout, stderr strings.Builder
	start := time.Now()
	code := waitCommand([]string{"--timeout", "20s", srv.URL}, &stdout, &stderr)
	took := time.Since(start)
	if code != 0 || stderr.String() != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if tries.Load() != 3 || took < 2*time.Second || took > 10*time.Second {
		t.Errorf("%d tries in %s, want 3 in about 2s", tries.Load(), took)
	}
	if want := regexp.MustCompile(`^tend wait: http://127\.0\.0\.1:[0-9]+ is ready \([0-9.]+s\)\n$`); !want.MatchString(stdout.String()) {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestWaitTimeout(t *testing.T) {
	l := tcpListener(t)
	closed := closedPort(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var stdout, stderr strings.Builder
	code := waitCommand([]string{"--timeout", "1500ms", "tcp:" + l.Addr().String(), "tcp:" + closed, srv.URL}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	// How long it took depends on the machine's load: only the form is fixed.
	if want := regexp.MustCompile(`^tend wait: tcp:` + regexp.QuoteMeta(l.Addr().String()) + ` is ready \([0-9.]+m?s\)\n$`); !want.MatchString(stdout.String()) {
		t.Errorf("stdout %q, want it to match %s", stdout.String(), want)
	}
	want := fmt.Sprintf("tend wait: timed out after 1.5s; not ready: tcp:%s (dial tcp %s: connect: connection refused), %s (status 503)\n",
		closed, closed, srv.URL)
	if stderr.String() != want {
		t.Errorf("stderr\n %q\nwant %q", stderr.String(), want)
	}
}

// TestWaitNoAnswer checks a target whose first try has not ended when
// the timeout runs out: a server that accepts and never answers.
func TestWaitNoAnswer(t *testing.T) {
	l := tcpListener(t)
	conns := make(chan net.Conn, 10)
	defer func() {
		l.Close()
		for c := range conns {
			c.Close()
		}
	}()
	go func() {
		defer close(conns)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	var stderr strings.Builder
	url := "http://" + l.Addr().String() + "/"
	code := waitCommand([]string{"--timeout", "300ms", url}, new(strings.Builder), &stderr)
	if want := "tend wait: timed out after 300ms; not ready: " + url + " (no answer yet)\n"; code != 1 || stderr.String() != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr.String(), want)
	}
}

func TestWaitSignal(t *testing.T) {
	closed := closedPort(t)
	targets, sigs := []waitTarget{{text: "tcp:" + closed, tcp: true, addr: closed}}, make(chan os.Signal, 1)
	sigs <- syscall.SIGTERM
	var stdout, stderr strings.Builder
	code := waitAll(targets, 0, sigs, &stdout, &stderr)
	if !regexp.MustCompile(`^tend wait: SIGTERM; not ready: tcp:127\.0\.0\.1:[0-9]+ \((no answer yet|dial tcp .*connection refused)\)\n$`).MatchString(stderr.String()) || code != 143 {
		t.Errorf("exit %d, stderr %q; want 143", code, stderr.String())
	}
}

func TestWaitExecFails(t *testing.T) {
	l := tcpListener(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		prog string
		code int
		msg  string
	}{
		{filepath.Join(dir, "none"), 127, fmt.Sprintf("tend wait: exec %q: no such file or directory\n", filepath.Join(dir, "none"))},
		{"tend-no-such-command", 127, `tend wait: exec "tend-no-such-command": executable file not found in $PATH` + "\n"},
		{plain, 126, fmt.Sprintf("tend wait: exec %q: permission denied\n", plain)},
	} {
		var stdout, stderr strings.Builder
		code := waitCommand([]string{"tcp:" + l.Addr().String(), "--", tt.prog, "arg"}, &stdout, &stderr)
		if code != tt.code || stderr.String() != tt.msg {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", tt.prog, code, stderr.String(), tt.code, tt.msg)
		}
	}
}

func TestWaitUsage(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := waitCommand(nil, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if want := "tend wait: no target\n" + waitUsage + "\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}
