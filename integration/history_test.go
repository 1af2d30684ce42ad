package integration

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Issue 14, its first part: each run's peak memory and CPU, from wait4's
// rusage, are in its exit's log line and in `history NAME`.
func TestRunResources(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
[program.hog]
command = [%q, "helper", "alloc", "64"]
autorestart = false
startsecs = 0
`, sock, selfBin))
	line := p.waitLog(20*time.Second, "program=hog", "to=EXITED", "max_rss_kib=")
	rss := regexp.MustCompile(`max_rss_kib=(\d+)`).FindStringSubmatch(line)
	if n, _ := strconv.Atoi(rss[1]); n < 60<<10 {
		t.Errorf("max_rss_kib=%d for a program that touched 64 MiB:\n%s", n, line)
	}
	ls := ctlOK(t, sock, "history", "hog")
	want := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S+ pid \d+ exit 3 max_rss (\d+)KiB cpu \S+ \(exited with an unexpected status\)$`)
	if len(ls) != 1 || !want.MatchString(ls[0]) {
		t.Fatalf("history hog: %q", ls)
	}
	if n, _ := strconv.Atoi(want.FindStringSubmatch(ls[0])[1]); n < 60<<10 {
		t.Errorf("history's max_rss %d KiB, want at least 60 MiB", n)
	}
	p.signal(15)
	p.wait(20 * time.Second)
}
