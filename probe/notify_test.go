package probe

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// socketPath returns a path for a socket in a fresh directory, short
// enough for sun_path (108 bytes).
func socketPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if len(dir) > 90 {
		d, err := os.MkdirTemp("/tmp", "probe")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	return filepath.Join(dir, "notify")
}

// listen starts a Notify at path and runs it until the test ends; the
// messages it reads arrive on the channel.
func listen(t *testing.T, path string) (*Notify, <-chan Message) {
	t.Helper()
	n, err := ListenNotify(path)
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan Message, 16)
	done := make(chan error, 1)
	go func() { done <- n.Run(func(m Message) { msgs <- m }) }()
	t.Cleanup(func() {
		n.Close()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return n, msgs
}

// send sends one datagram to the socket at path, with descriptors if any.
func send(t *testing.T, path string, b []byte, fds ...int) {
	t.Helper()
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var oob []byte
	if len(fds) > 0 {
		oob = unix.UnixRights(fds...)
	}
	// WriteMsgUnix refuses a connected datagram socket: sendmsg(2) does not.
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Write(func(fd uintptr) bool {
		serr = unix.Sendmsg(int(fd), b, oob, nil, 0)
		return serr != unix.EAGAIN
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatalf("sendmsg: %v", serr)
	}
}

func recv(t *testing.T, msgs <-chan Message) Message {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
		return Message{}
	}
}

func TestNotify(t *testing.T) {
	path := socketPath(t)
	n, msgs := listen(t, path)
	if n.Path() != path {
		t.Errorf("Path() = %q, want %q", n.Path(), path)
	}
	pid := os.Getpid()
	tests := []struct {
		send string
		want Message
	}{
		{"READY=1", Message{Ready: true}},
		{"STATUS=Serving 3 clients", Message{Status: "Serving 3 clients"}},
		{"MAINPID=4242\n", Message{MainPID: 4242}},
		{"READY=1\nSTATUS=up\nMAINPID=7\nWATCHDOG=1\nSTOPPING=1\nRELOADING=1\n",
			Message{Ready: true, Status: "up", MainPID: 7, Watchdog: true, Stopping: true, Reloading: true}},
		{"junk\n=\nREADY=0\nready=1\nMAINPID=x\nSTATUS", Message{}},
		{"", Message{}},
	}
	for _, tt := range tests {
		send(t, path, []byte(tt.send))
		tt.want.PID = pid
		if got := recv(t, msgs); got != tt.want {
			t.Errorf("sent %q, got %+v, want %+v", tt.send, got, tt.want)
		}
	}
}

// Datagrams systemd ignores are skipped: the next message is the one after.
func TestNotifyIgnored(t *testing.T) {
	path := socketPath(t)
	_, msgs := listen(t, path)
	send(t, path, []byte("READY=1\nSTATUS="+strings.Repeat("x", maxNotify)))
	send(t, path, []byte("READY=1\nSTATUS=a\x00b"))
	send(t, path, []byte("STATUS="+strings.Repeat("y", maxNotify-len("STATUS="))))
	send(t, path, []byte("STATUS=after"))
	if m := recv(t, msgs); m.Ready || len(m.Status) != maxNotify-len("STATUS=") {
		t.Errorf("got %+v, want the datagram of exactly %d bytes", m, maxNotify)
	}
	if m := recv(t, msgs); m.Ready || m.Status != "after" {
		t.Errorf("got %+v, want the message after the ignored ones", m)
	}
}

// Descriptors sent with FDSTORE=1 are closed, not leaked into tend.
func TestNotifyClosesFDs(t *testing.T) {
	path := socketPath(t)
	_, msgs := listen(t, path)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	send(t, path, []byte("FDSTORE=1"), int(w.Fd()))
	w.Close()
	recv(t, msgs)
	// The only write end left was the one Run received: once it is
	// closed, the read end sees EOF. Were it leaked, Read would wait.
	r.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := r.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read: %v, want EOF: the received descriptor was not closed", err)
	}
}

func TestNotifyAbstract(t *testing.T) {
	path := fmt.Sprintf("@tend-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	n, msgs := listen(t, path)
	if n.Path() != path {
		t.Errorf("Path() = %q, want %q", n.Path(), path)
	}
	send(t, path, []byte("READY=1"))
	if m := recv(t, msgs); !m.Ready || m.PID != os.Getpid() {
		t.Errorf("got %+v, want Ready from pid %d", m, os.Getpid())
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an abstract socket made a file %q: %v", path, err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestNotifyFile(t *testing.T) {
	path := socketPath(t)
	// A socket file left by a listener that did not remove it.
	stale, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	stale.Close()
	n, err := ListenNotify(path)
	if err != nil {
		t.Fatalf("ListenNotify over a stale socket: %v", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o666 {
		t.Errorf("socket file mode %v, want a socket with 0666", fi.Mode())
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left %q: %v", path, err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNotifyNotSocket(t *testing.T) {
	path := socketPath(t)
	if err := os.WriteFile(path, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := ListenNotify(path); err == nil {
		n.Close()
		t.Fatal("ListenNotify over a regular file succeeded")
	} else if want := fmt.Sprintf("listen notify %q: file exists and is not a socket", path); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "keep" {
		t.Errorf("the regular file was touched: %q, %v", b, err)
	}
}

func TestNotifyBadPath(t *testing.T) {
	for _, path := range []string{"", "@", "/nonexistent-dir/notify", "/" + strings.Repeat("x", 200)} {
		if n, err := ListenNotify(path); err == nil {
			n.Close()
			t.Errorf("ListenNotify(%q) succeeded", path)
		}
	}
}

func TestNotifyClose(t *testing.T) {
	n, err := ListenNotify(socketPath(t))
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		close(started)
		done <- n.Run(func(Message) {})
	}()
	<-started
	n.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil after Close", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	// Run after Close returns at once too.
	if err := n.Run(func(Message) {}); err != nil {
		t.Fatalf("Run after Close = %v, want nil", err)
	}
}

func TestParseNotify(t *testing.T) {
	tests := []struct {
		in   string
		want Message
	}{
		{"READY=1", Message{Ready: true}},
		{"READY=1\n", Message{Ready: true}},
		{"READY=0", Message{}},
		{"READY=1\nREADY=0", Message{Ready: true}},
		{"READY=1\r\n", Message{}},
		{" READY=1", Message{}},
		{"STOPPING=1", Message{Stopping: true}},
		{"RELOADING=1\nMONOTONIC_USEC=1234", Message{Reloading: true}},
		{"WATCHDOG=1", Message{Watchdog: true}},
		{"WATCHDOG=trigger", Message{}},
		{"STATUS=", Message{}},
		{"STATUS=a=b", Message{Status: "a=b"}},
		{"STATUS=first\nSTATUS=second", Message{Status: "first"}},
		{"STATUS=\xff ok", Message{Status: "\uFFFD ok"}},
		{"MAINPID=1", Message{MainPID: 1}},
		{"MAINPID=0", Message{}},
		{"MAINPID=-5", Message{}},
		{"MAINPID=2147483647", Message{MainPID: 2147483647}},
		{"MAINPID=2147483648", Message{}},
		{"MAINPID= 12", Message{}},
		{"MAINPID=x\nMAINPID=12\nMAINPID=13", Message{MainPID: 12}},
		{"READY=1\x00", Message{}},
		{"ERRNO=2\nBUSERROR=x\nFDSTORE=1\nEXTEND_TIMEOUT_USEC=5", Message{}},
		{"\n\n=\n==\nREADY", Message{}},
	}
	for _, tt := range tests {
		if got := ParseNotify([]byte(tt.in)); got != tt.want {
			t.Errorf("ParseNotify(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
