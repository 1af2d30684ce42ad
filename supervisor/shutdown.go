package supervisor

import (
	"errors"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/reaper"
	"tend/signals"
)

// shutdown begins the ordered shutdown: the start waves are stopped last
// first, each wave waiting for the one after it, all within
// shutdown_timeout; then what is left gets SIGTERM, and SIGKILL at the end.
func (l *loop) shutdown(now time.Time) {
	if l.stage != running {
		return
	}
	l.stage = stopping
	l.deadline = now.Add(l.cfg.ShutdownTimeout)
	for _, p := range l.progs {
		p.wanted = false
	}
	l.advance(now)
}

// advance stops the last wave that still has a process, and, once every
// program is down, sends SIGTERM to the processes left behind.
func (l *loop) advance(now time.Time) {
	if l.stage != stopping {
		return
	}
	for i := len(l.waves) - 1; i >= 0; i-- {
		busy := false
		for _, p := range l.waves[i] {
			switch p.state {
			case Starting, Running, Backoff, Stopping:
				l.apply(p, evStop, now)
			}
			if p.pid != 0 {
				busy = true
			}
		}
		if busy {
			return
		}
	}
	l.stage = draining
	// Most often nothing is left: then spare the walk of every process
	// (kill(-1) makes the kernel walk the host's whole process list).
	if reaper.Reap(l.exit) {
		l.killAll(unix.SIGTERM)
	}
	l.deadline = earliest(l.deadline, now.Add(DefaultGrace))
}

// expire handles the shutdown's deadline: SIGKILL to everything left.
func (l *loop) expire(now time.Time) {
	switch l.stage {
	case stopping:
		l.log.Warn("shutdown_timeout passed; sending SIGKILL to every process left", "signal", "SIGKILL")
	case draining:
		l.log.Warn("processes still running after the grace; sending SIGKILL", "signal", "SIGKILL")
	default:
		return
	}
	l.stage = killing
	l.killAll(unix.SIGKILL)
	l.deadline = now.Add(killWait)
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
		for pid := range l.byPid {
			l.signalQuietly(-pid, s)
		}
		return
	}
	for _, pid := range pids {
		l.signalQuietly(pid, s)
	}
}

// signalQuietly sends s to pid; a process that ended meanwhile is fine.
func (l *loop) signalQuietly(pid int, s syscall.Signal) {
	if err := unix.Kill(pid, s); err != nil && !errors.Is(err, unix.ESRCH) {
		l.log.Warn("cannot signal process", "pid", pid, "signal", signals.Name(s), "err", err)
	}
}
