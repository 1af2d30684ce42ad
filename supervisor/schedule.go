package supervisor

import (
	"time"

	"tend/schedule"
)

// A scheduled program (a oneshot with schedule) is not started with the
// others: the core keeps its next run among its deadlines, and the one
// timer brings it. Runs are never caught up (schedule.Policy.Tick): after
// a pause or a clock jump only the latest run due is considered, within
// starting_deadline. A program with no schedule has no run time and costs
// nothing here.

// scheduled reports whether p runs on a schedule.
func (p *program) scheduled() bool { return p.cfg.Schedule != nil }

// arm sets p's next run after now: none when it has no schedule, or when
// autostart is false (the schedule is switched off; `start` still runs
// it).
func (s *core) arm(p *program, now time.Time) {
	p.nextRun = time.Time{}
	if c := p.settings(); c.Schedule != nil && c.Autostart && !p.removed {
		p.nextRun = c.Schedule.Next(now)
	}
}

// fire handles p's run time.
func (s *core) fire(p *program, now time.Time) {
	c := p.settings()
	if c.Schedule == nil {
		p.nextRun = time.Time{}
		return
	}
	busy := p.pid != 0 || p.state == Starting || p.state == Stopping || p.state == Backoff
	pol := schedule.Policy{Concurrency: c.Concurrency, StartingDeadline: c.StartingDeadline}
	t := pol.Tick(c.Schedule, p.nextRun, now, busy)
	p.nextRun = t.Next
	if t.Missed > 0 {
		s.log.Warn("scheduled runs missed, not caught up", "program", c.Name, "missed", t.Missed, "next", t.Next.UTC().Format(time.RFC3339))
	}
	if s.stage != running {
		return
	}
	switch t.Action {
	case schedule.Skip:
		s.log.Warn("scheduled run skipped", "program", c.Name, "due", t.Due.UTC().Format(time.RFC3339), "reason", t.Reason)
	case schedule.Run:
		s.log.Info("scheduled run", "program", c.Name, "due", t.Due.UTC().Format(time.RFC3339))
		p.wanted, p.started = true, true
		s.apply(p, evStart, now)
	case schedule.StopThenRun:
		s.log.Warn("scheduled run replaces the last one", "program", c.Name, "reason", t.Reason)
		p.wanted, p.started = true, true
		s.apply(p, evRestart, now)
	}
}
