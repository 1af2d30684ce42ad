package supervisor

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/config"
)

func stopDelay(d time.Duration) func(*config.Program) {
	return func(c *config.Program) { c.StopDelay = d }
}

func stopCommand(argv ...string) func(*config.Program) {
	return func(c *config.Program) { c.StopCommand = argv }
}

// instance is instance n of a numprocs group of 3 named web, restarted
// one at a time.
func instance(n int) *config.Program {
	return prog("web-"+string(rune('0'+n)), func(c *config.Program) {
		c.Base, c.Group, c.NumProcs, c.ProcessNum, c.Rolling = "web", "web", 3, n, true
	})
}

// Issue 13: how programs stop and restart without losing work, on the
// fake clock.
func TestStopAndRestart(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"stop_delay: not ready for the delay, then the stop signal", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopDelay(5*sec)))
			sm.run(2 * sec)
			r := sm.call("stop web")
			if got := sm.call("status web").String(); !strings.Contains(got, "STOPPING  pid 101, draining, stops in 0:00:05") {
				t.Fatalf("status while draining = %q", got)
			}
			if got := sm.call("wait web 30s").String(); got != "ERR web: stopping" {
				t.Fatalf("wait while draining = %q, want it to fail at once", got)
			}
			sm.run(4 * sec)
			sm.lacks("2s SIGTERM")
			sm.lacks("6s SIGTERM")
			sm.run(sec)
			sm.want("7s SIGTERM web")
			if got := r.String(); got != "web: stopped|OK" {
				t.Fatalf("stop = %q", got)
			}
		}},
		{"stop_delay: a restart does not drain", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopDelay(5*sec)))
			sm.run(2 * sec)
			sm.call("restart web")
			sm.want("2s SIGTERM web", "2s spawn web")
		}},
		{"shutdown: every stop_delay drains at once, then the waves in order", func(t *testing.T) {
			sm := newSim(t, false, 20*sec,
				prog("db", priority(1), stopDelay(3*sec)),
				prog("web", priority(2), dependsOn("db"), stopDelay(5*sec)),
				prog("worker", priority(3), dependsOn("web")))
			sm.run(4 * sec)
			sm.input(signalled{syscall.SIGTERM})
			sm.run(3*sec + 500*time.Millisecond)
			if got := sm.call("status db").String(); !strings.Contains(got, "drained, stops after its dependents") {
				t.Fatalf("status db after its delay = %q", got)
			}
			if got := sm.call("status worker").String(); !strings.Contains(got, "RUNNING") {
				t.Fatalf("status worker during the drains = %q: the waves come after them", got)
			}
			sm.run(10 * sec)
			sm.want("9s SIGTERM worker", "9s SIGTERM web", "9s SIGTERM db", "9s exit 0")
			sm.lacks("4s SIGTERM")
		}},
		{"shutdown: shutdown_timeout bounds the drain", func(t *testing.T) {
			sm := newSim(t, false, 3*sec, prog("web", stopDelay(time.Minute)))
			sm.input(signalled{syscall.SIGTERM})
			sm.run(time.Minute)
			sm.want("3s SIGKILL to all", "3s exit 0")
		}},
		{"stop_command replaces the stop signal", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopCommand("nginx", "-s", "quit")))
			sm.run(2 * sec)
			if got := sm.call("stop web").String(); got != "web: stopped|OK" {
				t.Fatalf("stop = %q", got)
			}
			sm.want("2s stop_command web")
			sm.lacks("2s SIGTERM web")
		}},
		{"stop_command that fails: the stop signal after all", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopCommand("false")))
			sm.stopFails["web"] = true
			sm.call("stop web")
			sm.want("0s stop_command web", "0s SIGTERM web")
			if !strings.Contains(sm.log.String(), `msg="stop_command failed; sending stopsignal" program=web pid=101 err="\"false\" exited with status 1"`) {
				t.Fatalf("log:\n%s", sm.log.String())
			}
		}},
		{"stop_command: stopwaitsecs then SIGKILL still apply", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopCommand("nginx", "-s", "quit"), stopWait(2*sec)))
			sm.stubborn["web"] = true
			sm.call("stop web")
			sm.run(5 * sec)
			sm.want("0s stop_command web", "2s SIGKILL web")
			sm.lacks("0s SIGTERM")
		}},
		{"reload NAME sends reload_signal and keeps the process", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", func(c *config.Program) { c.ReloadSignal = syscall.SIGUSR1 }), prog("db"))
			sm.run(2 * sec)
			pid := sm.s.named("web").pid
			if got := sm.call("reload web").String(); got != "web: reloaded|OK" {
				t.Fatalf("reload web = %q", got)
			}
			sm.want("2s SIGUSR1 web")
			if got := sm.call("reload db").String(); got != "ERR db has no reload_signal; use restart" {
				t.Fatalf("reload db = %q", got)
			}
			if p := sm.s.named("web"); p.pid != pid || p.state != Running {
				t.Fatalf("web is %s pid %d, want pid %d still RUNNING", p.state, p.pid, pid)
			}
		}},
		{"rolling restart: one instance at a time, each once the one before is ready", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, instance(0), instance(1), instance(2))
			sm.run(2 * sec)
			r := sm.call("restart web:*")
			sm.run(10 * sec)
			sm.want("2s SIGTERM web-0", "2s spawn web-0", "3s SIGTERM web-1", "3s spawn web-1", "4s SIGTERM web-2", "4s spawn web-2")
			sm.lacks("2s SIGTERM web-1")
			if got := r.String(); got != "web-0: stopped|web-0: started|web-1: stopped|web-1: started|web-2: stopped|web-2: started|OK" {
				t.Fatalf("restart = %q", got)
			}
		}},
		{"rolling restart stops at an instance that fails", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, instance(0), instance(1), instance(2))
			sm.run(2 * sec)
			bad := sm.s.named("web-0").cfg
			bad.Command, bad.StartRetries = []string{"/no/such/web"}, 0
			r := sm.call("restart web:*")
			sm.run(10 * sec)
			sm.lacks("2s SIGTERM web-1")
			sm.lacks("3s SIGTERM web-1")
			if got := r.String(); !strings.HasPrefix(got, "ERR web-0: FATAL") || !strings.Contains(got, "web-1: not restarted: web-0 failed first; web-2: not restarted: web-0 failed first") {
				t.Fatalf("restart = %q", got)
			}
		}},
		// Found in review: each of these broke before its fix.
		{"a rolling restart goes on when its client goes", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, instance(0), instance(1), instance(2))
			sm.run(2 * sec)
			r := sm.call("restart web:*")
			close(r.done) // the deploy script's socat is gone
			sm.run(10 * sec)
			sm.want("2s SIGTERM web-0", "3s SIGTERM web-1", "4s SIGTERM web-2")
		}},
		{"a rolling restart does not start an instance a reload removed", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, instance(0), instance(1), instance(2))
			sm.run(2 * sec)
			r := sm.call("restart web:*")
			sm.loads = []*config.Config{{File: "tend.toml", ShutdownTimeout: 9 * sec, Programs: []*config.Program{instance(0)}}}
			sm.call("reload")
			sm.run(10 * sec)
			sm.lacks("3s spawn web-1")
			sm.lacks("3s spawn web-2")
			if got := r.String(); !strings.Contains(got, "web-1: removed by a reload") {
				t.Fatalf("restart = %q", got)
			}
			for pid, p := range sm.procs {
				if p.cfg.Name != "web-0" {
					t.Fatalf("pid %d of %s runs after the reload removed it", pid, p.cfg.Name)
				}
			}
		}},
		{"a stop_command still running for the last process does not block the next stop", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopCommand("stop-and-wait"), stopWait(10*sec)))
			sm.slowStop["web"] = true
			sm.run(2 * sec)
			sm.call("restart web") // its stop command lingers
			sm.run(2 * sec)
			if got := sm.call("stop web").String(); got != "web: stopped|OK" {
				t.Fatalf("stop = %q", got)
			}
			sm.want("2s stop_command web", "2s spawn web", "4s stop_command web")
			sm.run(20 * sec)
			sm.want("12s SIGKILL stop_command web", "14s SIGKILL stop_command web") // each at its own stopwaitsecs
			sm.lacks("14s SIGKILL web")
		}},
		{"stopsignal KILL is tend's SIGKILL, never the OOM killer's", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", func(c *config.Program) { c.StopSignal = syscall.SIGKILL }))
			sm.run(2 * sec)
			sm.oom++ // a child of web's, say
			sm.call("stop web")
			if got := sm.call("history web").String(); strings.Contains(got, "OOM") {
				t.Fatalf("history web = %q", got)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.run)
	}
}

// Issue 14: a SIGKILL that tend did not send, while the cgroup's OOM kill
// count rose, is the OOM killer's; one tend sent is not.
func TestOOMAttribution(t *testing.T) {
	sm := newSim(t, false, 9*sec, prog("hog"), prog("web", stopWait(sec)))
	sm.run(2 * sec)
	sm.oomKill("hog")
	if got := sm.call("status hog").String(); !strings.Contains(got, "BACKOFF  killed by the OOM killer, exit status 137") {
		t.Fatalf("status hog = %q", got)
	}
	if !strings.Contains(sm.log.String(), `program=hog from=RUNNING to=BACKOFF`) || !strings.Contains(sm.log.String(), `reason="killed by the OOM killer"`) {
		t.Fatalf("log:\n%s", sm.log.String())
	}
	if got := sm.call("history hog").String(); !strings.Contains(got, "(killed by the OOM killer)") {
		t.Fatalf("history hog = %q", got)
	}
	if got := sm.call("status -l hog").String(); !strings.Contains(got, "; last run: signal SIGKILL max_rss 0KiB cpu 0s (killed by the OOM killer)") {
		t.Fatalf("status -l hog = %q", got)
	}
	// A kill of tend's own after stopwaitsecs is no OOM kill, even though
	// the count rose meanwhile (a child of web's, say).
	sm.stubborn["web"] = true
	sm.oom++
	sm.call("stop web")
	sm.run(2 * sec)
	sm.want("3s SIGKILL web")
	if got := sm.call("history web").String(); strings.Contains(got, "OOM") || !strings.Contains(got, "signal SIGKILL") {
		t.Fatalf("history web = %q, want its SIGKILL, not the OOM killer", got)
	}
	if n := sm.s.named("hog").oomKills + sm.s.named("web").oomKills; n != 1 {
		t.Fatalf("%d OOM kills counted, want 1", n)
	}
	// The counters a scrape reads, kept as the events happened.
	got := sm.call("metrics").String()
	for _, want := range []string{
		"# TYPE tend_program_oom_kills_total counter",
		`tend_program_oom_kills_total{program="hog"} 1|`,
		`tend_program_oom_kills_total{program="web"} 0|`,
		`tend_program_state{program="web",state="STOPPED"} 1|`,
		`tend_program_last_exit_status{program="hog"} 137|`,
		`tend_program_restarts_total{program="hog"} 1|`, // started again after its BACKOFF
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %q:\n%s", want, strings.ReplaceAll(got, "|", "\n"))
		}
	}
}
