// Package spawn starts processes. It never waits for them: the supervisor's
// loop reaps every child with reaper.Reap, so that no exit status is ever
// taken by a second wait.
package spawn

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// DefaultPath is the search path when the program's environment has no
// PATH, the same as Docker's default.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ErrNotFound is the cause when a command name is not found in PATH.
var ErrNotFound = errors.New("executable file not found in $PATH")

// Spec describes a process to start.
type Spec struct {
	Argv []string // Argv[0] is looked up in the PATH of Env when it has no '/'
	Env  []string // "K=V"; nil means an empty environment
	Dir  string   // working directory; "" keeps tend's
	// Files become the child's descriptors 0, 1, 2, ...; the child gets
	// nothing else (Go opens every descriptor with O_CLOEXEC).
	Files []uintptr
	// Credential, when set, is the user and groups the program runs as.
	Credential *syscall.Credential
	// Umask, when >= 0, is the program's file mode creation mask.
	Umask int
	// Setpgid puts the child in a new process group of its own, so that a
	// stop signal can reach everything it forks (stopasgroup).
	Setpgid bool
	// Setsid puts the child in a new session, and so in a new process
	// group too, with no controlling terminal. Besides isolating it, this
	// spares the kernel a walk of tend's process group at every exit of an
	// orphan (the orphaned-group check in exit(2)), which made reaping a
	// storm of orphans slower than tini's. It wins over Setpgid.
	Setsid bool
	// Foreground, with Setpgid, also makes that group the foreground group
	// of the terminal on descriptor Ctty (tcsetpgrp(3)), so that Ctrl-C,
	// Ctrl-Z and window resizes reach the program as they would without
	// tend in between.
	Foreground bool
	Ctty       int
	// ListenPID sets LISTEN_PID to the child's own pid, as systemd's
	// socket activation does, for the sockets passed as fds 3.. (the
	// caller sets LISTEN_FDS). Go cannot run code between fork and exec,
	// so the child execs tend's own binary first, which sets it and
	// execs the program (ExecShim); the program's argv is unchanged.
	ListenPID bool
}

// ForegroundTTY reports whether descriptor 0 is tend's controlling
// terminal with tend's process group in the foreground. Only then may the
// program take the foreground (Spec.Foreground): tend started in the
// background (`tend -- app &`) must not steal the terminal from the shell.
func ForegroundTTY() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// Error is a process that could not be started.
type Error struct {
	Op   string // "exec" or "chdir"
	Name string // the command or directory
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s %q: %v", e.Op, e.Name, e.Err) }

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the status a shell gives the same failure: 127 for a command
// not found, 126 for one found but not executable, 1 for anything else.
func (e *Error) ExitCode() int {
	if e.Op != "exec" {
		return 1
	}
	if errors.Is(e.Err, ErrNotFound) || errors.Is(e.Err, unix.ENOENT) {
		return 127
	}
	return 126
}

// Start starts the process and returns its pid. The caller must reap it.
//
// Umask is set in tend around the fork, as SysProcAttr has no field for it;
// only the supervisor's loop starts processes, and files tend creates
// itself are given their mode explicitly, so the brief change is not seen.
func Start(s Spec) (int, error) {
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		return 0, &Error{Op: "exec", Name: "", Err: errors.New("empty command")}
	}
	path, err := LookPath(s.Argv[0], s.Env)
	if err != nil {
		return 0, &Error{Op: "exec", Name: s.Argv[0], Err: err}
	}
	if s.Dir != "" {
		// chdir fails in the child with the same errno as a missing
		// command would; look first, so the message names the directory.
		if fi, err := os.Stat(s.Dir); err != nil {
			return 0, &Error{Op: "chdir", Name: s.Dir, Err: errors.Unwrap(err)}
		} else if !fi.IsDir() {
			return 0, &Error{Op: "chdir", Name: s.Dir, Err: unix.ENOTDIR}
		}
	}
	attr := &syscall.ProcAttr{
		Dir:   s.Dir,
		Env:   s.Env,
		Files: s.Files,
		Sys: &syscall.SysProcAttr{
			Setsid:     s.Setsid && !s.Foreground,
			Setpgid:    (s.Setpgid || s.Foreground) && !(s.Setsid && !s.Foreground),
			Foreground: s.Foreground,
			Ctty:       s.Ctty,
			Credential: s.Credential,
		},
	}
	if s.Env == nil {
		attr.Env = []string{}
	}
	if s.Umask >= 0 {
		old := unix.Umask(s.Umask)
		defer unix.Umask(old)
	}
	if s.ListenPID {
		self, err := selfPath()
		if err != nil {
			return 0, &Error{Op: "exec", Name: s.Argv[0], Err: err}
		}
		attr.Env = append(attr.Env[:len(attr.Env):len(attr.Env)], shimVar+"="+path)
		path = self
	}
	pid, err := syscall.ForkExec(path, s.Argv, attr)
	if err != nil {
		if s.ListenPID {
			err = fmt.Errorf("%w (run through tend's own binary, %s, to set LISTEN_PID)", err, path)
		}
		return 0, &Error{Op: "exec", Name: s.Argv[0], Err: err}
	}
	return pid, nil
}

// shimVar carries, from tend to the child it starts with ListenPID, the
// path of the program to exec once LISTEN_PID is set.
const shimVar = "TEND_LISTEN_EXEC"

// selfPath is the binary a ListenPID child execs: /proc/self/exe, which
// names tend's binary even if its file was replaced or removed since; else
// the path tend was started from.
func selfPath() (string, error) {
	const proc = "/proc/self/exe"
	if unix.Access(proc, unix.X_OK) == nil {
		return proc, nil
	}
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find tend's own binary to set LISTEN_PID: %w", err)
	}
	return p, nil
}

// ExecShim is the child's half of ListenPID. main calls it first: when
// tend was started as such a child, it sets LISTEN_PID to its own pid and
// execs the program, with the environment tend gave it less shimVar;
// otherwise it returns at once. It never returns when it acts: an exec that
// fails ends the process with a shell's status, 127 or 126.
func ExecShim() {
	path, ok := os.LookupEnv(shimVar)
	if !ok {
		return
	}
	env := os.Environ()
	out := env[:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, shimVar+"=") && !strings.HasPrefix(kv, "LISTEN_PID=") {
			out = append(out, kv)
		}
	}
	out = append(out, "LISTEN_PID="+strconv.Itoa(os.Getpid()))
	err := unix.Exec(path, os.Args, out)
	fmt.Fprintf(os.Stderr, "tend: exec %s: %v\n", path, err)
	if errors.Is(err, unix.ENOENT) {
		os.Exit(127)
	}
	os.Exit(126)
}

// LookPath finds the executable for name as execvp(3) would, in the PATH of
// env (DefaultPath when env has none). A name with a '/' is used as it is.
// When only files without execute permission match, the error is EACCES
// (exit 126, as a shell), else ErrNotFound (127).
func LookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	path, ok := getenv(env, "PATH")
	if !ok {
		path = DefaultPath
	}
	denied := false
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		if err := unix.Access(p, unix.X_OK); err != nil {
			denied = denied || errors.Is(err, fs.ErrPermission)
			continue
		}
		return p, nil
	}
	if denied {
		return "", unix.EACCES
	}
	return "", ErrNotFound
}

func getenv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}
