package integration

// Issues 15 and 16: tini mode as a drop-in for tini and dumb-init: their
// flags, and the signal mask and ignored signals passed on to the program.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// runTend runs tend to the end and returns its exit status and stderr.
// Unlike startTend it does not look for tend under unshare, so a tend that
// is done in a millisecond is no race.
func runTend(t *testing.T, m mode, env []string, args ...string) (int, string) {
	t.Helper()
	argv := append([]string{tendBin}, args...)
	if m.pid1 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	errFile, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	cmd.Stderr = errFile
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running after 30s", argv)
	}
	b, _ := os.ReadFile(errFile.Name())
	code := cmd.ProcessState.ExitCode()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int(ws.Signal())
	}
	return code, string(b)
}

// What tend was started with reaches the program: tend is started by a
// wrapper that blocks and ignores signals, and the program reads its own
// /proc/self/status. tini restores both before exec; a Go program can
// restore all of the mask but the signals the runtime never lets a thread
// block, and the ignored signals that the runtime leaves alone at start
// (README: "Signals tend was started with").
func TestTiniSignalDisposition(t *testing.T) {
	blocked := []syscall.Signal{unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH, unix.SIGPWR, 38}
	ignored := []syscall.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGTTOU, unix.SIGTSTP}
	eachMode(t, func(t *testing.T, m mode) {
		args := helperArgs("sigwrap", sigList(blocked), sigList(ignored)+",TERM", tendBin, "--", "cat", "/proc/self/status")
		if m.pid1 {
			args = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, args...)
		}
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		blk, ign := statusMask(t, string(out), "SigBlk:"), statusMask(t, string(out), "SigIgn:")
		for _, s := range blocked {
			if blk&(1<<(s-1)) == 0 {
				t.Errorf("signal %d was blocked when tend started, not in the program's SigBlk %016x", s, blk)
			}
		}
		for _, s := range ignored {
			if ign&(1<<(s-1)) == 0 {
				t.Errorf("signal %d was ignored when tend started, not in the program's SigIgn %016x", s, ign)
			}
		}
		// Nothing tend did not inherit: no signal of tend's own leaks.
		var want uint64
		for _, s := range blocked {
			want |= 1 << (s - 1)
		}
		if blk&^want != 0 {
			t.Errorf("the program's SigBlk %016x has more than tend inherited (%016x)", blk, want)
		}
	})
}

func sigList(sigs []syscall.Signal) string {
	var s []string
	for _, n := range sigs {
		s = append(s, strconv.Itoa(int(n)))
	}
	return strings.Join(s, ",")
}

// statusMask reads one hexadecimal line of /proc/PID/status from out.
func statusMask(t *testing.T, out, key string) uint64 {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				t.Fatalf("bad %q", l)
			}
			return n
		}
	}
	t.Fatalf("no %s in the program's output:\n%s", key, out)
	return 0
}

// tini's -e: an exit status counted as success.
func TestTiniExitRemap(t *testing.T) {
	cases := []struct {
		args []string
		want int
	}{
		{append([]string{"-e", "3", "--"}, helperArgs("exit", "3")...), 0},
		{append([]string{"-e3", "-e", "4", "--"}, helperArgs("exit", "4")...), 0},
		{append([]string{"-e", "143", "--"}, helperArgs("selfkill", "TERM")...), 0},
		{append([]string{"-e", "3", "--"}, helperArgs("exit", "5")...), 5},
	}
	eachMode(t, func(t *testing.T, m mode) {
		for _, c := range cases {
			if got, stderr := runTend(t, m, nil, c.args...); got != c.want {
				t.Errorf("tend %q: exit %d, want %d\n%s", c.args, got, c.want, stderr)
			}
		}
	})
}

// -g sends forwarded signals to the program's whole process group; the
// default (and dumb-init's --single-child) to the program alone.
func TestTiniGroup(t *testing.T) {
	cases := []struct {
		name  string
		env   []string
		flags []string
		group bool
	}{
		{"default", nil, nil, false},
		{"-g", nil, []string{"-g"}, true},
		{"TINI_KILL_PROCESS_GROUP", []string{"TINI_KILL_PROCESS_GROUP=1"}, nil, true},
		{"--single-child", nil, []string{"--single-child"}, false},
	}
	eachMode(t, func(t *testing.T, m mode) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := startTendEnv(t, m, c.env, append(c.flags, append([]string{"--"}, helperArgs("family")...)...)...)
				p.waitLine("child ready pid=")
				p.ready()
				p.signal(syscall.SIGUSR1)
				// Signals sent at once may be taken in either order, and
				// the program exits on SIGTERM: one at a time.
				seen := map[string]bool{}
				for !seen["got SIGUSR1"] || (c.group && !seen["child got SIGUSR1"]) {
					seen[p.nextLine()] = true
				}
				p.signal(syscall.SIGTERM)
				// The child gets SIGTERM in any case: from the program's
				// group (-g), or from tend's stop of what is left.
				for !seen["child got SIGTERM"] || !seen["got SIGTERM"] {
					seen[p.nextLine()] = true
				}
				if seen["child got SIGUSR1"] != c.group {
					t.Errorf("its child got SIGUSR1: %v, want %v (lines %v)", seen["child got SIGUSR1"], c.group, seen)
				}
				p.wait(20 * time.Second)
			})
		}
	})
}

// dumb-init's --rewrite S:R: S is sent on as R, and R 0 drops S.
func TestTiniRewrite(t *testing.T) {
	eachMode(t, func(t *testing.T, m mode) {
		p := startTend(t, m, append([]string{"-r", "10:12", "--rewrite=HUP:0", "--rewrite", "QUIT:INT", "--"}, helperArgs("signals")...)...)
		p.ready()
		for _, c := range []struct {
			send syscall.Signal
			want string
		}{
			{syscall.SIGUSR1, "got SIGUSR2"},
			{syscall.SIGHUP, ""}, // dropped: the next line is the next signal's
			{syscall.SIGQUIT, "got SIGINT"},
			{syscall.SIGWINCH, "got SIGWINCH"},
		} {
			p.signal(c.send)
			if c.want == "" {
				continue
			}
			if got := p.nextLine(); got != c.want {
				t.Fatalf("after %v the program printed %q, want %q", c.send, got, c.want)
			}
		}
		p.signal(syscall.SIGTERM)
		if got := p.wait(10 * time.Second); got != 3 {
			t.Errorf("exit status %d, want 3", got)
		}
	})
}

// tini's and dumb-init's flags are accepted in any order before the
// program; help and version exit 0; a bad flag is one line naming it,
// exit 2.
func TestTiniFlags(t *testing.T) {
	exit3 := helperArgs("exit", "3")
	ok := []struct {
		env  []string
		args []string
		want int
		log  string // in stderr
	}{
		{nil, append([]string{"-s", "-v", "-g", "-e", "3", "-w", "--"}, exit3...), 0, "program started"},
		{nil, append([]string{"-w", "-e3", "-vg", "-s", "--"}, exit3...), 0, "program started"},
		{nil, append([]string{"--single-child", "-p", "SIGTERM"}, exit3...), 3, ""},
		{nil, append([]string{"--log-level", "info", "-r", "15:3"}, exit3...), 3, "program started"},
		{[]string{"TINI_SUBREAPER=1", "TINI_VERBOSITY=2"}, append([]string{"--"}, exit3...), 3, "program started"},
		{[]string{"TINI_VERBOSITY=0"}, []string{"--", "no-such-command-here"}, 127, "program failed"},
	}
	for _, c := range ok {
		got, stderr := runTend(t, mode{"subreaper", false}, c.env, c.args...)
		if got != c.want || !strings.Contains(stderr, c.log) {
			t.Errorf("%v tend %q: exit %d, want %d, stderr with %q:\n%s", c.env, c.args, got, c.want, c.log, stderr)
		}
	}
	for _, args := range [][]string{{"--version"}, {"-V"}, {"-h"}, {"--help"}, {"-s", "--version"}} {
		out, err := exec.Command(tendBin, args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "tend") {
			t.Errorf("tend %q: %v\n%s", args, err, out)
		}
	}
	bad := []struct {
		env  []string
		args []string
		msg  string
	}{
		{nil, []string{"-x", "--", "true"}, `tend: unknown flag "-x"`},
		{nil, []string{"-sx", "--", "true"}, `tend: unknown flag "-x"`},
		{nil, []string{"--frobnicate", "--", "true"}, `tend: unknown flag "--frobnicate"`},
		{nil, []string{"-e", "256", "--", "true"}, `-e: "256": want an exit status 0..255`},
		{nil, []string{"-e"}, `-e: needs a value`},
		{nil, []string{"-p", "SIGFOO", "--", "true"}, `-p: unknown signal "SIGFOO"`},
		{nil, []string{"--rewrite", "15", "--", "true"}, `--rewrite: "15": want S:R`},
		{nil, []string{"-l"}, `-l: tini's licence`},
		{nil, []string{"-g", "--single-child", "--", "true"}, `--single-child: conflicts with -g`},
		{[]string{"TINI_VERBOSITY=loud"}, []string{"--", "true"}, `TINI_VERBOSITY: "loud"`},
	}
	for _, c := range bad {
		got, stderr := runTend(t, mode{"subreaper", false}, c.env, c.args...)
		if got != 2 || !strings.Contains(stderr, c.msg) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v tend %q: exit %d, want 2 and one line with %q:\n%s", c.env, c.args, got, c.msg, stderr)
		}
	}
}

// tini's -p: when tend's parent dies, tend gets the signal and passes it
// on like any other.
func TestTiniParentDeath(t *testing.T) {
	parent := exec.Command(selfBin, "helper", "tend-parent", tendBin, "-p", "SIGUSR1", "--", selfBin, "helper", "signals")
	// A pipe of our own: Cmd.Wait would close StdoutPipe's, and tend
	// writes on after its parent is gone.
	out, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	parent.Stdout = w
	in, err := parent.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	parent.Stderr = os.Stderr
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	lines := bufio.NewScanner(out)
	next := func() string {
		if !lines.Scan() {
			t.Fatalf("output ended")
		}
		return lines.Text()
	}
	var tend int
	if _, err := fmt.Sscanf(next(), "tend pid=%d", &tend); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(tend, syscall.SIGKILL) })
	if l := next(); !strings.HasPrefix(l, "ready pid=") {
		t.Fatalf("got %q", l)
	}
	in.Close() // the parent exits
	parent.Wait()
	if l := next(); l != "got SIGUSR1" {
		t.Fatalf("after its parent died, tend's program printed %q, want got SIGUSR1", l)
	}
	// The kernel sends the signal once for each of tend's threads (the
	// parent-death signal is a thread's), so more may follow.
	syscall.Kill(tend, syscall.SIGTERM)
	for l := next(); l != "got SIGTERM"; l = next() {
		if l != "got SIGUSR1" {
			t.Fatalf("got %q", l)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for alive(tend) {
		if time.Now().After(deadline) {
			t.Fatalf("tend %d still running", tend)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startTendEnv is startTend with more environment.
func startTendEnv(t *testing.T, m mode, env []string, args ...string) *proc {
	t.Helper()
	return startTendWith(t, m, func(c *exec.Cmd) { c.Env = append(os.Environ(), env...) }, args...)
}
