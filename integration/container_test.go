package integration

// Issue 6: tend in a real container, as users run it: the FROM scratch
// image of Dockerfile.test (no shell, no libc), ENTRYPOINT ["/tend", "--"],
// driven by docker or podman (CONTAINERS.md).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// stopConfig has a dependent (web) and its dependency (db), both slow to
// stop, so that an ordered shutdown shows in their output.
var stopConfig = imageFile{path: "etc/tend-test.toml", mode: 0o644, body: fmt.Sprintf(`
[tend]
log_level = "info"
[program.db]
command = %s
[program.web]
command = %s
depends_on = ["db"]
`, tomlCommand("slow-stop", "db", "2s"), tomlCommand("slow-stop", "web", "500ms"))}

// statusConfig has one program running and one not started.
var statusConfig = imageFile{path: "etc/tend-status.toml", mode: 0o644, body: fmt.Sprintf(`
[tend]
log_level = "info"
[program.a]
command = %s
[program.b]
command = %s
autostart = false
`, tomlCommand("svc", "a"), tomlCommand("svc", "b"))}

// oomConfig runs a required program that allocates past the container's
// memory limit.
var oomConfig = imageFile{path: "etc/tend-oom.toml", mode: 0o644, body: fmt.Sprintf(`
[tend]
log_level = "info"
termination_log = "/out/termination-log"
[program.hog]
command = %s
required = true
startsecs = 0
autorestart = false
`, tomlCommand("alloc", "512"))}

// noexec is a file without execute permission.
var noexec = imageFile{path: "noexec", mode: 0o644, body: "not a program\n"}

// TestContainer builds the image once and runs each case in containers of
// it; the image is removed at the end.
func TestContainer(t *testing.T) {
	if testing.Short() {
		// -short is the race run (.ci/run): a race-built tend cannot go in
		// a scratch image, and the static one is tested by the full run.
		t.Skip("container tests are not short")
	}
	im := buildImage(t, stopConfig, statusConfig, oomConfig, noexec)
	t.Run("ExitStatus", func(t *testing.T) { t.Parallel(); containerExitStatus(t, im) })
	t.Run("Stop", func(t *testing.T) { t.Parallel(); containerStop(t, im) })
	t.Run("TTY", func(t *testing.T) { t.Parallel(); containerTTY(t, im) })
	t.Run("Reload", func(t *testing.T) { t.Parallel(); containerReload(t, im) })
	t.Run("Status", func(t *testing.T) { t.Parallel(); containerStatus(t, im) })
	t.Run("OOM", func(t *testing.T) { t.Parallel(); containerOOM(t, im) })
}

// Issue 14: in a container with a memory limit, a program that allocates
// past it is killed by the kernel's OOM killer, and tend says so (the
// cgroup's OOM kill count rose): in its log, in the exit status of a
// required program's end (137), and in the termination message Kubernetes
// shows.
func containerOOM(t *testing.T, im *image) {
	out := t.TempDir()
	if err := os.Chmod(out, 0o777); err != nil {
		t.Fatal(err)
	}
	c := im.start(t, nil, []string{"--entrypoint", "/tend", "--memory", "64m", "--memory-swap", "64m", "-v", out + ":/out"}, "-c", "/etc/tend-oom.toml")
	if got := c.wait(ctrWait); got != 137 {
		t.Errorf("exit status %d, want 137 (the required program's SIGKILL)", got)
	}
	log := c.stderr.String()
	if !regexp.MustCompile(`program=hog from=RUNNING to=EXITED .*exit_code=137 reason="killed by the OOM killer"`).MatchString(log) {
		t.Errorf("tend's log does not blame the OOM killer:\n%s", log)
	}
	msg, err := os.ReadFile(filepath.Join(out, "termination-log"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "tend: required program hog ended: EXITED, killed by SIGKILL (exit status 137), killed by the OOM killer\n"; !strings.HasPrefix(string(msg), want) {
		t.Errorf("termination message %q, want it to start %q", msg, want)
	}
}

// `docker run IMAGE PROGRAM` exits as PROGRAM does, through tend's
// ENTRYPOINT: its status, 128+N for signal N, 127 for a command not
// found and 126 for one not executable, each with one line on stderr.
func containerExitStatus(t *testing.T, im *image) {
	for _, tc := range []struct {
		name string
		args []string
		want int
		says string // what the one line on stderr names; "" for none
	}{
		{"exit 0", inImage("exit", "0"), 0, ""},
		{"exit 3", inImage("exit", "3"), 3, ""},
		{"exit 42", inImage("exit", "42"), 42, ""},
		{"SIGTERM", inImage("selfkill", "TERM"), 128 + 15, ""},
		{"SIGKILL", inImage("selfkill", "KILL"), 128 + 9, ""},
		{"not found", []string{"/nope", "arg"}, 127, `exec \"/nope\"`},
		{"not executable", []string{"/noexec"}, 126, `exec \"/noexec\"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := im.start(t, nil, nil, tc.args...)
			if tc.says == "" {
				c.waitLineWithin("ready pid=", ctrWait)
			}
			if got := c.wait(ctrWait); got != tc.want {
				t.Errorf("exit status %d, want %d", got, tc.want)
			}
			stderr := strings.TrimSpace(c.stderr.String())
			switch {
			case tc.says == "" && stderr != "":
				t.Errorf("stderr %q, want nothing", stderr)
			case tc.says != "" && (strings.Contains(stderr, "\n") || !strings.Contains(stderr, tc.says)):
				t.Errorf("stderr:\n%s\nwant one line with %s", stderr, tc.says)
			}
		})
	}
}

// `docker stop -t N` on a supervisor: tend stops the dependent before its
// dependency and exits by itself within the grace, with main's status
// when there is a main, else 0 (the engine's SIGKILL would give 137).
func containerStop(t *testing.T, im *image) {
	const grace = 60 // seconds; tend's own shutdown_timeout is 9 s
	for _, tc := range []struct {
		name string
		main []string
		want int
	}{
		{"config", nil, 0},
		// The signals helper prints "got SIGTERM" and exits 3.
		{"config and main", inImage("signals"), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"-c", "/etc/tend-test.toml"}
			if tc.main != nil {
				args = append(append(args, "--"), tc.main...)
			}
			c := im.start(t, nil, []string{"--entrypoint", "/tend"}, args...)
			ready := []string{"db ready pid=", "web ready pid="}
			if tc.main != nil {
				ready = append(ready, "ready pid=")
			}
			c.untilAll(ready...)
			start := time.Now()
			c.do("stop", "-t", strconv.Itoa(grace))
			took := time.Since(start)
			t.Logf("stop took %v", took.Round(time.Millisecond))
			got := c.wait(ctrWait)
			lines := c.rest()
			var stops []string
			for _, l := range lines {
				if strings.HasSuffix(l, " stopping") || strings.HasSuffix(l, " stopped") || l == "got SIGTERM" {
					stops = append(stops, l)
				}
			}
			want := []string{"web stopping", "web stopped", "db stopping", "db stopped"}
			if tc.main != nil {
				want = append([]string{"got SIGTERM"}, want...) // main stops first
			}
			if !slices.Equal(stops, want) {
				t.Errorf("shutdown printed %q, want %q; all it printed:\n%s", stops, want, strings.Join(lines, "\n"))
			}
			if took >= grace*time.Second {
				t.Errorf("stop took %v, not within the %ds grace", took, grace)
			}
			if got != tc.want {
				t.Errorf("exit status %d, want %d", got, tc.want)
			}
		})
	}
}

// `docker run -it`: the program is the foreground process group of the
// container's terminal, so a resize, ^Z and ^C typed at the client reach
// it; ^C ends it and the container exits 130.
func containerTTY(t *testing.T, im *image) {
	master, slave := openPTY(t)
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Fatal(err)
	}
	// The client leads a session whose controlling terminal is the pty,
	// as in a shell; it puts the pty in raw mode and relays to the
	// container's own terminal.
	c := im.start(t, func(cmd *exec.Cmd) {
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	}, []string{"-it"}, inImage("tty")...)
	slave.Close()
	term := readTerminal(master)
	term.next(t, "ready pid=")
	var pgrp, fg int
	if _, err := fmt.Sscanf(term.next(t, "pgrp="), "pgrp=%d fg=%d", &pgrp, &fg); err != nil {
		t.Fatal(err)
	}
	if pgrp != fg || pgrp == 1 {
		t.Fatalf("program's process group %d; the terminal's foreground group %d (tend's is 1)", pgrp, fg)
	}
	// A resize: the client passes it on; the container's terminal sends
	// SIGWINCH to its foreground group.
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
		t.Fatal(err)
	}
	// podman sets the container terminal's size once it runs, which may
	// reach the helper as a SIGWINCH of the first size (seen in CI): those
	// are passed over.
	for {
		got := term.next(t, "got SIGWINCH")
		if got == "got SIGWINCH 40x100" {
			break
		}
		if got != "got SIGWINCH 24x80" {
			t.Fatalf("got %q, want got SIGWINCH 40x100", got)
		}
	}
	master.Write([]byte{0x1a}) // ^Z: SIGTSTP, which the helper catches
	term.next(t, "got SIGTSTP")
	master.Write([]byte{0x03}) // ^C: SIGINT; the helper exits 130
	term.next(t, "got SIGINT")
	if got := c.wait(ctrWait); got != 130 {
		t.Errorf("exit status %d, want 130", got)
	}
}

// `docker kill --signal HUP` applies a changed config from a mounted
// directory: the added program starts, the unchanged one keeps running
// (it never prints a second "ready").
func containerReload(t *testing.T, im *image) {
	dir := t.TempDir()
	a := fmt.Sprintf("[program.a]\ncommand = %s\n", tomlCommand("svc", "a"))
	b := fmt.Sprintf("[program.b]\ncommand = %s\n", tomlCommand("svc", "b"))
	replace(t, filepath.Join(dir, "tend.toml"), a)
	// The directory is mounted, not the file: a file's bind mount keeps
	// the inode it started with, and an editor's rename replaces it.
	c := im.start(t, nil, []string{"--entrypoint", "/tend", "-v", dir + ":/etc/tend.d"}, "-c", "/etc/tend.d/tend.toml")
	c.until("a ready pid=")
	replace(t, filepath.Join(dir, "tend.toml"), a+b)
	c.do("kill", "--signal", "HUP")
	lines := c.until("b ready pid=")
	c.do("stop", "-t", "60")
	if got := c.wait(ctrWait); got != 0 {
		t.Errorf("exit status %d, want 0", got)
	}
	lines = append(lines, c.rest()...)
	var aLines []string
	for _, l := range lines {
		if strings.HasPrefix(l, "a ") {
			aLines = append(aLines, l)
		}
	}
	if len(aLines) != 1 || aLines[0] != "a stopping" { // its ready line came before
		t.Errorf("after the reload a printed %q, want only its final \"a stopping\": the reload restarted it; all lines:\n%s", aLines, strings.Join(lines, "\n"))
	}
}

// `docker exec CONTAINER /tend ctl status` in an image with no shell: the
// Kubernetes exec probe. Exit 0 while every program it lists is RUNNING,
// 3 when one is not (b, autostart = false, is STOPPED until started).
func containerStatus(t *testing.T, im *image) {
	c := im.start(t, nil, []string{"--entrypoint", "/tend"}, "-c", "/etc/tend-status.toml")
	lines := c.until("a ready pid=")
	var pid int
	if _, err := fmt.Sscanf(lines[len(lines)-1], "a ready pid=%d", &pid); err != nil {
		t.Fatal(err)
	}
	running := func(name string, pid int) *regexp.Regexp {
		p := `\d+`
		if pid > 0 {
			p = strconv.Itoa(pid)
		}
		return regexp.MustCompile(`(?m)^` + name + ` +RUNNING +pid ` + p + `, uptime \d+:\d\d:\d\d$`)
	}
	// a is RUNNING once up for startsecs (1 s); STARTING until then.
	out, code := "", -1
	for deadline := time.Now().Add(ctrWait); code != 0 && time.Now().Before(deadline); {
		if out, code = c.exec("/tend", "ctl", "status", "a"); code != 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if code != 0 || !running("a", pid).MatchString(out) {
		t.Fatalf("status a: exit %d:\n%s\nwant exit 0 and a  RUNNING  pid %d, uptime H:MM:SS", code, out, pid)
	}
	out, code = c.exec("/tend", "ctl", "status")
	if code != 3 || !running("a", pid).MatchString(out) || !regexp.MustCompile(`(?m)^b +STOPPED\b`).MatchString(out) {
		t.Errorf("status with b STOPPED: exit %d:\n%s\nwant exit 3, a RUNNING and b STOPPED", code, out)
	}
	if out, code = c.exec("/tend", "ctl", "start", "b"); code != 0 || strings.TrimSpace(out) != "b: started" {
		t.Fatalf("start b: exit %d:\n%s\nwant exit 0 and b: started", code, out)
	}
	c.until("b ready pid=")
	out, code = c.exec("/tend", "ctl", "status")
	if code != 0 || !running("a", pid).MatchString(out) || !running("b", 0).MatchString(out) {
		t.Errorf("status with all RUNNING: exit %d:\n%s\nwant exit 0, a and b RUNNING", code, out)
	}
}
