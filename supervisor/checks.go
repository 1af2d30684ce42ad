package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"tend/signals"
)

// cmdCheck is a ready or health check the core asked for: a command (its
// pid is in core.checks while it runs) or, for health, one tcp or http
// probe run off the loop.
type cmdCheck struct {
	p        *program
	gen      int
	health   bool
	stop     bool      // the program's stop_command, not a check
	mainPid  int       // stop: the process it is to stop ($MAINPID), as the core decided
	argv     []string  // a command check
	kind     string    // a probe: "tcp" or "http"
	target   string    // a probe: the address or URL
	deadline time.Time // a command is killed then; a probe gives up
}

// checkAt is when p next needs the loop for a check: a command check to
// start or to time out, or a health check.
func (s *core) checkAt(p *program) time.Time {
	var t time.Time
	if p.state == Starting && p.cfg.Ready.Kind == "cmd" && p.checkPid == 0 {
		t = p.checkAt
	}
	if p.state == Running && p.cfg.Health.Kind != "" && p.checkPid == 0 && !p.healthBusy {
		t = earliest(t, p.healthAt)
	}
	if p.checkPid != 0 {
		t = earliest(t, s.checks[p.checkPid].deadline)
	}
	return t
}

// stopCommandsAt is when the next stop_command is overdue. They are
// tracked apart from their programs: a program may be gone (restarted,
// forgotten by a reload) while its stop command still runs.
func (s *core) stopCommandsAt() time.Time {
	var t time.Time
	for _, c := range s.checks {
		if c.stop {
			t = earliest(t, c.deadline)
		}
	}
	return t
}

// killStopCommands sends SIGKILL to every stop_command past its deadline,
// the program's stopwaitsecs.
func (s *core) killStopCommands(now time.Time) {
	for pid, c := range s.checks {
		if c.stop && !now.Before(c.deadline) {
			s.log.Warn("stop_command did not end in time; sending it SIGKILL", "program", c.p.cfg.Name, "pid", pid)
			s.do(effect{kind: effSignal, p: c.p, pid: -pid, sig: syscall.SIGKILL})
			c.deadline = now.Add(time.Hour) // reaped soon
		}
	}
}

// runChecks starts the checks that are due for p and ends overdue ones.
func (s *core) runChecks(p *program, now time.Time) {
	if p.checkPid != 0 {
		if c := s.checks[p.checkPid]; c != nil && !now.Before(c.deadline) {
			s.do(effect{kind: effSignal, p: p, pid: -p.checkPid, sig: syscall.SIGKILL})
			c.deadline = now.Add(time.Hour) // reaped soon; counted as failed then
		}
		return
	}
	switch {
	case p.state == Starting && p.cfg.Ready.Kind == "cmd" && !p.checkAt.IsZero() && !now.Before(p.checkAt):
		p.checkAt = now.Add(p.cfg.ReadyInterval)
		s.do(effect{kind: effCheck, check: &cmdCheck{p: p, gen: p.gen, argv: p.cfg.Ready.Argv, deadline: now.Add(p.cfg.ReadyInterval)}})
	case p.state == Running && p.cfg.Health.Kind != "" && !p.healthBusy && !p.healthAt.IsZero() && !now.Before(p.healthAt):
		p.healthAt = now.Add(p.cfg.HealthInterval)
		c := &cmdCheck{p: p, gen: p.gen, health: true, deadline: now.Add(p.cfg.HealthTimeout)}
		if p.cfg.Health.Kind == "cmd" {
			c.argv = p.cfg.Health.Argv
			s.do(effect{kind: effCheck, check: c})
			return
		}
		p.healthBusy = true
		c.kind, c.target = p.cfg.Health.Kind, p.cfg.Health.Addr+p.cfg.Health.URL
		s.do(effect{kind: effProbe, check: c})
	}
}

// stopCommand runs p's stop_command instead of sending stopsignal. It
// may take until stopwaitsecs is over, when the program gets SIGKILL and
// the command too.
func (s *core) stopCommand(p *program, now time.Time) {
	for _, c := range s.checks {
		if c.stop && c.p == p && c.gen == p.gen {
			return // one is under way for this process already
		}
	}
	s.log.Info("running stop_command", "program", p.cfg.Name, "pid", p.pid)
	s.do(effect{kind: effCheck, check: &cmdCheck{p: p, gen: p.gen, stop: true, mainPid: p.pid, argv: p.cfg.StopCommand, deadline: p.deadline}})
}

// stopFailed handles a stop_command that could not run or failed: the
// program still runs, so it gets its stopsignal after all, rather than
// waiting for SIGKILL.
func (s *core) stopFailed(c *cmdCheck, why string) {
	p := c.p
	if c.gen != p.gen || p.pid == 0 || p.state != Stopping {
		return
	}
	s.log.Warn("stop_command failed; sending stopsignal", "program", p.cfg.Name, "pid", p.pid, "err", why, "signal", signals.Name(p.stopSignal()))
	s.kill(p, p.stopSignal(), p.cfg.StopAsGroup)
}

// checkDone handles a command check's exit.
func (s *core) checkDone(c *cmdCheck, code int, now time.Time) {
	p := c.p
	if c.stop {
		if code != 0 {
			s.stopFailed(c, fmt.Sprintf("%q exited with status %d", c.argv[0], code))
		}
		return
	}
	p.checkPid = 0
	if c.gen != p.gen || p.pid == 0 {
		return
	}
	if c.health {
		if code == 0 {
			p.healthFails = 0
			return
		}
		s.checkFailed(p, true, fmt.Errorf("%q exited with status %d", c.p.cfg.Health.Argv[0], code), now)
		return
	}
	if code == 0 {
		s.apply(p, evReady, now)
	}
}

// checkFailed counts a failed health check (a failed ready check is only
// tried again: ready_timeout decides).
func (s *core) checkFailed(p *program, health bool, err error, now time.Time) {
	if !health {
		s.log.Debug("ready check failed", "program", p.cfg.Name, "err", err)
		return
	}
	p.healthFails++
	s.log.Warn("health check failed", "program", p.cfg.Name, "pid", p.pid, "attempt", p.healthFails, "err", err)
	if p.healthFails >= p.cfg.HealthRetries {
		p.healthFails = 0
		s.log.Warn("program unhealthy; restarting", "program", p.cfg.Name, "pid", p.pid, "err", err)
		s.apply(p, evUnhealthy, now)
	}
}
