package spawn

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tool")
	plain := filepath.Join(dir, "plain")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(plain, []byte("x"), 0o644)
	env := []string{"PATH=/nonexistent:" + dir}
	if got, err := LookPath("tool", env); err != nil || got != exe {
		t.Errorf("LookPath(tool) = %q, %v", got, err)
	}
	if _, err := LookPath("missing", env); !errors.Is(err, ErrNotFound) {
		t.Errorf("LookPath(missing) error %v, want ErrNotFound", err)
	}
	if os.Getuid() != 0 { // root may execute anything with any x bit; plain has none
		if _, err := LookPath("plain", env); !errors.Is(err, unix.EACCES) {
			t.Errorf("LookPath(plain) error %v, want EACCES", err)
		}
	}
	if got, err := LookPath("./rel/x", env); err != nil || got != "./rel/x" {
		t.Errorf("a name with a slash is used as it is: %q, %v", got, err)
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  *Error
		want int
	}{
		{&Error{Op: "exec", Name: "x", Err: ErrNotFound}, 127},
		{&Error{Op: "exec", Name: "/x", Err: unix.ENOENT}, 127},
		{&Error{Op: "exec", Name: "/etc", Err: unix.EACCES}, 126},
		{&Error{Op: "exec", Name: "/bin/x", Err: unix.ENOEXEC}, 126},
		{&Error{Op: "chdir", Name: "/nope", Err: unix.ENOENT}, 1},
	}
	for _, c := range cases {
		if got := c.err.ExitCode(); got != c.want {
			t.Errorf("%v: exit code %d, want %d", c.err, got, c.want)
		}
	}
	e := &Error{Op: "exec", Name: "nope", Err: ErrNotFound}
	if got := e.Error(); got != `exec "nope": executable file not found in $PATH` {
		t.Errorf("message %q", got)
	}
}

// Start runs a real process in its own process group and reports a
// missing directory by name; the test reaps what it starts.
func TestStart(t *testing.T) {
	pid, err := Start(Spec{Argv: []string{"sh", "-c", "exit 3"}, Env: []string{"PATH=/usr/bin:/bin"}, Umask: -1, Setpgid: true})
	if err != nil {
		t.Fatal(err)
	}
	pgid, err := unix.Getpgid(pid)
	if err == nil && pgid != pid {
		t.Errorf("process group %d, want its own %d", pgid, pid)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if ws.ExitStatus() != 3 {
		t.Errorf("exit status %d, want 3", ws.ExitStatus())
	}
	_, err = Start(Spec{Argv: []string{"sh"}, Dir: "/no/such/dir", Umask: -1})
	var se *Error
	if !errors.As(err, &se) || se.Op != "chdir" || se.ExitCode() != 1 {
		t.Errorf("missing directory: %v", err)
	}
	_, err = Start(Spec{Argv: []string{"no-such-command"}, Env: []string{"PATH=/usr/bin:/bin"}, Umask: -1})
	if !errors.As(err, &se) || se.ExitCode() != 127 {
		t.Errorf("missing command: %v", err)
	}
}
