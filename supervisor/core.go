package supervisor

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"syscall"
	"time"

	"tend/config"
	"tend/control"
	"tend/output"
	"tend/reaper"
	"tend/signals"
)

// core is the supervisor's whole state and its one transition function,
// handle. It does no I/O of its own but its log and the replies it queues
// on control calls (which never block): it starts no process, sends no
// signal, reads no clock and opens no file. What must be done it returns
// as effects, which the host carries out; what the host learns (a pid, a
// failed start, a reaped status, a loaded config) comes back as the next
// input. So every state change goes through handle, at one now, and the
// host re-arms its one timer, once per input, to next().
type core struct {
	log     *slog.Logger
	cfg     *config.Config
	tini    bool
	self    int // tend's pid: `pid` answers it, and PID 1 signals differently
	version string
	canLoad bool // a config file to reload from

	// What the command line asked of main (tini's -e, -g, and dumb-init's
	// --rewrite).
	mainSuccess  []int
	forwardGroup bool
	rewrite      map[syscall.Signal]syscall.Signal

	progs  []*program        // in start order: priority, then name
	byPid  map[int]*program  // every live process of a program
	checks map[int]*cmdCheck // command checks running, by pid
	waves  [][]*program      // start waves; shutdown walks them backwards
	main   *program

	listeners bool // some program is an eventlistener: transitions become events

	oomSeen int64 // the cgroup's OOM kill count when last read

	stage     stage
	deadline  time.Time // of the whole shutdown, then of the grace, then of SIGKILL
	termSent  bool      // leftovers were sent SIGTERM
	code      int       // tend's exit status
	codeFixed bool      // set by a required program's end; main's status does not replace it
	exited    bool      // the exit effect was given

	waiters  []*waiter // start, stop, restart and wait requests under way
	removing int       // programs a reload removed that are still known
	events   []replier // events subscribers

	effs []effect // what this input asks of the host
}

// stage is how far tend has got towards exiting.
type stage int

const (
	running  stage = iota
	stopping       // stopping programs, wave by wave
	draining       // programs gone; leftovers get SIGTERM, if any
	killing        // leftovers were sent SIGKILL
)

// replier is where a request's answer goes: a *control.Call, or a test's
// recorder. Its methods never block.
type replier interface {
	Line(s string) bool
	OK()
	Err(reason string)
	Done() <-chan struct{}
}

// The inputs of handle: what happened.
type (
	// reaped is one round of wait4: the children that ended, and whether
	// any remain.
	reaped struct {
		exits []reaper.Exit
		left  bool
		// oomKills is the cgroup's OOM kill count, read (oomRead) when an
		// exit was a SIGKILL.
		oomKills int64
		oomRead  bool
	}
	// signalled is a signal sent to tend.
	signalled struct{ sig syscall.Signal }
	// tick is the timer: some deadline may have come.
	tick struct{}
	// checked is a ready or health check's outcome, from off the loop.
	checked struct{ r result }
	// called is a request from the control socket.
	called struct {
		req   control.Request
		peer  int // the client's pid
		reply replier
		me    self // tend's own figures, read for a metrics request
	}
	// edited is watch_config's news: a config file or include directory
	// changed on disk.
	edited struct{}
	// scraped is a GET /metrics on metrics_listen: the exposition goes
	// to reply, which has room for it.
	scraped struct {
		reply chan<- []byte
		me    self
	}
	// spawned answers a spawn effect: the process runs.
	spawned struct {
		p   *program
		pid int
	}
	// spawnFailed answers a spawn effect: no process.
	spawnFailed struct {
		p    *program
		code int // 127 not found, 126 not executable, 1 otherwise
		err  error
	}
	// checkStarted answers a check effect: the command check runs.
	checkStarted struct {
		c   *cmdCheck
		pid int
	}
	// checkFailed answers a check effect: it could not be started.
	checkFailed struct {
		c   *cmdCheck
		err error
	}
	// loaded answers a load effect: the config read again, or why not.
	loaded struct {
		cfg   *config.Config
		err   error
		apply bool    // reload; else reread
		reply replier // nil for SIGHUP
	}
)

// input is one of the types above.
type input any

// effect is what the host must do, in order.
type effect struct {
	kind   effectKind
	p      *program
	pid    int            // signal: whom; a negative pid is a process group
	sig    syscall.Signal // signal, killAll
	check  *cmdCheck      // check
	apply  bool           // load: reload rather than reread
	reply  replier        // load
	target string         // probe: the address or URL; notify: the event's name
	text   string         // notify: the event's payload
	code   int            // exit
	lines  int            // follow: how many of the last lines first
}

type effectKind int

const (
	effSpawn   effectKind = iota // start p's process; answer spawned or spawnFailed
	effSignal                    // send sig to pid
	effKillAll                   // send sig to every process left
	effReap                      // reap now; answer reaped
	effWatch                     // start p's ready watch for its current process
	effUnwatch                   // end p's ready watch, freeing what it holds
	effCheck                     // run the command check; answer checkStarted or checkFailed
	effProbe                     // one tcp or http health check of p, off the loop; answer checked
	effOutput                    // (re)build p's output for p.cfg: files, prefixes
	effRetire                    // close p's output once its last process is done writing
	effLimits                    // apply p.cfg's log sizes to its open files
	effReopen                    // reopen every log file
	effLoad                      // read the config again; answer loaded
	effNotify                    // send an event to the eventlisteners that want it
	effTermLog                   // write text as the termination message (Kubernetes)
	effFollow                    // send p's new output lines to reply, until it goes
	effPrune                     // close the listen sockets no program's settings name
	effExit                      // tend exits with code
)

func newCore(cfg *config.Config, tini bool, self int, log *slog.Logger) *core {
	return &core{
		log:    log,
		cfg:    cfg,
		tini:   tini,
		self:   self,
		byPid:  make(map[int]*program),
		checks: make(map[int]*cmdCheck),
	}
}

// add makes a program known, with a fresh tail ring and, for any program
// but main, an output built by the host.
func (s *core) add(c *config.Program, isMain bool) *program {
	p := &program{cfg: c, wanted: c.Autostart && c.Schedule == nil} // a schedule starts it at its times
	s.progs = append(s.progs, p)
	if isMain {
		s.main = p
		return p
	}
	p.ring = output.NewRing()
	s.do(effect{kind: effOutput, p: p})
	return p
}

// begin is the first input: start what can start.
func (s *core) begin(now time.Time) []effect {
	if len(s.progs) == 0 {
		s.log.Warn("no programs to run")
	}
	for _, p := range s.progs {
		s.arm(p, now)
	}
	s.settle(now)
	return s.take()
}

// handle applies one input at now and returns what the host must do.
func (s *core) handle(in input, now time.Time) []effect {
	switch in := in.(type) {
	case reaped:
		oom := int64(0) // OOM kills since the last count, to attribute
		if in.oomRead {
			oom, s.oomSeen = max(0, in.oomKills-s.oomSeen), max(s.oomSeen, in.oomKills)
		}
		for _, e := range in.exits {
			s.exit(e, &oom, now)
		}
		switch {
		case s.stage < draining:
		case in.left:
			s.leftovers()
		default:
			s.finish()
		}
	case signalled:
		s.signal(in.sig, now)
	case tick:
		s.tick(now)
	case checked:
		s.result(in.r, now)
	case called:
		s.request(in, now)
	case scraped:
		in.reply <- s.metrics(now, in.me)
	case edited:
		if s.stage == running {
			s.log.Info("config changed on disk; reloading (watch_config)")
			s.do(effect{kind: effLoad, apply: true})
		}
	case spawned:
		s.spawned(in.p, in.pid, now)
	case spawnFailed:
		in.p.code, in.p.reason = in.code, in.err.Error()
		s.do(effect{kind: effUnwatch, p: in.p})
		s.apply(in.p, evSpawnFail, now) // its transition's log line gives the reason
	case checkStarted:
		if !in.c.stop {
			in.c.p.checkPid = in.pid
		}
		s.checks[in.pid] = in.c
	case checkFailed:
		if in.c.stop {
			s.stopFailed(in.c, in.err.Error())
		} else {
			s.checkFailed(in.c.p, in.c.health, in.err, now)
		}
	case loaded:
		s.loaded(in, now)
	}
	s.settle(now)
	s.answer(now)
	return s.take()
}

func (s *core) do(e effect) { s.effs = append(s.effs, e) }

func (s *core) take() []effect {
	e := s.effs
	s.effs = nil
	return e
}

// finish ends tend: the shutdown has run its course and no child is left.
func (s *core) finish() {
	if s.exited {
		return
	}
	s.exited = true
	s.log.Info("exiting", "exit_code", s.code)
	s.do(effect{kind: effExit, code: s.code})
}

// next is when the host must send the next tick: the earliest deadline of
// any program, check, waiter or the shutdown; zero for none.
func (s *core) next() time.Time {
	if s.exited {
		return time.Time{}
	}
	next := earliest(s.deadline, s.waitersDeadline())
	next = earliest(next, s.stopCommandsAt())
	for _, p := range s.progs {
		next = earliest(next, p.deadline)
		next = earliest(next, s.checkAt(p))
		next = earliest(next, p.nextRun)
	}
	return next
}

// exit handles one reaped child: a program's process, a command check, or
// an orphan that was reparented to tend.
func (s *core) exit(e reaper.Exit, oom *int64, now time.Time) {
	if p, ok := s.byPid[e.Pid]; ok {
		delete(s.byPid, e.Pid)
		p.code = e.Code()
		// SIGKILL that tend did not send, while the cgroup's OOM kill
		// count rose: the OOM killer's.
		if *oom > 0 && e.Status.Signaled() && e.Status.Signal() == syscall.SIGKILL && !p.sentKill && s.stage != killing {
			*oom--
			p.killedBy = "killed by the OOM killer"
			p.oomKills++
		}
		if p == s.main && slices.Contains(s.mainSuccess, p.code) {
			p.code = 0 // -e: a status the user calls success
		}
		s.do(effect{kind: effUnwatch, p: p})
		if p == s.main && !s.codeFixed {
			s.code = p.code // a shutdown by signal exits with main's status
		}
		r := run{start: p.spawned, end: now, pid: e.Pid, status: e.Status, code: p.code, maxRSS: e.MaxRSS, cpu: e.CPU}
		p.exiting = &r
		s.apply(p, evExit, now)
		p.exiting = nil
		r.reason = p.reason
		if p.killedBy != "" {
			r.reason = p.killedBy // a stop's end keeps no reason; history still says it
			p.killedBy = ""
		}
		p.runs = append(p.runs, r)
		if len(p.runs) > maxRuns {
			p.runs = p.runs[len(p.runs)-maxRuns:]
		}
		return
	}
	if c, ok := s.checks[e.Pid]; ok {
		delete(s.checks, e.Pid)
		s.checkDone(c, e.Code(), now)
	}
}

// spawned records p's new process.
func (s *core) spawned(p *program, pid int, now time.Time) {
	p.pid, p.lastPid, p.sentKill = pid, pid, false
	s.byPid[pid] = p
	s.log.Info("program started", "program", p.cfg.Name, "pid", pid)
	s.apply(p, evSpawned, now)
}

// apply steps p with ev and asks for what follows. The transition is acted
// on before the effects, which may step p again.
func (s *core) apply(p *program, ev event, now time.Time) {
	before := p.state
	eff := p.step(ev, now)
	if p.state != before {
		s.changed(p, before, now)
	}
	if eff&doSpawn != 0 {
		if s.stage != running || !p.wanted {
			s.apply(p, evHold, now) // no new process once shutting down
		} else {
			s.takeNext(p)
			s.do(effect{kind: effSpawn, p: p})
		}
	}
	if eff&doTerm != 0 {
		if len(p.cfg.StopCommand) > 0 && p.pid != 0 {
			s.stopCommand(p, now)
		} else {
			s.kill(p, p.stopSignal(), p.cfg.StopAsGroup)
		}
	}
	if eff&doKill != 0 {
		s.log.Warn("program did not stop in time; sending SIGKILL", "program", p.cfg.Name, "pid", p.pid)
		s.kill(p, syscall.SIGKILL, p.cfg.KillAsGroup)
	}
	if eff&doWatch != 0 {
		if p.cfg.Ready.Kind == "cmd" {
			p.checkAt = now
		} else {
			s.do(effect{kind: effWatch, p: p})
		}
	}
}

// kill signals p's process, or its process group.
func (s *core) kill(p *program, sig syscall.Signal, group bool) {
	if p.pid == 0 {
		return // a spawn under way: step signals it once it runs
	}
	target := p.pid
	if group {
		target = -p.pid // every program leads a process group of its own
	}
	s.send(p, target, sig)
}

// send signals p's process (target: its pid, or its group as -pid). Every
// signal tend sends a program goes through here, so that a SIGKILL of
// tend's own (stopwaitsecs, stopsignal = "KILL", `signal KILL`, a
// rewrite to KILL) is never taken for the OOM killer's.
func (s *core) send(p *program, target int, sig syscall.Signal) {
	if sig == syscall.SIGKILL {
		p.sentKill = true
	}
	s.do(effect{kind: effSignal, p: p, pid: target, sig: sig})
}

// changed logs a transition and acts on what it means for the others.
func (s *core) changed(p *program, from State, now time.Time) {
	s.event(p, from, now)
	if s.listeners && p.cfg.Type != "eventlistener" {
		s.notify(p, from)
	}
	attrs := []any{"program", p.cfg.Name, "from", from.String(), "to", p.state.String()}
	if r := p.exiting; r != nil {
		// What the run used, from wait4's rusage: the answer to "what
		// did it use" after an incident.
		attrs = append(attrs, "max_rss_kib", r.maxRSS, "cpu", r.cpu.Round(time.Millisecond).String(), "ran", now.Sub(r.start).Round(time.Millisecond).String())
	}
	switch p.state {
	case Exited, Backoff, Fatal:
		attrs = append(attrs, "exit_code", p.code)
		if p.reason != "" {
			attrs = append(attrs, "reason", p.reason)
		}
	}
	switch {
	case p.state == Fatal:
		s.log.Error("program failed", attrs...)
	case p == s.main && p.state == Exited:
		// main's status is tend's own, not a fault of tend's to report:
		// tini says nothing either.
		s.log.Info("program exited", attrs...)
	case p.state == Backoff || (p.state == Exited && p.reason != ""):
		s.log.Warn("program exited", attrs...)
	default:
		s.log.Info("program state", attrs...)
	}
	if p.state == Running {
		p.healthAt, p.healthFails = now.Add(p.cfg.HealthInterval), 0
	}
	if p.draining {
		s.log.Info("program draining: not ready, stopping after stop_delay", "program", p.cfg.Name, "pid", p.pid, "stop_delay", p.cfg.StopDelay.String())
	}
	if p.scheduled() && from == Running && (p.state == Exited || p.state == Backoff) {
		s.log.Info("scheduled run ended", "program", p.cfg.Name, "exit_code", p.code, "duration", now.Sub(p.spawned).Round(time.Millisecond).String())
	}
	if p.cfg.Required && s.stage == running && endedForGood(p) {
		code := p.code
		if p.state == Fatal && code < 126 {
			code = 1
		}
		s.log.Info("required program ended; shutting down", "program", p.cfg.Name, "exit_code", code)
		s.code, s.codeFixed = code, true
		s.do(effect{kind: effTermLog, text: terminationMessage(p)})
		s.shutdown(now)
	}
}

// maxTermination is the most Kubernetes reads of a termination message.
const maxTermination = 4096

// terminationMessage says which required program ended tend, why, and
// what it said last, in at most maxTermination bytes: the lines are cut
// from the oldest, so the last words are kept.
func terminationMessage(p *program) string {
	why := fmt.Sprintf("exit status %d", p.code)
	if r := p.exiting; r != nil && r.status.Signaled() {
		why = fmt.Sprintf("killed by %s (exit status %d)", signals.Name(r.status.Signal()), p.code)
	}
	if p.reason != "" {
		why += ", " + p.reason
	}
	head := fmt.Sprintf("tend: required program %s ended: %s, %s\n", p.cfg.Name, p.state, why)
	if p.ring == nil {
		return cutTo(head, maxTermination)
	}
	lines := p.ring.Last(50)
	if len(lines) == 0 {
		return cutTo(head, maxTermination)
	}
	head += "its last lines:\n"
	room := maxTermination - len(head)
	start := len(lines)
	for start > 0 && room >= len(lines[start-1])+1 {
		start--
		room -= len(lines[start]) + 1
	}
	if start == len(lines) { // the newest line alone is too long: its end
		last := lines[len(lines)-1]
		return head + last[len(last)-(room-1):] + "\n"
	}
	return cutTo(head+strings.Join(lines[start:], "\n")+"\n", maxTermination)
}

func cutTo(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
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
func (s *core) schedule(now time.Time) {
	if s.stage != running {
		return
	}
	for _, p := range s.progs {
		if p.state != Stopped || !p.wanted || p.started {
			continue
		}
		if s.depsReady(p) {
			p.started = true
			s.apply(p, evStart, now)
		}
	}
}

func (s *core) depsReady(p *program) bool {
	for _, d := range p.deps {
		if !d.isReady() {
			return false
		}
	}
	return true
}

// settle runs after every input: it starts what became startable and
// advances a shutdown, until nothing more changes.
func (s *core) settle(now time.Time) {
	for {
		n := s.countReady()
		s.schedule(now)
		s.advance(now)
		if s.countReady() == n {
			break
		}
	}
	s.forget()
}

func (s *core) countReady() int {
	n := 0
	for _, p := range s.progs {
		if p.isReady() {
			n++
		}
	}
	return n
}

// tick handles the deadlines that have come.
func (s *core) tick(now time.Time) {
	for _, p := range s.progs {
		if !p.deadline.IsZero() && !now.Before(p.deadline) {
			s.apply(p, evTimer, now)
		}
		if !p.nextRun.IsZero() && !now.Before(p.nextRun) {
			s.fire(p, now)
		}
		s.runChecks(p, now)
	}
	s.killStopCommands(now)
	if !s.deadline.IsZero() && !now.Before(s.deadline) {
		s.expire(now)
	}
}

// signal handles a signal sent to tend.
func (s *core) signal(sig syscall.Signal, now time.Time) {
	if !signals.Forwarded(sig) {
		return
	}
	if !s.tini {
		switch sig {
		case syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT:
			if s.stage == running {
				s.log.Info("shutting down", "signal", signals.Name(sig))
				s.shutdown(now)
			}
			return
		case syscall.SIGHUP:
			s.do(effect{kind: effLoad, apply: true})
			return
		case syscall.SIGUSR2:
			s.reopen()
			return
		}
	}
	if to, ok := s.rewrite[sig]; ok {
		if to == 0 {
			s.log.Debug("signal dropped (--rewrite)", "signal", signals.Name(sig))
			return
		}
		sig = to
	}
	if s.main == nil || s.main.pid == 0 {
		s.log.Info("signal ignored: no program to forward it to", "signal", signals.Name(sig))
		return
	}
	target := s.main.pid
	if s.forwardGroup {
		target = -target
	}
	s.send(s.main, target, sig)
}

// result handles a check's outcome.
func (s *core) result(r result, now time.Time) {
	if r.health {
		r.p.healthBusy = false
	}
	if r.gen != r.p.gen || r.p.pid == 0 {
		return // from an earlier process of the program: stale
	}
	switch {
	case r.health && r.ready:
		r.p.healthFails = 0
	case r.health:
		if r.p.state == Running {
			s.checkFailed(r.p, true, r.err, now)
		}
	case r.ready:
		s.apply(r.p, evReady, now)
	default:
		s.apply(r.p, evNotReady, now)
	}
}

// reopen asks for every log file to be reopened.
func (s *core) reopen() {
	s.log.Info("reopening log files")
	s.do(effect{kind: effReopen})
}

// notify tells the eventlisteners of p's transition from from, as
// supervisord's PROCESS_STATE_* events. A process that ended while
// RUNNING is EXITED first, as in supervisord, even when tend moves it on
// at once (to STARTING or BACKOFF for a restart): crashmail-style
// listeners count exits by that event. A listener is not told of its own
// transitions, nor of another listener's.
func (s *core) notify(p *program, from State) {
	if from == Running && p.pid == 0 && p.state != Exited && p.state != Stopping {
		s.do(effect{kind: effNotify, target: "PROCESS_STATE_EXITED", text: statePayload(p, from, Exited)})
		from = Exited
	}
	s.do(effect{kind: effNotify, target: "PROCESS_STATE_" + p.state.String(), text: statePayload(p, from, p.state)})
}

// statePayload is the payload of a PROCESS_STATE_* event, with the
// tokens supervisord sends for each state.
func statePayload(p *program, from, to State) string {
	group := p.cfg.Group
	if group == "" {
		group = p.cfg.Base
	}
	s := fmt.Sprintf("processname:%s groupname:%s from_state:%s", p.cfg.Name, group, from)
	switch to {
	case Starting, Backoff:
		s += fmt.Sprintf(" tries:%d", p.retries)
	case Running, Stopping, Stopped:
		s += fmt.Sprintf(" pid:%d", p.lastPid)
	case Exited:
		expected := 0
		if slices.Contains(p.cfg.ExitCodes, p.code) {
			expected = 1
		}
		s += fmt.Sprintf(" expected:%d pid:%d", expected, p.lastPid)
	}
	return s
}
