package supervisor

import (
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/config"
	"tend/control"
	"tend/reaper"
	"tend/signals"
	"tend/spawn"
)

// DefaultGrace is how long processes left behind, once every program has
// stopped, get between SIGTERM and SIGKILL.
const DefaultGrace = 2 * time.Second

// killWait bounds the wait for processes that were sent SIGKILL: one stuck
// in uninterruptible sleep (a dead NFS server) must not keep tend alive.
const killWait = 5 * time.Second

// Options configures Run.
type Options struct {
	// Config holds the programs to run. nil is tini mode: every signal is
	// forwarded to main, which decides, as tini does; with a config,
	// SIGTERM, SIGINT and SIGQUIT shut tend down.
	Config *config.Config
	// Main is the command-line program, named main; nil means none.
	Main []string
	Log  *slog.Logger
	// Stdout and Stderr carry the programs' output to tend's own
	// descriptors; nil means new ones on os.Stdout and os.Stderr. tend's
	// own log should write to Stderr, so that nothing blocks on a stalled
	// log driver.
	Stdout, Stderr *Console
	// Calls brings the control socket's requests; nil means no socket.
	Calls <-chan *control.Call
	// Reload reads the config again, for SIGHUP, reload and reread; nil
	// means there is no config file (tini mode).
	Reload func() (*config.Config, error)
	// Version is what `version` answers.
	Version string
}

// stage is how far tend has got towards exiting.
type stage int

const (
	running  stage = iota
	stopping       // stopping programs, wave by wave
	draining       // programs gone; leftovers were sent SIGTERM
	killing        // leftovers were sent SIGKILL
)

// result is a message from a goroutine off the loop: a ready check.
type result struct {
	p      *program
	gen    int
	health bool  // a health check; else a ready check
	ready  bool  // passed; for a ready check, false means failed for good
	err    error // why it failed
}

type loop struct {
	log  *slog.Logger
	cfg  *config.Config
	tini bool
	self int

	chld    chan os.Signal // SIGCHLD only: one pending is enough, it coalesces
	sigs    chan os.Signal // every other signal
	results chan result
	quit    chan struct{} // closed when the loop ends, for the goroutines
	calls   <-chan *control.Call
	timer   *time.Timer

	progs  []*program        // in start order: priority, then name
	byPid  map[int]*program  // every live process tend started
	checks map[int]*cmdCheck // command checks running, by pid
	waves  [][]*program      // start waves; shutdown walks them backwards
	main   *program
	watch  map[*program]*watch // ready checks under way

	null           *os.File // /dev/null, the config programs' standard input
	stdout, stderr *Console
	pumps          sync.WaitGroup // output pumps still reading

	stage     stage
	deadline  time.Time // of the whole shutdown, then of SIGKILL
	code      int       // tend's exit status
	codeFixed bool      // set by a required program's end; main's status does not replace it

	reload   func() (*config.Config, error)
	version  string
	waiters  []*waiter       // start, stop, restart and wait requests under way
	removing int             // programs a reload removed that are still known
	events   []*control.Call // events subscribers
}

// Run supervises the programs and returns the status tend exits with.
func Run(o Options) int {
	cfg := o.Config
	if cfg == nil {
		cfg = config.Default(func(string) (string, bool) { return "", false })
	}
	l := &loop{
		log:     o.Log,
		cfg:     cfg,
		tini:    o.Config == nil,
		self:    os.Getpid(),
		chld:    make(chan os.Signal, 1),
		sigs:    make(chan os.Signal, 64),
		results: make(chan result, 64),
		quit:    make(chan struct{}),
		timer:   time.NewTimer(time.Hour),
		byPid:   make(map[int]*program),
		checks:  make(map[int]*cmdCheck),
		watch:   make(map[*program]*watch),
		stdout:  o.Stdout,
		stderr:  o.Stderr,
		calls:   o.Calls,
		reload:  o.Reload,
		version: o.Version,
	}
	if l.stdout == nil {
		l.stdout = NewConsole(os.Stdout)
	}
	if l.stderr == nil {
		l.stderr = NewConsole(os.Stderr)
	}
	l.stdout.OnDropped(func(n int64) { l.log.Warn("tend's stdout stalled; output dropped", "dropped", n) })
	l.stderr.OnDropped(func(n int64) { l.log.Warn("tend's stderr stalled; output dropped", "dropped", n) })
	defer l.finish()
	l.timer.Stop()
	defer close(l.quit)
	// Handlers go in before any program starts, so that neither an exit
	// nor a signal can slip by.
	signal.Notify(l.chld, unix.SIGCHLD)
	var caught []os.Signal
	for _, s := range signals.Catchable() {
		if s != unix.SIGCHLD {
			caught = append(caught, s)
		}
	}
	signal.Notify(l.sigs, caught...)
	defer signal.Stop(l.sigs)
	defer signal.Stop(l.chld)

	if l.self != 1 {
		if err := reaper.SetSubreaper(); err != nil {
			l.log.Warn("cannot become a subreaper; orphans will not be reaped by tend", "err", err)
		}
	}

	progs := slices.Clone(cfg.Programs)
	if o.Main != nil {
		progs = append(progs, mainProgram(o.Main))
	}
	for _, c := range progs {
		p := &program{cfg: c, wanted: c.Autostart}
		l.progs = append(l.progs, p)
		if c.Name == mainName && o.Main != nil {
			l.main = p
		} else {
			p.out = newOutput(c, l.stdout, l.stderr, l.log)
		}
	}
	l.arrange()

	now := time.Now()
	if len(l.progs) == 0 {
		l.log.Warn("no programs to run")
	}
	l.schedule(now)
	l.settle(now)
	return l.run()
}

// finishWait bounds how long tend, about to exit, waits for the last
// output to be carried and written: a log driver that has stopped reading
// must not keep tend from exiting.
const finishWait = 2 * time.Second

// finish waits for the pumps to carry the programs' last output, writes
// out what the consoles hold, and closes the log files.
func (l *loop) finish() {
	done := make(chan struct{})
	go func() {
		l.pumps.Wait()
		l.stdout.Flush()
		l.stderr.Flush()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(finishWait):
	}
	for _, p := range l.progs {
		if p.out != nil {
			p.out.close()
		}
	}
}

// mainName is the command-line program's name.
const mainName = "main"

// mainProgram is the command-line program: required, never restarted,
// up as soon as it runs, its output passed through.
func mainProgram(argv []string) *config.Program {
	return &config.Program{
		Name: mainName, Base: mainName, Command: argv, Type: "longrun",
		Umask: -1, Autostart: true, Autorestart: "never", ExitCodes: []int{0},
		StartSecs: 0, StartRetries: 0, BackoffMax: time.Second,
		StopSignal: syscall.SIGTERM, StopWait: 10 * time.Second,
		StopAsGroup: true, KillAsGroup: true, Priority: 1000, NumProcs: 1,
		Required: true, Ready: config.Check{Kind: "started"},
	}
}

func (l *loop) run() int {
	for {
		if l.done() {
			l.log.Info("exiting", "exit_code", l.code)
			return l.code
		}
		select {
		case <-l.chld:
			l.reap(time.Now())
		case s := <-l.sigs:
			l.signal(s.(syscall.Signal), time.Now())
		case r := <-l.results:
			l.result(r, time.Now())
		case <-l.timer.C:
			l.tick(time.Now())
		case c := <-l.calls:
			l.request(c, time.Now())
		}
		l.answer(time.Now())
	}
}

// done reports whether tend may exit: the shutdown has run its course and
// no child is left.
func (l *loop) done() bool {
	if l.stage < draining {
		return false
	}
	if l.stage == killing && !time.Now().Before(l.deadline) {
		l.log.Error("processes survived SIGKILL; exiting without them")
		return true
	}
	return !reaper.Reap(l.exit)
}

// reap collects every exited child.
func (l *loop) reap(now time.Time) {
	reaper.Reap(l.exit)
	l.settle(now)
}

// exit handles one reaped child: a program's process, a command check, or
// an orphan that was reparented to tend.
func (l *loop) exit(e reaper.Exit) {
	now := time.Now()
	if p, ok := l.byPid[e.Pid]; ok {
		delete(l.byPid, e.Pid)
		p.code = e.Code()
		l.stopWatch(p)
		if p == l.main && !l.codeFixed {
			l.code = p.code // a shutdown by signal exits with main's status
		}
		l.apply(p, evExit, now)
		return
	}
	if c, ok := l.checks[e.Pid]; ok {
		delete(l.checks, e.Pid)
		l.checkDone(c, e.Code(), now)
	}
}

// apply steps p with ev and carries out what follows. The transition is
// acted on before the effects, which may step p again.
func (l *loop) apply(p *program, ev event, now time.Time) {
	before := p.state
	eff := p.step(ev, now)
	if p.state != before {
		l.changed(p, before, now)
	}
	if eff&doSpawn != 0 {
		if l.stage != running || !p.wanted {
			from := p.state
			p.set(Stopped, now) // no new process once shutting down
			l.changed(p, from, now)
		} else {
			l.spawn(p, now)
		}
	}
	if eff&doTerm != 0 {
		l.kill(p, p.stopSignal(), p.cfg.StopAsGroup)
	}
	if eff&doKill != 0 {
		l.log.Warn("program did not stop in time; sending SIGKILL", "program", p.cfg.Name, "pid", p.pid)
		l.kill(p, unix.SIGKILL, p.cfg.KillAsGroup)
	}
	if eff&doWatch != 0 {
		l.startWatch(p, now)
	}
}

// spawn starts p's process and steps it with the outcome.
func (l *loop) spawn(p *program, now time.Time) {
	l.takeNext(p)
	pid, err := l.start(p)
	if err != nil {
		p.code = 1
		var se *spawn.Error
		if errors.As(err, &se) {
			p.code = se.ExitCode()
		}
		p.reason = err.Error()
		l.stopWatch(p)
		l.apply(p, evSpawnFail, now) // its transition's log line gives the reason
		return
	}
	p.pid, p.lastPid = pid, pid
	l.byPid[pid] = p
	l.log.Info("program started", "program", p.cfg.Name, "pid", pid)
	l.apply(p, evSpawned, now)
}

// kill signals p's process, or its process group.
func (l *loop) kill(p *program, s syscall.Signal, group bool) {
	if p.pid == 0 {
		return
	}
	target := p.pid
	if group {
		target = -p.pid // every program leads a process group of its own
	}
	if err := unix.Kill(target, s); err != nil && !errors.Is(err, unix.ESRCH) {
		l.log.Warn("cannot signal program", "program", p.cfg.Name, "pid", p.pid, "signal", signals.Name(s), "err", err)
	}
}

// changed logs a transition and acts on what it means for the others.
func (l *loop) changed(p *program, from State, now time.Time) {
	l.event(p, from, now)
	attrs := []any{"program", p.cfg.Name, "from", from.String(), "to", p.state.String()}
	switch p.state {
	case Exited, Backoff, Fatal:
		attrs = append(attrs, "exit_code", p.code)
		if p.reason != "" {
			attrs = append(attrs, "reason", p.reason)
		}
	}
	switch {
	case p.state == Fatal:
		l.log.Error("program failed", attrs...)
	case p == l.main && p.state == Exited:
		// main's status is tend's own, not a fault of tend's to report:
		// tini says nothing either.
		l.log.Info("program exited", attrs...)
	case p.state == Backoff || (p.state == Exited && p.reason != ""):
		l.log.Warn("program exited", attrs...)
	default:
		l.log.Info("program state", attrs...)
	}
	if p.state == Running {
		p.healthAt, p.healthFails = now.Add(p.cfg.HealthInterval), 0
	}
	if p.cfg.Required && l.stage == running && endedForGood(p) {
		code := p.code
		if p.state == Fatal && code < 126 {
			code = 1
		}
		l.log.Info("required program ended; shutting down", "program", p.cfg.Name, "exit_code", code)
		l.code, l.codeFixed = code, true
		l.shutdown(now)
	}
}

// endedForGood reports whether p will not run again by itself.
func endedForGood(p *program) bool {
	switch p.state {
	case Fatal:
		return true
	case Exited:
		return !(p.cfg.Type == "oneshot" && p.ready)
	}
	return false
}

// schedule starts every wanted program whose dependencies are ready, lower
// priorities first. Priority orders the starts; only depends_on waits.
func (l *loop) schedule(now time.Time) {
	if l.stage != running {
		return
	}
	for _, p := range l.progs {
		if p.state != Stopped || !p.wanted || p.started {
			continue
		}
		if l.depsReady(p) {
			p.started = true
			l.apply(p, evStart, now)
		}
	}
}

func (l *loop) depsReady(p *program) bool {
	for _, d := range p.deps {
		if !d.isReady() {
			return false
		}
	}
	return true
}

// settle runs after every event: it starts what became startable,
// advances a shutdown, and sets the timer to the earliest deadline.
func (l *loop) settle(now time.Time) {
	for {
		n := l.countReady()
		l.schedule(now)
		l.advance(now)
		if l.countReady() == n {
			break
		}
	}
	l.forget()
	next := earliest(l.deadline, l.waitersDeadline())
	for _, p := range l.progs {
		next = earliest(next, p.deadline)
		next = earliest(next, l.checkAt(p))
	}
	if next.IsZero() {
		l.timer.Stop()
		return
	}
	l.timer.Reset(max(0, next.Sub(now)))
}

func (l *loop) countReady() int {
	n := 0
	for _, p := range l.progs {
		if p.isReady() {
			n++
		}
	}
	return n
}

// tick handles the deadlines that have come.
func (l *loop) tick(now time.Time) {
	for _, p := range l.progs {
		if !p.deadline.IsZero() && !now.Before(p.deadline) {
			l.apply(p, evTimer, now)
		}
		l.runChecks(p, now)
	}
	if !l.deadline.IsZero() && !now.Before(l.deadline) {
		l.expire(now)
	}
	l.settle(now)
}

// signal handles a signal sent to tend.
func (l *loop) signal(s syscall.Signal, now time.Time) {
	if !signals.Forwarded(s) {
		return
	}
	if !l.tini {
		switch s {
		case unix.SIGTERM, unix.SIGINT, unix.SIGQUIT:
			if l.stage == running {
				l.log.Info("shutting down", "signal", signals.Name(s))
				l.shutdown(now)
				l.settle(now)
			}
			return
		case unix.SIGHUP:
			l.reloadConfig(true, now) // its outcome is logged
			l.settle(now)
			return
		case unix.SIGUSR2:
			l.reopen()
			return
		}
	}
	if l.main == nil || l.main.pid == 0 {
		l.log.Debug("signal ignored: no program to forward it to", "signal", signals.Name(s))
		return
	}
	if err := unix.Kill(l.main.pid, s); err != nil {
		l.log.Warn("cannot forward signal", "program", mainName, "pid", l.main.pid, "signal", signals.Name(s), "err", err)
	}
}

// result handles a ready check's outcome.
func (l *loop) result(r result, now time.Time) {
	if r.health {
		r.p.healthBusy = false
	}
	if r.gen != r.p.gen || r.p.pid == 0 {
		return // from an earlier process of the program: stale
	}
	if r.health {
		if r.ready {
			r.p.healthFails = 0
		} else if r.p.state == Running {
			l.checkFailed(r.p, true, r.err, now)
		}
	} else if r.ready {
		l.apply(r.p, evReady, now)
	} else {
		l.apply(r.p, evNotReady, now)
	}
	l.settle(now)
}
