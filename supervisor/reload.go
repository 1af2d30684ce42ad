package supervisor

import (
	"slices"
	"strings"
	"time"

	"tend/config"
)

// arrange orders the programs for starting (priority, then name), links
// each to its dependencies, and computes the start waves. Run calls it
// once, and a reload after changing the programs. Settings a reload left
// for a program's next start count already: the order is the new one.
func (s *core) arrange() {
	slices.SortStableFunc(s.progs, func(a, b *program) int {
		if a, b := a.settings(), b.settings(); a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return strings.Compare(a.cfg.Name, b.cfg.Name)
	})
	s.listeners = false
	for _, p := range s.progs {
		s.listeners = s.listeners || p.settings().Type == "eventlistener"
	}
	live := make(map[string]*program, len(s.progs))
	var cfgs []*config.Program
	var leaving []*program
	for _, p := range s.progs {
		if p.removed {
			leaving = append(leaving, p)
			continue
		}
		live[p.cfg.Name] = p
		cfgs = append(cfgs, p.settings())
	}
	for _, p := range s.progs {
		p.deps = p.deps[:0]
		if p.removed {
			continue
		}
		for _, d := range p.settings().DependsOn {
			if dep := live[d]; dep != nil {
				p.deps = append(p.deps, dep)
			}
		}
	}
	s.waves = s.waves[:0]
	for _, names := range config.Waves(cfgs) {
		w := make([]*program, 0, len(names))
		for _, n := range names {
			w = append(w, live[n])
		}
		s.waves = append(s.waves, w)
	}
	if len(leaving) > 0 {
		// Removed programs still stopping are stopped first by a shutdown.
		s.waves = append(s.waves, leaving)
	}
}

// settings is the program's config as a reload left it: the one its next
// process will run with.
func (p *program) settings() *config.Program {
	if p.next != nil {
		return p.next
	}
	return p.cfg
}

// loaded answers reread (what a reload would change) and reload (the same,
// then applied), and SIGHUP (a reload that answers no one): it compares
// the config read again with the running one and, for a reload, applies
// the difference: added programs start, removed ones stop, changed ones
// restart with their new settings, updated ones take theirs in place. A
// config that does not load changes nothing: the error is logged and
// answered.
func (s *core) loaded(in loaded, now time.Time) {
	verb := "reread"
	if in.apply {
		verb = "reload"
	}
	next, err := in.cfg, in.err
	if err == nil && s.main != nil {
		err = config.CheckMain(next)
	}
	fail := func(err error) {
		if in.reply != nil {
			in.reply.Err(err.Error())
		}
	}
	if err != nil {
		s.log.Error(verb+": config not loaded; nothing changed", "err", err)
		fail(err)
		return
	}
	d := config.Compare(s.cfg, next)
	var lines []string
	for _, g := range []struct {
		what  string
		names []string
	}{{"added", d.Added}, {"changed", d.Changed}, {"removed", d.Removed}, {"updated", d.Updated}} {
		for _, n := range g.names {
			lines = append(lines, g.what+": "+n)
		}
	}
	if len(lines) == 0 {
		lines = []string{"no changes"}
	}
	if in.apply {
		if s.stage != running {
			s.log.Warn(verb+": tend is shutting down; nothing changed", "err", errShuttingDown)
			fail(errShuttingDown)
			return
		}
		if next.Socket != s.cfg.Socket || next.SocketMode != s.cfg.SocketMode || next.SocketGroup != s.cfg.SocketGroup ||
			next.LogLevel != s.cfg.LogLevel || next.LogFormat != s.cfg.LogFormat {
			s.log.Warn(verb + ": [tend] socket and log settings changed; they apply when tend next starts")
		}
		s.log.Info("reloading config", "added", len(d.Added), "changed", len(d.Changed),
			"removed", len(d.Removed), "updated", len(d.Updated))
		s.applyDiff(next, d, now)
	}
	if in.reply != nil {
		for _, l := range lines {
			in.reply.Line(l)
		}
		in.reply.OK()
	}
}

// applyDiff carries out d, the difference between the running config and
// next.
func (s *core) applyDiff(next *config.Config, d config.Diff, now time.Time) {
	fresh := make(map[string]*config.Program, len(next.Programs))
	for _, c := range next.Programs {
		fresh[c.Name] = c
	}
	current := func(name string) *program {
		for _, p := range s.progs {
			if p.cfg.Name == name && !p.removed && p != s.main {
				return p
			}
		}
		return nil
	}
	for _, n := range d.Removed {
		if p := current(n); p != nil {
			p.removed, p.wanted = true, false
			s.removing++
			s.apply(p, evStop, now)
		}
	}
	for _, n := range d.Updated {
		if p := current(n); p != nil {
			s.update(p, fresh[n])
		}
	}
	for _, n := range d.Changed {
		if p := current(n); p != nil {
			s.replace(p, fresh[n], now)
		}
	}
	for _, n := range d.Added {
		s.add(fresh[n], false)
	}
	s.cfg = next
	s.arrange()
	s.forget()
	for _, p := range s.progs {
		if p.removed {
			p.nextRun = time.Time{}
		} else if !p.nextRun.IsZero() || p.settings().Schedule != nil {
			s.arm(p, now) // a new or changed schedule applies in place
		}
	}
}

// update gives p settings that need no new process.
func (s *core) update(p *program, c *config.Program) {
	was := p.settings()
	if p.next != nil {
		p.next = c
	} else {
		p.cfg = c
	}
	if p.ring != nil {
		s.do(effect{kind: effLimits, p: p})
	}
	if c.Autostart && !was.Autostart && p.state == Stopped && !p.started {
		p.wanted = true // schedule starts it once its dependencies are ready
	}
}

// replace gives p settings that need a new process: a running one is
// restarted with them; one not running takes them now, and is started if
// it autostarts, as a new program would be.
func (s *core) replace(p *program, c *config.Program, now time.Time) {
	switch p.state {
	case Starting, Running, Stopping:
		p.next = c
		p.wanted = true
		s.apply(p, evRestart, now)
		return
	}
	p.next = c
	s.takeNext(p)
	p.wanted, p.started = c.Autostart, false
	s.apply(p, evHold, now) // STOPPED, to be started as a new program would be
}

// takeNext puts settings a reload left for p's next start in place, just
// before that start. Its output moves to the new destinations; the old
// files close once the last process writing them has gone. The tail ring
// carries over.
func (s *core) takeNext(p *program) {
	if p.next == nil {
		return
	}
	p.cfg, p.next = p.next, nil
	p.retries, p.delay = 0, 0
	s.do(effect{kind: effPrune}) // the old settings may have named a socket
	if p.ring != nil {
		s.do(effect{kind: effOutput, p: p})
	}
}

// forget drops removed programs once they have stopped. It runs after
// every event, so it looks only when a reload removed something.
func (s *core) forget() {
	if s.removing == 0 {
		return
	}
	gone := func(p *program) bool {
		return p.removed && p.pid == 0 && p.state != Starting && p.state != Running && p.state != Stopping
	}
	if !slices.ContainsFunc(s.progs, gone) {
		return
	}
	for _, p := range s.progs {
		if gone(p) {
			s.do(effect{kind: effUnwatch, p: p})
			if p.ring != nil {
				s.do(effect{kind: effRetire, p: p})
			}
		}
	}
	s.progs = slices.DeleteFunc(s.progs, gone)
	s.do(effect{kind: effPrune})
	s.removing = 0
	for _, p := range s.progs {
		if p.removed {
			s.removing++
		}
	}
	s.arrange()
}
