package reaper

import (
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCode(t *testing.T) {
	cases := []struct {
		ws   unix.WaitStatus
		want int
	}{
		{0, 0},
		{7 << 8, 7},
		{255 << 8, 255},
		{unix.WaitStatus(syscall.SIGKILL), 137},
		{unix.WaitStatus(syscall.SIGTERM), 143},
	}
	for _, c := range cases {
		if got := (Exit{Status: c.ws}).Code(); got != c.want {
			t.Errorf("status %#x: code %d, want %d", uint32(c.ws), got, c.want)
		}
	}
}

// Reap collects every child that has exited, however many exited before
// it was called, and then reports none left.
func TestReap(t *testing.T) {
	want := map[int]int{}
	for i := range 5 {
		c := exec.Command("sh", "-c", "exit $0", string(rune('0'+i)))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		want[c.Process.Pid] = i
	}
	got := map[int]int{}
	for len(got) < len(want) {
		// Wait for any one to end without reaping it, so that Reap finds
		// the exits rather than blocking.
		var info unix.Siginfo
		if err := unix.Waitid(unix.P_ALL, 0, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
			t.Fatal(err)
		}
		Reap(func(e Exit) { got[e.Pid] = e.Code() })
	}
	for pid, code := range want {
		if got[pid] != code {
			t.Errorf("pid %d: code %d, want %d", pid, got[pid], code)
		}
	}
	if Reap(func(Exit) {}) {
		t.Error("children remain after all were reaped")
	}
}
