package integration

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// Issue 10: `tend ctl shutdown` with a program that ignores SIGTERM stayed
// STOPPING for ever: the shutdown request did not re-arm the timer, so
// neither SIGKILL after stopwaitsecs nor the shutdown_timeout came, and a
// Kubernetes preStop of `tend ctl shutdown` hung until the kubelet's
// SIGKILL. Both bounds must hold when the request comes by socket.
func TestSocketShutdownStubborn(t *testing.T) {
	for _, c := range []struct {
		name, stopwait, timeout string
		want                    string // the log line that ends it
	}{
		{"stopwaitsecs", "1", "3s", "did not stop in time; sending SIGKILL"},
		{"shutdown_timeout", "60", "1s", "shutdown_timeout passed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sock := filepath.Join(socketDir(t), "tend.sock")
			p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
shutdown_timeout = %q
[program.stubborn]
command = %s
stopwaitsecs = %s
`, sock, c.timeout, svcCmd("stubborn", "-ignore-term"), c.stopwait))
			p.waitLine("stubborn ready")
			p.waitLog(10*time.Second, "program=stubborn", "to=RUNNING")
			start := time.Now()
			ctlOK(t, sock, "shutdown")
			p.waitLog(10*time.Second, c.want)
			if got := p.wait(10 * time.Second); got != 0 {
				t.Errorf("exit status %d, want 0", got)
			}
			t.Logf("socket shutdown to exit: %v", time.Since(start).Round(time.Millisecond))
		})
	}
}
