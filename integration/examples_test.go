package integration

// The configs in examples/ run as they are: each is accepted by tend check,
// and the command its header gives runs until every program has settled
// (RUNNING or EXITED; FATAL only where the example says so), then stops in
// order with status 0: on SIGTERM, or, with a main program, when main ends.

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fatalOnPurpose names the programs an example shows going FATAL; any
// other FATAL is a broken example.
var fatalOnPurpose = map[string][]string{"tend.toml": {"flaky"}}

func TestExamplesRun(t *testing.T) {
	files, err := filepath.Glob("../examples/*.toml")
	if err != nil || len(files) < 4 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			if out, err := exec.Command(tendBin, "check", "-c", file).CombinedOutput(); err != nil {
				t.Fatalf("tend check %s: %v\n%s", file, err, out)
			}
			line := headerCommand(t, file)
			sock := filepath.Join(socketDir(t), "tend.sock")
			// The header's command, run from the repository's root as
			// README says, with this tend and a socket of the test's own.
			script := "exec " + tendBin + " --socket " + sock + strings.TrimPrefix(line, "./tend")
			p := startTendFull(t, mode{"subreaper", false}, func(c *exec.Cmd) {
				c.Path, c.Args, c.Dir = "/bin/sh", []string{"sh", "-c", script}, ".."
			}, true)
			settled(t, p, sock, fatalOnPurpose[filepath.Base(file)])
			if !strings.Contains(line, " -- ") {
				p.signal(syscall.SIGTERM)
			} // else main ends by itself, and tend with it
			if code := p.wait(30 * time.Second); code != 0 {
				t.Errorf("%s exited %d, want 0", line, code)
			}
		})
	}
}

// headerCommand is the `./tend -c examples/NAME.toml ...` line of an
// example's opening comment.
func headerCommand(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := "./tend -c examples/" + filepath.Base(file)
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		if i := strings.Index(l, want); i >= 0 {
			return strings.TrimSpace(l[i:])
		}
	}
	t.Fatalf("%s: no %q in its opening comment", file, want)
	return ""
}

// settled waits until tend's status shows every program RUNNING or EXITED,
// or FATAL when it is among fatal, or tend has exited. Any other FATAL
// fails at once.
func settled(t *testing.T, p *proc, sock string, fatal []string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return
		default:
		}
		out, _, code := ctlRun(t, sock, "status")
		last = out
		if code != 2 && out != "" {
			ok := true
			for _, l := range lines(out) {
				f := strings.Fields(l)
				switch {
				case len(f) < 2:
					ok = false
				case f[1] == "FATAL" && !slices.Contains(fatal, f[0]):
					t.Fatalf("%s is FATAL, which the example does not mean:\n%s", f[0], out)
				case f[1] != "RUNNING" && f[1] != "EXITED" && f[1] != "FATAL":
					ok = false
				}
			}
			if ok {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("programs did not settle within 60s; last status:\n%s", last)
}

// tend convert turns examples/supervisord.conf into a config that tend
// check accepts and that runs: the migration path, end to end.
func TestConvertExample(t *testing.T) {
	cmd := exec.Command(tendBin, "convert", "../examples/supervisord.conf")
	cmd.Env = append(os.Environ(), "PORT=8080")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tend convert: %v", err)
	}
	path := writeConfig(t, string(out))
	if out, err := exec.Command(tendBin, "check", "-c", path).CombinedOutput(); err != nil {
		t.Fatalf("tend check of the converted config: %v\n%s", err, out)
	}
	sock := filepath.Join(socketDir(t), "tend.sock")
	p := startTendFull(t, mode{"subreaper", false}, nil, true, "--socket", sock, "-c", path)
	p.waitLines("web: serving on port 8080", "worker 0: up", "worker 1: up")
	ctlOK(t, sock, "wait", "app:*", "30s")
	if ls := ctlOK(t, sock, "status", "app:*"); len(ls) != 3 {
		t.Errorf("status app:*: %q, want web, worker-0 and worker-1", ls)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(30 * time.Second); code != 0 {
		t.Errorf("exit %d", code)
	}
	if _, err := exec.Command(tendBin, "convert", "/no/such.conf").Output(); err == nil {
		t.Error("tend convert of a missing file succeeded")
	}
}
