package supervisor

import (
	"slices"
	"syscall"
	"time"

	"tend/config"
	"tend/rotate"
)

// State is a program's state, with supervisorctl's names and meanings.
type State int

// The states. A oneshot is RUNNING while it runs and EXITED once done.
const (
	Stopped  State = iota // not running, and not meant to be
	Starting              // up for less than startsecs, or not yet ready
	Running               // up for startsecs and ready
	Backoff               // waiting to start again after a failed start or an exit
	Stopping              // asked to stop, not yet gone
	Exited                // ended with no restart due
	Fatal                 // could not be started after startretries tries
)

var stateNames = [...]string{"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL"}

func (s State) String() string { return stateNames[s] }

// event is what happens to a program.
type event int

const (
	evStart     event = iota // start it (autostart, a dependency became ready, a request)
	evStop                   // stop it, with no restart
	evRestart                // stop it if it runs, then start it
	evSpawned                // the process started (pid set by the loop)
	evSpawnFail              // the process could not be started
	evExit                   // the process ended (status set by the loop)
	evTimer                  // the program's deadline came
	evReady                  // its ready check passed
	evNotReady               // its ready check failed for good (fd closed)
	evUnhealthy              // health_retries health checks failed in a row
	evHold                   // not to run now: STOPPED until started (a dependency is not ready, a start was refused)
)

// action is what the core must do for a program after a step.
type action int

const (
	doSpawn action = 1 << iota // start the process; answer evSpawned or evSpawnFail
	doTerm                     // send stopsignal (to the group if stopasgroup)
	doKill                     // send SIGKILL (to the group if killasgroup)
	doWatch                    // start the ready check for the current generation
)

// after is what a stop leads to once the process is gone.
type after int

const (
	thenStop    after = iota // STOPPED
	thenRestart              // start again at once
	thenFail                 // count a failed start (ready_timeout)
)

// program is one program's run-time state. Only the loop touches it; step
// is its whole transition logic and does no I/O.
type program struct {
	cfg *config.Program

	state    State
	pid      int
	gen      int       // spawns so far; ready and health results carry it
	spawned  time.Time // when the current process started
	upAt     time.Time // when it had been up startsecs; zero before
	ready    bool      // its ready check passed (this generation)
	retries  int       // failed starts in a row
	delay    time.Duration
	deadline time.Time // zero: none
	killed   bool      // SIGKILL sent while stopping
	then     after
	// A stop with stop_delay drains first: STOPPING, not ready, with no
	// signal sent until the delay is over. In a shutdown the drained
	// program then waits for its wave (held), so stop_delay does not
	// undo the order of the waves.
	draining bool
	held     bool
	ordered  bool // shutting down: a drained program is held for its wave

	seq     int // transitions so far: a request asks whether one came after it
	lastPid int // the pid of the latest process, kept after it ends
	code    int // last exit status (128+N for signal N)
	// killedBy is who killed the process that just ended, when tend can
	// tell ("killed by the OOM killer"); set before evExit, cleared after.
	killedBy string
	oomKills int    // its processes the OOM killer killed, in all
	sentKill bool   // tend sent the current process SIGKILL (a stop, a request)
	reason   string // why it is EXITED, BACKOFF or FATAL, for status
	changed  time.Time

	// The loop's own bookkeeping; step does not use these.
	wanted      bool            // to be started (autostart, or asked to); false once stopped on request
	started     bool            // the loop has started it once since it was wanted
	deps        []*program      // depends_on
	checkAt     time.Time       // next ready command check
	checkPid    int             // a command check running, 0 if none
	healthAt    time.Time       // next health check
	healthFails int             // health checks failed in a row
	healthBusy  bool            // a tcp or http health check is under way
	ring        *rotate.Ring    // its recent output, for tail; nil for main, which keeps tend's descriptors
	next        *config.Program // settings from a reload, taken at the next start
	removed     bool            // gone from the config: stopping, then forgotten
	nextRun     time.Time       // a scheduled program's next run; zero for none
	runs        []run           // the last runs, oldest first, at most maxRuns
	exiting     *run            // the run whose end is being handled, for its log line
}

// needsCheck reports whether readiness needs more than being up.
func (p *program) needsCheck() bool {
	return p.cfg.Ready.Kind != "" && p.cfg.Ready.Kind != "started"
}

// isReady reports whether dependents may start: RUNNING, or a oneshot
// that exited with an expected status.
func (p *program) isReady() bool {
	if p.cfg.Type == "oneshot" {
		return p.state == Exited && p.ready
	}
	return p.state == Running
}

// step applies ev at now and returns what the loop must do.
func (p *program) step(ev event, now time.Time) action {
	switch ev {
	case evStart:
		switch p.state {
		case Stopped, Exited, Fatal, Backoff:
			p.retries, p.delay = 0, 0
			return p.spawn(now)
		}
	case evStop:
		switch p.state {
		case Starting, Running:
			if p.cfg.StopDelay > 0 && p.pid != 0 {
				p.drain(now)
				return 0
			}
			return p.stop(now, thenStop)
		case Backoff:
			p.set(Stopped, now)
			p.deadline = time.Time{}
		case Stopping:
			p.then = thenStop // a stop cancels a pending restart
			if p.held {       // its wave has come
				return p.signal(now)
			}
		}
	case evRestart:
		switch p.state {
		case Starting, Running:
			return p.stop(now, thenRestart)
		case Stopping:
			p.then = thenRestart
			if p.draining || p.held { // a restart does not drain
				return p.signal(now)
			}
		default:
			p.retries, p.delay = 0, 0
			return p.spawn(now)
		}
	case evSpawned:
		p.gen++
		p.spawned, p.upAt, p.ready, p.killed = now, time.Time{}, false, false
		if p.state == Stopping {
			// Asked to stop while its spawn was under way: the stop signal
			// could not be sent before there was a pid.
			return p.signal(now)
		}
		if p.cfg.Type == "oneshot" {
			p.set(Running, now)
			p.deadline = time.Time{}
			return 0
		}
		p.deadline = now.Add(p.cfg.StartSecs)
		var eff action
		if p.needsCheck() {
			eff = doWatch
		}
		return eff | p.progress(now)
	case evSpawnFail:
		p.pid = 0
		if p.state == Stopping {
			return p.exited(now) // as a stop would have ended
		}
		return p.failedStart(now)
	case evExit:
		return p.exited(now)
	case evTimer:
		if p.deadline.IsZero() || now.Before(p.deadline) {
			return 0
		}
		p.deadline = time.Time{}
		switch p.state {
		case Starting:
			return p.progress(now)
		case Backoff:
			return p.spawn(now)
		case Stopping:
			if p.draining {
				p.draining = false
				if p.ordered {
					p.held = true // the shutdown's waves signal it
					return 0
				}
				return p.signal(now)
			}
			if !p.killed {
				p.killed = true
				return doKill
			}
		}
	case evReady:
		if p.state == Starting {
			p.ready = true
			return p.progress(now)
		}
	case evNotReady:
		if p.state == Starting {
			p.reason = "ready check failed"
			return p.stop(now, thenFail)
		}
	case evUnhealthy:
		if p.state == Running {
			p.reason = "health check failed"
			return p.stop(now, thenRestart)
		}
	case evHold:
		switch p.state {
		case Backoff, Exited, Fatal:
			p.set(Stopped, now)
			p.deadline = time.Time{}
		case Starting:
			if p.pid == 0 { // its spawn was refused
				p.set(Stopped, now)
				p.deadline = time.Time{}
			}
		}
	}
	return 0
}

func (p *program) set(s State, now time.Time) {
	p.state, p.changed = s, now
	p.seq++
}

// spawn asks the loop to start the process.
func (p *program) spawn(now time.Time) action {
	p.set(Starting, now)
	p.deadline, p.then = time.Time{}, thenStop
	return doSpawn
}

// progress moves a STARTING program on: RUNNING once it has been up for
// startsecs and is ready; a failed start once ready_timeout has passed.
func (p *program) progress(now time.Time) action {
	if p.upAt.IsZero() && !now.Before(p.spawned.Add(p.cfg.StartSecs)) {
		p.upAt = now
	}
	if !p.upAt.IsZero() && (p.ready || !p.needsCheck()) {
		p.set(Running, now)
		p.retries, p.deadline, p.reason = 0, time.Time{}, ""
		return 0
	}
	if p.needsCheck() {
		limit := p.spawned.Add(p.cfg.ReadyTimeout)
		if !now.Before(limit) {
			p.reason = "not ready within ready_timeout"
			return p.stop(now, thenFail)
		}
		p.deadline = limit
	}
	if p.upAt.IsZero() {
		p.deadline = earliest(p.deadline, p.spawned.Add(p.cfg.StartSecs))
	}
	return 0
}

// stop sends the stop signal; SIGKILL follows after stopwaitsecs.
func (p *program) stop(now time.Time, then after) action {
	p.set(Stopping, now)
	p.then = then
	return p.signal(now)
}

// signal asks a STOPPING program's process to stop (stopsignal, or
// stop_command), with SIGKILL due after stopwaitsecs.
func (p *program) signal(now time.Time) action {
	p.draining, p.held, p.killed = false, false, false
	p.deadline = now.Add(p.cfg.StopWait)
	return doTerm
}

// drain begins a stop with stop_delay: STOPPING, so that it is not ready
// (status fails, wait fails, a probe of `tend ctl status` fails) while
// the process goes on serving for the delay.
func (p *program) drain(now time.Time) {
	p.set(Stopping, now)
	p.then, p.draining, p.killed = thenStop, true, false
	p.deadline = now.Add(p.cfg.StopDelay)
}

// exited handles the end of the process.
func (p *program) exited(now time.Time) action {
	p.pid = 0
	p.draining, p.held = false, false
	switch p.state {
	case Starting:
		p.reason = p.exitReason("exited too quickly")
		return p.failedStart(now)
	case Stopping:
		p.deadline = time.Time{}
		switch p.then {
		case thenRestart:
			p.retries, p.delay = 0, 0
			return p.spawn(now)
		case thenFail:
			return p.failedStart(now)
		}
		p.set(Stopped, now)
		return 0
	case Running:
	default:
		return 0
	}
	expected := slices.Contains(p.cfg.ExitCodes, p.code)
	if p.cfg.Type == "oneshot" {
		if expected {
			p.ready = true
			p.set(Exited, now)
			return 0
		}
		if p.cfg.Autorestart == "never" {
			p.reason = p.exitReason("exited with an unexpected status")
			p.set(Exited, now)
			return 0
		}
		p.reason = p.exitReason("exited with an unexpected status")
		return p.failedStart(now)
	}
	restart := p.cfg.Autorestart == "always" || (p.cfg.Autorestart == "unexpected" && !expected)
	if !restart {
		if !expected {
			p.reason = p.exitReason("exited with an unexpected status")
		}
		p.set(Exited, now)
		return 0
	}
	// A run as long as backoff_max was stable: restart at once and forget
	// the delay. A shorter one is a crash loop: wait, doubling each time.
	if now.Sub(p.spawned) >= p.cfg.BackoffMax { // counted from the start, as README says
		p.delay = 0
		return p.spawn(now)
	}
	p.delay = nextDelay(p.delay, p.cfg.BackoffMax)
	p.reason = p.exitReason("restarting after an exit")
	p.set(Backoff, now)
	p.deadline = now.Add(p.delay)
	return 0
}

// exitReason is why the process ended, for status, events and history:
// what the kernel said, when tend knows (the OOM killer), else what the
// exit means to the restart policy.
func (p *program) exitReason(policy string) string {
	if p.killedBy != "" {
		return p.killedBy
	}
	return policy
}

// failedStart counts a failed start: BACKOFF with a doubling delay, or
// FATAL after startretries retries.
func (p *program) failedStart(now time.Time) action {
	p.retries++
	if p.retries > p.cfg.StartRetries {
		p.set(Fatal, now)
		p.deadline = time.Time{}
		return 0
	}
	p.delay = nextDelay(p.delay, p.cfg.BackoffMax)
	p.set(Backoff, now)
	p.deadline = now.Add(p.delay)
	return 0
}

// nextDelay doubles d from 1s, up to max.
func nextDelay(d, max time.Duration) time.Duration {
	if d <= 0 {
		d = time.Second
	} else {
		d *= 2
	}
	return min(d, max)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// stopSignal is the signal that asks the program to stop.
func (p *program) stopSignal() syscall.Signal {
	if p.cfg.StopSignal == 0 {
		return syscall.SIGTERM
	}
	return p.cfg.StopSignal
}
