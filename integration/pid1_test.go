package integration

// Issue 2: tend as a correct PID 1 in tini mode (`tend -- PROGRAM`).

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"tend/signals"
)

// The program's status is tend's: 0 to 255 as they are, 128+N for signal
// N, 127 for a command not found, 126 for one that cannot be executed.
func TestExitStatus(t *testing.T) {
	cases := []struct {
		name string
		argv []string
		want int
		msg  string // in tend's stderr
	}{
		{"zero", helperArgs("exit", "0"), 0, ""},
		{"one", helperArgs("exit", "1"), 1, ""},
		{"42", helperArgs("exit", "42"), 42, ""},
		{"255", helperArgs("exit", "255"), 255, ""},
		{"killed", helperArgs("selfkill", "KILL"), 128 + 9, ""},
		{"terminated", helperArgs("selfkill", "TERM"), 128 + 15, ""},
		{"hung up", helperArgs("selfkill", "HUP"), 128 + 1, ""},
		{"not found", []string{"no-such-command-here"}, 127, `exec \"no-such-command-here\": executable file not found in $PATH`},
		{"no such path", []string{"/no/such/file"}, 127, `exec \"/no/such/file\": no such file or directory`},
		{"not executable", []string{"/etc/passwd"}, 126, `exec \"/etc/passwd\": permission denied`},
	}
	eachMode(t, func(t *testing.T, m mode) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, stderr := runTend(t, m, nil, append([]string{"--"}, c.argv...)...)
				if got != c.want {
					t.Errorf("exit status %d, want %d", got, c.want)
				}
				if c.msg != "" {
					if !strings.Contains(stderr, c.msg) {
						t.Errorf("stderr does not name the problem %q:\n%s", c.msg, stderr)
					}
					if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
						t.Errorf("want a one-line message, got %d lines:\n%s", n+1, stderr)
					}
				}
			})
		}
	})
}

// Every signal tend receives reaches the program, but SIGCHLD, SIGURG and
// SIGPIPE, which are tend's own.
// SIGURG, the Go runtime's preemption signal (dozens a second), is never
// forwarded. A shell traps it, so a forwarded one would be printed before
// the SIGUSR1 that follows it.
func TestSIGURGKept(t *testing.T) {
	eachMode(t, func(t *testing.T, m mode) {
		p := startTend(t, m, "--", "sh", "-c",
			`trap 'echo got URG' URG; trap 'echo got USR1; exit 0' USR1; echo ready pid=$$; while :; do sleep 0.01; done`)
		p.ready()
		p.signal(syscall.SIGURG)
		p.signal(syscall.SIGUSR1)
		if got := p.nextLine(); got != "got USR1" {
			t.Fatalf("after SIGURG and SIGUSR1 the program printed %q: SIGURG was forwarded", got)
		}
		if got := p.wait(10 * time.Second); got != 0 {
			t.Errorf("exit status %d, want 0", got)
		}
	})
}

func TestSignalsForwarded(t *testing.T) {
	forwarded := []syscall.Signal{
		syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGUSR1,
		syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGWINCH, syscall.SIGCONT,
		syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU, syscall.SIGPWR,
		syscall.SIGABRT, syscall.SIGSYS, syscall.SIGXCPU,
		syscall.Signal(35), syscall.Signal(64), // SIGRTMIN+1, SIGRTMAX
	}
	eachMode(t, func(t *testing.T, m mode) {
		p := startTend(t, m, append([]string{"--"}, helperArgs("signals")...)...)
		p.ready()
		for _, s := range forwarded {
			p.signal(s)
			want := "got " + signals.Name(s)
			if got := p.nextLine(); got != want {
				t.Fatalf("after kill -%d tend: program printed %q, want %q", int(s), got, want)
			}
		}
		// The ones tend keeps: the program must see SIGUSR1 next. (The
		// helper, a Go program, cannot listen for SIGURG: the shell below
		// does.)
		for _, s := range []syscall.Signal{syscall.SIGCHLD, syscall.SIGPIPE} {
			p.signal(s)
		}
		p.signal(syscall.SIGUSR1)
		if got := p.nextLine(); got != "got SIGUSR1" {
			t.Fatalf("after SIGCHLD, SIGPIPE and SIGUSR1 the program printed %q: one was forwarded", got)
		}
		// SIGTERM is forwarded too: the program decides, and exits 3.
		p.signal(syscall.SIGTERM)
		if got := p.nextLine(); got != "got SIGTERM" {
			t.Fatalf("program printed %q, want got SIGTERM", got)
		}
		if got := p.wait(10 * time.Second); got != 3 {
			t.Errorf("exit status %d, want the program's 3", got)
		}
	})
}

// Orphans are reparented to tend, as PID 1 or as the subreaper, and reaped:
// a storm of 20,000 exiting at once leaves no zombie.
func TestOrphanStormReaped(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	eachMode(t, func(t *testing.T, m mode) {
		p := startTend(t, m, append([]string{"--"}, helperArgs("orphans", fmt.Sprint(n))...)...)
		p.waitLineWithin("ready pid=", 5*time.Minute) // forking them all is the slow part
		if got, want := p.nextLine(), fmt.Sprintf("orphans %d", n); got != want {
			t.Fatalf("%q: the orphans were not all reparented to tend (want %q)", got, want)
		}
		got := p.waitLineWithin("", 5*time.Minute)
		if !strings.HasPrefix(got, "reaped all") {
			t.Fatalf("the program saw %q", got)
		}
		t.Log(got)
		if got := p.wait(60 * time.Second); got != 0 {
			t.Errorf("exit status %d", got)
		}
	})
}

// When the program exits, what it left behind gets SIGTERM, then SIGKILL
// after the grace, and tend exits with the program's status once all of
// it is gone: nothing outlives tend, also as a subreaper on a shared host.
func TestLeftoversStopped(t *testing.T) {
	eachMode(t, func(t *testing.T, m mode) {
		p := startTend(t, m, append([]string{"--"}, helperArgs("leftovers")...)...)
		onTerm := readyPid(t, p.waitLine("on-term ready pid="))
		ignorer := readyPid(t, p.waitLine("ignore-term ready pid="))
		p.ready()
		if got := p.waitLine("leftover got"); got != "leftover got SIGTERM" {
			t.Fatalf("got %q", got)
		}
		if got := p.wait(20 * time.Second); got != 0 {
			t.Errorf("exit status %d, want the program's 0", got)
		}
		if !m.pid1 { // as PID 1 the pids are the namespace's, and the kernel ends them anyway
			for _, pid := range []int{onTerm, ignorer} {
				if alive(pid) {
					t.Errorf("pid %d outlived tend", pid)
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		if !strings.Contains(p.stderr.String(), "sending SIGKILL") {
			t.Errorf("tend's log does not say it sent SIGKILL to the process that ignores SIGTERM:\n%s", p.stderr.String())
		}
	})
}

func readyPid(t *testing.T, line string) int {
	t.Helper()
	var pid int
	if _, err := fmt.Sscanf(line[strings.Index(line, "pid="):], "pid=%d", &pid); err != nil {
		t.Fatalf("bad line %q", line)
	}
	return pid
}

func TestVersion(t *testing.T) {
	out, err := exec.Command(tendBin, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "tend ") {
		t.Fatalf("tend version: %v %q", err, out)
	}
}

// An unknown flag is a usage error: exit 2, one line that names it.
func TestUnknownFlag(t *testing.T) {
	out, err := exec.Command(tendBin, "--frobnicate", "--", "true").CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit %v, want 2", err)
	}
	if string(out) != "tend: unknown flag \"--frobnicate\"\n" {
		t.Errorf("want one line naming the flag, got:\n%s", out)
	}
}
