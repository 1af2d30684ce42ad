package supervisor

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tend/control"
	"tend/signals"
)

// request answers one call from the control socket. Requests that wait
// (start, stop, restart, wait) leave a waiter, which answer checks after
// every input; the core itself never waits on a client.
func (s *core) request(in called, now time.Time) {
	r, c := in.req, in.reply
	switch r.Cmd {
	case "status":
		s.status(c, r.Targets, r.Long, now)
	case "start", "stop", "restart", "wait":
		s.change(c, r, now)
	case "signal":
		s.signalRequest(c, r)
	case "pid":
		s.pidRequest(c, r.Targets)
	case "tail":
		s.tail(c, r.Targets, r.Lines, r.Follow)
	case "history":
		s.history(c, r.Targets)
	case "metrics":
		s.metricsLines(c, now, in.me)
	case "reread", "reload":
		if len(r.Targets) > 0 {
			s.reloadPrograms(c, r.Targets)
			return
		}
		if !s.canLoad {
			c.Err(errNoConfig.Error())
			return
		}
		s.do(effect{kind: effLoad, apply: r.Cmd == "reload", reply: c})
	case "reopen":
		s.reopen()
		c.OK()
	case "events":
		s.events = append(s.events, c)
	case "shutdown":
		c.OK()
		if s.stage == running {
			s.log.Info("shutting down", "requested_by_pid", in.peer)
			s.shutdown(now)
		}
	case "version":
		c.Line("tend " + s.version)
		c.OK()
	case "help":
		for _, h := range control.Help() {
			c.Line(h)
		}
		c.OK()
	default:
		c.Err(fmt.Sprintf("unknown command %q; try help", r.Cmd))
	}
}

// resolve turns targets into programs: a name, GROUP:* (a program that
// has no group key is its own group, as in supervisorctl), GROUP:NAME, or
// all. Each program appears once, in the order named.
func (s *core) resolve(targets []string) ([]*program, error) {
	var out []*program
	add := func(p *program) {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, t := range targets {
		if t == "all" {
			for _, p := range s.byName() {
				add(p)
			}
			continue
		}
		group, name, grouped := strings.Cut(t, ":")
		if !grouped {
			p := s.named(t)
			if p == nil {
				return nil, fmt.Errorf("no such program %q", t)
			}
			add(p)
			continue
		}
		found := false
		for _, p := range s.byName() {
			if inGroup(p, group) && (name == "*" || name == p.cfg.Name) {
				add(p)
				found = true
			}
		}
		if !found {
			if name == "*" {
				return nil, fmt.Errorf("no such group %q", group)
			}
			return nil, fmt.Errorf("no such program %q", t)
		}
	}
	return out, nil
}

func inGroup(p *program, group string) bool {
	if p.cfg.Group != "" {
		return p.cfg.Group == group
	}
	return p.cfg.Base == group
}

// named finds a program by name; removed programs still stopping are
// found only when nothing newer has the name.
func (s *core) named(name string) *program {
	var found *program
	for _, p := range s.progs {
		if p.cfg.Name == name && (found == nil || found.removed) {
			found = p
		}
	}
	return found
}

// byName lists the programs sorted by name, as supervisorctl shows them.
func (s *core) byName() []*program {
	ps := slices.Clone(s.progs)
	slices.SortStableFunc(ps, func(a, b *program) int { return strings.Compare(a.cfg.Name, b.cfg.Name) })
	return ps
}

// status answers `status`: supervisorctl's columns, one program a line.
func (s *core) status(c replier, targets []string, long bool, now time.Time) {
	ps := s.byName()
	if len(targets) > 0 {
		var err error
		if ps, err = s.resolve(targets); err != nil {
			c.Err(err.Error())
			return
		}
	}
	nameW, stateW := 0, 0
	for _, p := range ps {
		nameW = max(nameW, len(p.cfg.Name))
		stateW = max(stateW, len(p.state.String()))
	}
	for _, p := range ps {
		d := s.describe(p, now)
		if long && len(p.runs) > 0 {
			d += "; last run: " + p.runs[len(p.runs)-1].summary()
		}
		c.Line(fmt.Sprintf("%-*s  %-*s  %s", nameW, p.cfg.Name, stateW, p.state, d))
	}
	c.OK()
}

// describe is status's last column. A oneshot that finished well says
// "done": `tend ctl status` counts it as up.
func (s *core) describe(p *program, now time.Time) string {
	d := s.describeState(p, now)
	if p.nextRun.IsZero() {
		return d
	}
	// The next run, in the schedule's own time zone, as cron users read it.
	next := p.nextRun.In(p.settings().Schedule.Location()).Format("2006-01-02 15:04:05 MST")
	if p.state == Stopped && p.changed.IsZero() {
		return "scheduled, next run " + next // `tend ctl status` counts it as up
	}
	return d + "; next run " + next
}

func (s *core) describeState(p *program, now time.Time) string {
	since := uptime(now.Sub(p.changed))
	switch p.state {
	case Running:
		if p.cfg.Type == "oneshot" {
			return fmt.Sprintf("pid %d, running for %s", p.pid, uptime(now.Sub(p.spawned)))
		}
		return fmt.Sprintf("pid %d, uptime %s", p.pid, uptime(now.Sub(p.spawned)))
	case Starting:
		if p.pid == 0 {
			return "starting"
		}
		d := fmt.Sprintf("pid %d, up %s", p.pid, uptime(now.Sub(p.spawned)))
		if p.upAt.IsZero() {
			return d + " of startsecs " + p.cfg.StartSecs.String()
		}
		return d + ", waiting for ready check " + p.cfg.Ready.Kind
	case Stopping:
		switch {
		case p.draining:
			return fmt.Sprintf("pid %d, draining, stops in %s", p.pid, uptime(p.deadline.Sub(now)))
		case p.held:
			return fmt.Sprintf("pid %d, drained, stops after its dependents", p.pid)
		}
		return fmt.Sprintf("pid %d, stopping for %s", p.pid, since)
	case Backoff:
		return fmt.Sprintf("%s, exit status %d; next try in %s", p.reason, p.code, uptime(p.deadline.Sub(now)))
	case Exited:
		if p.cfg.Type == "oneshot" && p.ready {
			return fmt.Sprintf("done, exit status %d, %s ago", p.code, since)
		}
		d := fmt.Sprintf("exit status %d, %s ago", p.code, since)
		if p.reason != "" {
			d = p.reason + ", " + d
		}
		return d
	case Fatal:
		return p.reason
	}
	switch {
	case p.wanted && !s.depsReady(p):
		return "waiting for " + strings.Join(s.unready(p), ", ")
	case p.changed.IsZero():
		return "not started"
	}
	return "stopped " + since + " ago"
}

// unready names p's dependencies that are not ready.
func (s *core) unready(p *program) []string {
	var names []string
	for _, d := range p.deps {
		if !d.isReady() {
			names = append(names, d.cfg.Name)
		}
	}
	return names
}

// uptime formats d as supervisorctl does: H:MM:SS, with days before.
func uptime(d time.Duration) string {
	s := max(0, int64(d/time.Second))
	days, s := s/86400, s%86400
	hms := fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	switch {
	case days == 1:
		return "1 day, " + hms
	case days > 1:
		return strconv.FormatInt(days, 10) + " days, " + hms
	}
	return hms
}

// reloadPrograms answers `reload TARGET...`: each target's process is
// sent its reload_signal (nginx, gunicorn and php-fpm reload gracefully on
// SIGHUP or SIGUSR2), not restarted. Like signal, it goes to the process,
// not its group: a master reloads its workers itself.
func (s *core) reloadPrograms(c replier, targets []string) {
	ps, err := s.resolve(targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	var failed []string
	for _, p := range ps {
		switch {
		case p.cfg.ReloadSignal == 0:
			failed = append(failed, p.cfg.Name+" has no reload_signal; use restart")
		case p.pid == 0 || (p.state != Running && p.state != Starting):
			failed = append(failed, p.cfg.Name+" is not running")
		default:
			s.log.Info("reload_signal sent", "program", p.cfg.Name, "pid", p.pid, "signal", signals.Name(p.cfg.ReloadSignal))
			s.send(p, p.pid, p.cfg.ReloadSignal)
			c.Line(p.cfg.Name + ": reloaded")
		}
	}
	finish(c, failed)
}

// signalRequest answers `signal SIG TARGET...`: the signal goes to each
// target's process (its pid, as supervisorctl does). A live child of
// tend's can always be signalled, so the reply does not wait for the host;
// the host logs a failure.
func (s *core) signalRequest(c replier, r control.Request) {
	ps, err := s.resolve(r.Targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	var failed []string
	for _, p := range ps {
		if p.pid == 0 {
			failed = append(failed, p.cfg.Name+" is not running")
			continue
		}
		s.send(p, p.pid, r.Signal)
		c.Line(p.cfg.Name + ": signalled")
	}
	s.log.Info("signal sent on request", "signal", signals.Name(r.Signal), "targets", strings.Join(r.Targets, " "))
	finish(c, failed)
}

// pidRequest answers `pid [TARGET]`: tend's own pid, a program's (0 when
// it has no process), or `NAME PID` lines for several.
func (s *core) pidRequest(c replier, targets []string) {
	if len(targets) == 0 {
		c.Line(strconv.Itoa(s.self))
		c.OK()
		return
	}
	ps, err := s.resolve(targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	for _, p := range ps {
		if len(ps) == 1 {
			c.Line(strconv.Itoa(p.pid))
		} else {
			c.Line(p.cfg.Name + " " + strconv.Itoa(p.pid))
		}
	}
	c.OK()
}

// tail answers `tail TARGET [N]` from the program's ring.
func (s *core) tail(c replier, targets []string, n int, follow bool) {
	ps, err := s.resolve(targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	if len(ps) != 1 {
		c.Err(fmt.Sprintf("tail: %s names %d programs; name one", targets[0], len(ps)))
		return
	}
	p := ps[0]
	if p.ring == nil {
		c.Err(p.cfg.Name + "'s output is not captured: it goes straight to tend's own stdout and stderr")
		return
	}
	if follow {
		// The last n lines, then each new one, until the client goes: no
		// OK. The host does both at once, so none is missed between.
		s.do(effect{kind: effFollow, p: p, reply: c, lines: n})
		return
	}
	for _, line := range p.ring.Last(n) {
		if !c.Line(line) {
			return
		}
	}
	c.OK()
}

// finish ends a reply: OK, or ERR with every failure.
func finish(c replier, failed []string) {
	if len(failed) > 0 {
		c.Err(strings.Join(failed, "; "))
		return
	}
	c.OK()
}

// A waiter is a start, stop, restart or wait request in progress. It is
// checked after every event, and answered as each target gets where it
// was asked to go.
type waiter struct {
	call     replier
	cmd      string
	targets  []*target
	deadline time.Time // wait's timeout; zero for none
	timeout  time.Duration
}

// rolling reports whether w still has instances queued for a rolling
// restart.
func (w *waiter) rolling() bool {
	for _, t := range w.targets {
		if t.queued {
			return true
		}
	}
	return false
}

type target struct {
	p      *program
	gen    int  // the process generation when asked: restart wants a newer one
	seq    int  // p's transitions when asked: a FATAL after this is news
	done   bool // answered
	failed string
	queued bool // a rolling restart's later instance, not yet restarted
}

// change starts a start, stop, restart or wait request, and answers it
// at once if it is already complete.
func (s *core) change(c replier, r control.Request, now time.Time) {
	ps, err := s.resolve(r.Targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	if s.stage != running && r.Cmd != "stop" {
		c.Err("tend is shutting down")
		return
	}
	w := &waiter{call: c, cmd: r.Cmd}
	for _, p := range ps {
		w.targets = append(w.targets, &target{p: p, gen: p.gen, seq: p.seq})
	}
	switch r.Cmd {
	case "start":
		for _, p := range ps {
			s.want(p, now, map[*program]bool{})
		}
	case "stop":
		for _, p := range ps {
			p.wanted = false
			s.apply(p, evStop, now)
		}
	case "restart":
		rolling := map[string]bool{}
		for i, p := range ps {
			if p.cfg.Rolling && p.cfg.NumProcs > 1 {
				if rolling[p.cfg.Base] {
					w.targets[i].queued = true // once the one before is ready
					continue
				}
				rolling[p.cfg.Base] = true
			}
			s.restart(p, now)
		}
	case "wait":
		w.timeout = r.Timeout
		w.deadline = now.Add(r.Timeout)
	}
	if r.Cmd != "stop" {
		s.log.Info(r.Cmd+" requested", "targets", strings.Join(r.Targets, " "))
	}
	s.waiters = append(s.waiters, w)
}

// restart restarts p, or starts it once its dependencies are ready.
func (s *core) restart(p *program, now time.Time) {
	if p.removed {
		return // on its way out: reached answers "removed by a reload"
	}
	p.wanted = true
	p.started = true
	if p.state == Stopped && !s.depsReady(p) {
		p.started = false // schedule starts it once they are ready
		return
	}
	s.apply(p, evRestart, now)
}

// rollOn goes on with a rolling restart once t is done: the next instance
// of t's program that w has queued is restarted; when t failed, none is,
// so that a bad release takes down one instance, not all.
func (s *core) rollOn(w *waiter, t *target, now time.Time) {
	for _, u := range w.targets {
		if !u.queued || u.p.cfg.Base != t.p.cfg.Base {
			continue
		}
		switch {
		case t.failed != "":
			u.queued, u.done, u.failed = false, true, "not restarted: "+t.p.cfg.Name+" failed first"
			continue
		case u.p.removed:
			u.queued, u.done, u.failed = false, true, "removed by a reload"
			continue
		}
		u.queued, u.gen, u.seq = false, u.p.gen, u.p.seq
		s.log.Info("rolling restart: next instance", "program", u.p.cfg.Name, "after", t.p.cfg.Name)
		s.restart(u.p, now)
		return
	}
}

// want makes p wanted, and its dependencies with it, and starts what can
// start now; the rest is started by schedule once its dependencies are
// ready.
func (s *core) want(p *program, now time.Time, seen map[*program]bool) {
	if seen[p] || p.removed {
		return
	}
	seen[p] = true
	for _, d := range p.deps {
		if !d.isReady() {
			s.want(d, now, seen)
		}
	}
	p.wanted = true
	switch p.state {
	case Starting, Running:
		return
	case Stopping:
		s.apply(p, evRestart, now) // starts again once it is gone
		return
	}
	if p.isReady() && !p.scheduled() {
		return // a oneshot that is done; a scheduled one runs again, now
	}
	if s.depsReady(p) {
		p.started = true
		s.apply(p, evStart, now)
		return
	}
	p.started = false
	s.apply(p, evHold, now) // it waits for them, STOPPED
}

// answer checks every waiter, answering those that are complete. It runs
// after every event.
func (s *core) answer(now time.Time) {
	if len(s.waiters) == 0 {
		return
	}
	keep := s.waiters[:0]
	for _, w := range s.waiters {
		if !s.progress(w, now) {
			keep = append(keep, w)
		}
	}
	clear(s.waiters[len(keep):])
	s.waiters = keep
}

// progress answers what w can answer now; it reports whether w is done.
func (s *core) progress(w *waiter, now time.Time) bool {
	select {
	case <-w.call.Done():
		if !w.rolling() {
			return true // the client went away
		}
		// A rolling restart is finished for the client's sake too: its
		// later instances must not stay on the old release because a
		// deploy script's nc or socat went first. The lines go nowhere.
	default:
	}
	pending := 0
	for _, t := range w.targets {
		if t.done {
			continue
		}
		if t.queued {
			pending++
			continue
		}
		ok, failed := s.reached(w.cmd, t)
		switch {
		case ok:
			t.done = true
			switch w.cmd {
			case "start":
				w.call.Line(t.p.cfg.Name + ": started")
			case "stop":
				w.call.Line(t.p.cfg.Name + ": stopped")
			case "restart":
				w.call.Line(t.p.cfg.Name + ": stopped")
				w.call.Line(t.p.cfg.Name + ": started")
				s.rollOn(w, t, now)
			}
		case failed != "":
			t.done, t.failed = true, failed
			if w.cmd == "restart" {
				s.rollOn(w, t, now)
			}
		default:
			pending++
		}
	}
	expired := w.cmd == "wait" && !now.Before(w.deadline)
	if pending > 0 && !expired && (s.stage == running || w.cmd == "stop") {
		return false
	}
	var failed []string
	for _, t := range w.targets {
		switch {
		case t.failed != "":
			failed = append(failed, t.p.cfg.Name+": "+t.failed)
		case !t.done && expired:
			failed = append(failed, fmt.Sprintf("%s: not ready after %s (%s)", t.p.cfg.Name, w.timeout, t.p.state))
		case !t.done:
			failed = append(failed, t.p.cfg.Name+": tend is shutting down")
		}
	}
	finish(w.call, failed)
	return true
}

// reached reports whether t got where cmd asks, or why it will not.
func (s *core) reached(cmd string, t *target) (ok bool, failed string) {
	p := t.p
	if cmd == "stop" {
		return p.pid == 0 && p.state != Starting && p.state != Running && p.state != Stopping, ""
	}
	if p.isReady() && (cmd != "restart" || p.gen > t.gen) {
		return true, ""
	}
	fresh := p.seq > t.seq || cmd == "wait"
	switch {
	case p.state == Fatal && fresh:
		return false, "FATAL: " + p.reason
	case p.state == Exited && fresh:
		why := fmt.Sprintf("exited with status %d", p.code)
		if p.reason != "" {
			why = p.reason + " (status " + strconv.Itoa(p.code) + ")"
		}
		return false, why
	case p.state == Stopped && !p.wanted:
		return false, "stopped"
	case p.state == Stopping && !p.wanted && cmd == "wait":
		return false, "stopping" // draining, or on its way down: it will not be ready
	case p.removed:
		return false, "removed by a reload"
	}
	if d := s.deadDependency(p, map[*program]bool{}); d != nil {
		return false, fmt.Sprintf("dependency %s is %s", d.cfg.Name, d.state)
	}
	return false, ""
}

// deadDependency finds a dependency of p, direct or not, that will not
// become ready by itself.
func (s *core) deadDependency(p *program, seen map[*program]bool) *program {
	for _, d := range p.deps {
		if seen[d] || d.isReady() {
			continue
		}
		seen[d] = true
		if d.state == Fatal || d.state == Exited || (d.state == Stopped && !d.wanted) {
			return d
		}
		if dd := s.deadDependency(d, seen); dd != nil {
			return dd
		}
	}
	return nil
}

// waitersDeadline is the earliest wait timeout.
func (s *core) waitersDeadline() time.Time {
	var next time.Time
	for _, w := range s.waiters {
		if !w.deadline.IsZero() {
			next = earliest(next, w.deadline)
		}
	}
	return next
}

// event tells every events subscriber of a transition:
// `2026-11-23T10:00:00Z web RUNNING->EXITED pid 42 status 1`.
func (s *core) event(p *program, from State, now time.Time) {
	if len(s.events) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString(now.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, " %s %s->%s", p.cfg.Name, from, p.state)
	ended := p.pid == 0 && (from == Starting || from == Running || from == Stopping)
	switch {
	case p.pid != 0:
		fmt.Fprintf(&b, " pid %d", p.pid)
	case ended && p.lastPid != 0:
		fmt.Fprintf(&b, " pid %d", p.lastPid)
	}
	if ended {
		fmt.Fprintf(&b, " status %d", p.code)
		if r := p.exiting; r != nil {
			fmt.Fprintf(&b, " max_rss %dKiB cpu %s", r.maxRSS, r.cpu.Round(time.Millisecond))
		}
	}
	if p.reason != "" && (p.state == Backoff || p.state == Exited || p.state == Fatal || from == Running) {
		fmt.Fprintf(&b, " (%s)", p.reason)
	}
	line := b.String()
	keep := s.events[:0]
	for _, c := range s.events {
		if c.Line(line) {
			keep = append(keep, c)
		}
	}
	clear(s.events[len(keep):])
	s.events = keep
}

// errNoConfig is the reply to reread and reload in tini mode.
var errNoConfig = errors.New("no config file to read: tend runs without one (tini mode)")

// errShuttingDown is the reply to a reload during the shutdown.
var errShuttingDown = errors.New("tend is shutting down")
