// Package reaper collects exited children and makes tend a subreaper.
//
// It is the only code in tend that calls wait4: the supervisor's host
// calls Reap, tini mode's reaper goroutine calls Wait. Nothing in tend uses exec.Cmd.Wait or os.Process.Wait: a
// wait4(-1) beside them steals their statuses, the classic Go init bug
// (ochinchina/supervisord#112, hashicorp/go-reap#4, ramr/go-reaper#2).
package reaper

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"
)

// Exit is one child that has ended, as wait4 reported it, with what it
// used (its rusage: its own, and its children's that it waited for).
type Exit struct {
	Pid    int
	Status unix.WaitStatus
	MaxRSS int64         // peak resident set, KiB
	CPU    time.Duration // user and system time
}

func exitOf(pid int, ws unix.WaitStatus, ru *unix.Rusage) Exit {
	return Exit{Pid: pid, Status: ws, MaxRSS: ru.Maxrss,
		CPU: time.Duration(ru.Utime.Nano() + ru.Stime.Nano())}
}

// Code is the status a shell would report: the exit status, or 128+N when
// signal N killed the child.
func (e Exit) Code() int {
	if e.Status.Signaled() {
		return 128 + int(e.Status.Signal())
	}
	return e.Status.ExitStatus()
}

// Reap collects every child that has exited, without blocking, and calls fn
// for each, in the order the kernel returns them. SIGCHLD coalesces: one
// signal can stand for many exits, so it loops wait4(-1, WNOHANG) until
// there is nothing left to collect. It reports whether any children remain
// (false once wait4 says ECHILD).
func Reap(fn func(Exit)) (children bool) {
	for {
		var ws unix.WaitStatus
		var ru unix.Rusage
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, &ru)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil: // ECHILD: no children at all
			return false
		case pid == 0: // children remain, none has exited yet
			return true
		}
		fn(exitOf(pid, ws, &ru))
	}
}

// SetSubreaper marks tend as a child subreaper (prctl(2)
// PR_SET_CHILD_SUBREAPER), so that orphans of its descendants are
// reparented to tend rather than to the real init, and tend reaps them.
func SetSubreaper() error {
	return unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// Wait blocks until a child exits and returns it, for tini mode's reaper,
// which has nothing else to do: a zombie already there comes back at once,
// so one wakeup serves a storm of exits. It returns unix.ECHILD when no
// child is left.
func Wait() (Exit, error) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return Exit{}, err
		}
		return Exit{Pid: pid, Status: ws}, nil
	}
}
