package listener

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestWantsAndOverflow(t *testing.T) {
	var serials Serials
	p := New("l", []string{"PROCESS_STATE", "TICK_3600"}, 2, &serials)
	defer p.Close()
	if !p.Wants("PROCESS_STATE_EXITED") || !p.Wants("TICK_3600") || p.Wants("TICK_5") {
		t.Fatal("Wants is wrong")
	}
	if n := p.Push(Event{Name: "TICK_5"}); n != 0 || len(p.queue) != 0 {
		t.Fatal("an event not asked for was queued")
	}
	for i := range 3 {
		p.Push(Event{Serial: i, Name: "PROCESS_STATE_RUNNING"})
	}
	if len(p.queue) != 2 || p.queue[0].Serial != 1 {
		t.Fatalf("queue %v: want the 2 newest", p.queue)
	}
}

// Serve speaks the protocol; FAIL sends the event again; a listener that
// writes anything but READY is a protocol error.
func TestServe(t *testing.T) {
	var serials Serials
	p := New("pool", []string{"PROCESS_STATE_EXITED"}, 10, &serials)
	defer p.Close()
	p.Push(Event{Serial: 7, Name: "PROCESS_STATE_EXITED", Payload: "processname:a"})
	outR, outW := io.Pipe() // the listener's stdout
	inR, inW := io.Pipe()   // its stdin
	done := make(chan error, 1)
	go func() { done <- p.Serve(outR, inW, nil) }()
	in := bufio.NewReader(inR)
	read := func() string {
		h, err := in.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		body := make([]byte, len("processname:a"))
		io.ReadFull(in, body)
		return h + string(body)
	}
	io.WriteString(outW, "READY\n")
	first := read()
	io.WriteString(outW, "RESULT 4\nFAILREADY\n")
	second := read()
	want := "ver:3.0 server:supervisor serial:7 pool:pool poolserial:%d eventname:PROCESS_STATE_EXITED len:13\nprocessname:a"
	if first != strings.Replace(want, "%d", "1", 1) || second != strings.Replace(want, "%d", "2", 1) {
		t.Fatalf("got %q then %q", first, second)
	}
	io.WriteString(outW, "RESULT 2\nOKhello\n")
	if err := <-done; err == nil || !strings.Contains(err.Error(), `want READY, got "hello"`) {
		t.Fatalf("Serve = %v, want a protocol error", err)
	}
}

// FuzzServe: whatever a listener writes, Serve ends (at the end of its
// output) without panicking, and an event is never lost: each is answered
// OK, or is still queued.
func FuzzServe(f *testing.F) {
	f.Add([]byte("READY\nRESULT 2\nOKREADY\n"))
	f.Add([]byte("READY\nRESULT 4\nFAILREADY\nRESULT 2\nOK"))
	f.Add([]byte("READY\nRESULT -1\n"))
	f.Add([]byte("READY\nRESULT 99999999999999999999\n"))
	f.Add([]byte("READY\nRESULT 3\nOK!"))
	f.Fuzz(func(t *testing.T, out []byte) {
		var serials Serials
		p := New("p", []string{"PROCESS_STATE"}, 100, &serials)
		defer p.Close()
		const n = 20
		for i := range n {
			p.Push(Event{Serial: i, Name: "PROCESS_STATE_RUNNING", Payload: "x"})
		}
		done := make(chan struct{})
		close(done)
		p.Serve(strings.NewReader(string(out)), io.Discard, done)
		oks := strings.Count(string(out), "RESULT 2\nOK")
		if left := len(p.queue); left < n-oks {
			t.Fatalf("%d events left and at most %d answered OK, of %d", left, oks, n)
		}
	})
}
