package supervisor

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"tend/probe"
	"tend/spawn"
)

// watch is one process's ready check under way, and what it holds open.
type watch struct {
	cancel context.CancelFunc
	ctx    context.Context
	notify *probe.Notify
	fdRead *os.File   // fd:N: tend's end of the pipe
	child  []*os.File // descriptors handed to the child, closed after the fork
}

// cmdCheck is a ready or health command running.
type cmdCheck struct {
	p        *program
	gen      int
	health   bool
	deadline time.Time
}

// startWatch starts the goroutine of p's ready check, for this process.
func (l *loop) startWatch(p *program, now time.Time) {
	w := l.watch[p]
	if w == nil {
		return
	}
	gen := p.gen
	c := p.cfg.Ready
	switch c.Kind {
	case "notify":
		go w.notify.Run(func(m probe.Message) {
			if m.Ready {
				l.send(result{p: p, gen: gen, ready: true})
			}
		})
	case "fd":
		go func() {
			err := probe.WatchFD(w.ctx, w.fdRead)
			if w.ctx.Err() == nil {
				l.send(result{p: p, gen: gen, ready: err == nil, err: err})
			}
		}()
	case "tcp", "http":
		go l.poll(w.ctx, p, gen, c.Kind, c.Addr+c.URL, p.cfg.ReadyInterval)
	case "cmd":
		p.checkAt = now
	}
}

// poll tries a tcp or http check every interval until it passes or ctx
// ends.
func (l *loop) poll(ctx context.Context, p *program, gen int, kind, target string, every time.Duration) {
	for {
		tctx, cancel := context.WithTimeout(ctx, every)
		err := probeOnce(tctx, kind, target)
		cancel()
		if err == nil {
			l.send(result{p: p, gen: gen, ready: true})
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func probeOnce(ctx context.Context, kind, target string) error {
	if kind == "tcp" {
		return probe.TCP(ctx, target)
	}
	return probe.HTTP(ctx, target)
}

// send hands a result to the loop, unless the loop has ended.
func (l *loop) send(r result) {
	select {
	case l.results <- r:
	case <-l.quit:
	}
}

// stopWatch ends p's ready check and frees what it holds.
func (l *loop) stopWatch(p *program) {
	w := l.watch[p]
	if w == nil {
		return
	}
	delete(l.watch, p)
	w.cancel()
	if w.notify != nil {
		w.notify.Close()
	}
	if w.fdRead != nil {
		w.fdRead.Close()
	}
	for _, f := range w.child {
		f.Close()
	}
}

// checkAt is when p next needs the loop for a check: a command check to
// start or to time out, or a health check.
func (l *loop) checkAt(p *program) time.Time {
	var t time.Time
	if p.state == Starting && p.cfg.Ready.Kind == "cmd" && p.checkPid == 0 {
		t = p.checkAt
	}
	if p.state == Running && p.cfg.Health.Kind != "" && p.checkPid == 0 && !p.healthBusy {
		t = earliest(t, p.healthAt)
	}
	if p.checkPid != 0 {
		t = earliest(t, l.checks[p.checkPid].deadline)
	}
	return t
}

// runChecks starts the checks that are due for p and ends overdue ones.
func (l *loop) runChecks(p *program, now time.Time) {
	if p.checkPid != 0 {
		if c := l.checks[p.checkPid]; c != nil && !now.Before(c.deadline) {
			l.signalQuietly(-p.checkPid, unix.SIGKILL)
			c.deadline = now.Add(time.Hour) // reaped soon; counted as failed then
		}
		return
	}
	switch {
	case p.state == Starting && p.cfg.Ready.Kind == "cmd" && !p.checkAt.IsZero() && !now.Before(p.checkAt):
		p.checkAt = now.Add(p.cfg.ReadyInterval)
		l.startCmd(p, p.cfg.Ready.Argv, false, now.Add(p.cfg.ReadyInterval))
	case p.state == Running && p.cfg.Health.Kind != "" && !p.healthBusy && !p.healthAt.IsZero() && !now.Before(p.healthAt):
		p.healthAt = now.Add(p.cfg.HealthInterval)
		if p.cfg.Health.Kind == "cmd" {
			l.startCmd(p, p.cfg.Health.Argv, true, now.Add(p.cfg.HealthTimeout))
			return
		}
		p.healthBusy = true
		gen, kind, target, timeout := p.gen, p.cfg.Health.Kind, p.cfg.Health.Addr+p.cfg.Health.URL, p.cfg.HealthTimeout
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			err := probeOnce(ctx, kind, target)
			cancel()
			l.send(result{p: p, gen: gen, health: true, ready: err == nil, err: err})
		}()
	}
}

// startCmd runs a command check as p's user, in its directory and
// environment, with its output to tend's.
func (l *loop) startCmd(p *program, argv []string, health bool, deadline time.Time) {
	c := p.cfg
	spec := spawn.Spec{Argv: argv, Dir: c.Directory, Files: []uintptr{l.devNull(), 1, 2}, Umask: c.Umask, Setsid: true}
	var extra []string
	if c.User != "" {
		cred, userEnv, err := credential(c.User)
		if err != nil {
			l.checkFailed(p, health, err, time.Now())
			return
		}
		spec.Credential, extra = cred, userEnv
	}
	spec.Env = environ(c, extra...)
	pid, err := spawn.Start(spec)
	if err != nil {
		l.checkFailed(p, health, err, time.Now())
		return
	}
	p.checkPid = pid
	l.checks[pid] = &cmdCheck{p: p, gen: p.gen, health: health, deadline: deadline}
}

// checkDone handles a command check's exit.
func (l *loop) checkDone(c *cmdCheck, code int, now time.Time) {
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
		l.checkFailed(p, true, fmt.Errorf("%q exited with status %d", c.p.cfg.Health.Argv[0], code), now)
		return
	}
	if code == 0 {
		l.apply(p, evReady, now)
	}
}

// checkFailed counts a failed health check (a failed ready check is only
// tried again: ready_timeout decides).
func (l *loop) checkFailed(p *program, health bool, err error, now time.Time) {
	if !health {
		l.log.Debug("ready check failed", "program", p.cfg.Name, "err", err)
		return
	}
	p.healthFails++
	l.log.Warn("health check failed", "program", p.cfg.Name, "pid", p.pid, "attempt", p.healthFails, "err", err)
	if p.healthFails >= p.cfg.HealthRetries {
		p.healthFails = 0
		l.log.Warn("program unhealthy; restarting", "program", p.cfg.Name, "pid", p.pid, "err", err)
		l.apply(p, evUnhealthy, now)
	}
}
