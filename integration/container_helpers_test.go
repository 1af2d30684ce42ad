package integration

// What the container tests (container_test.go) share: finding an engine,
// building the image of Dockerfile.test, and running containers of it.

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ctrWait bounds each wait for something a container does. Generous: on a
// loaded machine a container can take many seconds to start or stop.
const ctrWait = 3 * time.Minute

// runc is the runtime podman must use here: crun and podman's default
// rlimits are refused in this sandbox (CONTAINERS.md).
const runc = "/usr/sbin/runc"

// engine is docker with a live engine, or podman with runc.
type engine struct {
	cmd []string // the client and its global flags
	run []string // flags for every `run`
}

// findEngine returns the engine to use, or why none can be used.
func findEngine() (engine, string) {
	if _, err := exec.LookPath("docker"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if exec.CommandContext(ctx, "docker", "info").Run() == nil {
			return engine{cmd: []string{"docker"}, run: []string{"--network", "none"}}, ""
		}
	}
	if _, err := exec.LookPath("podman"); err != nil {
		return engine{}, "no container engine: docker has no live engine (`docker info` fails) and podman is not installed (apt-get install podman runc)"
	}
	if _, err := os.Stat(runc); err != nil {
		return engine{}, fmt.Sprintf("podman is installed but runc is not (apt-get install runc): %v", err)
	}
	return engine{
		cmd: []string{"podman", "--runtime", runc},
		run: []string{"--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1000:1000"},
	}, ""
}

// command is the engine's client with args.
func (e engine) command(ctx context.Context, args ...string) *exec.Cmd {
	argv := append(append([]string{}, e.cmd...), args...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

// image is the test image and the engine that runs it.
type image struct {
	engine
	tag string
}

// imageFile is a file the test writes into the build context.
type imageFile struct {
	path string // relative to the context
	body string
	mode os.FileMode
}

// buildImage builds Dockerfile.test with tend, this test binary (both
// static) and files, runs a first container of it to see that the engine
// can, and removes the image when t ends. It skips t (fails it under
// CI=true) when no engine can run a container here.
func buildImage(t *testing.T, files ...imageFile) *image {
	t.Helper()
	e, why := findEngine()
	need(t, why)
	dir := t.TempDir()
	staticBinary(t, filepath.Join(dir, "tend"), tendBin, "go", "build", "-o", filepath.Join(dir, "tend"), "..")
	staticBinary(t, filepath.Join(dir, "tend.test"), selfBin, "go", "test", "-c", "-o", filepath.Join(dir, "tend.test"), ".")
	// /run holds the default control socket; a scratch image has no /run.
	if err := os.Mkdir(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), f.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	im := &image{engine: e, tag: fmt.Sprintf("tend-test:%d-%d", os.Getpid(), time.Now().UnixNano())}
	ctx, cancel := context.WithTimeout(context.Background(), ctrWait)
	defer cancel()
	start := time.Now()
	if out, err := e.command(ctx, "build", "-f", "../Dockerfile.test", "-t", im.tag, dir).CombinedOutput(); err != nil {
		t.Fatalf("%s build: %v\n%s", e.cmd[0], err, out)
	}
	took := time.Since(start).Round(time.Millisecond)
	size, _ := e.command(ctx, "image", "inspect", "--format", "{{.Size}}", im.tag).Output()
	t.Logf("built %s (%s bytes) with %s in %v", im.tag, bytes.TrimSpace(size), strings.Join(e.cmd, " "), took)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), ctrWait)
		defer cancel()
		if out, err := e.command(ctx, "rmi", "-f", im.tag).CombinedOutput(); err != nil {
			t.Errorf("%s rmi %s: %v\n%s", e.cmd[0], im.tag, err, out)
		}
	})
	// Whether the engine can run a container at all, without tend: a
	// failure here is the machine's, not tend's.
	probe := append(append([]string{"run", "--rm"}, e.run...), "--entrypoint", "/tend.test", im.tag, "helper", "exit", "0")
	if out, err := e.command(ctx, probe...).CombinedOutput(); err != nil || !bytes.HasPrefix(out, []byte("ready pid=")) {
		need(t, fmt.Sprintf("%s cannot run a container here: %s %s: %v\n%s", e.cmd[0], strings.Join(e.cmd, " "), strings.Join(probe, " "), err, out))
	}
	return im
}

// staticBinary puts a static build at dst: src itself when it is static
// (no ELF interpreter), else what build makes with CGO_ENABLED=0 (the race
// detector's tend, or a test binary built with cgo).
func staticBinary(t *testing.T, dst, src string, build ...string) {
	t.Helper()
	f, err := elf.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	static := true
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			static = false
		}
	}
	f.Close()
	if !static {
		cmd := exec.Command(build[0], build[1:]...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(build, " "), err, out)
		}
		return
	}
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// inImage is the command line that runs helper name in the image.
func inImage(name string, args ...string) []string {
	return append([]string{"/tend.test", "helper", name}, args...)
}

// tomlCommand is a TOML array of the command that runs helper name in the
// image.
func tomlCommand(name string, args ...string) string {
	var q []string
	for _, a := range inImage(name, args...) {
		q = append(q, fmt.Sprintf("%q", a))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// container is one `ENGINE run` of the image: the client process, whose
// stdout lines (with tend's "NAME | " stripped), stderr and exit status
// are the container's.
type container struct {
	*proc
	im   *image
	name string
}

var containers atomic.Int64

// start runs `ENGINE run --rm --name NAME [flags] [opts] IMAGE args`.
// setup, when not nil, sets up the client's command (a terminal).
func (im *image) start(t *testing.T, setup func(*exec.Cmd), opts []string, args ...string) *container {
	t.Helper()
	name := fmt.Sprintf("tend-test-%d-%d", os.Getpid(), containers.Add(1))
	argv := append(append([]string{}, im.cmd...), "run", "--rm", "--name", name)
	argv = append(append(append(argv, im.run...), opts...), im.tag)
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	errFile, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errFile.Close()
	c := &container{im: im, name: name, proc: &proc{
		t: t, cmd: cmd, lines: make(chan string, 1024), stderr: &fileText{errFile.Name()},
		done: make(chan struct{}), unprefix: true,
	}}
	cmd.Stderr = errFile
	if setup != nil {
		setup(cmd)
	}
	var stdout *os.File
	if cmd.Stdout == nil {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, stdout = w, r
		defer w.Close()
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	t.Logf("started %s: %s", name, strings.Join(argv, " "))
	if stdout != nil {
		go c.read(stdout)
	}
	go func() {
		cmd.Wait()
		c.exit = cmd.ProcessState.ExitCode()
		close(c.done)
	}()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			// The client's end does not end the container: kill that
			// (the client then exits and --rm removes it), and only
			// then, if need be, the client.
			c.engineCmd(ctrWait, "kill", name)
			select {
			case <-c.done:
			case <-time.After(ctrWait):
				cmd.Process.Kill()
				c.engineCmd(ctrWait, "rm", "-f", name)
				<-c.done
			}
		}
		if t.Failed() {
			t.Logf("%s's stderr:\n%s", name, c.stderr.String())
		}
	})
	return c
}

// engineCmd runs `ENGINE args` and returns its stdout, stderr and exit
// status; -1 when it did not run or end within limit.
func (c *container) engineCmd(limit time.Duration, args ...string) (stdout, stderr string, code int) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := c.im.command(ctx, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		code = 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		code = exit.ExitCode()
	default:
		code = -1
		fmt.Fprintf(&e, "%s %s: %v", strings.Join(c.im.cmd, " "), strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// do runs `ENGINE args NAME` (kill, stop) and fails t unless it succeeds.
func (c *container) do(args ...string) {
	c.t.Helper()
	if _, stderr, code := c.engineCmd(ctrWait, append(args, c.name)...); code != 0 {
		c.t.Fatalf("%s %s %s: exit %d: %s", c.im.cmd[0], strings.Join(args, " "), c.name, code, stderr)
	}
}

// exec runs `ENGINE exec NAME args` and returns its output and status.
func (c *container) exec(args ...string) (stdout string, code int) {
	c.t.Helper()
	stdout, stderr, code := c.engineCmd(ctrWait, append([]string{"exec", c.name}, args...)...)
	if code == -1 {
		c.t.Fatal(stderr)
	}
	return stdout, code
}

// until returns every stdout line up to and including the first that
// starts with prefix.
func (c *container) until(prefix string) []string {
	c.t.Helper()
	var got []string
	deadline := time.After(ctrWait)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("%s's stdout closed before a line %q; it printed:\n%s", c.name, prefix, strings.Join(got, "\n"))
			}
			got = append(got, l)
			if strings.HasPrefix(l, prefix) {
				return got
			}
		case <-deadline:
			c.t.Fatalf("no line %q from %s within %v; it printed:\n%s", prefix, c.name, ctrWait, strings.Join(got, "\n"))
		}
	}
}

// untilAll returns every stdout line up to the one by which a line has
// started with each of prefixes, in any order.
func (c *container) untilAll(prefixes ...string) []string {
	c.t.Helper()
	var got []string
	left := slices.Clone(prefixes)
	deadline := time.After(ctrWait)
	for len(left) > 0 {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("%s's stdout closed before lines %q; it printed:\n%s", c.name, left, strings.Join(got, "\n"))
			}
			got = append(got, l)
			left = slices.DeleteFunc(left, func(p string) bool { return strings.HasPrefix(l, p) })
		case <-deadline:
			c.t.Fatalf("no lines %q from %s within %v; it printed:\n%s", left, c.name, ctrWait, strings.Join(got, "\n"))
		}
	}
	return got
}

// rest returns every stdout line left, once the container has ended.
func (c *container) rest() []string {
	c.t.Helper()
	var got []string
	deadline := time.After(ctrWait)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				return got
			}
			got = append(got, l)
		case <-deadline:
			c.t.Fatalf("%s's stdout still open after %v; it printed:\n%s", c.name, ctrWait, strings.Join(got, "\n"))
		}
	}
}

// terminal reads the lines a client writes on a pseudo-terminal.
type terminal chan string

// readTerminal reads master line by line, without the "\r" before "\n".
func readTerminal(master *os.File) terminal {
	lines := make(terminal, 64)
	go func() {
		var line []byte
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			for _, b := range buf[:n] {
				if b == '\n' {
					lines <- strings.TrimRight(string(line), "\r")
					line = line[:0]
				} else {
					line = append(line, b)
				}
			}
			if err != nil { // EIO once the client has closed the slave
				close(lines)
				return
			}
		}
	}()
	return lines
}

// next returns the first line holding s, from s on: the terminal echoes
// ^C and ^Z before the program's next line.
func (term terminal) next(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(ctrWait)
	var got []string
	for {
		select {
		case l, ok := <-term:
			if !ok {
				t.Fatalf("terminal closed before %q; it showed:\n%s", s, strings.Join(got, "\n"))
			}
			if i := strings.Index(l, s); i >= 0 {
				return l[i:]
			}
			got = append(got, l)
		case <-deadline:
			t.Fatalf("no %q on the terminal within %v; it showed:\n%s", s, ctrWait, strings.Join(got, "\n"))
		}
	}
}

// slowStop is a program that takes a moment to stop: it prints "NAME
// ready pid=N", and on SIGTERM "NAME stopping", then after DELAY "NAME
// stopped", and exits 0.
func slowStop(args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "slow-stop: want NAME DELAY")
		return 2
	}
	name := args[0]
	delay, err := time.ParseDuration(args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "slow-stop: %v\n", err)
		return 2
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, unix.SIGTERM)
	fmt.Printf("%s ready pid=%d\n", name, os.Getpid())
	<-term
	fmt.Printf("%s stopping\n", name)
	time.Sleep(delay) // the work of stopping
	fmt.Printf("%s stopped\n", name)
	return 0
}
