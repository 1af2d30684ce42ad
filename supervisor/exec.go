package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"tend/config"
	"tend/probe"
	"tend/spawn"
)

// environ is the program's environment: tend's own, or none with
// clear_env, then its environment table over it, then extra.
func environ(c *config.Program, extra ...string) []string {
	var env []string
	if !c.ClearEnv {
		env = os.Environ()
	}
	env = append(env, c.Env...)
	env = append(env, extra...)
	return dedupEnv(env)
}

// dedupEnv keeps the last of each key, in first-seen order.
func dedupEnv(env []string) []string {
	last := make(map[string]int, len(env))
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = i
	}
	out := env[:0:0]
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if last[k] == i {
			out = append(out, kv)
		}
	}
	return out
}

// credential resolves user = "name", "uid", "name:group" or "uid:gid".
// Numeric ids need no /etc/passwd; a uid with no entry gets gid 0, as
// Docker's --user does. Supplementary groups come from /etc/group. It also
// returns HOME, USER and LOGNAME for a user found in /etc/passwd.
func credential(spec string) (*syscall.Credential, []string, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	cred := &syscall.Credential{}
	var env []string
	u, err := lookupUser(name)
	switch {
	case err == nil:
		uid, _ := strconv.Atoi(u.Uid) // the passwd parser guarantees digits
		gid, _ := strconv.Atoi(u.Gid)
		cred.Uid, cred.Gid = uint32(uid), uint32(gid)
		if ids, err := u.GroupIds(); err == nil {
			for _, g := range ids {
				if n, err := strconv.Atoi(g); err == nil {
					cred.Groups = append(cred.Groups, uint32(n))
				}
			}
		}
		env = []string{"HOME=" + u.HomeDir, "USER=" + u.Username, "LOGNAME=" + u.Username}
	case isNumber(name):
		uid, _ := strconv.ParseUint(name, 10, 32)
		cred.Uid = uint32(uid)
		cred.Groups = []uint32{}
	default:
		return nil, nil, fmt.Errorf("user %q: %w", name, err)
	}
	if hasGroup {
		if isNumber(group) {
			gid, _ := strconv.ParseUint(group, 10, 32)
			cred.Gid = uint32(gid)
		} else {
			g, err := user.LookupGroup(group)
			if err != nil {
				return nil, nil, fmt.Errorf("group %q: %w", group, err)
			}
			gid, _ := strconv.Atoi(g.Gid)
			cred.Gid = uint32(gid)
		}
	}
	if cred.Groups == nil {
		cred.Groups = []uint32{}
	}
	return cred, env, nil
}

func lookupUser(name string) (*user.User, error) {
	if isNumber(name) {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// foregroundTTY reports whether descriptor 0 is tend's controlling terminal
// with tend's process group in the foreground. Only then does main take
// the foreground: tend started in the background (`tend -- app &`) must not
// steal the terminal from the shell.
func foregroundTTY() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// notifySeq numbers notify sockets, so that a stale datagram from an
// earlier process cannot reach a new socket.
var notifySeq int

// start prepares p's ready check and starts its process.
func (l *loop) start(p *program) (int, error) {
	c := p.cfg
	var extraEnv []string
	files := []uintptr{0, 1, 2}
	if p != l.main {
		files[0] = l.devNull()
	}
	w := &watch{}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	l.watch[p] = w
	switch c.Ready.Kind {
	case "notify":
		notifySeq++
		n, err := probe.ListenNotify(fmt.Sprintf("@tend/%d/%s/%d", l.self, c.Name, notifySeq))
		if err != nil {
			return 0, fmt.Errorf("notify socket: %w", err)
		}
		w.notify = n
		extraEnv = append(extraEnv, "NOTIFY_SOCKET="+n.Path())
	case "fd":
		r, wr, err := os.Pipe()
		if err != nil {
			return 0, fmt.Errorf("ready pipe: %w", err)
		}
		w.fdRead = r
		w.child = append(w.child, wr)
		for len(files) < c.Ready.FD {
			files = append(files, ^uintptr(0)) // closed in the child
		}
		files = append(files, wr.Fd())
	}
	if p.out != nil {
		if err := l.pipeOutput(p, w, files); err != nil {
			return 0, err
		}
	}
	spec := spawn.Spec{
		Argv:   c.Command,
		Dir:    c.Directory,
		Files:  files,
		Umask:  c.Umask,
		Setsid: true, // but main on a terminal: Foreground below
	}
	if c.User != "" {
		cred, userEnv, err := credential(c.User)
		if err != nil {
			return 0, err
		}
		spec.Credential = cred
		extraEnv = append(userEnv, extraEnv...)
	}
	spec.Env = environ(c, extraEnv...)
	if p == l.main && foregroundTTY() {
		spec.Foreground, spec.Ctty = true, 0
	}
	pid, err := spawn.Start(spec)
	for _, f := range w.child {
		f.Close()
	}
	w.child = nil
	return pid, err
}

// devNull is the standard input of the config's programs.
func (l *loop) devNull() uintptr {
	if l.null == nil {
		f, err := os.Open(os.DevNull)
		if err != nil {
			l.log.Warn("cannot open /dev/null; programs share tend's standard input", "err", err)
			return 0
		}
		l.null = f
	}
	return l.null.Fd()
}
