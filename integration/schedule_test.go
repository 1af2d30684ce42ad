package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 12: a scheduled oneshot runs at its times, keeps tend's
// environment (cron's loss), logs each run's start and end, shows its next
// run in status (counted as up by tend ctl status), and `start` runs it
// now.
func TestScheduledJob(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
[program.job]
type = "oneshot"
schedule = "@every 2s"
command = ["sh", "-c", "echo \"job ran with TEND_TEST_VAR=$TEND_TEST_VAR\""]
`, sock))
	// No program starts at once, so no log line says tend is up: wait for
	// its socket to answer.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, _, code := ctlRun(t, sock, "version"); code == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the control socket did not answer within 20s")
		}
	}
	ls := ctlOK(t, sock, "status", "job")
	if len(ls) != 1 || !regexp.MustCompile(`^job  STOPPED  scheduled, next run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`).MatchString(ls[0]) {
		t.Errorf("status before the first run: %q", ls)
	}
	start := time.Now()
	if got := p.waitLine("job ran"); got != "job ran with TEND_TEST_VAR=from-tend" {
		t.Errorf("the job printed %q", got)
	}
	p.waitLog(10*time.Second, "scheduled run ended", "program=job", "exit_code=0")
	p.waitLine("job ran")
	// The second run's line comes before its exit: status is asked once
	// tend has logged that exit, so it cannot find the job still running.
	p.waitLogN(10*time.Second, 2, "scheduled run ended", "program=job", "exit_code=0")
	if took := time.Since(start); took < time.Second {
		t.Errorf("two runs in %v, want them 2s apart", took)
	}
	if ls := ctlOK(t, sock, "status", "job"); len(ls) != 1 || !strings.Contains(ls[0], "done, exit status 0") || !strings.Contains(ls[0], "; next run ") {
		t.Errorf("status after a run: %q", ls)
	}
	ctlOK(t, sock, "start", "job")
	p.waitLog(10*time.Second, "start requested", "targets=job")
	p.waitLogN(10*time.Second, 3, "scheduled run ended", "program=job")
	p.signal(15)
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
