package control

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestStaleSocketReplaced(t *testing.T) {
	path := sockPath(t)
	old, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	old.SetUnlinkOnClose(false)
	old.Close()
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("no stale socket file: %v", err)
	}
	s := testServer(t, Options{Path: path}, defaults)
	runLoop(t, s)
	if got := ask(t, path, "status\n"); got != statusReply {
		t.Errorf("reply %q", got)
	}
}

func TestLiveSocketRefused(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	runLoop(t, s)
	_, err := Listen(Options{Path: s.path})
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Listen: %v, want ErrInUse", err)
	}
	if want := fmt.Sprintf("socket %q: another tend is listening", s.path); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	// The first server still answers, on its own file.
	if got := ask(t, s.path, "status\n"); got != statusReply {
		t.Errorf("first server's reply %q", got)
	}
}

func TestListenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		o    Options
		want string
	}{
		{Options{Path: file}, fmt.Sprintf("socket %q: file exists and is not a socket", file)},
		{Options{Path: file + "/s.sock"}, fmt.Sprintf("socket %q: lstat: not a directory", file+"/s.sock")},
		{Options{Path: sockPath(t), Group: "no-such-group-here"}, "unknown group"},
		{Options{}, "listen: empty socket path"},
		{Options{Path: "@tend"}, `socket "@tend": abstract sockets are not supported`},
	} {
		_, err := Listen(tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Listen(%+v) = %v, want %q", tt.o, err, tt.want)
		}
	}
	if b, err := os.ReadFile(file); err != nil || len(b) != 0 {
		t.Errorf("the file in the way was changed: %q, %v", b, err)
	}
}

func TestPermissionDenied(t *testing.T) {
	var got []Peer
	var mu sync.Mutex
	s := testServer(t, Options{Allowed: func(p Peer) bool {
		mu.Lock()
		got = append(got, p)
		mu.Unlock()
		return false
	}}, defaults)
	l := runLoop(t, s)
	for _, req := range []string{"status\n", "rstart\n", strings.Repeat("a", 2*MaxLine) + "\n"} {
		if reply := ask(t, s.path, req); reply != "ERR permission denied\n" {
			t.Errorf("reply to %.20q: %q", req, reply)
		}
	}
	if seen := l.seen(); len(seen) != 0 {
		t.Errorf("the loop saw %q", seen)
	}
	mu.Lock()
	defer mu.Unlock()
	want := Peer{PID: os.Getpid(), UID: os.Geteuid(), GID: os.Getegid()}
	if len(got) != 3 || got[0] != want {
		t.Errorf("Allowed saw %+v, want %+v three times", got, want)
	}
}

func TestPeerRecorded(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	l := runLoop(t, s)
	c := dial(t, s.path)
	if _, err := io.WriteString(c, "events\n"); err != nil {
		t.Fatal(err)
	}
	call := l.take(t)
	if call.PeerUID != os.Geteuid() || call.PeerPID != os.Getpid() {
		t.Errorf("PeerUID %d, PeerPID %d; want %d, %d", call.PeerUID, call.PeerPID, os.Geteuid(), os.Getpid())
	}
	call.OK()
}

func TestSocketMode(t *testing.T) {
	group := fmt.Sprint(os.Getegid())
	if os.Geteuid() == 0 {
		group = "4242" // root may give the socket any group
	}
	for _, tt := range []struct {
		o    Options
		mode os.FileMode
		gid  string
	}{
		{Options{}, 0o600, fmt.Sprint(os.Getegid())},
		{Options{Mode: 0o660, Group: group}, 0o660, group},
		{Options{Mode: 0o666}, 0o666, fmt.Sprint(os.Getegid())},
	} {
		s := testServer(t, tt.o, defaults)
		fi, err := os.Lstat(s.path)
		if err != nil {
			t.Fatal(err)
		}
		gid := fmt.Sprint(fi.Sys().(*syscall.Stat_t).Gid)
		if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != tt.mode || gid != tt.gid {
			t.Errorf("Options %+v: socket %v gid %s, want %v gid %s", tt.o, fi.Mode(), gid, tt.mode, tt.gid)
		}
	}
}

// Close removes the socket file, cuts calls still open, and lets a reply
// already complete (shutdown's OK) reach its client.
func TestClose(t *testing.T) {
	s, err := listen(Options{Path: sockPath(t)}, defaults)
	if err != nil {
		t.Fatal(err)
	}
	l := runLoop(t, s)
	ev := dial(t, s.path)
	if _, err := io.WriteString(ev, "events\n"); err != nil {
		t.Fatal(err)
	}
	events := l.take(t)
	down := dial(t, s.path)
	if _, err := io.WriteString(down, "start hold\n"); err != nil {
		t.Fatal(err)
	}
	shutdown := l.take(t)
	shutdown.OK()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(down); err != nil || string(b) != "OK\n" {
		t.Errorf("shutdown's client got %q, %v", b, err)
	}
	if b, err := io.ReadAll(ev); err != nil || len(b) != 0 {
		t.Errorf("events' client got %q, %v", b, err)
	}
	<-events.Done()
	if _, err := os.Lstat(s.path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket file after Close: %v", err)
	}
	if _, err := net.Dial("unix", s.path); err == nil {
		t.Error("connected after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
