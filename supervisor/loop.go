package supervisor

import (
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/reaper"
	"tend/signals"
	"tend/spawn"
)

// DefaultGrace is how long processes left behind get between SIGTERM and
// SIGKILL when tend exits in tini mode.
const DefaultGrace = 2 * time.Second

// killWait bounds the wait for processes that were sent SIGKILL: one stuck
// in uninterruptible sleep (a dead NFS server) must not keep tend alive.
const killWait = 5 * time.Second

// Options configures Run.
type Options struct {
	Argv  []string     // the program, named main
	Log   *slog.Logger // tend's own log
	Grace time.Duration
}

// proc is one process tend started.
type proc struct {
	name string
	pid  int
}

// stage is how far the shutdown has got.
type stage int

const (
	running  stage = iota
	draining       // leftovers were sent SIGTERM
	killing        // leftovers were sent SIGKILL
)

type loop struct {
	log   *slog.Logger
	grace time.Duration
	self  int

	chld chan os.Signal // SIGCHLD only: one pending is enough, it coalesces
	sigs chan os.Signal // every other signal

	timer    *time.Timer
	deadline time.Time

	procs map[int]*proc // every live child tend started, by pid
	main  *proc
	stage stage
	code  int // tend's exit status, set when main ends
}

// Run runs o.Argv as tend's program, forwards signals to it, reaps every
// orphan, and returns the status tend exits with: the program's, 128+N when
// signal N killed it, 127 or 126 when it could not be executed.
func Run(o Options) int {
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	l := &loop{
		log:   o.Log,
		grace: o.Grace,
		self:  os.Getpid(),
		chld:  make(chan os.Signal, 1),
		sigs:  make(chan os.Signal, 64),
		procs: make(map[int]*proc),
		timer: time.NewTimer(time.Hour),
	}
	l.timer.Stop()
	// Handlers go in before the program starts, so that neither its exit
	// nor a signal meant for it can slip by.
	signal.Notify(l.chld, unix.SIGCHLD)
	var caught []os.Signal
	for _, s := range signals.Catchable() {
		if s != unix.SIGCHLD {
			caught = append(caught, s)
		}
	}
	signal.Notify(l.sigs, caught...)
	defer signal.Stop(l.sigs)
	defer signal.Stop(l.chld)

	if l.self != 1 {
		if err := reaper.SetSubreaper(); err != nil {
			l.log.Warn("cannot become a subreaper; orphans will not be reaped by tend", "err", err)
		}
	}

	spec := spawn.Spec{
		Argv:    o.Argv,
		Env:     os.Environ(),
		Files:   []uintptr{0, 1, 2},
		Umask:   -1,
		Setpgid: true,
	}
	if foregroundTTY() {
		spec.Foreground, spec.Ctty = true, 0
	}
	pid, err := spawn.Start(spec)
	if err != nil {
		code := 1
		var se *spawn.Error
		if errors.As(err, &se) {
			code = se.ExitCode()
		}
		l.log.Error("program cannot start", "program", "main", "err", err, "exit_code", code)
		return code
	}
	l.main = &proc{name: "main", pid: pid}
	l.procs[pid] = l.main
	l.log.Info("program started", "program", "main", "pid", pid)
	return l.run()
}

// foregroundTTY reports whether descriptor 0 is tend's controlling terminal
// with tend's process group in the foreground. Only then does the program
// take the foreground: tend started in the background (`tend -- app &`)
// must not steal the terminal from the shell.
func foregroundTTY() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

func (l *loop) run() int {
	for {
		select {
		case <-l.chld:
			if done := l.reap(); done {
				return l.code
			}
		case s := <-l.sigs:
			l.signal(s.(syscall.Signal))
		case <-l.timer.C:
			if done := l.expire(time.Now()); done {
				return l.code
			}
		}
	}
}

// reap collects every exited child and reports whether tend is done: the
// shutdown has begun and no child is left.
func (l *loop) reap() bool {
	children := reaper.Reap(func(e reaper.Exit) {
		p, ok := l.procs[e.Pid]
		if !ok {
			return // an orphan that was reparented to tend
		}
		delete(l.procs, e.Pid)
		if p == l.main {
			l.code = e.Code()
			l.main = nil
			l.log.Info("program exited", "program", p.name, "pid", e.Pid, "exit_code", l.code)
		}
	})
	if l.stage == running && l.main == nil {
		l.shutdown()
		children = reaper.Reap(func(reaper.Exit) {})
	}
	return l.stage != running && !children
}

// signal forwards s to the program; SIGCHLD, SIGURG and SIGPIPE are tend's
// own and are dropped.
func (l *loop) signal(s syscall.Signal) {
	if !signals.Forwarded(s) {
		return
	}
	if l.main == nil {
		l.log.Debug("signal not forwarded: the program has exited", "signal", signals.Name(s))
		return
	}
	if err := unix.Kill(l.main.pid, s); err != nil {
		l.log.Warn("cannot forward signal", "program", l.main.name, "pid", l.main.pid, "signal", signals.Name(s), "err", err)
	}
}

// shutdown asks every process left behind to end: SIGTERM now, SIGKILL
// after the grace.
func (l *loop) shutdown() {
	l.stage = draining
	l.killAll(unix.SIGTERM)
	l.arm(time.Now().Add(l.grace))
}

// expire handles the deadline and reports whether tend is done.
func (l *loop) expire(now time.Time) bool {
	switch l.stage {
	case draining:
		l.log.Warn("processes still running after the grace; sending SIGKILL", "signal", "SIGKILL")
		l.stage = killing
		l.killAll(unix.SIGKILL)
		l.arm(now.Add(killWait))
		return !reaper.Reap(func(reaper.Exit) {})
	case killing:
		l.log.Error("processes survived SIGKILL; exiting without them")
		return true
	}
	return false
}

func (l *loop) arm(t time.Time) {
	l.deadline = t
	l.timer.Reset(time.Until(t))
}

// killAll sends s to every descendant of tend. As PID 1 that is kill(-1),
// which the kernel confines to tend's PID namespace and never delivers to
// tend itself. As a subreaper it is each descendant found in /proc, and,
// should /proc be missing, the process group of every program tend started.
func (l *loop) killAll(s syscall.Signal) {
	if l.self == 1 {
		if err := unix.Kill(-1, s); err != nil && !errors.Is(err, unix.ESRCH) {
			l.log.Warn("cannot signal processes", "signal", signals.Name(s), "err", err)
		}
		return
	}
	pids, err := descendants(l.self)
	if err != nil {
		l.log.Warn("cannot list processes in /proc; signalling process groups only", "err", err)
		for pid := range l.procs {
			_ = unix.Kill(-pid, s) // ESRCH: the group is gone already
		}
		return
	}
	for _, pid := range pids {
		_ = unix.Kill(pid, s) // ESRCH: it ended after the walk
	}
}
