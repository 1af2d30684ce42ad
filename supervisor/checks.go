package supervisor

import (
	"fmt"
	"syscall"
	"time"
)

// cmdCheck is a ready or health check the core asked for: a command (its
// pid is in core.checks while it runs) or, for health, one tcp or http
// probe run off the loop.
type cmdCheck struct {
	p        *program
	gen      int
	health   bool
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

// checkDone handles a command check's exit.
func (s *core) checkDone(c *cmdCheck, code int, now time.Time) {
	p := c.p
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
