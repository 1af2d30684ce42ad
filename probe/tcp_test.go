package probe

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
)

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Close()
		}
		accepted <- err
	}()
	if err := TCP(t.Context(), ln.Addr().String()); err != nil {
		t.Fatalf("TCP(listening port) = %v, want nil", err)
	}
	if err := <-accepted; err != nil {
		t.Fatalf("accept: %v", err)
	}
}

func TestTCPRefused(t *testing.T) {
	addr := closedPort(t)
	err := TCP(t.Context(), addr)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("TCP(closed port) = %v, want ECONNREFUSED", err)
	}
	if want := `tcp "` + addr + `": dial tcp `; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
}

func TestTCPCancelled(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := TCP(ctx, ln.Addr().String()); !errors.Is(err, context.Canceled) {
		t.Fatalf("TCP(cancelled ctx) = %v, want context.Canceled", err)
	}
}

func TestTCPBadAddr(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1", "127.0.0.1:x"} {
		if err := TCP(t.Context(), addr); err == nil {
			t.Errorf("TCP(%q) = nil, want an error", addr)
		}
	}
}

// closedPort returns a loopback address where nothing listens: a port
// that was just free.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
