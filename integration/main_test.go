// Package integration builds tend and runs it for real: as PID 1 of a new
// PID namespace, as a subreaper, and through a pseudo-terminal. The test
// binary doubles as the programs tend runs (see helpers_test.go); each says
// "ready pid=N" before the test acts on it.
package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	tendBin string // the tend binary under test
	selfBin string // this test binary, run as the helper programs
)

func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "helper" {
		os.Exit(helper(os.Args[2:]))
	}
	dir, err := os.MkdirTemp("", "tend-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tendBin = filepath.Join(dir, "tend")
	// TEND_RACE=1 builds tend with the race detector (not static), to
	// check the loop's goroutines under the real tests.
	build := exec.Command("go", "build", "-o", tendBin, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if os.Getenv("TEND_RACE") == "1" {
		build = exec.Command("go", "build", "-race", "-o", tendBin, "..")
		build.Env = append(os.Environ(), "CGO_ENABLED=1")
	}
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build tend: %v\n%s", err, out)
		os.Exit(1)
	}
	if selfBin, err = os.Executable(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// inCI is true under CI=true, where a test that cannot set up what it needs
// fails rather than skips: a skipped test proves nothing.
var inCI = os.Getenv("CI") == "true"

// need skips the test, or fails it in CI, when why is not "".
func need(t *testing.T, why string) {
	t.Helper()
	if why == "" {
		return
	}
	if inCI {
		t.Fatalf("cannot run in CI: %s", why)
	}
	t.Skip(why)
}

// mode is one way of running tend.
type mode struct {
	name string
	pid1 bool // tend is PID 1 of a new PID namespace
}

var modes = []mode{{"pid1", true}, {"subreaper", false}}

// eachMode runs f once as PID 1 and once as a subreaper.
func eachMode(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if m.pid1 {
				need(t, canUnshare())
			}
			f(t, m)
		})
	}
}

var unshareOnce struct {
	sync.Once
	why string
}

// canUnshare says why tend cannot be run as PID 1 here, or "".
func canUnshare() string {
	unshareOnce.Do(func() {
		if _, err := exec.LookPath("unshare"); err != nil {
			unshareOnce.why = "unshare(1) not found (util-linux)"
			return
		}
		out, err := exec.Command("unshare", "--pid", "--fork", "--mount-proc", "true").CombinedOutput()
		if err != nil {
			unshareOnce.why = fmt.Sprintf("unshare --pid --fork --mount-proc: %v: %s (needs root)", err, bytes.TrimSpace(out))
		}
	})
	return unshareOnce.why
}

// proc is a running tend and what it prints.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line
	stderr *fileText
	done   chan struct{}
	exit   int
	pid    int // tend's pid as this test sees it
	// unprefix strips the "NAME | " tend puts before a program's lines.
	unprefix bool
}

// helperArgs is the command line that runs helper name in this binary.
func helperArgs(name string, args ...string) []string {
	return append([]string{selfBin, "helper", name}, args...)
}

// startTend runs tend with args, as PID 1 or as a subreaper.
func startTend(t *testing.T, m mode, args ...string) *proc {
	t.Helper()
	return startTendWith(t, m, nil, args...)
}

// startTendWith is startTend with a hook to set up the command (a TTY).
func startTendWith(t *testing.T, m mode, setup func(*exec.Cmd), args ...string) *proc {
	t.Helper()
	return startTendFull(t, m, setup, false, args...)
}

// startTendFull is startTendWith, with the choice to strip "NAME | ".
func startTendFull(t *testing.T, m mode, setup func(*exec.Cmd), unprefix bool, args ...string) *proc {
	t.Helper()
	argv := append([]string{tendBin}, args...)
	if m.pid1 {
		argv = append([]string{"unshare", "--pid", "--fork", "--mount-proc"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// stderr goes to a file, not a pipe: exec.Cmd.Wait would wait for
	// every process that inherited a pipe, orphans included.
	errFile, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	p := &proc{t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &fileText{errFile.Name()}, done: make(chan struct{}), unprefix: unprefix}
	cmd.Stderr = errFile
	var stdout *os.File
	if setup != nil {
		setup(cmd)
	}
	if cmd.Env == nil && slices.Contains(args, "-c") {
		// A socket of the test's own where the config names none: two
		// test runs at once must not meet at /run/tend.sock.
		cmd.Env = append(os.Environ(), "TEND_SOCKET="+filepath.Join(socketDir(t), "tend.sock"))
	}
	if cmd.Stdout == nil {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout = w
		stdout = r
		defer w.Close()
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	if stdout != nil {
		go p.read(stdout)
	}
	go func() {
		cmd.Wait()
		p.exit = cmd.ProcessState.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			p.exit = 128 + int(ws.Signal())
		}
		close(p.done)
	}()
	p.pid = cmd.Process.Pid
	if m.pid1 {
		p.pid = childOf(t, cmd.Process.Pid)
	}
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			if !m.pid1 {
				// A subreaper killed outright would leave its programs
				// to the host's init: let it stop them first.
				syscall.Kill(p.pid, syscall.SIGTERM)
				select {
				case <-p.done:
				case <-time.After(15 * time.Second):
				}
			}
			cmd.Process.Kill()
			if m.pid1 {
				syscall.Kill(p.pid, syscall.SIGKILL)
			}
			<-p.done
		}
		if t.Failed() {
			t.Logf("tend's stderr:\n%s", p.stderr.String())
		}
	})
	return p
}

func (p *proc) read(r *os.File) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := sc.Text()
		if p.unprefix {
			// "web | web ready" -> "web ready": tests of other things
			// read the programs' lines as the programs wrote them.
			if name, rest, ok := strings.Cut(l, " | "); ok && !strings.Contains(name, " ") {
				l = rest
			}
		}
		p.lines <- l
	}
	close(p.lines)
}

// waitLine waits for a stdout line that starts with prefix and returns it;
// lines before it are passed over.
func (p *proc) waitLine(prefix string) string {
	p.t.Helper()
	return p.waitLineWithin(prefix, 20*time.Second)
}

// waitLineWithin is waitLine with its own limit.
func (p *proc) waitLineWithin(prefix string, limit time.Duration) string {
	p.t.Helper()
	deadline := time.After(limit)
	var skipped []string
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("tend's stdout closed before a line %q; it printed:\n%s", prefix, strings.Join(skipped, "\n"))
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			skipped = append(skipped, l)
		case <-deadline:
			p.t.Fatalf("no line %q within %v; tend printed:\n%s", prefix, limit, strings.Join(skipped, "\n"))
		}
	}
}

// nextLine returns the next stdout line.
func (p *proc) nextLine() string {
	p.t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.t.Fatalf("tend's stdout closed")
		}
		return l
	case <-time.After(20 * time.Second):
		p.t.Fatalf("no line within 20s")
	}
	return ""
}

// ready waits for the helper's "ready pid=N" and returns N.
func (p *proc) ready() int {
	p.t.Helper()
	l := p.waitLine("ready pid=")
	n, err := strconv.Atoi(strings.TrimPrefix(l, "ready pid="))
	if err != nil {
		p.t.Fatalf("bad ready line %q", l)
	}
	return n
}

// wait waits for tend to exit and returns its status.
func (p *proc) wait(limit time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.exit
	case <-time.After(limit):
		p.t.Fatalf("tend still running after %v", limit)
	}
	return 0
}

// signal sends s to tend itself.
func (p *proc) signal(s syscall.Signal) {
	p.t.Helper()
	if err := syscall.Kill(p.pid, s); err != nil {
		p.t.Fatalf("kill %d %v: %v", p.pid, s, err)
	}
}

// childOf waits for the one child of pid (tend, under unshare --fork).
func childOf(t *testing.T, pid int) int {
	t.Helper()
	// Generous: on a loaded machine (an orphan storm in a parallel test
	// run) a fork can take seconds.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("unshare (pid %d) started no child", pid)
	return 0
}

// fileText is what a process has written to a file so far.
type fileText struct{ path string }

func (f *fileText) String() string {
	b, err := os.ReadFile(f.path)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// alive reports whether pid is a live process (not gone, not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && len(b) > i+2 && b[i+2] != 'Z' && b[i+2] != 'X'
}
