package supervisor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"tend/config"
	"tend/control"
)

// arrange orders the programs for starting (priority, then name), links
// each to its dependencies, and computes the start waves. Run calls it
// once, and a reload after changing the programs. Settings a reload left
// for a program's next start count already: the order is the new one.
func (l *loop) arrange() {
	slices.SortStableFunc(l.progs, func(a, b *program) int {
		if a, b := a.settings(), b.settings(); a.Priority != b.Priority {
			return a.Priority - b.Priority
		}
		return strings.Compare(a.cfg.Name, b.cfg.Name)
	})
	live := make(map[string]*program, len(l.progs))
	var cfgs []*config.Program
	var leaving []*program
	for _, p := range l.progs {
		if p.removed {
			leaving = append(leaving, p)
			continue
		}
		live[p.cfg.Name] = p
		cfgs = append(cfgs, p.settings())
	}
	for _, p := range l.progs {
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
	l.waves = l.waves[:0]
	for _, names := range config.Waves(cfgs) {
		w := make([]*program, 0, len(names))
		for _, n := range names {
			w = append(w, live[n])
		}
		l.waves = append(l.waves, w)
	}
	if len(leaving) > 0 {
		// Removed programs still stopping are stopped first by a shutdown.
		l.waves = append(l.waves, leaving)
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

// reloadRequest answers reread (what a reload would change) and reload
// (the same, then applied).
func (l *loop) reloadRequest(c *control.Call, apply bool, now time.Time) {
	lines, err := l.reloadConfig(apply, now)
	if err != nil {
		c.Err(err.Error())
		return
	}
	for _, s := range lines {
		c.Line(s)
	}
	c.OK()
	l.settle(now)
}

// reloadConfig reads the config again and, with apply, applies the
// difference: added programs start, removed ones stop, changed ones
// restart with their new settings, updated ones take theirs in place.
// It returns the difference as reply lines. A config that does not load
// changes nothing: the error is logged and returned.
func (l *loop) reloadConfig(apply bool, now time.Time) ([]string, error) {
	verb := "reread"
	if apply {
		verb = "reload"
	}
	if l.reload == nil {
		return nil, errNoConfig
	}
	next, err := l.reload()
	if err == nil && l.main != nil {
		for _, c := range next.Programs {
			if c.Name == mainName {
				err = fmt.Errorf("%s: program.main: the name is taken by the command-line program", next.File)
			}
		}
	}
	if err != nil {
		l.log.Error(verb+": config not loaded; nothing changed", "err", err)
		return nil, err
	}
	if apply && (next.Socket != l.cfg.Socket || next.SocketMode != l.cfg.SocketMode || next.SocketGroup != l.cfg.SocketGroup ||
		next.LogLevel != l.cfg.LogLevel || next.LogFormat != l.cfg.LogFormat) {
		l.log.Warn(verb + ": [tend] socket and log settings changed; they apply when tend next starts")
	}
	d := config.Compare(l.cfg, next)
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
	if !apply {
		return lines, nil
	}
	if l.stage != running {
		return nil, errShuttingDown
	}
	l.log.Info("reloading config", "added", len(d.Added), "changed", len(d.Changed),
		"removed", len(d.Removed), "updated", len(d.Updated))
	l.applyDiff(next, d, now)
	return lines, nil
}

// applyDiff carries out d, the difference between the running config and
// next.
func (l *loop) applyDiff(next *config.Config, d config.Diff, now time.Time) {
	fresh := make(map[string]*config.Program, len(next.Programs))
	for _, c := range next.Programs {
		fresh[c.Name] = c
	}
	current := func(name string) *program {
		for _, p := range l.progs {
			if p.cfg.Name == name && !p.removed && p != l.main {
				return p
			}
		}
		return nil
	}
	for _, n := range d.Removed {
		if p := current(n); p != nil {
			p.removed, p.wanted = true, false
			l.removing++
			l.apply(p, evStop, now)
		}
	}
	for _, n := range d.Updated {
		if p := current(n); p != nil {
			l.update(p, fresh[n])
		}
	}
	for _, n := range d.Changed {
		if p := current(n); p != nil {
			l.replace(p, fresh[n], now)
		}
	}
	for _, n := range d.Added {
		c := fresh[n]
		l.progs = append(l.progs, &program{cfg: c, wanted: c.Autostart, out: newOutput(c, l.stdout, l.stderr, l.log)})
	}
	l.cfg = next
	l.arrange()
	l.forget()
}

// update gives p settings that need no new process.
func (l *loop) update(p *program, c *config.Program) {
	was := p.settings()
	if p.next != nil {
		p.next = c
	} else {
		p.cfg = c
	}
	if p.out != nil {
		p.out.setLimits(c)
	}
	if c.Autostart && !was.Autostart && p.state == Stopped && !p.started {
		p.wanted = true // schedule starts it once its dependencies are ready
	}
}

// replace gives p settings that need a new process: a running one is
// restarted with them; one not running takes them now, and is started if
// it autostarts, as a new program would be.
func (l *loop) replace(p *program, c *config.Program, now time.Time) {
	switch p.state {
	case Starting, Running, Stopping:
		p.next = c
		p.wanted = true
		l.apply(p, evRestart, now)
		return
	}
	p.next = c
	l.takeNext(p)
	p.wanted, p.started = c.Autostart, false
	if p.state != Stopped {
		from := p.state
		p.set(Stopped, now)
		p.deadline = time.Time{}
		l.changed(p, from, now)
	}
}

// takeNext puts settings a reload left for p's next start in place, just
// before that start. Its output moves to the new destinations; the old
// files close once the last process writing them has gone. The tail ring
// carries over.
func (l *loop) takeNext(p *program) {
	if p.next == nil {
		return
	}
	p.cfg, p.next = p.next, nil
	p.retries, p.delay = 0, 0
	if p.out != nil {
		ring := p.out.ring
		p.out.retire()
		p.out = newOutput(p.cfg, l.stdout, l.stderr, l.log)
		p.out.ring = ring
	}
}

// forget drops removed programs once they have stopped. It runs after
// every event, so it looks only when a reload removed something.
func (l *loop) forget() {
	if l.removing == 0 {
		return
	}
	gone := func(p *program) bool {
		return p.removed && p.pid == 0 && p.state != Starting && p.state != Running && p.state != Stopping
	}
	if !slices.ContainsFunc(l.progs, gone) {
		return
	}
	for _, p := range l.progs {
		if gone(p) {
			l.stopWatch(p)
			if p.out != nil {
				p.out.retire()
			}
		}
	}
	l.progs = slices.DeleteFunc(l.progs, gone)
	l.removing = 0
	for _, p := range l.progs {
		if p.removed {
			l.removing++
		}
	}
	l.arrange()
}
