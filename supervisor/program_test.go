package supervisor

import (
	"fmt"
	"testing"
	"time"

	"tend/config"
)

// base is a program with SPEC's defaults that matter here.
func base() *config.Program {
	return &config.Program{
		Name: "web", Type: "longrun", Autorestart: "unexpected", ExitCodes: []int{0},
		StartSecs: time.Second, StartRetries: 3, BackoffMax: 30 * time.Second,
		StopWait: 10 * time.Second, Ready: config.Check{Kind: "started"},
		ReadyTimeout: 60 * time.Second,
	}
}

// move is one event at a time offset, and what must follow.
type move struct {
	at    time.Duration
	ev    event
	code  int // exit status, for evExit
	state State
	eff   action
}

func TestStep(t *testing.T) {
	s := time.Second
	oneshot := func(c *config.Program) { c.Type = "oneshot" }
	cases := []struct {
		name  string
		setup func(*config.Program)
		moves []move
	}{
		{"up for startsecs is RUNNING", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s - 1, evTimer, 0, Starting, 0}, // not yet
			{s, evTimer, 0, Running, 0},
		}},
		{"startsecs 0 is RUNNING at once", func(c *config.Program) { c.StartSecs = 0 }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Running, 0},
		}},
		{"failed starts back off doubling, then FATAL", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s / 2, evExit, 1, Backoff, 0}, // retry 1 after 1s
			{s/2 + s - 1, evTimer, 0, Backoff, 0},
			{s/2 + s, evTimer, 0, Starting, doSpawn},
			{2 * s, evSpawned, 0, Starting, 0},
			{2 * s, evExit, 1, Backoff, 0}, // retry 2 after 2s
			{4 * s, evTimer, 0, Starting, doSpawn},
			{4 * s, evSpawned, 0, Starting, 0},
			{4 * s, evExit, 1, Backoff, 0}, // retry 3 after 4s
			{8 * s, evTimer, 0, Starting, doSpawn},
			{8 * s, evSpawned, 0, Starting, 0},
			{8 * s, evExit, 1, Fatal, 0}, // startretries = 3 used up
			{100 * s, evTimer, 0, Fatal, 0},
			{100 * s, evStart, 0, Starting, doSpawn}, // a request starts it afresh
		}},
		{"cannot exec: failed starts, FATAL", func(c *config.Program) { c.StartRetries = 1 }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawnFail, 127, Backoff, 0},
			{s, evTimer, 0, Starting, doSpawn},
			{s, evSpawnFail, 127, Fatal, 0},
		}},
		{"expected exit is EXITED", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{5 * s, evExit, 0, Exited, 0},
		}},
		{"unexpected exit after a short run backs off", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{5 * s, evExit, 2, Backoff, 0},
			{6 * s, evTimer, 0, Starting, doSpawn},
			{6 * s, evSpawned, 0, Starting, 0},
			{7 * s, evTimer, 0, Running, 0},
			{8 * s, evExit, 2, Backoff, 0}, // 2s now
			{9 * s, evTimer, 0, Backoff, 0},
			{10 * s, evTimer, 0, Starting, doSpawn},
		}},
		{"unexpected exit after a stable run restarts at once", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{30 * s, evExit, 2, Starting, doSpawn}, // up 30s = backoff_max since the start
		}},
		{"a run is counted from the start, not from RUNNING", func(c *config.Program) { c.BackoffMax = s }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{s + s/2, evExit, 2, Starting, doSpawn}, // 1.5s since the start >= 1s
		}},
		{"autorestart always restarts a clean exit", func(c *config.Program) { c.Autorestart = "always" }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{2 * s, evExit, 0, Backoff, 0},
		}},
		{"autorestart never leaves a crash EXITED", func(c *config.Program) { c.Autorestart = "never" }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{2 * s, evExit, 139, Exited, 0},
		}},
		{"stop: signal, SIGKILL after stopwaitsecs", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{2 * s, evStop, 0, Stopping, doTerm},
			{12*s - 1, evTimer, 0, Stopping, 0},
			{12 * s, evTimer, 0, Stopping, doKill},
			{12 * s, evExit, 137, Stopped, 0},
		}},
		{"stop during backoff", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawnFail, 1, Backoff, 0},
			{0, evStop, 0, Stopped, 0},
			{10 * s, evTimer, 0, Stopped, 0},
		}},
		{"restart: stop, then start", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{2 * s, evRestart, 0, Stopping, doTerm},
			{2 * s, evExit, 143, Starting, doSpawn},
		}},
		{"a stop cancels a pending restart", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{2 * s, evRestart, 0, Stopping, doTerm},
			{2 * s, evStop, 0, Stopping, 0},
			{2 * s, evExit, 143, Stopped, 0},
		}},
		{"ready check: STARTING until it passes", func(c *config.Program) { c.Ready.Kind = "tcp" }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, doWatch},
			{s, evTimer, 0, Starting, 0},
			{5 * s, evReady, 0, Running, 0},
		}},
		{"ready before startsecs waits for startsecs", func(c *config.Program) { c.Ready.Kind = "notify" }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, doWatch},
			{s / 2, evReady, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
		}},
		{"ready_timeout is a failed start", func(c *config.Program) { c.Ready.Kind = "tcp"; c.ReadyTimeout = 3 * s }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, doWatch},
			{s, evTimer, 0, Starting, 0},
			{3 * s, evTimer, 0, Stopping, doTerm},
			{3 * s, evExit, 143, Backoff, 0},
			{4 * s, evTimer, 0, Starting, doSpawn},
		}},
		{"fd closed before a newline is a failed start", func(c *config.Program) { c.Ready.Kind = "fd" }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, doWatch},
			{0, evNotReady, 0, Stopping, doTerm},
			{0, evExit, 143, Backoff, 0},
		}},
		{"unhealthy restarts", nil, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Starting, 0},
			{s, evTimer, 0, Running, 0},
			{60 * s, evUnhealthy, 0, Stopping, doTerm},
			{60 * s, evExit, 143, Starting, doSpawn},
		}},
		{"oneshot: RUNNING, then EXITED and ready", oneshot, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Running, 0},
			{20 * s, evExit, 0, Exited, 0},
		}},
		{"oneshot failing is retried, then FATAL", func(c *config.Program) { oneshot(c); c.StartRetries = 1 }, []move{
			{0, evStart, 0, Starting, doSpawn},
			{0, evSpawned, 0, Running, 0},
			{s, evExit, 1, Backoff, 0},
			{2 * s, evTimer, 0, Starting, doSpawn},
			{2 * s, evSpawned, 0, Running, 0},
			{3 * s, evExit, 1, Fatal, 0},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := base()
			if c.setup != nil {
				c.setup(cfg)
			}
			p := &program{cfg: cfg}
			t0 := time.Unix(1_000_000, 0)
			for i, m := range c.moves {
				if m.ev == evExit || m.ev == evSpawnFail {
					p.code = m.code
				}
				eff := p.step(m.ev, t0.Add(m.at))
				if p.state != m.state || eff != m.eff {
					t.Fatalf("move %d (%s at %v): state %v action %s, want %v %s",
						i, evName(m.ev), m.at, p.state, effName(eff), m.state, effName(m.eff))
				}
			}
		})
	}
}

func TestReadiness(t *testing.T) {
	p := &program{cfg: base()}
	t0 := time.Unix(0, 0)
	p.step(evStart, t0)
	p.step(evSpawned, t0)
	if p.isReady() {
		t.Fatal("ready while STARTING")
	}
	p.step(evTimer, t0.Add(time.Second))
	if !p.isReady() {
		t.Fatal("not ready when RUNNING")
	}
	o := &program{cfg: base()}
	o.cfg.Type = "oneshot"
	o.step(evStart, t0)
	o.step(evSpawned, t0)
	if o.isReady() {
		t.Fatal("oneshot ready while it runs")
	}
	o.code = 0
	o.step(evExit, t0.Add(time.Second))
	if !o.isReady() {
		t.Fatal("oneshot not ready after exit 0")
	}
}

func TestNextDelay(t *testing.T) {
	d := time.Duration(0)
	var got []time.Duration
	for range 7 {
		d = nextDelay(d, 30*time.Second)
		got = append(got, d)
	}
	want := "[1s 2s 4s 8s 16s 30s 30s]"
	if fmt.Sprint(got) != want {
		t.Errorf("delays %v, want %s", got, want)
	}
}

func evName(e event) string {
	return [...]string{"start", "stop", "restart", "spawned", "spawn-fail", "exit", "timer", "ready", "not-ready", "unhealthy"}[e]
}

func effName(e action) string {
	if e == 0 {
		return "none"
	}
	s := ""
	for i, n := range []string{"spawn", "term", "kill", "watch"} {
		if e&(1<<i) != 0 {
			s += n + " "
		}
	}
	return s[:len(s)-1]
}
