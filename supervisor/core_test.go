package supervisor

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/config"
	"tend/control"
)

const sec = time.Second

// The cross-program behaviour of the core, on a fake clock: each case
// builds programs, drives inputs, and states what the host was asked to do
// and in what order.
func TestCore(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"priorities start in order, dependents wait for ready", func(t *testing.T) {
			sm := newSim(t, false, 9*sec,
				prog("web", priority(10), dependsOn("db")),
				prog("db", priority(20)),
				prog("cache", priority(5)))
			// cache and db start at once (priority orders them, only
			// depends_on waits); web once db is RUNNING, after startsecs.
			sm.want("0s spawn cache", "0s spawn db")
			sm.lacks("0s spawn web")
			if got := sm.call("status web").String(); !strings.Contains(got, "waiting for db") {
				t.Fatalf("status web = %q, want waiting for db", got)
			}
			sm.run(sec)
			sm.want("1s spawn web")
			if s := sm.state("db"); s != Running {
				t.Fatalf("db is %s", s)
			}
		}},
		{"a oneshot gates its dependents until it exits 0", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("migrate", oneshot), prog("app", dependsOn("migrate")))
			sm.run(5 * sec)
			sm.lacks("0s spawn app")
			sm.exit("migrate", 0)
			sm.want("0s spawn migrate", "5s migrate exits 0", "5s spawn app")
		}},
		{"dependents are held while their dependency is FATAL", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("db", missing), prog("web", dependsOn("db")))
			sm.run(time.Minute)
			if s := sm.state("db"); s != Fatal {
				t.Fatalf("db is %s, want FATAL", s)
			}
			for _, l := range sm.trace {
				if strings.Contains(l, "spawn web") {
					t.Fatalf("web was started with db FATAL: %q", l)
				}
			}
			// start wants web's dependencies too: db is tried again, and
			// the answer comes once it is FATAL again.
			r := sm.call("start web")
			sm.run(time.Minute)
			if got := r.String(); got != "ERR web: dependency db is FATAL" {
				t.Fatalf("start web = %q", got)
			}
			if got := sm.call("status web").String(); !strings.Contains(got, "waiting for db") {
				t.Fatalf("status web = %q", got)
			}
		}},
		{"ordered shutdown waits for a stubborn program, then SIGKILL", func(t *testing.T) {
			sm := newSim(t, false, 9*sec,
				prog("db", priority(1)),
				prog("web", priority(2), dependsOn("db"), stopWait(2*sec)))
			sm.stubborn["web"] = true
			sm.run(2 * sec)
			sm.input(signalled{syscall.SIGTERM})
			sm.run(10 * sec)
			// web stops first (the later wave); db only once web is gone.
			sm.want("2s SIGTERM web", "4s SIGKILL web", "4s SIGTERM db", "4s exit 0")
		}},
		{"socket shutdown with a program that ignores SIGTERM: stopwaitsecs, then exit", func(t *testing.T) {
			// The bug of issue 10: the shutdown request did not re-arm the
			// timer, so SIGKILL never came and tend stayed STOPPING.
			sm := newSim(t, false, 3*sec, prog("stubborn", stopWait(sec)))
			sm.stubborn["stubborn"] = true
			sm.run(2 * sec)
			if got := sm.call("shutdown").String(); got != "OK" {
				t.Fatalf("shutdown = %q", got)
			}
			if sm.s.next().IsZero() {
				t.Fatal("no deadline after shutdown: nothing would ever stop the program")
			}
			sm.run(10 * sec)
			sm.want("2s SIGTERM stubborn", "3s SIGKILL stubborn", "3s exit 0")
		}},
		{"socket shutdown: shutdown_timeout bounds a longer stopwaitsecs", func(t *testing.T) {
			sm := newSim(t, false, 3*sec, prog("stubborn", stopWait(time.Minute)))
			sm.stubborn["stubborn"] = true
			sm.call("shutdown")
			sm.input(signalled{syscall.SIGTERM}) // a second request changes nothing
			sm.run(time.Minute)
			sm.want("0s SIGTERM stubborn", "3s SIGKILL to all", "3s exit 0")
			sm.lacks("0s SIGKILL")
		}},
		{"leftovers after the programs get SIGTERM, then SIGKILL after the grace", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web"))
			sm.stubborn["orphan"] = true
			sm.procs[999] = &program{cfg: prog("orphan")} // reparented to tend
			sm.input(signalled{syscall.SIGINT})
			sm.run(time.Minute)
			sm.want("0s SIGTERM web", "0s SIGTERM to all", "2s SIGKILL to all", "2s exit 0")
		}},
		{"reload during the shutdown changes nothing and says why", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web", stopWait(5*sec)))
			sm.stubborn["web"] = true
			sm.input(signalled{syscall.SIGTERM})
			sm.loads = []*config.Config{{File: "tend.toml", ShutdownTimeout: 9 * sec, Programs: []*config.Program{prog("web"), prog("new")}}}
			if got := sm.call("reload").String(); got != "ERR tend is shutting down" {
				t.Fatalf("reload = %q", got)
			}
			sm.run(time.Minute)
			sm.lacks("0s spawn new")
			sm.want("0s SIGTERM web", "5s SIGKILL web", "5s exit 0")
		}},
		{"SIGHUP restarts only what changed", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("keep"), prog("edit"), prog("gone"))
			sm.run(2 * sec)
			edited := prog("edit", func(c *config.Program) { c.Command = []string{"new"} })
			sm.loads = []*config.Config{{File: "tend.toml", ShutdownTimeout: 9 * sec, Programs: []*config.Program{prog("keep"), edited, prog("added")}}}
			sm.input(signalled{syscall.SIGHUP})
			sm.want("2s SIGTERM edit", "2s spawn edit")
			sm.want("2s SIGTERM gone")
			sm.want("2s spawn added")
			sm.lacks("2s SIGTERM keep")
			if p := sm.s.named("gone"); p != nil {
				t.Fatalf("gone is still known: %s", p.state)
			}
		}},
		{"a broken config on SIGHUP changes nothing", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web"))
			sm.loads = []*config.Config{nil}
			sm.input(signalled{syscall.SIGHUP})
			if got := sm.call("reload").String(); !strings.HasPrefix(got, "ERR tend.toml:1") {
				t.Fatalf("reload = %q", got)
			}
			sm.lacks("0s SIGTERM")
		}},
		{"restart and wait are answered as their targets get there", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web"), prog("slow", func(c *config.Program) { c.StartSecs = 5 * sec }))
			sm.run(sec)
			r := sm.call("restart web")
			if r.final != "" {
				t.Fatalf("restart answered before web was up again: %q", r)
			}
			w := sm.call("wait slow 2s")
			sm.run(sec)
			if got := r.String(); got != "web: stopped|web: started|OK" {
				t.Fatalf("restart = %q", got)
			}
			sm.run(sec)
			if got := w.String(); got != "ERR slow: not ready after 2s (STARTING)" {
				t.Fatalf("wait = %q", got)
			}
			if got := sm.call("stop web").String(); got != "web: stopped|OK" {
				t.Fatalf("stop = %q", got)
			}
			s := sm.call("start web")
			sm.run(sec)
			if got := s.String(); got != "web: started|OK" || sm.state("web") != Running {
				t.Fatalf("start = %q with web %s", got, sm.state("web"))
			}
		}},
		{"waiters are told when tend shuts down", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("slow", func(c *config.Program) { c.StartSecs = time.Minute }))
			w := sm.call("start slow")
			sm.input(signalled{syscall.SIGTERM})
			if got := w.String(); got != "ERR slow: tend is shutting down" {
				t.Fatalf("start = %q", got)
			}
		}},
		{"a required program's end shuts down with its status", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("app", required, func(c *config.Program) { c.Autorestart = "never" }), prog("side"))
			sm.run(2 * sec)
			sm.exit("app", 3)
			sm.run(sec)
			sm.want("2s app exits 3", "2s SIGTERM side", "2s exit 3")
		}},
		{"tini mode forwards every signal to main, rewritten, to its group", func(t *testing.T) {
			sm := newSim(t, true, 9*sec, config.MainProgram([]string{"app"}))
			sm.s.rewrite = map[syscall.Signal]syscall.Signal{syscall.SIGTERM: syscall.SIGUSR1, syscall.SIGHUP: 0}
			sm.s.forwardGroup = true
			sm.stubborn["main"] = true
			sm.input(signalled{syscall.SIGTERM})
			sm.input(signalled{syscall.SIGHUP})
			sm.input(signalled{syscall.SIGURG}) // the Go runtime's own
			sm.want("0s spawn main", "0s SIGUSR1 main")
			sm.lacks("0s SIGHUP")
			sm.lacks("0s SIGURG")
			if e := sm.s.effs; len(e) != 0 {
				t.Fatalf("effects left over: %v", e)
			}
		}},
		{"main's status is tend's, -e maps it to 0", func(t *testing.T) {
			sm := newSim(t, true, 9*sec, config.MainProgram([]string{"app"}))
			sm.s.mainSuccess = []int{143}
			sm.input(signalled{syscall.SIGTERM})
			sm.want("0s SIGTERM main", "0s exit 0")
		}},
		{"a stop asked while the spawn is under way signals the process once it runs", func(t *testing.T) {
			sm := newSim(t, false, 9*sec, prog("web"))
			p := sm.s.named("web")
			sm.run(2 * sec)
			sm.call("stop web")
			// Start it again, and stop it before the host answers the spawn.
			effs := sm.s.handle(called{req: mustParse(t, "start web"), reply: &reply{done: make(chan struct{})}}, sm.now)
			sm.s.apply(p, evStop, sm.now)
			sm.carry(append(effs, sm.s.take()...))
			sm.want("2s spawn web", "2s SIGTERM web")
			if p.state != Stopped {
				t.Fatalf("web is %s, want STOPPED", p.state)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// missing is a program whose command is not found.
func missing(c *config.Program) { c.Command = []string{"/no/such/program"} }

func mustParse(t *testing.T, line string) control.Request {
	t.Helper()
	r, err := control.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// An explicit HOME, USER or LOGNAME in a program's environment wins over
// what /etc/passwd says for its user; SUPERVISOR_* are set as supervisord
// sets them; what tend itself must say (NOTIFY_SOCKET) wins over all.
func TestProcessSpecEnvironment(t *testing.T) {
	c := prog("web", func(c *config.Program) {
		c.User, c.Group = "root", "front"
		c.Env = []string{"HOME=/home/app", "NOTIFY_SOCKET=mine"}
	})
	spec, err := processSpec(c, []string{"web"}, nil, true, []string{"NOTIFY_SOCKET=@tend"})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, kv := range spec.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, want := range map[string]string{
		"HOME": "/home/app", "USER": "root", "NOTIFY_SOCKET": "@tend",
		"SUPERVISOR_ENABLED": "1", "SUPERVISOR_PROCESS_NAME": "web", "SUPERVISOR_GROUP_NAME": "front",
	} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
	spec, _ = processSpec(c, []string{"main"}, nil, false, nil)
	for _, kv := range spec.Env {
		if strings.HasPrefix(kv, "SUPERVISOR_") {
			t.Errorf("the command-line program got %s", kv)
		}
	}
}
