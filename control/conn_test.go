package control

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestSilentClientDropped(t *testing.T) {
	tu := defaults
	tu.readTimeout = 50 * time.Millisecond
	s := testServer(t, Options{}, tu)
	l := runLoop(t, s)
	for _, sent := range []string{"", "status"} {
		c := dial(t, s.path)
		if _, err := io.WriteString(c, sent); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(c)
		if err != nil || string(b) != "ERR request timed out\n" {
			t.Errorf("after sending %q and waiting: %q, %v", sent, b, err)
		}
	}
	if seen := l.seen(); len(seen) != 0 {
		t.Errorf("the loop saw %q", seen)
	}
}

func TestClientGoneClosesDone(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	l := runLoop(t, s)

	c := dial(t, s.path)
	if _, err := io.WriteString(c, "events\n"); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	if !call.Line("one") {
		t.Fatal("Line failed with the client still there")
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "one\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
	c.Close()
	select {
	case <-call.Done():
	case <-time.After(safety):
		t.Fatal("Done not closed after the client closed")
	}
	if call.Line("two") {
		t.Error("Line succeeded after the client went away")
	}
	call.OK() // does nothing, and does not block
}

// nc -N and socat shut down their write side after the request: that is
// not the client going away.
func TestHalfCloseKeepsCall(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	l := runLoop(t, s)
	c := dial(t, s.path)
	if _, err := io.WriteString(c, "start hold\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	for i := range 3 {
		line := fmt.Sprint("line ", i)
		if !call.Line(line) {
			t.Fatalf("Line %d failed after a half close", i)
		}
		buf := make([]byte, len(line)+1)
		if _, err := io.ReadFull(c, buf); err != nil || string(buf) != line+"\n" {
			t.Fatalf("read %q, %v", buf, err)
		}
	}
	call.OK()
	b, err := io.ReadAll(c)
	if err != nil || string(b) != "OK\n" {
		t.Errorf("final: %q, %v", b, err)
	}
	<-call.Done()
}

func TestSlowEventsClientCutOff(t *testing.T) {
	tu := defaults
	tu.maxEventLines = 10
	s := testServer(t, Options{}, tu)
	l := runLoop(t, s)
	c := dial(t, s.path)
	if _, err := io.WriteString(c, "events\n"); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	// The client reads nothing. Acting as the loop, send until the
	// buffer overflows; every Line must return at once for this to end.
	line := strings.Repeat("e", 1000)
	sent := 0
	for call.Line(line) {
		sent++
		if sent > 1_000_000 {
			t.Fatal("never cut off")
		}
	}
	select {
	case <-call.Done():
	default:
		t.Fatal("Line returned false but Done is open")
	}
	if call.Line("more") {
		t.Error("Line succeeded after the cut")
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(string(b), "OK\n") || len(b) > sent*(len(line)+1) || len(b)%(len(line)+1) != 0 {
		t.Errorf("client read %d bytes of %d lines sent", len(b), sent)
	}
	t.Logf("cut after %d lines; the client got %d", sent, len(b)/(len(line)+1))
}

// A client that stops reading a long reply is dropped after writeTimeout.
func TestStalledReaderDropped(t *testing.T) {
	tu := defaults
	tu.writeTimeout = 50 * time.Millisecond
	tu.maxBytes = 1 << 30
	s := testServer(t, Options{}, tu)
	l := runLoop(t, s)
	c := dial(t, s.path)
	if _, err := io.WriteString(c, "start hold\n"); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	line := strings.Repeat("x", 64<<10)
	for range 100 { // 6.4 MB: more than any socket buffer
		call.Line(line)
	}
	call.OK()
	select {
	case <-call.Done():
	case <-time.After(safety):
		t.Fatal("a client that does not read was never dropped")
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(string(b), "OK\n") {
		t.Error("the whole reply was delivered")
	}
}

func TestManyClients(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	runLoop(t, s)
	const n = 200
	conns := make([]*net.UnixConn, n)
	// Connect all of them before any sends, so that all are open at once.
	for i := range conns {
		conns[i] = dial(t, s.path)
	}
	errs := make(chan error, n)
	for _, c := range conns {
		go func() {
			if _, err := io.WriteString(c, "status\n"); err != nil {
				errs <- err
				return
			}
			b, err := io.ReadAll(c)
			if err == nil && string(b) != statusReply {
				err = fmt.Errorf("reply %q", b)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestTooManyConnections(t *testing.T) {
	tu := defaults
	tu.maxConns = 1
	s := testServer(t, Options{}, tu)
	l := runLoop(t, s)
	first := dial(t, s.path)
	if _, err := io.WriteString(first, "events\n"); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	// The server answers at once, without reading the request, which the
	// client may then fail to send.
	second := dial(t, s.path)
	if b, err := io.ReadAll(second); err != nil || string(b) != "ERR too many connections\n" {
		t.Errorf("second client: %q, %v", b, err)
	}
	call.OK()
	if b, err := io.ReadAll(first); err != nil || string(b) != "OK\n" {
		t.Errorf("first client: %q, %v", b, err)
	}
}
