package supervisor

import (
	"strings"
	"testing"
	"time"

	"tend/config"
	"tend/schedule"
)

func every(spec string, opts ...func(*config.Program)) func(*config.Program) {
	return func(c *config.Program) {
		c.Type, c.StartSecs = "oneshot", 0
		s, err := schedule.Parse(spec)
		if err != nil {
			panic(err)
		}
		c.Schedule = s
		for _, o := range opts {
			o(c)
		}
	}
}

// Scheduled programs on the fake clock: the one timer brings each run,
// forbid skips a run while the last goes, replace stops it first, a clock
// jump runs the latest only (and starting_deadline skips it when late),
// start runs it now, and status says when it runs next.
func TestSchedule(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"runs at its times, not at start", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("@every 10s")))
			sm.lacks("0s spawn")
			if got := sm.call("status job").String(); !strings.Contains(got, "STOPPED  scheduled, next run 2026-12-02 10:00:10 UTC") {
				t.Fatalf("status = %q", got)
			}
			sm.run(10 * sec)
			sm.want("10s spawn job")
			sm.run(2 * sec)
			sm.exit("job", 0)
			if got := sm.call("status job").String(); !strings.Contains(got, "EXITED  done, exit status 0") || !strings.Contains(got, "next run 2026-12-02 10:00:20 UTC") {
				t.Fatalf("status = %q", got)
			}
			sm.run(8 * sec)
			sm.want("10s spawn job", "12s job exits 0", "20s spawn job")
		}},
		{"forbid skips a run while the last one goes", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("@every 10s")))
			sm.run(25 * sec)
			sm.want("10s spawn job")
			sm.lacks("20s spawn")
			if !strings.Contains(sm.log.String(), `msg="scheduled run skipped" program=job due=2026-12-02T10:00:20Z reason="the previous run is still going"`) {
				t.Fatalf("no skip logged:\n%s", sm.log.String())
			}
		}},
		{"replace stops the last run first", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("@every 10s", func(c *config.Program) { c.Concurrency = schedule.Replace })))
			sm.run(20 * sec)
			sm.want("10s spawn job", "20s SIGTERM job", "20s spawn job")
		}},
		{"a clock jump runs the latest run once, never a burst", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("* * * * *")))
			sm.now = sm.now.Add(time.Hour + 30*sec) // a pause: 60 runs came; the last runs, 59 are missed
			sm.input(tick{})
			n := 0
			for _, l := range sm.trace {
				if strings.HasSuffix(l, "spawn job") {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d runs after the jump, want 1", n)
			}
			if !strings.Contains(sm.log.String(), "missed=59") {
				t.Fatalf("missed runs not logged:\n%s", sm.log.String())
			}
		}},
		{"starting_deadline skips a run that comes too late", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("* * * * *", func(c *config.Program) { c.StartingDeadline = 5 * sec })))
			sm.now = sm.now.Add(time.Minute + 30*sec)
			sm.input(tick{})
			sm.lacks("90s spawn")
			if !strings.Contains(sm.log.String(), "missed its starting deadline") {
				t.Fatalf("no skip logged:\n%s", sm.log.String())
			}
			sm.run(30 * sec) // the next one, on time
			sm.want("120s spawn job")
		}},
		{"start runs it now, and a done job again", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("@hourly")))
			r := sm.call("start job")
			sm.exit("job", 0)
			if r.String() != "job: started|OK" {
				t.Fatalf("start = %q", r)
			}
			sm.call("start job")
			sm.want("0s spawn job", "0s job exits 0", "0s spawn job")
		}},
		{"a reload that changes only the schedule applies in place", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("job", every("@every 10s")), prog("web"))
			sm.run(5 * sec)
			sm.loads = []*config.Config{{File: "tend.toml", ShutdownTimeout: 9 * sec,
				Programs: []*config.Program{prog("job", every("@every 1m")), prog("web")}}}
			r := sm.call("reload")
			if r.String() != "updated: job|OK" {
				t.Fatalf("reload = %q", r)
			}
			sm.run(50 * sec)
			sm.lacks("10s spawn job")
			sm.run(15 * sec)
			sm.want("65s spawn job")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
