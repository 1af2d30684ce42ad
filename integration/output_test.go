package integration

// Issue 4 (in part): program output goes to tend's stdout and stderr with
// a "NAME | " prefix, or to rotating files; SIGUSR2 reopens the files.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOutputPrefixAndLastWords(t *testing.T) {
	need(t, canUnshare())
	p := startTend(t, pid1, "-c", writeConfig(t, `
[program.talk]
command = ["sh", "-c", "echo one; echo two >&2; printf 'last words'"]
autorestart = "never"
startsecs = 0
`))
	if got := p.waitLine("talk |"); got != "talk | one" {
		t.Errorf("got %q", got)
	}
	if got := p.waitLine("talk |"); got != "talk | last words" {
		t.Errorf("got %q: the last words, with no newline, must not be lost", got)
	}
	p.waitLog(10*time.Second, "talk | two") // stderr goes to tend's stderr
	p.signal(syscall.SIGTERM)
	p.wait(10 * time.Second)
}

func TestOutputFilesRotateAndReopen(t *testing.T) {
	need(t, canUnshare())
	dir := t.TempDir()
	log := filepath.Join(dir, "out.log")
	// 200 lines of 20 bytes, then a tick a line until told to stop.
	p := startTend(t, pid1, "-c", writeConfig(t, fmt.Sprintf(`
[program.writer]
command = ["sh", "-c", "i=100; while [ $i -lt 300 ]; do echo \"line $i 0123456789\"; i=$((i+1)); done; echo wrote; while :; do echo tick; sleep 0.05; done"]
stdout_logfile = %q
stdout_logfile_maxbytes = "1KB"
stdout_logfile_backups = 3
startsecs = 0
`, log)))
	deadline := time.Now().Add(20 * time.Second)
	for !fileHas(log, "tick") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	names, _ := filepath.Glob(log + "*")
	sort.Strings(names)
	if want := []string{log, log + ".1", log + ".2", log + ".3"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", names, want)
	}
	var all string
	for _, n := range []string{log + ".3", log + ".2", log + ".1", log} {
		b, _ := os.ReadFile(n)
		if len(b) > 1024 {
			t.Errorf("%s is %d bytes, over maxbytes", n, len(b))
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			t.Errorf("%s ends in the middle of a line", n)
		}
		fi, _ := os.Stat(n)
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("%s has mode %v, want 0640", n, fi.Mode().Perm())
		}
		all += string(b)
	}
	// What is kept is the end of the stream, in order, nothing twice.
	lines := strings.Split(strings.TrimSuffix(strings.SplitN(all, "wrote\n", 2)[0], "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		var a, b int
		fmt.Sscanf(lines[i-1], "line %d", &a)
		fmt.Sscanf(lines[i], "line %d", &b)
		if b != a+1 {
			t.Fatalf("line %q follows %q", lines[i], lines[i-1])
		}
	}
	if !strings.HasSuffix(lines[len(lines)-1], "line 299 0123456789") {
		t.Errorf("the last line kept is %q", lines[len(lines)-1])
	}
	// An outside logrotate renames the file; SIGUSR2 makes tend start a new one.
	if err := os.Rename(log, log+".moved"); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGUSR2)
	for !fileHas(log, "tick") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !fileHas(log, "tick") {
		t.Errorf("no new %s after SIGUSR2", log)
	}
	p.signal(syscall.SIGTERM)
	p.wait(10 * time.Second)
}

func fileHas(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), s)
}
