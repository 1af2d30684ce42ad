package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 11: supervisord lets stdout and stderr of a program, and several
// programs, write one log file. tend opens it once and rotates it once;
// each line stays whole, once, and each stream's lines keep their order.
func TestSharedLogFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "all.log")
	writer := func(tag, redirect string) string {
		return fmt.Sprintf(`["sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo \"%s $i\" %s; i=$((i+1)); done"]`, tag, redirect)
	}
	p := supervise(t, fmt.Sprintf(`
[program.a]
type = "oneshot"
command = %s
stdout_logfile = %[3]q
stderr_logfile = %[3]q
stdout_logfile_maxbytes = "16KB"
stderr_logfile_maxbytes = "16KB"
[program.aerr]
type = "oneshot"
command = %[2]s
stdout_logfile = %[3]q
stdout_logfile_maxbytes = "16KB"
[program.b]
type = "oneshot"
command = %[4]s
stdout_logfile = %[3]q
stdout_logfile_maxbytes = "16KB"
`, writer("a", ">&2"), writer("c", ""), log, writer("b", "")))
	for _, n := range []string{"a", "aerr", "b"} {
		p.waitLog(30*time.Second, "program="+n+" ", "to=EXITED")
	}
	// The pumps may still be writing the last lines: tend's exit waits
	// for them and closes the file.
	p.signal(15)
	if code := p.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	// Oldest backup first, the live file last.
	var text strings.Builder
	for i := 10; i >= 0; i-- {
		name := log
		if i > 0 {
			name = log + "." + strconv.Itoa(i)
		}
		if b, err := os.ReadFile(name); err == nil {
			text.Write(b)
		}
	}
	if _, err := os.Stat(log + ".1"); err != nil {
		t.Errorf("the shared file never rotated: %v", err)
	}
	next := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n") {
		tag, num, ok := strings.Cut(l, " ")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || (tag != "a" && tag != "b" && tag != "c") {
			t.Fatalf("a line not whole: %q", l)
		}
		if n != next[tag] {
			t.Fatalf("%s: line %d after %d: lost, repeated or out of order", tag, n, next[tag]-1)
		}
		next[tag]++
	}
	for _, tag := range []string{"a", "b", "c"} {
		if next[tag] != 3000 {
			t.Errorf("%s: %d lines, want 3000", tag, next[tag])
		}
	}
}
