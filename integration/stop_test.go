package integration

import (
	"bufio"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 13: stop_command runs instead of the stop signal, with $MAINPID
// and its output captured as the program's; stopwaitsecs then SIGKILL
// still apply.
func TestStopCommand(t *testing.T) {
	p, sock := superviseSocket(t, fmt.Sprintf(`
[program.web]
command = [%q, "helper", "signals"]
stop_command = ["sh", "-c", "echo stop_command for $MAINPID; kill -USR2 $MAINPID"]
stopwaitsecs = 1
`, selfBin))
	pid := p.ready()
	if got := ctlOK(t, sock, "stop", "web"); len(got) != 1 || got[0] != "web: stopped" {
		t.Fatalf("stop web: %q", got)
	}
	// The two print on pipes of their own: in either order.
	seen := p.waitLines(fmt.Sprintf("stop_command for %d", pid), "got SIGUSR2")
	p.waitLog(10*time.Second, "did not stop in time; sending SIGKILL", "program=web")
	for _, l := range seen {
		if l == "got SIGTERM" {
			t.Errorf("the program got SIGTERM as well as its stop_command")
		}
	}
	if strings.Contains(p.stderr.String(), "stop_command failed") {
		t.Errorf("the stop command counted as failed:\n%s", p.stderr.String())
	}
	p.stop()
}

// Issue 13: stop_delay makes a stop report the program not ready first
// (status exits 3, wait fails at once), and only then stops it.
func TestStopDelay(t *testing.T) {
	p, sock := superviseSocket(t, fmt.Sprintf(`
[program.web]
command = [%q, "helper", "signals"]
stop_delay = "2s"
`, selfBin))
	p.ready()
	p.waitLog(20*time.Second, "program=web", "to=RUNNING")
	stopped := make(chan []string, 1)
	go func() {
		out, _, _ := ctlRun(t, sock, "stop", "web")
		stopped <- lines(out)
	}()
	p.waitLog(20*time.Second, "program draining", "program=web", "stop_delay=2s")
	began := time.Now()
	out, _, code := ctlRun(t, sock, "status", "web")
	if code != 3 || !strings.Contains(out, "STOPPING") || !strings.Contains(out, "draining, stops in") {
		t.Errorf("status while draining: exit %d, %q; want 3 and STOPPING, draining", code, out)
	}
	if _, errs, code := ctlRun(t, sock, "wait", "web", "30s"); code != 1 || !strings.Contains(errs, "web: stopping") {
		t.Errorf("wait while draining: exit %d, %q; want it to fail at once", code, errs)
	}
	if got := p.waitLine("got "); got != "got SIGTERM" {
		t.Errorf("the program got %q", got)
	}
	if took := time.Since(began); took < 1500*time.Millisecond {
		t.Errorf("SIGTERM %v after the drain began, want about stop_delay, 2s", took)
	}
	if got := <-stopped; len(got) != 1 || got[0] != "web: stopped" {
		t.Errorf("stop web: %q", got)
	}
	p.stop()
}

// Issue 13: reload NAME sends reload_signal to the same process.
func TestReloadSignal(t *testing.T) {
	p, sock := superviseSocket(t, fmt.Sprintf(`
[program.web]
command = [%q, "helper", "signals"]
reload_signal = "HUP"
`, selfBin))
	pid := p.ready()
	p.waitLog(20*time.Second, "program=web", "to=RUNNING")
	if got := ctlOK(t, sock, "reload", "web"); len(got) != 1 || got[0] != "web: reloaded" {
		t.Fatalf("reload web: %q", got)
	}
	if got := p.waitLine("got "); got != "got SIGHUP" {
		t.Errorf("the program got %q, want SIGHUP", got)
	}
	if got := ctlOK(t, sock, "pid", "web"); len(got) != 1 || got[0] != fmt.Sprint(pid) {
		t.Errorf("pid after reload: %q, want %d, the same process", got, pid)
	}
	p.stop()
}

// Issue 13: restart web:* with rolling = true restarts one instance at a
// time, the next once the one before is RUNNING again.
func TestRollingRestart(t *testing.T) {
	p, sock := superviseSocket(t, fmt.Sprintf(`
[program.web]
command = [%q, "helper", "signals"]
numprocs = 2
rolling = true
`, selfBin))
	p.waitLog(20*time.Second, "program=web-1", "to=RUNNING")
	got := ctlOK(t, sock, "restart", "web:*")
	if want := "web-0: stopped|web-0: started|web-1: stopped|web-1: started"; strings.Join(got, "|") != want {
		t.Fatalf("restart web:*: %q, want %q", got, want)
	}
	var order []string
	for _, l := range strings.Split(p.stderr.String(), "\n") {
		if strings.Contains(l, `msg="program state"`) {
			f := strings.Fields(l)
			order = append(order, strings.Join(f[len(f)-3:], " "))
		}
	}
	log := strings.Join(order, "\n")
	zeroUp := strings.LastIndex(log, "program=web-0 from=STARTING to=RUNNING")
	oneDown := strings.Index(log, "program=web-1 from=RUNNING to=STOPPING")
	if zeroUp < 0 || oneDown < zeroUp {
		t.Errorf("web-1 was stopped before web-0 was RUNNING again:\n%s", log)
	}
	p.stop()
}

// Issue 13: listen sockets are opened once and passed to every start as
// fds 3.. (LISTEN_FDS, LISTEN_PID = the program's pid, LISTEN_FDNAMES):
// the same socket across a restart, and a connection made while the
// program is down is answered by the next one.
func TestListenSockets(t *testing.T) {
	dir := socketDir(t)
	sock, app := filepath.Join(dir, "tend.sock"), filepath.Join(dir, "app.sock")
	addr := freePort(t)
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
[program.web]
command = [%q, "helper", "serve"]
listen = ["unix:%s", "tcp:%s"]
`, sock, selfBin, app, addr))
	first := p.waitLine("sockets ")
	if !strings.HasSuffix(first, " names=web:web") {
		t.Errorf("the program saw %q, want two sockets named web", first)
	}
	pid := p.ready()
	if got, want := askLine(t, dialer("unix", app)), fmt.Sprintf("hello from %d", pid); got != want {
		t.Errorf("unix socket: %q, want %q", got, want)
	}
	if fi, err := os.Stat(app); err != nil || fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o666 {
		t.Errorf("socket file: %v %v, want a socket with mode 0666", fi.Mode(), err)
	}

	ctlOK(t, sock, "stop", "web")
	// Nothing accepts now; tend holds the sockets, so these wait in the
	// backlog instead of being refused.
	waiting := []net.Conn{dialer("unix", app)(t), dialer("tcp", addr)(t)}
	for _, c := range waiting {
		fmt.Fprintln(c, "hi")
	}
	ctlOK(t, sock, "start", "web")
	if again := p.waitLine("sockets "); again != first {
		t.Errorf("after the restart the program has %q, before %q: the sockets must be the same", again, first)
	}
	next := p.ready()
	for _, c := range waiting {
		if got, want := readLine(t, c), fmt.Sprintf("hello from %d", next); got != want {
			t.Errorf("a connection made while web was down got %q, want %q", got, want)
		}
	}
	p.stop()
	if _, err := os.Lstat(app); err == nil {
		t.Errorf("%s is left after tend exited", app)
	}
}

// A port already taken is a failed start that says so; tend runs on.
func TestListenPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	p, sock := superviseSocket(t, fmt.Sprintf(`
[program.web]
command = [%q, "helper", "serve"]
listen = ["tcp:%s"]
startretries = 0
[program.other]
command = [%q, "helper", "signals"]
`, selfBin, taken.Addr(), selfBin))
	line := p.waitLog(20*time.Second, "program=web", "to=FATAL")
	p.waitLog(20*time.Second, "program=other", "to=RUNNING")
	if want := fmt.Sprintf(`reason="listen tcp:%s: bind: address already in use"`, taken.Addr()); !strings.Contains(line, want) {
		t.Errorf("log: %s\nwant %s", line, want)
	}
	if got := ctlOK(t, sock, "status", "other"); len(got) != 1 || !strings.Contains(got[0], "RUNNING") {
		t.Errorf("status other: %q", got)
	}
	p.stop()
}

func dialer(network, addr string) func(t *testing.T) net.Conn {
	return func(t *testing.T) net.Conn {
		t.Helper()
		c, err := net.DialTimeout(network, addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
}

// askLine sends a line and returns the answer.
func askLine(t *testing.T, dial func(*testing.T) net.Conn) string {
	t.Helper()
	c := dial(t)
	fmt.Fprintln(c, "hi")
	return readLine(t, c)
}

func readLine(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	l, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	return strings.TrimSuffix(l, "\n")
}
