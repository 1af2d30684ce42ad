package supervisor

import (
	"syscall"
	"time"
)

// shutdown begins the ordered shutdown: every program with stop_delay
// drains at once; then the start waves are stopped last first, each wave
// waiting for the one after it, all within shutdown_timeout; then what is
// left gets SIGTERM, and SIGKILL at the end.
func (s *core) shutdown(now time.Time) {
	if s.stage != running {
		return
	}
	s.stage = stopping
	s.deadline = now.Add(s.cfg.ShutdownTimeout)
	for _, p := range s.progs {
		p.wanted, p.ordered = false, true
		if p.cfg.StopDelay > 0 && p.pid != 0 && (p.state == Starting || p.state == Running) {
			s.apply(p, evStop, now)
		}
	}
	s.advance(now)
}

// advance stops the last wave that still has a process, and, once every
// program is down, sends SIGTERM to the processes left behind.
func (s *core) advance(now time.Time) {
	if s.stage != stopping {
		return
	}
	for _, p := range s.progs {
		if p.draining {
			return // the drains come before every wave
		}
	}
	for i := len(s.waves) - 1; i >= 0; i-- {
		busy := false
		for _, p := range s.waves[i] {
			switch p.state {
			case Starting, Running, Backoff, Stopping:
				s.apply(p, evStop, now)
			}
			if p.pid != 0 || p.state == Stopping { // STOPPING with no pid: its spawn is under way
				busy = true
			}
		}
		if busy {
			return
		}
	}
	s.stage = draining
	s.deadline = earliest(s.deadline, now.Add(DefaultGrace))
	// Most often nothing is left: a reap tells, and spares the walk of
	// every process that a SIGTERM to all would cost (kill(-1) makes the
	// kernel walk the host's whole process list). When it answers that
	// children remain, they get SIGTERM (reaped in core.handle).
	s.do(effect{kind: effReap})
}

// leftovers handles the answer to the reap that ends the waves: children
// remain that are no program's, so they get SIGTERM, once.
func (s *core) leftovers() {
	if s.stage == draining && !s.termSent {
		s.termSent = true
		s.do(effect{kind: effKillAll, sig: syscall.SIGTERM})
	}
}

// expire handles the shutdown's deadline: SIGKILL to everything left.
func (s *core) expire(now time.Time) {
	switch s.stage {
	case stopping:
		s.log.Warn("shutdown_timeout passed; sending SIGKILL to every process left", "signal", "SIGKILL")
	case draining:
		s.log.Warn("processes still running after the grace; sending SIGKILL", "signal", "SIGKILL")
	case killing:
		// Processes stuck in uninterruptible sleep (a dead NFS server)
		// must not keep tend alive.
		s.log.Error("processes survived SIGKILL; exiting without them")
		s.finish()
		return
	default:
		return
	}
	s.stage = killing
	s.do(effect{kind: effKillAll, sig: syscall.SIGKILL})
	s.deadline = now.Add(killWait)
}
