package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Issue 12: env_file and secret_files. The program's environment table
// wins over its env file, which wins over tend's environment; a
// DB_PASSWORD_FILE becomes DB_PASSWORD; no value from either is ever in
// tend's log, and a bad env file is an error naming file and line.
func TestEnvFileAndSecrets(t *testing.T) {
	need(t, canUnshare())
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	write("app.env", "# the app's settings\nexport A=from-file\nB='file'\nTOKEN=\"t0k3n-in-file\"\n")
	secret := write("db", "s3cr3t-value\n")
	cfg := writeConfig(t, fmt.Sprintf(`
[program.app]
command = ["sh", "-c", "echo \"env A=$A B=$B C=$C token=$TOKEN db=$DB_PASSWORD file=${DB_PASSWORD_FILE:-unset} other=$OTHER_FILE\"; exec sleep 100"]
env_file = %q
secret_files = true
environment = { B = "table", DB_PASSWORD_FILE = %q }
`, filepath.Join(dir, "app.env"), secret))
	p := startTendFull(t, pid1, func(c *exec.Cmd) {
		c.Env = append(os.Environ(), "C=from-tend", "A=from-tend", "OTHER_FILE=/etc/hostname",
			"TEND_SOCKET="+filepath.Join(socketDir(t), "tend.sock"))
	}, true, "--log-level", "debug", "-c", cfg)
	got := p.waitLine("env ")
	want := "env A=from-file B=table C=from-tend token=t0k3n-in-file db=s3cr3t-value file=unset other=/etc/hostname"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	p.waitLog(10*time.Second, "program=app", "to=RUNNING")
	p.signal(15)
	p.wait(20 * time.Second)
	if log := p.stderr.String(); strings.Contains(log, "s3cr3t-value") || strings.Contains(log, "t0k3n-in-file") {
		t.Errorf("a secret is in tend's log:\n%s", log)
	}

	// A bad line: the error names the key, the file and its line, not
	// the value.
	write("app.env", "A=1\n1BAD=hunter2\n")
	out, err := exec.Command(tendBin, "check", "-c", cfg).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "program.app.env_file: ") || !strings.Contains(string(out), "app.env:2: ") || strings.Contains(string(out), "hunter2") {
		t.Errorf("tend check: %v\n%s", err, out)
	}
}
