package integration

// Issue 5: the control socket, `tend ctl`, and reload by difference.

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// socketDir is a directory for a control socket that any user can reach.
func socketDir(t *testing.T) string {
	t.Helper()
	// Not t.TempDir: its parent is private to root.
	dir, err := os.MkdirTemp("", "tend-socket-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// waitLines waits for a stdout line starting with each prefix, in any
// order, and returns every line it read.
func (p *proc) waitLines(prefixes ...string) []string {
	p.t.Helper()
	left := map[string]bool{}
	for _, s := range prefixes {
		left[s] = true
	}
	deadline := time.After(30 * time.Second)
	var seen []string
	for len(left) > 0 {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("tend's stdout closed; still waiting for %v", left)
			}
			seen = append(seen, l)
			for s := range left {
				if strings.HasPrefix(l, s) {
					delete(left, s)
				}
			}
		case <-deadline:
			p.t.Fatalf("no lines %v within 30s; tend printed:\n%s", left, strings.Join(seen, "\n"))
		}
	}
	return seen
}

// ctlRun runs `tend ctl --socket sock args...` and returns its stdout,
// stderr and exit status.
func ctlRun(t *testing.T, sock string, args ...string) (string, string, int) {
	t.Helper()
	return ctlAs(t, nil, sock, args...)
}

// ctlAs is ctlRun with a command prefix such as setpriv's.
func ctlAs(t *testing.T, prefix []string, sock string, args ...string) (string, string, int) {
	t.Helper()
	argv := append(append(append([]string{}, prefix...), tendBin, "ctl", "--socket", sock), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%v: no answer within 60s", argv)
	}
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// ctlOK runs tend ctl and fails unless it exits 0; it returns the lines.
func ctlOK(t *testing.T, sock string, args ...string) []string {
	t.Helper()
	out, errs, code := ctlRun(t, sock, args...)
	if code != 0 {
		t.Fatalf("tend ctl %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, errs)
	}
	return lines(out)
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// clientCmd is a real client of the socket sending one request: nc
// (netcat-openbsd, without -N: it keeps its write side open) or socat.
func clientCmd(t *testing.T, client, sock string) *exec.Cmd {
	t.Helper()
	switch client {
	case "nc":
		if _, err := exec.LookPath("nc"); err != nil {
			need(t, "nc (netcat-openbsd) is not installed")
		}
		return exec.Command("nc", "-U", sock)
	case "socat":
		if _, err := exec.LookPath("socat"); err != nil {
			need(t, "socat is not installed")
		}
		return exec.Command("socat", "-t", "60", "-", "UNIX-CONNECT:"+sock)
	}
	t.Fatalf("unknown client %q", client)
	return nil
}

// ask sends request through client and returns every reply line, the
// final one included. The client must exit by itself: the server closes.
func ask(t *testing.T, client, sock, request string) []string {
	t.Helper()
	cmd := clientCmd(t, client, sock)
	cmd.Stdin = strings.NewReader(request + "\n")
	if client == "nc" {
		// nc without -N keeps its write side open after stdin ends, as
		// `echo status | nc -U` does: the reply must not wait for EOF.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		defer r.Close()
		cmd.Stdin = r
		if _, err := w.WriteString(request + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s %q: still waiting after 30s; got %q", client, request, out.String())
	}
	return lines(out.String())
}

var statusLine = regexp.MustCompile(`^(\S+)\s+(STOPPED|STARTING|RUNNING|BACKOFF|STOPPING|EXITED|FATAL)\s+(.*)$`)

// states reads status lines into name -> state and name -> description.
func states(t *testing.T, ls []string) (map[string]string, map[string]string) {
	t.Helper()
	st, desc := map[string]string{}, map[string]string{}
	for _, l := range ls {
		m := statusLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("status line %q is not NAME STATE DESCRIPTION", l)
		}
		st[m[1]], desc[m[1]] = m[2], m[3]
	}
	return st, desc
}

// pidOf asks tend for a program's pid.
func pidOf(t *testing.T, sock, name string) int {
	t.Helper()
	ls := ctlOK(t, sock, "pid", name)
	if len(ls) != 1 {
		t.Fatalf("pid %s: got %q", name, ls)
	}
	n, err := strconv.Atoi(ls[0])
	if err != nil {
		t.Fatalf("pid %s: %q is not a number", name, ls[0])
	}
	return n
}

// Every request of SPEC's table, through tend ctl, nc and socat, with tend
// as PID 1.
func TestControlRequests(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
[program.a]
command = %s
startsecs = 0
[program.b]
command = %s
group = "g"
startsecs = 0
[program.c]
command = %s
group = "g"
autostart = false
startsecs = 0
[program.once]
type = "oneshot"
command = [%q, "helper", "exit", "0"]
`, sock, svcCmd("a"), svcCmd("b"), svcCmd("c"), selfBin))
	p.waitLines("a ready", "b ready")
	p.waitLog(20*time.Second, "program=once", "to=EXITED")

	// status: supervisorctl's columns; c is not running, so exit 3.
	out, _, code := ctlRun(t, sock, "status")
	st, desc := states(t, lines(out))
	if code != 3 || st["a"] != "RUNNING" || st["b"] != "RUNNING" || st["c"] != "STOPPED" || st["once"] != "EXITED" {
		t.Fatalf("status: exit %d (want 3: c is STOPPED), states %v", code, st)
	}
	if !regexp.MustCompile(`^pid \d+, uptime \d+:\d\d:\d\d$`).MatchString(desc["a"]) {
		t.Errorf("a's description %q is not `pid N, uptime H:MM:SS`", desc["a"])
	}
	if !strings.HasPrefix(desc["once"], "done") {
		t.Errorf("once's description %q does not say done", desc["once"])
	}
	if ls := ctlOK(t, sock, "status", "a", "once"); len(ls) != 2 {
		t.Errorf("status a once: %q", ls)
	}
	for _, client := range []string{"nc", "socat"} {
		ls := ask(t, client, sock, "status a")
		if len(ls) != 2 || !strings.HasPrefix(ls[0], "a  RUNNING  pid ") || ls[1] != "OK" {
			t.Errorf("%s status a: %q", client, ls)
		}
		if ls := ask(t, client, sock, "rstart a"); len(ls) != 1 || ls[0] != `ERR unknown command "rstart"; try help` {
			t.Errorf("%s rstart: %q", client, ls)
		}
		if ls := ask(t, client, sock, "stop wbe"); len(ls) != 1 || ls[0] != `ERR no such program "wbe"` {
			t.Errorf("%s stop wbe: %q", client, ls)
		}
		if ls := ask(t, client, sock, strings.Repeat("x", 5000)); len(ls) != 1 || ls[0] != "ERR line too long" {
			t.Errorf("%s 5000 bytes: %q", client, ls)
		}
	}

	// start a group: b already runs, c starts and its line appears.
	if ls := ctlOK(t, sock, "start", "g:*"); strings.Join(ls, ",") != "b: started,c: started" {
		t.Errorf("start g:*: %q", ls)
	}
	p.waitLine("c ready")
	if ls := ctlOK(t, sock, "stop", "c"); strings.Join(ls, ",") != "c: stopped" {
		t.Errorf("stop c: %q", ls)
	}
	p.waitLine("c stopping")

	// restart: a new process, and events tells each step.
	events := clientCmd(t, "nc", sock)
	er, ew, _ := os.Pipe()
	defer ew.Close()
	events.Stdin = er
	evOut, err := events.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Start(); err != nil {
		t.Fatal(err)
	}
	defer events.Process.Kill()
	ew.WriteString("events\n")
	evLines := bufio.NewScanner(evOut)
	before := pidOf(t, sock, "a")
	// The events call reaches the loop on a connection of its own, in no
	// set order with the next requests: it is subscribed once a stop of c
	// (STOPPED, and left so) streams through it.
	evCh := make(chan string, 100)
	go func() {
		defer close(evCh)
		for evLines.Scan() {
			evCh <- evLines.Text()
		}
	}()
	nextEvent := func(what string) string {
		select {
		case l, ok := <-evCh:
			if !ok {
				t.Fatalf("events ended before %s", what)
			}
			return l
		case <-time.After(10 * time.Second):
			t.Fatalf("no event within 10s; want %s", what)
		}
		return ""
	}
	for subscribed := false; !subscribed; {
		ctlOK(t, sock, "start", "c")
		ctlOK(t, sock, "stop", "c")
		timeout := time.After(2 * time.Second)
	drain:
		for {
			select {
			case l := <-evCh:
				if strings.Contains(l, " c STOPPING->STOPPED") {
					subscribed = true
					break drain
				}
			case <-timeout:
				break drain
			}
		}
	}
	if ls := ctlOK(t, sock, "restart", "a"); strings.Join(ls, ",") != "a: stopped,a: started" {
		t.Errorf("restart a: %q", ls)
	}
	after := pidOf(t, sock, "a")
	if after == before || after == 0 {
		t.Errorf("restart a: pid %d before, %d after", before, after)
	}
	// An exit's event ends with what the run used (wait4's rusage).
	want := []string{
		fmt.Sprintf(" a RUNNING->STOPPING pid %d$", before),
		fmt.Sprintf(" a STOPPING->STARTING pid %d status 0 max_rss [1-9][0-9]*KiB cpu [0-9.]+m?s$", before),
		fmt.Sprintf(" a STARTING->RUNNING pid %d$", after),
	}
	for _, w := range want {
		got := nextEvent(strings.Fields(w)[1])
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ` + w).MatchString(got) {
			t.Errorf("event %q, want a timestamp then %q", got, w)
		}
	}

	// signal, pid, tail, wait.
	if ls := ctlOK(t, sock, "signal", "TERM", "b"); strings.Join(ls, ",") != "b: signalled" {
		t.Errorf("signal TERM b: %q", ls)
	}
	p.waitLine("b stopping")
	if ls := ctlOK(t, sock, "pid"); strings.Join(ls, ",") != "1" {
		t.Errorf("pid: %q, want tend's own, 1", ls)
	}
	if ls := ctlOK(t, sock, "tail", "a", "1"); strings.Join(ls, ",") != fmt.Sprintf("a ready pid=%d", after) {
		t.Errorf("tail a 1: %q", ls)
	}
	ctlOK(t, sock, "wait", "a", "once", "5s")
	if out, errs, code := ctlRun(t, sock, "wait", "a", "c", "0"); code != 1 || !strings.Contains(errs, "c: ") {
		t.Errorf("wait a c 0: exit %d, %q %q; want 1 naming c", code, out, errs)
	}
	if ls := ctlOK(t, sock, "version"); len(ls) != 1 || !strings.HasPrefix(ls[0], "tend ") {
		t.Errorf("version: %q", ls)
	}
	if ls := ctlOK(t, sock, "help"); len(ls) != 17 {
		t.Errorf("help: %d lines, want one per request (17: SPEC's 15, history and metrics)", len(ls))
	}
	if _, errs, code := ctlRun(t, sock, "start", "nope"); code != 1 || !strings.Contains(errs, `no such program "nope"`) {
		t.Errorf("start nope: exit %d, %q", code, errs)
	}

	// shutdown: OK, then an ordered stop and tend's exit.
	ctlOK(t, sock, "shutdown")
	if code := p.wait(30 * time.Second); code != 0 {
		t.Errorf("tend exited %d after shutdown, want 0", code)
	}
}

// A program that cannot start makes start fail with its reason, and status
// shows the FATAL reason; a connection to no socket is exit 2.
func TestControlFailures(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	if _, errs, code := ctlRun(t, sock, "status"); code != 2 || !strings.Contains(errs, sock) {
		t.Errorf("ctl with no tend: exit %d, %q; want 2 naming the socket", code, errs)
	}
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
[program.ok]
command = %s
startsecs = 0
[program.broken]
command = "/no/such/program"
autostart = false
startretries = 0
`, sock, svcCmd("ok")))
	p.waitLine("ok ready")
	_, errs, code := ctlRun(t, sock, "start", "broken")
	if code != 1 || !strings.Contains(errs, `broken: FATAL: exec "/no/such/program"`) {
		t.Errorf("start broken: exit %d, %q", code, errs)
	}
	out, _, code := ctlRun(t, sock, "status", "broken")
	if code != 3 || !strings.Contains(out, "FATAL") || !strings.Contains(out, "no such file or directory") {
		t.Errorf("status broken: exit %d, %q; want 3 and the reason", code, out)
	}
	if ls := ctlOK(t, sock, "status", "ok"); len(ls) != 1 {
		t.Errorf("status ok: %q", ls)
	}
	if _, errs, code := ctlRun(t, sock, "tail", "ok", "x"); code != 1 || errs == "" {
		t.Errorf("tail ok x: exit %d %q", code, errs)
	}
}

// Reload applies exactly the difference: unchanged programs keep their
// pid, a change that needs no process applies in place, a changed one
// restarts, an added one starts, a removed one stops. A config that does
// not load changes nothing and says why.
func TestReloadByDifference(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	logDir := t.TempDir()
	head := fmt.Sprintf("[tend]\nsocket = %q\n", sock)
	v1 := head + fmt.Sprintf(`
[program.keep]
command = %s
startsecs = 0
[program.tuned]
command = %s
startsecs = 0
stdout_logfile = %q
stdout_logfile_maxbytes = "1MB"
[program.edited]
command = %s
startsecs = 0
[program.gone]
command = %s
startsecs = 0
`, svcCmd("keep"), svcCmd("tuned"), filepath.Join(logDir, "tuned.log"), svcCmd("edited"), svcCmd("gone"))
	path := writeConfig(t, v1)
	need(t, canUnshare())
	p := startTendFull(t, pid1, nil, true, "--log-level", "info", "-c", path)
	p.waitLines("keep ready", "edited ready", "gone ready")
	pids := map[string]int{}
	for _, n := range []string{"keep", "tuned", "edited", "gone"} {
		pids[n] = pidOf(t, sock, n)
	}

	v2 := head + fmt.Sprintf(`
[program.keep]
command = %s
startsecs = 0
[program.tuned]
command = %s
startsecs = 0
stdout_logfile = %q
stdout_logfile_maxbytes = "2MB"
autorestart = "always"
priority = 5
[program.edited]
command = %s
startsecs = 0
[program.added]
command = %s
startsecs = 0
`, svcCmd("keep"), svcCmd("tuned"), filepath.Join(logDir, "tuned.log"), svcCmd("edited", "-delay", "1ms"), svcCmd("added"))
	replace(t, path, v2)
	want := "added: added,changed: edited,removed: gone,updated: tuned"
	if ls := ctlOK(t, sock, "reread"); strings.Join(ls, ",") != want {
		t.Errorf("reread: %q, want %q", ls, want)
	}
	if got := pidOf(t, sock, "gone"); got != pids["gone"] {
		t.Errorf("reread changed something: gone's pid %d, was %d", got, pids["gone"])
	}
	p.signal(syscall.SIGHUP)
	p.waitLines("added ready", "gone stopping", "edited stopping", "edited ready")
	p.waitLog(20*time.Second, "program=gone", "to=STOPPED")
	for _, n := range []string{"keep", "tuned"} {
		if got := pidOf(t, sock, n); got != pids[n] {
			t.Errorf("%s was restarted by the reload: pid %d, was %d", n, got, pids[n])
		}
	}
	if got := pidOf(t, sock, "edited"); got == pids["edited"] || got == 0 {
		t.Errorf("edited: pid %d after the reload, was %d: not restarted", got, pids["edited"])
	}
	if _, errs, code := ctlRun(t, sock, "status", "gone"); code != 1 || !strings.Contains(errs, `no such program "gone"`) {
		t.Errorf("status gone after the reload: exit %d %q", code, errs)
	}
	if ls := ctlOK(t, sock, "reload"); strings.Join(ls, ",") != "no changes" {
		t.Errorf("reload of the same config: %q", ls)
	}

	// A config that does not load: ERR with the file and line; nothing moves.
	replace(t, path, v2+"\n[program.bad]\ncommand = \n")
	_, errs, code := ctlRun(t, sock, "reload")
	if code != 1 || !strings.Contains(errs, "tend.toml:") {
		t.Errorf("reload of a broken config: exit %d, %q; want 1 and FILE:LINE", code, errs)
	}
	p.waitLog(10*time.Second, "reload: config not loaded; nothing changed")
	st, _ := states(t, ctlOK(t, sock, "status"))
	if len(st) != 4 || st["keep"] != "RUNNING" || st["added"] != "RUNNING" || st["edited"] != "RUNNING" || st["tuned"] != "RUNNING" {
		t.Errorf("after a failed reload: %v", st)
	}
}

// replace writes a new version of a file by rename, as editors and
// ConfigMap updates do.
func replace(t *testing.T, path, body string) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// Access: a live socket makes a second tend refuse to start; a stale one
// is replaced; a socket that cannot be created is logged once and tend
// runs on; a peer that is not root, tend's uid or in socket_group is
// refused.
func TestSocketAccess(t *testing.T) {
	dir := socketDir(t)
	sock := filepath.Join(dir, "tend.sock")
	body := fmt.Sprintf(`
[tend]
socket = %q
socket_mode = "0666"
socket_group = "4242"
[program.a]
command = %s
startsecs = 0
`, sock, svcCmd("a"))

	// A stale socket file: bound, then its listener gone.
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd)

	cfgPath := writeConfig(t, body)
	p := startTendFull(t, mode{"subreaper", false}, nil, true, "--log-level", "info", "-c", cfgPath)
	p.waitLine("a ready")
	ctlOK(t, sock, "status")
	// tend ctl -c finds the socket by the config's key.
	if out, err := exec.Command(tendBin, "ctl", "-c", cfgPath, "pid", "a").CombinedOutput(); err != nil {
		t.Errorf("tend ctl -c CONFIG pid a: %v %q", err, out)
	}

	second := startTend(t, mode{"subreaper", false}, "-c", writeConfig(t, body))
	if code := second.wait(20 * time.Second); code != 2 {
		t.Errorf("a second tend on a live socket exited %d, want 2", code)
	}
	if !strings.Contains(second.stderr.String(), "another tend is listening") {
		t.Errorf("second tend's message: %q", second.stderr.String())
	}
	ctlOK(t, sock, "status") // the first one still answers

	// Peers: nobody is refused, nobody in group 4242 is let in.
	if _, err := exec.LookPath("setpriv"); err != nil {
		need(t, "setpriv (util-linux) is not installed")
	}
	if os.Getuid() != 0 {
		need(t, "the peer check needs root, to run a client as another user")
	}
	if err := os.Chmod(filepath.Dir(tendBin), 0o755); err != nil {
		t.Fatal(err)
	}
	nobody := []string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}
	if _, errs, code := ctlAs(t, nobody, sock, "status"); code != 1 || !strings.Contains(errs, "permission denied") {
		t.Errorf("status as nobody: exit %d %q; want 1, permission denied", code, errs)
	}
	member := []string{"setpriv", "--reuid=65534", "--regid=65534", "--groups=4242"}
	if out, errs, code := ctlAs(t, member, sock, "status"); code != 0 {
		t.Errorf("status as a member of socket_group: exit %d %q %q", code, out, errs)
	}

	// A socket that cannot be created: said once, and tend runs on.
	q := startTendFull(t, mode{"subreaper", false}, nil, true, "--log-level", "info", "-c", writeConfig(t, fmt.Sprintf(`
[tend]
socket = "/proc/no/such/dir/tend.sock"
[program.b]
command = %s
startsecs = 0
`, svcCmd("b"))))
	q.waitLine("b ready")
	q.waitLog(10*time.Second, "no control socket; running without one")
	if n := strings.Count(q.stderr.String(), "no control socket"); n != 1 {
		t.Errorf("the socket failure was logged %d times, want once", n)
	}
	q.signal(syscall.SIGTERM)
	if code := q.wait(20 * time.Second); code != 0 {
		t.Errorf("tend without a socket exited %d", code)
	}
}

// The client side: a socket path that is a stale file, and a peer that
// hangs up early, never disturb tend. (A raw client, as a script would be.)
func TestControlRawClient(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	p := supervise(t, fmt.Sprintf("[tend]\nsocket = %q\n[program.a]\ncommand = %s\nstartsecs = 0\n", sock, svcCmd("a")))
	p.waitLine("a ready")
	// A client that connects and says nothing, and one that hangs up
	// mid-line: the next client is answered at once.
	silent, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	half, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	half.Write([]byte("sta"))
	half.Close()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("pid a\r\n"))
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	sc := bufio.NewScanner(c)
	var got []string
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	if len(got) != 2 || got[1] != "OK" {
		t.Errorf("pid a over a raw connection: %q", got)
	}
}

// Beside a command-line main, a reload that brings a [program.main] is
// refused, and changes nothing.
func TestReloadRefusesMain(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	head := fmt.Sprintf("[tend]\nsocket = %q\n[program.side]\ncommand = %s\nstartsecs = 0\n", sock, svcCmd("side"))
	path := writeConfig(t, head)
	need(t, canUnshare())
	p := startTendFull(t, pid1, nil, true, "-c", path, "--", selfBin, "helper", "svc", "main")
	p.waitLines("side ready", "main ready")
	before := pidOf(t, sock, "main")
	replace(t, path, head+fmt.Sprintf("[program.main]\ncommand = %s\n", svcCmd("other")))
	if _, errs, code := ctlRun(t, sock, "reload"); code != 1 || !strings.Contains(errs, "program.main: the name is taken by the command-line program") {
		t.Errorf("reload with a [program.main]: exit %d, %q", code, errs)
	}
	if after := pidOf(t, sock, "main"); after != before {
		t.Errorf("main's pid %d, was %d", after, before)
	}
	if ls := ctlOK(t, sock, "status"); len(ls) != 2 {
		t.Errorf("status after the refused reload: %q", ls)
	}
}
