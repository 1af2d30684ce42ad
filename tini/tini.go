package tini

import (
	"errors"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/reaper"
	"tend/signals"
	"tend/spawn"
)

// Grace is how long what the program left behind gets between SIGTERM and
// SIGKILL, once the program has exited.
const Grace = 2 * time.Second

// killWait bounds the wait after SIGKILL: a process in uninterruptible
// sleep (a dead NFS server) must not keep tend alive.
const killWait = 5 * time.Second

// Options says what to run and how.
type Options struct {
	Argv []string // the program and its arguments; Argv[0] is looked up in $PATH
	Log  *slog.Logger
	// Success lists exit statuses reported as 0 (tini's -e).
	Success []int
	// Group sends forwarded signals to the program's process group, not
	// only its pid (tini's -g, dumb-init's default).
	Group bool
	// Rewrite sends signal S on as Rewrite[S]; 0 drops it (dumb-init's
	// --rewrite).
	Rewrite map[syscall.Signal]syscall.Signal
	// WarnReap logs each orphan reaped (tini's -w).
	WarnReap bool
}

// Run runs the program and returns the status tend should exit with: the
// program's, 128+N if signal N killed it, 127 or 126 if it could not be
// started. When the program is gone, every process left below tend gets
// SIGTERM, then SIGKILL after Grace; Run returns once none is left.
func Run(o Options) int {
	log := o.Log
	self := os.Getpid()
	// Before anything else: from here on a signal is held, then passed
	// on, never lost (nor fatal to tend, as the runtime's handler makes
	// SIGTERM, SIGINT and SIGHUP).
	sigs, to := forwarded(o.Rewrite)
	if err := catch(sigs, to); err != nil {
		log.Error("cannot handle signals", "err", err)
		return 1
	}
	if err := defaultChld(); err != nil {
		log.Warn("cannot reset SIGCHLD; reaping will cost a signal per exit", "err", err)
	}
	if self != 1 {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			log.Warn("cannot become a subreaper; orphans will not be reaped by tend", "err", err)
		}
	}
	// The program inherits this thread's signal mask (syscall.ForkExec
	// passes it on): it is the one tend was started with, but for the
	// signals the runtime never lets a thread block.
	mask, maskErr := sigmask()
	if maskErr == nil && mask&setOf(sigs) != 0 {
		// Signals tend's parent blocked must still reach tend: unblock
		// them on this thread once the program has started, and keep
		// this goroutine on it.
		runtime.LockOSThread()
	}

	spec := spawn.Spec{Argv: o.Argv, Env: os.Environ(), Files: []uintptr{0, 1, 2}, Umask: -1, Setsid: true}
	if spawn.ForegroundTTY() {
		spec.Foreground, spec.Ctty = true, 0
	}
	pid, err := spawn.Start(spec)
	if err != nil {
		code := 1
		var se *spawn.Error
		if errors.As(err, &se) {
			code = se.ExitCode()
		}
		log.Error("program failed", "program", "main", "from", "STARTING", "to", "FATAL", "exit_code", code, "reason", err.Error())
		return code
	}
	log.Info("program started", "program", "main", "pid", pid)
	if o.Group {
		aim(-pid) // it leads a process group of its own (setsid or setpgid)
	} else {
		aim(pid)
	}
	if maskErr == nil && mask&setOf(sigs) != 0 {
		if err := unblock(mask & setOf(sigs)); err != nil {
			log.Warn("cannot unblock signals; some will not be passed on", "err", err)
		}
	}

	exited := make(chan reaper.Exit, 1)
	none := make(chan struct{})
	go reap(pid, exited, none, o.WarnReap, log)
	code := (<-exited).Code()
	log.Info("program exited", "program", "main", "pid", pid, "exit_code", code)
	if slices.Contains(o.Success, code) {
		code = 0
	}
	leftovers(self, pid, none, log)
	return code
}

// forwarded lists the signals tend catches and what each is sent on as.
// SIGCHLD, SIGURG (the runtime's own) and signals tend's parent left
// ignored are not caught; SIGPIPE is caught and dropped, so that tend
// survives its own broken stderr.
func forwarded(rewrite map[syscall.Signal]syscall.Signal) ([]syscall.Signal, map[syscall.Signal]syscall.Signal) {
	var sigs []syscall.Signal
	to := make(map[syscall.Signal]syscall.Signal)
	for _, s := range signals.Catchable() {
		if s == unix.SIGCHLD || s == unix.SIGURG || ignored(int(s)) {
			continue
		}
		sigs = append(sigs, s)
		to[s] = s
		if r, ok := rewrite[s]; ok {
			to[s] = r
		}
		if !signals.Forwarded(s) {
			to[s] = 0
		}
	}
	return sigs, to
}

func setOf(sigs []syscall.Signal) uint64 {
	var set uint64
	for _, s := range sigs {
		set |= 1 << (s - 1)
	}
	return set
}

// reap collects every child tend has, the program and orphans alike, in
// a blocking wait4(-1) loop: zombies already there come back at once, so
// one wakeup serves a whole storm of exits. It sends the program's status
// on exited, and closes none when tend has no child left (ECHILD).
//
// It is the only code in tini mode that waits for a child, through
// reaper.Wait.
func reap(main int, exited chan<- reaper.Exit, none chan<- struct{}, warn bool, log *slog.Logger) {
	for {
		e, err := reaper.Wait()
		switch {
		case err != nil: // ECHILD
			close(none)
			return
		case e.Pid == main:
			// The pid is free again from now on: no signal may follow
			// it. (The handler may still be sending one it read
			// before; the kernel does not hand the pid out again
			// until pid_max others have been.)
			aim(0)
			exited <- e
		case warn:
			log.Warn("reaped a zombie", "pid", e.Pid, "exit_code", e.Code())
		}
	}
}

// leftovers stops what the program left behind: SIGTERM, then SIGKILL
// after Grace, then up to killWait for them to go.
func leftovers(self, main int, none <-chan struct{}, log *slog.Logger) {
	if !hasChildren(none) {
		return
	}
	log.Info("stopping processes left behind", "signal", "SIGTERM")
	killAll(self, main, unix.SIGTERM, log)
	t := time.NewTimer(Grace)
	select {
	case <-none:
		return
	case <-t.C:
	}
	log.Warn("processes still running after the grace; sending SIGKILL", "signal", "SIGKILL")
	killAll(self, main, unix.SIGKILL, log)
	t.Reset(killWait)
	select {
	case <-none:
	case <-t.C:
		log.Error("processes survived SIGKILL; exiting without them")
	}
}

// hasChildren reports whether tend still has a child, exited or not,
// without reaping it (the reaper does that).
func hasChildren(none <-chan struct{}) bool {
	select {
	case <-none:
		return false
	default:
	}
	var info unix.Siginfo
	err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT, nil)
	return !errors.Is(err, unix.ECHILD)
}
