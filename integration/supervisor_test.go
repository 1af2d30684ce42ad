package integration

// Issue 3: tend as a supervisor (`tend -c tend.toml`), run as PID 1.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var pid1 = mode{"pid1", true}

// writeConfig writes a config file and returns its path.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tend.toml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// svcCmd is the TOML array that runs the svc helper.
func svcCmd(args ...string) string {
	q := []string{fmt.Sprintf("%q", selfBin), `"helper"`, `"svc"`}
	for _, a := range args {
		q = append(q, fmt.Sprintf("%q", a))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// freePort returns a loopback address no one listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// supervise runs tend -c with the config as PID 1.
func supervise(t *testing.T, body string, extra ...string) *proc {
	t.Helper()
	need(t, canUnshare())
	return startTendFull(t, pid1, nil, true, append([]string{"--log-level", "info", "-c", writeConfig(t, body)}, extra...)...)
}

// superviseSocket is supervise with a control socket of the test's own,
// named in [tend]: body goes on in that table (more [tend] keys), then the
// programs. It returns tend and the socket's path.
func superviseSocket(t *testing.T, body string, extra ...string) (*proc, string) {
	t.Helper()
	sock := filepath.Join(socketDir(t), "tend.sock")
	return supervise(t, fmt.Sprintf("[tend]\nsocket = %q\n", sock)+body, extra...), sock
}

// stop sends tend SIGTERM and waits for it to exit, as a test's end.
func (p *proc) stop() {
	p.t.Helper()
	p.signal(15)
	p.wait(20 * time.Second)
}

// waitLog waits for a line of tend's log that holds every one of parts.
func (p *proc) waitLog(limit time.Duration, parts ...string) string {
	p.t.Helper()
	return p.waitLogN(limit, 1, parts...)
}

// waitLogN waits until n of tend's log lines contain every part and
// returns the nth.
func (p *proc) waitLogN(limit time.Duration, n int, parts ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		seen := 0
		for _, l := range strings.Split(p.stderr.String(), "\n") {
			if containsAll(l, parts) {
				if seen++; seen == n {
					return l
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("no %d log lines with %q within %v", n, parts, limit)
	return ""
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// order reads stdout lines until every line in want has been seen, and
// fails if they came in another order. Other lines are passed over.
func (p *proc) order(want ...string) {
	p.t.Helper()
	for _, w := range want {
		got := p.waitLine(strings.Fields(w)[0] + " ")
		if !strings.HasPrefix(got, w) {
			p.t.Fatalf("got %q where %q was due: the order was broken (want %q)", got, w, want)
		}
	}
}

// Dependencies start only once ready, by every kind of ready check, and a
// shutdown stops dependents first, wave by wave.
func TestOrderAndReadiness(t *testing.T) {
	api, web := freePort(t), freePort(t)
	p := supervise(t, fmt.Sprintf(`
[program.db]
command = %s
ready = "notify"
[program.cache]
command = %s
ready = "fd:3"
[program.api]
command = %s
ready = "tcp:%s"
depends_on = ["db", "cache"]
[program.migrate]
type = "oneshot"
command = %s
depends_on = ["api"]
[program.web]
command = %s
ready = "http://%s/healthz"
depends_on = ["migrate"]
[program.worker]
command = %s
ready = [%q, "helper", "exit", "0"]
ready_interval = "100ms"
depends_on = ["web"]
[program.last]
command = %s
startsecs = 0
depends_on = ["worker"]
`,
		svcCmd("db", "-delay", "400ms", "-notify"),
		svcCmd("cache", "-delay", "600ms", "-fd", "3"),
		svcCmd("api", "-delay", "300ms", "-tcp", api), api,
		svcCmd("migrate", "-delay", "300ms", "-exit", "0"),
		svcCmd("web", "-delay", "300ms", "-tcp", web), web,
		svcCmd("worker", "-delay", "200ms"), selfBin,
		svcCmd("last")))
	p.order("db ready", "cache ready", "api ready", "migrate ready", "web ready", "worker ready", "last ready")
	p.waitLog(10*time.Second, "program=last", "to=RUNNING")
	p.signal(syscall.SIGTERM)
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d, want 0", got)
	}
	// The waves stop in reverse: each is asked to stop only once the one
	// after it has stopped. Read from tend's log, whose order is the
	// loop's: the programs' own "stopping" lines reach tend's stdout
	// through a pump each, in no set order between programs.
	log := p.stderr.String()
	at := func(name, to string) int {
		i := strings.Index(log, "program="+name+" from="+map[string]string{"STOPPING": "RUNNING", "STOPPED": "STOPPING"}[to]+" to="+to)
		if i < 0 {
			t.Fatalf("no %s to %s in tend's log", name, to)
		}
		return i
	}
	waves := [][]string{{"last"}, {"worker"}, {"web"}, {"api"}, {"db", "cache"}}
	for i := 1; i < len(waves); i++ {
		for _, before := range waves[i-1] {
			for _, after := range waves[i] {
				if at(before, "STOPPED") > at(after, "STOPPING") {
					t.Errorf("%s was asked to stop before %s had stopped", after, before)
				}
			}
		}
	}
}

// A program that keeps failing to start backs off and goes FATAL after
// startretries; the others keep running, and so does tend.
func TestCrashLoopGoesFatal(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.crash]
command = %s
startretries = 2
[program.steady]
command = %s
[program.missing]
command = "/no/such/program --flag"
startretries = 0
`, svcCmd("crash", "-exit", "1"), svcCmd("steady")))
	p.waitLog(10*time.Second, "program=missing", "to=FATAL", `reason="exec \"/no/such/program\": no such file or directory"`)
	start := time.Now()
	p.waitLog(20*time.Second, "program=crash", "to=FATAL")
	// The backoffs are 1s then 2s, counted from crash's exits; start is
	// taken a little after crash's first start, so allow a little less
	// (seen in CI: 2.9998s). No backoff at all would take milliseconds.
	if d := time.Since(start); d < 2800*time.Millisecond {
		t.Errorf("FATAL after %v: the retries did not back off 1s then 2s", d)
	}
	if n := strings.Count(p.stderr.String(), `msg="program state" program=crash from=STOPPED to=STARTING`) +
		strings.Count(p.stderr.String(), `program=crash from=BACKOFF to=STARTING`); n != 3 {
		t.Errorf("%d starts, want 3 (one and startretries=2 more)", n)
	}
	p.waitLog(5*time.Second, "program=steady", "to=RUNNING")
	p.signal(syscall.SIGTERM)
	p.waitLine("steady stopping")
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d, want 0", got)
	}
}

// A required program's end shuts everything down, and its status is tend's.
func TestRequiredEndsTend(t *testing.T) {
	cases := []struct {
		name, command string
		want          int
	}{
		{"exit 7", svcCmd("req", "-delay", "300ms", "-exit", "7") + "\nstartsecs = 0", 7},
		// Exiting before startsecs is a failed start: FATAL, status 1.
		{"fatal", svcCmd("req", "-exit", "7") + "\nstartsecs = 5 # not reached", 1},
		{"not found", `["no-such-program-anywhere"]` + "\nstartsecs = 0", 127},
		{"not executable", `["/etc/passwd"]` + "\nstartsecs = 0", 126},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := supervise(t, fmt.Sprintf(`
[program.steady]
command = %s
ready = "fd:3"
[program.req]
required = true
startretries = 0
autorestart = "never"
depends_on = ["steady"]
command = %s
`, svcCmd("steady", "-fd", "3"), c.command))
			p.waitLine("steady stopping")
			if got := p.wait(20 * time.Second); got != c.want {
				t.Errorf("exit status %d, want %d", got, c.want)
			}
		})
	}
}

// A program that ignores its stop signal gets SIGKILL after stopwaitsecs.
func TestStopWaitThenKill(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.stubborn]
command = %s
stopwaitsecs = 1
`, svcCmd("stubborn", "-ignore-term")))
	p.waitLine("stubborn ready")
	p.waitLog(10*time.Second, "program=stubborn", "to=RUNNING")
	p.signal(syscall.SIGTERM)
	p.waitLog(10*time.Second, "did not stop in time; sending SIGKILL", "program=stubborn")
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d, want 0", got)
	}
}

// shutdown_timeout bounds the whole shutdown, whatever stopwaitsecs says.
func TestShutdownTimeout(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[tend]
shutdown_timeout = "1s"
[program.stubborn]
command = %s
stopwaitsecs = 60
`, svcCmd("stubborn", "-ignore-term")))
	p.waitLog(10*time.Second, "program=stubborn", "to=RUNNING")
	p.signal(syscall.SIGTERM)
	p.waitLog(10*time.Second, "shutdown_timeout passed")
	if got := p.wait(10 * time.Second); got != 0 {
		t.Errorf("exit status %d, want 0", got)
	}
}

// After health_retries failed health checks in a row the program restarts.
func TestHealthRestarts(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.sick]
command = %s
startsecs = 0
health = "tcp:%s"
health_interval = "200ms"
health_timeout = "200ms"
health_retries = 2
`, svcCmd("sick"), freePort(t)))
	first := readyPid(t, p.waitLine("sick ready"))
	p.waitLog(10*time.Second, "program unhealthy; restarting", "program=sick")
	second := readyPid(t, p.waitLine("sick ready"))
	if first == second {
		t.Errorf("same pid %d after the restart", first)
	}
}

// user, directory, umask, environment and clear_env reach the program.
func TestProcessSettings(t *testing.T) {
	// uid 1234 must reach the directory and the helper binary: the test's
	// own temporary directories are private to root.
	dir, err := os.MkdirTemp("", "tend-settings-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "helper")
	data, err := os.ReadFile(selfBin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	p := supervise(t, fmt.Sprintf(`
[program.who]
command = [%q, "helper", "svc", "who", "-ids"]
user = "1234:5678"
directory = %q
umask = "027"
environment = { SVC_VAR = "x-${TEND_TEST_VAR}-$$" }
[program.bare]
command = [%q, "helper", "svc", "bare", "-ids"]
user = "nobody"
clear_env = true
environment = { SVC_VAR = "only" }
`, bin, dir, bin))
	got := map[string]string{}
	for got["who"] == "" || got["bare"] == "" {
		l := p.waitLine("")
		if f := strings.Fields(l); len(f) > 1 && f[1] == "ids" {
			got[f[0]] = l
		}
	}
	want := fmt.Sprintf(`who ids uid=1234 gid=5678 groups=[] umask=027 cwd=%s var="x-from-tend-$" path=true`, dir)
	if got["who"] != want {
		t.Errorf("got  %s\nwant %s", got["who"], want)
	}
	// By name: uid and gid from /etc/passwd; clear_env leaves only the
	// table and what tend sets for the user (HOME, USER, LOGNAME).
	if !strings.HasPrefix(got["bare"], "bare ids uid=65534 gid=65534 ") || !strings.HasSuffix(got["bare"], `var="only" path=false`) {
		t.Errorf("got %q", got["bare"])
	}
}

// numprocs runs N instances named NAME-0 .. NAME-N-1 with ${PROCESS_NUM}.
func TestNumprocs(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.web]
command = %s
numprocs = 3
startsecs = 0
`, svcCmd("web-${PROCESS_NUM}")))
	seen := map[string]bool{}
	for range 3 {
		seen[strings.Fields(p.waitLine("web-"))[0]] = true
	}
	if !seen["web-0"] || !seen["web-1"] || !seen["web-2"] {
		t.Errorf("instances %v", seen)
	}
	p.waitLog(10*time.Second, "program=web-2", "to=RUNNING")
}

func init() { os.Setenv("TEND_TEST_VAR", "from-tend") }

// With a config and a command-line program, main's status is tend's, and
// the config's programs are stopped when it ends.
func TestConfigAndMain(t *testing.T) {
	// main ends once side is up (with its SIGTERM handler in place).
	up := filepath.Join(t.TempDir(), "side-up")
	p := supervise(t, fmt.Sprintf(`
[program.side]
command = %s
startsecs = 0
`, svcCmd("side", "-touch", up)), "--", "sh", "-c", `until [ -e "$0" ]; do sleep 0.01; done; exit 3`, up)
	p.waitLine("side stopping")
	if got := p.wait(20 * time.Second); got != 3 {
		t.Errorf("exit status %d, want main's 3", got)
	}
}

// In supervisor mode signals other than TERM, INT, QUIT, HUP and USR2 go to
// main; SIGHUP does not end tend.
func TestSupervisorSignals(t *testing.T) {
	p := supervise(t, "", append([]string{"--"}, helperArgs("signals")...)...)
	p.ready()
	p.signal(syscall.SIGHUP)
	p.signal(syscall.SIGUSR1)
	if got := p.nextLine(); got != "got SIGUSR1" {
		t.Fatalf("main printed %q, want got SIGUSR1 (SIGHUP is tend's)", got)
	}
	p.signal(syscall.SIGTERM) // tend's shutdown stops main with SIGTERM
	if got := p.nextLine(); got != "got SIGTERM" {
		t.Fatalf("main printed %q", got)
	}
	if got := p.wait(20 * time.Second); got != 3 {
		t.Errorf("exit status %d, want main's 3", got)
	}
}

// tend check lists every error and exits 1; a config that does not load
// keeps tend from starting, with exit 2.
func TestCheck(t *testing.T) {
	bad := writeConfig(t, `
[program.web]
command = "/app/web"
stopsignal = "TERMINATE"
colour = "blue"
`)
	out, err := exec.Command(tendBin, "check", "-c", bad).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("tend check: %v, want exit 1", err)
	}
	for _, w := range []string{bad + `:4: program.web.stopsignal: unknown signal "TERMINATE"`, bad + ":5: program.web.colour: unknown key"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("tend check does not say %q:\n%s", w, out)
		}
	}
	out, err = exec.Command(tendBin, "-c", bad).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("tend -c bad: %v, want exit 2\n%s", err, out)
	}
	good := writeConfig(t, "[program.web]\ncommand = \"/app/web\"\n")
	if out, err := exec.Command(tendBin, "check", "-c", good).CombinedOutput(); err != nil {
		t.Errorf("tend check good: %v\n%s", err, out)
	}
}

// Lower priority starts first; the shutdown stops the highest first and
// waits for each wave before the next.
func TestPriorityOrder(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.p30]
command = %s
priority = 30
startsecs = 0
[program.p10]
command = %s
priority = 10
startsecs = 0
[program.p20]
command = %s
priority = 20
startsecs = 0
`, svcCmd("p30", "-fd", "3"), svcCmd("p10", "-fd", "3"), svcCmd("p20", "-fd", "3")))
	p.waitLog(10*time.Second, "program=p30", "to=RUNNING")
	var started []string
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(l, `msg="program started"`) {
			started = append(started, strings.Fields(l[strings.Index(l, "program="):])[0])
		}
	}
	if got := strings.Join(started, " "); got != "program=p10 program=p20 program=p30" {
		t.Errorf("start order %q", got)
	}
	for range 3 { // the three ready lines, in whatever order they came
		p.waitLine("p")
	}
	p.signal(syscall.SIGTERM)
	p.order("p30 stopping", "p20 stopping", "p10 stopping")
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d", got)
	}
}

// stopasgroup: the stop signal of a restart reaches what the program
// started too, not only the program.
func TestStopAsGroup(t *testing.T) {
	p := supervise(t, fmt.Sprintf(`
[program.grp]
command = %s
startsecs = 0
health = "tcp:%s"
health_interval = "300ms"
health_retries = 1
`, svcCmd("grp", "-child"), freePort(t)))
	p.waitLine("grp ready")
	p.waitLog(10*time.Second, "program unhealthy; restarting", "program=grp")
	p.waitLine("grp-child stopping")
}

// The example in the README runs as it is: db, migrate, web come up in
// order, flaky goes FATAL, and SIGINT stops everything.
func TestExampleConfig(t *testing.T) {
	out, err := exec.Command(tendBin, "check", "-c", "../examples/tend.toml").CombinedOutput()
	if err != nil {
		t.Fatalf("tend check examples/tend.toml: %v\n%s", err, out)
	}
	p := startTendFull(t, mode{"subreaper", false}, nil, true, "-c", "../examples/tend.toml")
	p.order("db: starting", "db: listening", "migrate: applying", "migrate: done", "web: serving")
	p.waitLog(20*time.Second, "program=flaky", "to=FATAL")
	p.signal(syscall.SIGINT)
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d", got)
	}
}
