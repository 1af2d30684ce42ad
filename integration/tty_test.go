package integration

// Issue 2: with a terminal (`docker run -it`), the program's process group
// is the terminal's foreground group, so Ctrl-C, Ctrl-Z and resizes reach
// it as they would without tend.

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns a new pseudo-terminal's master and slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		need(t, fmt.Sprintf("no pseudo-terminals: %v", err))
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open slave: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

func TestTTYForeground(t *testing.T) {
	eachMode(t, func(t *testing.T, m mode) {
		master, slave := openPTY(t)
		// tend, or unshare before it, leads a new session whose controlling
		// terminal is the pty, as a container runtime sets up for -it.
		p := startTendWith(t, m, func(c *exec.Cmd) {
			c.Stdin, c.Stdout = slave, slave
			c.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		}, append([]string{"--"}, helperArgs("tty")...)...)
		slave.Close()
		lines := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(master)
			for sc.Scan() {
				lines <- strings.TrimRight(sc.Text(), "\r")
			}
			close(lines)
		}()
		next := func(prefix string) string {
			t.Helper()
			timeout := time.After(20 * time.Second)
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("terminal closed before %q", prefix)
					}
					// The terminal echoes ^Z and ^C before the next line.
					if i := strings.Index(l, prefix); i >= 0 {
						return l[i:]
					}
				case <-timeout:
					t.Fatalf("no %q on the terminal", prefix)
				}
			}
		}
		next("ready pid=")
		var pgrp, fg int
		if _, err := fmt.Sscanf(next("pgrp="), "pgrp=%d fg=%d", &pgrp, &fg); err != nil {
			t.Fatal(err)
		}
		if pgrp != fg {
			t.Fatalf("program's process group %d is not the terminal's foreground group %d", pgrp, fg)
		}
		// A resize: the kernel sends SIGWINCH to the foreground group.
		if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100}); err != nil {
			t.Fatal(err)
		}
		if got := next("got SIGWINCH"); got != "got SIGWINCH 40x100" {
			t.Errorf("got %q", got)
		}
		// Ctrl-Z: SIGTSTP to the foreground group (the helper catches it).
		master.Write([]byte{0x1a})
		next("got SIGTSTP")
		// Ctrl-C: SIGINT; the helper exits 130 and tend with it.
		master.Write([]byte{0x03})
		next("got SIGINT")
		if got := p.wait(10 * time.Second); got != 130 {
			t.Errorf("exit status %d, want 130", got)
		}
	})
}
