package procs

import (
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"
)

// A grandchild is found below tend, and a zombie is not.
func TestBelow(t *testing.T) {
	sh := exec.Command("sh", "-c", "sleep 30 & echo $!; exec sleep 30")
	out, err := sh.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer sh.Process.Kill()
	buf := make([]byte, 32)
	n, _ := out.Read(buf)
	var grandchild int
	for _, c := range buf[:n] {
		if c >= '0' && c <= '9' {
			grandchild = grandchild*10 + int(c-'0')
		}
	}
	defer syscall.Kill(grandchild, syscall.SIGKILL)
	pids, err := Below(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(pids, sh.Process.Pid) || !slices.Contains(pids, grandchild) {
		t.Fatalf("Below = %v, want %d and %d among them", pids, sh.Process.Pid, grandchild)
	}
	syscall.Kill(sh.Process.Pid, syscall.SIGKILL)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, live := parent(sh.Process.Pid); !live {
			return // a zombie now: no longer listed
		}
	}
	t.Fatalf("pid %d still counted as live after SIGKILL", sh.Process.Pid)
}

func TestWithin(t *testing.T) {
	self := os.Getpid()
	if !Within(self, self) || !Within(self, os.Getppid()) {
		t.Fatal("tend is not within itself or its parent")
	}
	sh := exec.Command("sleep", "30")
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer sh.Process.Kill()
	if !Within(sh.Process.Pid, self) {
		t.Errorf("a child is not within its parent")
	}
	if Within(self, sh.Process.Pid) {
		t.Errorf("a parent is within its child")
	}
}
