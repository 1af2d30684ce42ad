package integration

// Issue 4: a stalled log driver or a full disk never blocks a program;
// what cannot be written is dropped, counted, reported, and writing resumes.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tend's stdout stops being read (a blocked log driver): the program still
// writes all it has to write and goes on; once the reader is back, tend
// says how much it dropped.
func TestStalledStdoutNeverBlocks(t *testing.T) {
	need(t, canUnshare())
	// 16 MiB of 1 KiB lines: far more than the pipe, the test's buffer and
	// tend's 4 MiB queue hold while nobody reads.
	p := startTend(t, pid1, "-c", writeConfig(t, fmt.Sprintf(`
[program.flood]
command = %s
startsecs = 0
`, svcCmd("flood", "-flood", "16"))))
	// Nobody reads tend's stdout now. The program must still finish.
	p.waitLog(120*time.Second, "flood | finished")
	// Read again: tend catches up and reports the loss.
	go func() {
		for range p.lines {
		}
	}()
	line := p.waitLog(30*time.Second, "tend's stdout stalled; output dropped")
	if !strings.Contains(line, "dropped=") {
		t.Errorf("no count in %q", line)
	}
	p.signal(syscall.SIGTERM)
	if got := p.wait(20 * time.Second); got != 0 {
		t.Errorf("exit status %d", got)
	}
}

// A full disk: the program keeps running, the loss is logged, and once
// there is room again the log file gets written again.
func TestFullDiskLog(t *testing.T) {
	need(t, canUnshare())
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		need(t, fmt.Sprintf("cannot mount a small tmpfs (needs root): %v %s", err, out))
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	filler := filepath.Join(dir, "filler")
	log := filepath.Join(dir, "out.log")
	p := startTend(t, pid1, "-c", writeConfig(t, fmt.Sprintf(`
[program.w]
command = ["sh", "-c", "i=0; while :; do echo \"line $i\"; i=$((i+1)); sleep 0.01; done"]
stdout_logfile = %q
stdout_logfile_maxbytes = 0
startsecs = 0
`, log)))
	deadline := time.Now().Add(20 * time.Second)
	for !fileHas(log, "line 3") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Fill the disk up.
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	f.Close()
	p.waitLog(20*time.Second, "log file write failed; output dropped", "program=w", "no space left on device")
	// Room again: the program, which never stopped, is written again.
	before, _ := os.ReadFile(log)
	os.Remove(filler)
	for time.Now().Before(deadline.Add(20 * time.Second)) {
		now, _ := os.ReadFile(log)
		if len(now) > len(before)+20 {
			p.signal(syscall.SIGTERM)
			p.wait(20 * time.Second)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the log file was not written again after space was freed")
}

// A log directory removed under a running program: tend notices, drops
// and counts what it cannot write, says so, and writes the file again once
// the directory is back. The program never stops.
func TestVanishedLogDir(t *testing.T) {
	need(t, canUnshare())
	sub := filepath.Join(t.TempDir(), "logs")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(sub, "out.log")
	p := startTend(t, pid1, "-c", writeConfig(t, fmt.Sprintf(`
[program.w]
command = ["sh", "-c", "i=0; while :; do echo \"line $i\"; i=$((i+1)); sleep 0.01; done"]
stdout_logfile = %q
startsecs = 0
`, log)))
	deadline := time.Now().Add(20 * time.Second)
	for !fileHas(log, "line 3") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	pid := childPids(t, p.pid)
	if err := os.RemoveAll(sub); err != nil {
		t.Fatal(err)
	}
	p.waitLog(20*time.Second, "log file write failed; output dropped", "program=w", "no such file or directory")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for time.Now().Before(deadline.Add(20 * time.Second)) {
		if b, err := os.ReadFile(log); err == nil && bytes.Count(b, []byte("\n")) > 3 {
			if after := childPids(t, p.pid); after != pid {
				t.Errorf("the program was restarted: pid %s, then %s", pid, after)
			}
			p.signal(syscall.SIGTERM)
			p.wait(20 * time.Second)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the log file was not written again once its directory was back")
}

// childPids lists tend's children, as /proc has them.
func childPids(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
