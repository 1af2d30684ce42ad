package probe

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseNotify(f *testing.F) {
	for _, s := range []string{
		"READY=1",
		"READY=1\nSTATUS=Serving\nMAINPID=42\n",
		"STOPPING=1\nRELOADING=1\nWATCHDOG=1",
		"STATUS=\xff\xfe",
		"MAINPID=99999999999999999999",
		"MAINPID=-1\nMAINPID=+3",
		"READY=1\x00",
		"\n=\n==",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := ParseNotify(b)
		if strings.Contains(m.Status, "\n") || !utf8.ValidString(m.Status) {
			t.Errorf("Status %q: has a newline or is not UTF-8", m.Status)
		}
		if m.MainPID < 0 || m.MainPID > 1<<31-1 {
			t.Errorf("MainPID %d out of range", m.MainPID)
		}
		if m.PID != 0 {
			t.Errorf("PID %d: only Run sets it", m.PID)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"http://127.0.0.1:8080/healthz",
		"http://x",
		"HTTP://Example.com:80/a?b=c#d",
		"http://[::1]:9/",
		"http://[fe80::1%25eth0]/",
		"http://x:/",
		"http://u@x/",
		"http://x/a b/\u00e9?%41",
		"http://x/%",
		"https://x/",
		"http://[",
		"http://]:1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseURL(s)
		if err != nil {
			return
		}
		// Nothing that could break the request: no space, control
		// character or non-ASCII byte in the request line or Host.
		for _, part := range []string{u.target, u.host} {
			for i := 0; i < len(part); i++ {
				if c := part[i]; c <= ' ' || c >= 0x7f {
					t.Fatalf("parseURL(%q) = %+v: byte %q", s, u, c)
				}
			}
		}
		if !strings.HasPrefix(u.target, "/") {
			t.Fatalf("parseURL(%q): target %q does not start with /", s, u.target)
		}
		host, port, err := net.SplitHostPort(u.addr)
		if err != nil {
			t.Fatalf("parseURL(%q): addr %q: %v", s, u.addr, err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			t.Fatalf("parseURL(%q): port %q", s, port)
		}
		// Where net/url (which the config uses to validate) also takes
		// the URL, both must find the same host.
		if nu, err := url.Parse(s); err == nil && nu.Hostname() != host {
			t.Fatalf("parseURL(%q): host %q, net/url says %q", s, host, nu.Hostname())
		}
	})
}
