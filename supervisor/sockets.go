package supervisor

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"tend/config"
)

// socketMode is a listen unix socket's file mode: anyone who can reach the
// directory may connect, as systemd's SocketMode default.
const socketMode = 0o666

// sockets opens c's listen sockets, those not open already, and returns
// them in c's order. Each is opened once and kept, across the program's
// restarts and reloads, until no program's settings name it
// (pruneSockets): while the program restarts, connections wait in the
// socket's backlog instead of being refused.
func (h *host) sockets(c *config.Program) ([]*os.File, error) {
	if h.socks == nil {
		h.socks = make(map[string]*os.File)
	}
	files := make([]*os.File, 0, len(c.Listen))
	for _, l := range c.Listen {
		f := h.socks[l.String()]
		if f == nil {
			var err error
			if f, err = openSocket(l); err != nil {
				return nil, err
			}
			h.socks[l.String()] = f
			h.log.Info("listening", "program", c.Name, "socket", l.String())
		}
		files = append(files, f)
	}
	return files, nil
}

// listenEnv is what a program with n sockets is told, as systemd's socket
// activation tells it (LISTEN_PID is set in the child: spawn.ListenPID).
// Each fd is named after the program.
func listenEnv(c *config.Program) []string {
	names := make([]string, len(c.Listen))
	for i := range names {
		names[i] = c.Base
	}
	return []string{"LISTEN_FDS=" + strconv.Itoa(len(c.Listen)), "LISTEN_FDNAMES=" + strings.Join(names, ":")}
}

// openSocket opens one listen socket in blocking mode, as a program that
// calls accept(2) on an inherited socket expects.
func openSocket(l config.Listen) (*os.File, error) {
	file := l.Net == "unix" && !strings.HasPrefix(l.Addr, "@")
	if file {
		// As systemd's socket units: the directory is made if need be
		// (php-fpm's /run/php is made by php-fpm itself, after the
		// socket is wanted), and a stale socket is replaced.
		if err := os.MkdirAll(filepath.Dir(l.Addr), 0o755); err != nil {
			return nil, fmt.Errorf("listen %s: %w", l, err)
		}
		if err := removeStale(l.Addr); err != nil {
			return nil, fmt.Errorf("listen %s: %w", l, err)
		}
		// The file gets socketMode from bind itself, through the umask,
		// rather than a chmod by path after it, which a symlink put in
		// its place meanwhile could redirect. Only the loop changes the
		// umask (spawn does too), and tend gives every file it creates
		// its mode explicitly.
		old := unix.Umask(0o777 &^ socketMode)
		defer unix.Umask(old)
	}
	ln, err := net.Listen(l.Net, l.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", l, errors.Unwrap(err))
	}
	var f *os.File
	switch ln := ln.(type) {
	case *net.TCPListener:
		f, err = ln.File()
	case *net.UnixListener:
		ln.SetUnlinkOnClose(false) // the file stays: the program accepts on it
		f, err = ln.File()
	}
	ln.Close()
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", l, err)
	}
	f.Fd() // blocking mode, for the program; tend itself never accepts
	return f, nil
}

// removeStale removes a socket file left by an earlier run, and refuses
// to remove anything else, or a socket a live server answers on.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode().Type() != fs.ModeSocket:
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s is in use: a server answers on it", path)
	}
	return os.Remove(path)
}

// pruneSockets closes the sockets that no program's settings, current or
// taken at its next start, name any more (a reload removed the program or
// changed its listen key), removing a unix socket's file.
func (h *host) pruneSockets() {
	used := map[string]bool{}
	for _, p := range h.core.progs {
		for _, c := range []*config.Program{p.cfg, p.next} {
			if c != nil {
				for _, l := range c.Listen {
					used[l.String()] = true
				}
			}
		}
	}
	for name, f := range h.socks {
		if !used[name] {
			closeSocket(name, f)
			delete(h.socks, name)
		}
	}
}

// closeSocket closes a listen socket and removes its file.
func closeSocket(name string, f *os.File) {
	f.Close()
	if path, ok := strings.CutPrefix(name, "unix:"); ok && !strings.HasPrefix(path, "@") {
		os.Remove(path)
	}
}
