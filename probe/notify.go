package probe

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// maxNotify is the largest datagram read. It is systemd's own limit
// (NOTIFY_BUFFER_MAX, PIPE_BUF); as systemd, a longer datagram is ignored
// whole rather than read in part.
const maxNotify = 4096

// maxNotifyFDs is the kernel's limit on descriptors in one message
// (SCM_MAX_FD): room for all of them lets Run close every one it is sent.
const maxNotifyFDs = 253

// Message is what one sd_notify datagram said (see sd_notify(3)).
// Assignments tend has no use for (ERRNO=, FDSTORE=, EXTEND_TIMEOUT_USEC=,
// ...) are ignored.
type Message struct {
	Ready     bool   // READY=1: startup is complete
	Stopping  bool   // STOPPING=1: the program is shutting down
	Reloading bool   // RELOADING=1: the program is reloading its configuration
	Status    string // STATUS=: a free-form status line, valid UTF-8; "" if none
	MainPID   int    // MAINPID=: the program's main process, if not the one tend started; 0 if none
	Watchdog  bool   // WATCHDOG=1: a keep-alive ping
	PID       int    // the sender's pid, from SCM_CREDENTIALS; 0 if unknown
}

// Notify is a listener for the sd_notify protocol: a unixgram socket whose
// path a program finds in $NOTIFY_SOCKET (see sd_notify(3)). Each datagram
// is newline-separated KEY=VALUE assignments.
//
// Anyone who can reach the socket can send to it. The kernel-checked PID
// of each Message lets the supervisor accept only its own programs, as
// systemd's NotifyAccess= does.
type Notify struct {
	conn     *net.UnixConn
	path     string
	abstract bool
	once     sync.Once
	closeErr error
}

// ListenNotify creates the socket at path and enables SO_PASSCRED, so that
// each datagram carries its sender's pid. A path starting with '@' names a
// socket in the abstract namespace, which systemd's NOTIFY_SOCKET supports
// too; any other path is a file, and a stale socket file there is removed
// first (any other kind of file is an error, and is left alone).
//
// The socket file is made mode 0666: a program may run as another user
// than tend (user = "app") and must still be able to send. Access is
// limited by the directory tend creates it in, which must be private to
// the programs tend runs.
func ListenNotify(path string) (*Notify, error) {
	if path == "" || path == "@" {
		return nil, errors.New("listen notify: empty path")
	}
	n := &Notify{path: path, abstract: path[0] == '@'}
	if !n.abstract {
		if err := removeStaleSocket(path); err != nil {
			return nil, fmt.Errorf("listen notify %q: %w", path, err)
		}
	}
	// net turns a leading '@' into the abstract namespace's leading NUL.
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("listen notify %q: %w", path, err)
	}
	n.conn = c
	if err := n.setup(); err != nil {
		n.Close()
		return nil, fmt.Errorf("listen notify %q: %w", path, err)
	}
	return n, nil
}

// removeStaleSocket removes the socket file a previous listener left at
// path: closing a unixgram socket does not remove its file.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return errors.New("file exists and is not a socket")
	}
	return os.Remove(path)
}

// setup enables SO_PASSCRED (socket(7)) and opens the file to every user.
func (n *Notify) setup() error {
	rc, err := n.conn.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("set SO_PASSCRED: %w", serr)
	}
	if n.abstract {
		return nil
	}
	return os.Chmod(n.path, 0o666)
}

// Path returns the socket's address as a program expects it in
// $NOTIFY_SOCKET: the path given to ListenNotify, '@' included.
func (n *Notify) Path() string { return n.path }

// Run reads datagrams until Close, calling fn with each one's Message on
// Run's goroutine. Datagrams longer than 4096 bytes or with a NUL byte are
// ignored, as systemd ignores them; lines that are not KEY=VALUE are
// skipped. Descriptors sent with a datagram (FDSTORE=1) are closed.
//
// Run returns nil once Close is called, whether before Run or during it, or
// the error that stopped it reading, which leaves the socket open.
func (n *Notify) Run(fn func(Message)) error {
	buf := make([]byte, maxNotify)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*maxNotifyFDs))
	for {
		k, oobn, flags, _, err := n.conn.ReadMsgUnix(buf, oob)
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read notify socket %q: %w", n.path, err)
		}
		pid := readControl(oob[:oobn])
		if flags&unix.MSG_TRUNC != 0 || bytes.IndexByte(buf[:k], 0) >= 0 {
			continue
		}
		m := ParseNotify(buf[:k])
		m.PID = pid
		fn(m)
	}
}

// readControl returns the sender's pid from a datagram's control messages
// (0 if there is none: SO_PASSCRED makes the kernel add it, but the pid is
// 0 when the sender is not in tend's pid namespace), and closes every
// descriptor that came with it, lest a program's FDSTORE=1 leak them into
// tend.
func readControl(oob []byte) (pid int) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Header.Level != unix.SOL_SOCKET {
			continue
		}
		switch m.Header.Type {
		case unix.SCM_CREDENTIALS:
			if c, err := unix.ParseUnixCredentials(m); err == nil {
				pid = int(c.Pid)
			}
		case unix.SCM_RIGHTS:
			fds, err := unix.ParseUnixRights(m)
			if err != nil {
				continue
			}
			for _, fd := range fds {
				// Nothing can be done if closing fails; the descriptor
				// is gone either way (close(2)).
				_ = unix.Close(fd)
			}
		}
	}
	return pid
}

// Close closes the socket, which makes Run return, and removes its file
// (an abstract socket has none). Only the first call does anything; later
// ones return its result.
func (n *Notify) Close() error {
	n.once.Do(func() {
		// Remove before closing: once closed, the path may be reused by a
		// new listener whose file must not be removed.
		if !n.abstract {
			if err := os.Remove(n.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				n.closeErr = fmt.Errorf("remove notify socket: %w", err)
			}
		}
		if err := n.conn.Close(); err != nil && n.closeErr == nil {
			n.closeErr = err
		}
	})
	return n.closeErr
}

// ParseNotify parses one sd_notify datagram. As in systemd, a datagram with
// a NUL byte says nothing, READY, STOPPING, RELOADING and WATCHDOG count
// only with the value 1, and the first STATUS= and the first valid
// MAINPID= win. A STATUS that is not valid UTF-8 has its bad bytes
// replaced by U+FFFD.
func ParseNotify(b []byte) Message {
	var m Message
	if bytes.IndexByte(b, 0) >= 0 {
		return m
	}
	status := false
	for line := range strings.SplitSeq(string(b), "\n") {
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch key {
		case "READY":
			m.Ready = m.Ready || val == "1"
		case "STOPPING":
			m.Stopping = m.Stopping || val == "1"
		case "RELOADING":
			m.Reloading = m.Reloading || val == "1"
		case "WATCHDOG":
			// WATCHDOG=trigger asks for a watchdog failure; tend has no
			// watchdog, so only the keep-alive is reported.
			m.Watchdog = m.Watchdog || val == "1"
		case "STATUS":
			if !status {
				m.Status, status = strings.ToValidUTF8(val, "\uFFFD"), true
			}
		case "MAINPID":
			// pid_t is 32 bits; 0 and negative numbers are no process.
			if pid, err := strconv.ParseInt(val, 10, 32); m.MainPID == 0 && err == nil && pid > 0 {
				m.MainPID = int(pid)
			}
		}
	}
	return m
}
