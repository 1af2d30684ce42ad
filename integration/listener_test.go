package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 11: an [eventlistener:x] written for supervisord runs unchanged:
// tend speaks its protocol (READY; a header and payload; RESULT 2 OK) and
// sends PROCESS_STATE_* events for real program exits. The listener, in
// sh, answers FAIL to its first event, which must come again.
func TestEventListener(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "events")
	listener := `printf 'READY\n'; n=0
while read -r header; do
  len=${header##*len:}; payload=$(head -c "$len")
  n=$((n+1))
  if [ $n -eq 1 ]; then printf '%s|%s\n' "FAILED $header" "$payload" >> "$0"; printf 'RESULT 4\nFAIL'
  else printf '%s|%s\n' "$header" "$payload" >> "$0"; printf 'RESULT 2\nOK'; fi
  printf 'READY\n'
done`
	p := supervise(t, fmt.Sprintf(`
[program.watcher]
type = "eventlistener"
events = ["PROCESS_STATE_EXITED", "PROCESS_STATE_FATAL"]
command = ["sh", "-c", %q, %q]
priority = 1
[program.crashy]
command = ["sh", "-c", "sleep 1.5; exit 3"]
autorestart = false
priority = 2
[program.missing]
command = ["/no/such/program"]
startretries = 0
priority = 2
`, listener, got))
	p.waitLog(20*time.Second, "program=crashy", "to=EXITED")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^FAILED ver:3\.0 server:supervisor serial:\d+ pool:watcher poolserial:1 eventname:PROCESS_STATE_FATAL len:\d+\|processname:missing groupname:missing from_state:STARTING$`),
		regexp.MustCompile(`^ver:3\.0 server:supervisor serial:\d+ pool:watcher poolserial:2 eventname:PROCESS_STATE_FATAL len:\d+\|processname:missing groupname:missing from_state:STARTING$`),
		regexp.MustCompile(`^ver:3\.0 server:supervisor serial:\d+ pool:watcher poolserial:3 eventname:PROCESS_STATE_EXITED len:\d+\|processname:crashy groupname:crashy from_state:RUNNING expected:0 pid:\d+$`),
	}
	deadline := time.Now().Add(20 * time.Second)
	var lines []string
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(got)
		lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) >= len(want) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(lines) != len(want) {
		t.Fatalf("the listener got %d events, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if !w.MatchString(lines[i]) {
			t.Errorf("event %d:\n got %s\nwant %s", i+1, lines[i], w)
		}
	}
	p.signal(15)
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
