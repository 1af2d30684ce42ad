package integration

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Issue 14: when a required program ends tend, the termination message
// (termination_log, else /dev/termination-log in a pod) says which, why,
// and what it printed last.
func TestTerminationLog(t *testing.T) {
	out := filepath.Join(t.TempDir(), "termination-log")
	p := supervise(t, fmt.Sprintf(`
[tend]
termination_log = %q
[program.app]
command = ["sh", "-c", "echo starting; echo 'cannot open database: no such host' >&2; exit 3"]
required = true
autorestart = false
startsecs = 0
`, out))
	if code := p.wait(20 * time.Second); code != 3 {
		t.Errorf("exit status %d, want the required program's 3", code)
	}
	msg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// stdout and stderr are pumped apart: their lines may come in either
	// order in the tail.
	head := "tend: required program app ended: EXITED, exit status 3, exited with an unexpected status\nits last lines:\n"
	if !strings.HasPrefix(string(msg), head) || !strings.Contains(string(msg), "\nstarting\n") || !strings.Contains(string(msg), "\ncannot open database: no such host\n") {
		t.Errorf("termination message:\n%s", msg)
	}
}

// Issue 14: tail -f sends the last lines, then each new one, until the
// client goes; tend and the program run on.
func TestTailFollow(t *testing.T) {
	p, sock := superviseSocket(t, `
[program.ticker]
command = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.1; done"]
stdout_logfile = "NONE"
`)
	p.waitLog(20*time.Second, "program=ticker", "to=RUNNING")
	cmd := exec.Command(tendBin, "ctl", "--socket", sock, "tail", "-f", "ticker", "2")
	r, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var got []int
	for len(got) < 12 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("tail -f ended after %v: it must follow until the client goes", got)
			}
			var n int
			if _, err := fmt.Sscanf(l, "tick %d", &n); err != nil {
				t.Fatalf("tail -f sent %q", l)
			}
			got = append(got, n)
		case <-time.After(20 * time.Second):
			t.Fatalf("no line from tail -f within 20s; got %v", got)
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("tail -f lines %v: a line was lost or repeated between the last lines and the new ones", got)
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	if ls := ctlOK(t, sock, "status", "ticker"); len(ls) != 1 || !strings.Contains(ls[0], "RUNNING") {
		t.Errorf("status after the follower went: %q", ls)
	}
	p.stop()
}

// Issue 14: metrics_listen serves GET /metrics, Prometheus' text format,
// to a plain HTTP client; the socket's metrics request answers the same
// families.
func TestMetrics(t *testing.T) {
	sock := filepath.Join(socketDir(t), "tend.sock")
	addr := freePort(t)
	p := supervise(t, fmt.Sprintf(`
[tend]
socket = %q
metrics_listen = %q
[program.web]
command = [%q, "helper", "signals"]
[program.once]
type = "oneshot"
command = ["sh", "-c", "exit 4"]
autorestart = false
`, sock, addr, selfBin))
	p.waitLog(20*time.Second, "program=once", "to=EXITED")
	p.waitLog(20*time.Second, "program=web", "to=RUNNING")
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	samples := parseExposition(t, string(body))
	for _, want := range []string{
		`tend_program_state{program="web",state="RUNNING"} 1`,
		`tend_program_state{program="once",state="EXITED"} 1`,
		`tend_program_up{program="web"} 1`,
		`tend_program_last_exit_status{program="once"} 4`,
		`tend_program_oom_kills_total{program="web"} 0`,
	} {
		if !samples[want] {
			t.Errorf("no sample %s in:\n%s", want, body)
		}
	}
	if !regexp.MustCompile(`(?m)^tend_resident_memory_bytes [1-9]\d+$`).Match(body) || !regexp.MustCompile(`(?m)^tend_open_fds [1-9]\d*$`).Match(body) {
		t.Errorf("tend's own RSS and fds missing:\n%s", body)
	}
	ls := ctlOK(t, sock, "metrics")
	parseExposition(t, strings.Join(ls, "\n")+"\n")
	if !strings.Contains(strings.Join(ls, "\n"), `tend_program_state{program="web",state="RUNNING"} 1`) {
		t.Errorf("tend ctl metrics:\n%s", strings.Join(ls, "\n"))
	}
	if resp, err := http.Get("http://" + addr + "/other"); err != nil || resp.StatusCode != 404 {
		t.Errorf("GET /other: %v %v", resp, err)
	}
	p.stop()
}

// parseExposition checks text as Prometheus' text format 0.0.4 (each
// sample's family has a TYPE line first; names and values well formed)
// and returns its samples as written.
func parseExposition(t *testing.T, text string) map[string]bool {
	t.Helper()
	sample := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$`)
	typed := map[string]bool{}
	out := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "# TYPE "):
			f := strings.Fields(l)
			if len(f) != 4 || (f[3] != "gauge" && f[3] != "counter") {
				t.Fatalf("bad TYPE line %q", l)
			}
			typed[f[2]] = true
		case strings.HasPrefix(l, "# HELP "):
		default:
			m := sample.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("not a sample line: %q", l)
			}
			if !typed[m[1]] {
				t.Fatalf("sample %q before its family's TYPE", l)
			}
			out[l] = true
		}
	}
	return out
}

// Issue 14: watch_config reloads by difference when a Kubernetes
// ConfigMap volume is updated (its ..data symlink swapped); a bad edit
// changes nothing.
func TestWatchConfigMap(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(socketDir(t), "tend.sock")
	base := fmt.Sprintf("[tend]\nsocket = %q\nwatch_config = true\n[program.web]\ncommand = [%q, \"helper\", \"signals\"]\n", sock, selfBin)
	version := func(n int, body string) {
		d := filepath.Join(dir, fmt.Sprintf("..2026_12_02_10_00_0%d.000", n))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "tend.toml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(filepath.Base(d), tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil { // the kubelet's atomic swap
			t.Fatal(err)
		}
	}
	version(1, base)
	if err := os.Symlink("..data/tend.toml", filepath.Join(dir, "tend.toml")); err != nil {
		t.Fatal(err)
	}
	p := startTendFull(t, pid1, nil, true, "--log-level", "info", "-c", filepath.Join(dir, "tend.toml"))
	pid := p.ready()
	p.waitLog(20*time.Second, "watching the config for changes")

	version(2, base+fmt.Sprintf("[program.added]\ncommand = [%q, \"helper\", \"signals\"]\n", selfBin))
	p.waitLog(20*time.Second, "config changed on disk; reloading")
	p.waitLog(20*time.Second, "program=added", "to=RUNNING")
	if got := ctlOK(t, sock, "pid", "web"); len(got) != 1 || got[0] != fmt.Sprint(pid) {
		t.Errorf("web's pid after the reload: %q, want %d: unchanged programs keep running", got, pid)
	}

	version(3, base+"[program.broken\n")
	p.waitLog(20*time.Second, "reload: config not loaded; nothing changed")
	if got := ctlOK(t, sock, "status", "added"); len(got) != 1 || !strings.Contains(got[0], "RUNNING") {
		t.Errorf("after a bad edit: %q", got)
	}
	p.stop()
}

// Issue 14: output_format = "json" writes each line of a program to tend's
// stdout as one JSON object; multiline joins a stack trace's lines into
// the record of the line that began it.
func TestJSONOutput(t *testing.T) {
	p := supervise(t, `
[tend]
output_format = "json"
[program.app]
command = ["sh", "-c", "printf 'plain \"quoted\" line\\nException in thread main\\n\\tat a.b(C.java:1)\\n\\tat d.e(F.java:2)\\nafter\\n'; echo on stderr >&2; exec sleep 1000"]
multiline = "^\\s"
[program.text]
command = ["sh", "-c", "echo as text; exec sleep 1000"]
output_format = "text"
`)
	type record struct {
		Time, Program, Stream, Msg string
	}
	want := map[string]record{
		`plain "quoted" line`: {Program: "app", Stream: "stdout"},
		"Exception in thread main\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)": {Program: "app", Stream: "stdout"},
		"after": {Program: "app", Stream: "stdout"},
	}
	for len(want) > 0 {
		l := p.nextLine()
		if l == "text | as text" || l == "as text" {
			continue // the text program's, with its prefix (the reader may take it off)
		}
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("not a JSON record: %q: %v", l, err)
		}
		if _, err := time.Parse(time.RFC3339Nano, r.Time); err != nil {
			t.Errorf("time %q: %v", r.Time, err)
		}
		w, ok := want[r.Msg]
		if !ok || r.Program != w.Program || r.Stream != w.Stream {
			t.Fatalf("record %+v: not one of %v", r, want)
		}
		delete(want, r.Msg)
	}
	// stderr's lines go to tend's stderr, as JSON too.
	p.waitLog(20*time.Second, `{"time":"`, `","program":"app","stream":"stderr","msg":"on stderr"}`)
	p.stop()
}
