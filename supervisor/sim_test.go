package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"tend/config"
	"tend/control"
	"tend/reaper"
	"tend/signals"
)

// sim runs the core with no processes: a fake host on a fake clock. Its
// programs obey: a process exits as soon as it gets a signal that is not
// ignored (stubborn programs ignore all but SIGKILL), with 128+N. What the
// host was asked to do is written to trace, one line an effect, so that a
// test can state the order of what happened.
type sim struct {
	t   *testing.T
	s   *core
	t0  time.Time
	now time.Time
	log bytes.Buffer

	nextPid  int
	procs    map[int]*program // live fake processes
	stubborn map[string]bool
	// stopFails names programs whose stop_command exits 1 without
	// stopping them; any other stop_command stops its program (unless it
	// is stubborn) and exits 0.
	stopFails map[string]bool
	oom       int64 // the cgroup's OOM kill count, as the host reads it
	// slowStop names programs whose stop_command stops them but runs on
	// itself until it is killed (a command that waits for the pid).
	slowStop map[string]bool
	loads    []*config.Config // what effLoad reads next; nil: an error
	trace    []string
	exited   bool
	code     int
	queue    []input
}

func newSim(t *testing.T, tini bool, shutdown time.Duration, progs ...*config.Program) *sim {
	t.Helper()
	sm := &sim{t: t, nextPid: 100, procs: map[int]*program{}, stubborn: map[string]bool{}, stopFails: map[string]bool{}, slowStop: map[string]bool{}}
	sm.t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	sm.now = sm.t0
	cfg := &config.Config{File: "tend.toml", ShutdownTimeout: shutdown}
	for _, p := range progs {
		if p.Name != config.MainName {
			cfg.Programs = append(cfg.Programs, p)
		}
	}
	log := slog.New(slog.NewTextHandler(&sm.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sm.s = newCore(cfg, tini, 1, log)
	sm.s.canLoad = true
	for _, p := range progs {
		sm.s.add(p, p.Name == config.MainName)
	}
	sm.s.arrange()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("trace:\n%s\ntend's log:\n%s", strings.Join(sm.trace, "\n"), sm.log.String())
		}
	})
	sm.carry(sm.s.begin(sm.now))
	return sm
}

// prog is a longrun with SPEC's defaults, changed by the options.
func prog(name string, opts ...func(*config.Program)) *config.Program {
	c := base()
	c.Name, c.Base, c.Autostart, c.NumProcs, c.Priority = name, name, true, 1, 999
	c.StopSignal, c.StopAsGroup, c.KillAsGroup = syscall.SIGTERM, true, true
	c.HealthInterval, c.HealthTimeout, c.HealthRetries = 10*time.Second, 5*time.Second, 3
	for _, o := range opts {
		o(c)
	}
	return c
}

func priority(n int) func(*config.Program)        { return func(c *config.Program) { c.Priority = n } }
func dependsOn(n ...string) func(*config.Program) { return func(c *config.Program) { c.DependsOn = n } }
func stopWait(d time.Duration) func(*config.Program) {
	return func(c *config.Program) { c.StopWait = d }
}
func required(c *config.Program) { c.Required = true }
func oneshot(c *config.Program)  { c.Type = "oneshot"; c.StartSecs = 0 }

func (sm *sim) at() string { return fmt.Sprintf("%gs", sm.now.Sub(sm.t0).Seconds()) }

// carry is host.carry with fake processes.
func (sm *sim) carry(effs []effect) {
	for {
		for _, e := range effs {
			sm.do(e)
		}
		if len(sm.queue) == 0 {
			return
		}
		in := sm.queue[0]
		sm.queue = sm.queue[1:]
		effs = sm.s.handle(in, sm.now)
	}
}

func (sm *sim) do(e effect) {
	switch e.kind {
	case effSpawn:
		if len(e.p.cfg.Command) > 0 && strings.HasPrefix(e.p.cfg.Command[0], "/no/") {
			err := fmt.Errorf("exec %q: no such file or directory", e.p.cfg.Command[0])
			sm.trace = append(sm.trace, sm.at()+" spawn "+e.p.cfg.Name+" failed")
			sm.queue = append(sm.queue, spawnFailed{p: e.p, code: 127, err: err})
			return
		}
		sm.nextPid++
		sm.procs[sm.nextPid] = e.p
		sm.trace = append(sm.trace, sm.at()+" spawn "+e.p.cfg.Name)
		sm.queue = append(sm.queue, spawned{p: e.p, pid: sm.nextPid})
	case effSignal:
		pid := max(e.pid, -e.pid)
		p := sm.procs[pid]
		if p == nil {
			sm.trace = append(sm.trace, fmt.Sprintf("%s %s to a dead pid %d", sm.at(), signals.Name(e.sig), e.pid))
			return
		}
		sm.trace = append(sm.trace, fmt.Sprintf("%s %s %s", sm.at(), signals.Name(e.sig), p.cfg.Name))
		if e.sig == syscall.SIGKILL || (!sm.stubborn[p.cfg.Name] && e.sig != syscall.SIGUSR1) {
			sm.die(pid, 128+int(e.sig))
		}
	case effKillAll:
		sm.trace = append(sm.trace, sm.at()+" "+signals.Name(e.sig)+" to all")
		for pid, p := range sm.procs {
			if e.sig == syscall.SIGKILL || !sm.stubborn[p.cfg.Name] {
				sm.die(pid, 128+int(e.sig))
			}
		}
	case effCheck:
		if !e.check.stop {
			return // the cases here run no command checks
		}
		p := e.check.p
		sm.nextPid++
		pid := sm.nextPid
		sm.trace = append(sm.trace, sm.at()+" stop_command "+p.cfg.Name)
		sm.queue = append(sm.queue, checkStarted{c: e.check, pid: pid})
		code := 1
		if !sm.stopFails[p.cfg.Name] {
			code = 0
			if !sm.stubborn[p.cfg.Name] {
				sm.die(p.pid, 0)
			}
		}
		if sm.slowStop[p.cfg.Name] {
			sm.procs[pid] = &program{cfg: prog("stop_command " + p.cfg.Name)} // ends when killed
			return
		}
		sm.queue = append(sm.queue, reaped{exits: []reaper.Exit{{Pid: pid, Status: unix.WaitStatus(code << 8)}}, left: len(sm.procs) > 0})
	case effReap:
		sm.queue = append(sm.queue, reaped{left: len(sm.procs) > 0})
	case effLoad:
		var l loaded = loaded{apply: e.apply, reply: e.reply, err: errors.New("tend.toml:1: broken")}
		if len(sm.loads) > 0 {
			l.cfg, l.err = sm.loads[0], nil
			if l.cfg == nil {
				l.err = errors.New("tend.toml:1: broken")
			}
			sm.loads = sm.loads[1:]
		}
		sm.queue = append(sm.queue, l)
	case effExit:
		sm.exited, sm.code = true, e.code
		sm.trace = append(sm.trace, fmt.Sprintf("%s exit %d", sm.at(), e.code))
	}
}

// die ends a fake process with status code; the core hears of it after
// the current effects, as it would after SIGCHLD.
func (sm *sim) die(pid, code int) {
	delete(sm.procs, pid)
	var ws unix.WaitStatus
	if code > 128 {
		ws = unix.WaitStatus(code - 128) // killed by signal code-128
	} else {
		ws = unix.WaitStatus(code << 8)
	}
	sm.queue = append(sm.queue, reaped{exits: []reaper.Exit{{Pid: pid, Status: ws}}, left: len(sm.procs) > 0, oomKills: sm.oom, oomRead: true})
}

// oomKill has the OOM killer kill name's process, now.
func (sm *sim) oomKill(name string) {
	sm.t.Helper()
	sm.oom++
	sm.exit(name, 128+int(syscall.SIGKILL))
}

// exit makes name's process exit with code, now.
func (sm *sim) exit(name string, code int) {
	sm.t.Helper()
	for pid, p := range sm.procs {
		if p.cfg.Name == name {
			sm.trace = append(sm.trace, fmt.Sprintf("%s %s exits %d", sm.at(), name, code))
			sm.die(pid, code)
			sm.carry(nil)
			return
		}
	}
	sm.t.Fatalf("%s: %s has no process to exit", sm.at(), name)
}

// input hands the core one input from outside, now.
func (sm *sim) input(in input) { sm.carry(sm.s.handle(in, sm.now)) }

// run moves the clock on by d, ticking at each deadline the core asks for,
// as the host's timer would.
func (sm *sim) run(d time.Duration) {
	until := sm.now.Add(d)
	for !sm.exited {
		next := sm.s.next()
		if next.IsZero() || next.After(until) {
			break
		}
		if next.After(sm.now) {
			sm.now = next
		}
		sm.input(tick{})
	}
	if until.After(sm.now) {
		sm.now = until
	}
}

// call sends a request line as a client would, and returns its reply.
func (sm *sim) call(line string) *reply {
	sm.t.Helper()
	req, err := control.Parse(line)
	if err != nil {
		sm.t.Fatalf("%q: %v", line, err)
	}
	r := &reply{done: make(chan struct{})}
	sm.input(called{req: req, peer: 42, reply: r})
	return r
}

func (sm *sim) state(name string) State {
	sm.t.Helper()
	p := sm.s.named(name)
	if p == nil {
		sm.t.Fatalf("no program %q", name)
	}
	return p.state
}

// want checks that the trace so far holds lines, in this order, among
// others.
func (sm *sim) want(lines ...string) {
	sm.t.Helper()
	i := 0
	for _, l := range sm.trace {
		if i < len(lines) && l == lines[i] {
			i++
		}
	}
	if i < len(lines) {
		sm.t.Fatalf("trace lacks %q (in this order: %q)", lines[i], lines)
	}
}

// lacks checks that no trace line has the prefix.
func (sm *sim) lacks(prefix string) {
	sm.t.Helper()
	for _, l := range sm.trace {
		if strings.HasPrefix(l, prefix) {
			sm.t.Fatalf("trace has %q", l)
		}
	}
}

// reply records what a request was answered.
type reply struct {
	lines []string
	final string
	done  chan struct{}
}

func (r *reply) Line(s string) bool {
	if r.final != "" {
		return false
	}
	r.lines = append(r.lines, s)
	return true
}
func (r *reply) OK()                   { r.end("OK") }
func (r *reply) Err(reason string)     { r.end("ERR " + reason) }
func (r *reply) Done() <-chan struct{} { return r.done }
func (r *reply) end(s string) {
	if r.final == "" {
		r.final = s
	}
}

func (r *reply) String() string { return strings.Join(append(r.lines, r.final), "|") }
