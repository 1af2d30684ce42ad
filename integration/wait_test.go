package integration

import (
	"net"
	"testing"
	"time"
)

// TestWait guards issue 12: in a distroless image, with no shell and no
// nc, `tend wait TARGET... -- app` waits for every target, then becomes
// app (same pid). One port is open from the start and one opens only once
// tend has said the first is ready.
func TestWait(t *testing.T) {
	open, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	// A port nobody listens on, until the test does.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	later := l.Addr().String()
	l.Close()

	p := startTend(t, mode{name: "subreaper"}, append([]string{"wait", "--timeout", "30s",
		"tcp:" + open.Addr().String(), "tcp:" + later, "--"}, helperArgs("exit", "7")...)...)
	p.waitLine("tend wait: tcp:" + open.Addr().String() + " is ready")
	l, err = net.Listen("tcp", later)
	if err != nil {
		t.Fatalf("listen on %s again: %v", later, err)
	}
	defer l.Close()
	p.waitLine("tend wait: tcp:" + later + " is ready")
	if pid := p.ready(); pid != p.pid {
		t.Errorf("the program has pid %d, tend had %d: it was not exec'd", pid, p.pid)
	}
	if code := p.wait(10 * time.Second); code != 7 {
		t.Errorf("exit %d, want the program's 7", code)
	}
	if s := p.stderr.String(); s != "" {
		t.Errorf("stderr: %q", s)
	}
}
