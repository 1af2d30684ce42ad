package control

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDo(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	l := runLoop(t, s)

	var out strings.Builder
	if err := Do(s.path, "status", &out); err != nil {
		t.Errorf("Do status: %v", err)
	}
	if want := strings.TrimSuffix(statusReply, "OK\n"); out.String() != want {
		t.Errorf("Do status wrote %q, want %q", out.String(), want)
	}

	// A line that reads OK but is not the last one is content.
	out.Reset()
	if err := Do(s.path, "version", &out); err != nil || out.String() != "OK\ntend test\n" {
		t.Errorf("Do version: %q, %v", out.String(), err)
	}

	out.Reset()
	err := Do(s.path, "start nope", &out)
	var re *ReplyError
	if !errors.Is(err, ErrReply) || !errors.As(err, &re) || re.Reason != `no such program "nope"` || out.Len() != 0 {
		t.Errorf("Do start nope: %q, %v", out.String(), err)
	}
	if err := Do(s.path, "rstart", &out); err == nil || err.Error() != `unknown command "rstart"; try help` {
		t.Errorf("Do rstart: %v", err)
	}

	// A reply cut off before its final line.
	done := make(chan error, 1)
	go func() { done <- Do(s.path, "events", &out) }()
	call := l.take(t)
	call.cut()
	if err := <-done; !errors.Is(err, ErrIncomplete) || errors.Is(err, ErrReply) {
		t.Errorf("Do events, cut: %v", err)
	}

	if err := Do(s.path, "status\nstop all", &out); err == nil || errors.Is(err, ErrReply) {
		t.Errorf("Do with two lines: %v", err)
	}
}

func TestDoCannotConnect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.sock")
	err := Do(path, "status", new(strings.Builder))
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Path != path || errors.Is(err, ErrReply) {
		t.Fatalf("Do: %v, want a *ConnectError", err)
	}
	if want := `connect "` + path + `": no such file or directory`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}
