package control

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary double as a client run under another uid:
// with CONTROL_TEST_DIAL=PATH it sends "status" to PATH with Do and exits
// 0, 1 or 2 as tend ctl would.
func TestMain(m *testing.M) {
	if path := os.Getenv("CONTROL_TEST_DIAL"); path != "" {
		err := Do(path, "status", os.Stdout)
		var ce *ConnectError
		switch {
		case err == nil:
			os.Exit(0)
		case errors.As(err, &ce):
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		default:
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(m.Run())
}

func TestParseStatus(t *testing.T) {
	const status = "Name:\tcat\nUmask:\t0022\nState:\tR (running)\nPid:\t7\n" +
		"Uid:\t1000\t1001\t1002\t1003\nGid:\t100\t100\t100\t100\nFDSize:\t64\nGroups:\t4 24 27 \nNStgid:\t7\n"
	uid, groups, err := parseStatus(status)
	if err != nil || uid != 1001 || !reflect.DeepEqual(groups, []int{4, 24, 27}) {
		t.Errorf("parseStatus = %d, %v, %v; want 1001, [4 24 27]", uid, groups, err)
	}
	uid, groups, err = parseStatus("Uid:\t0\t0\t0\t0\nGroups:\t\n")
	if err != nil || uid != 0 || groups != nil {
		t.Errorf("no groups: %d, %v, %v", uid, groups, err)
	}
	for _, bad := range []string{"", "Uid:\t1\n", "Groups:\t1\n", "Uid:\tx y\nGroups:\n", "Uid:\t1 2\nGroups:\t1 x\n"} {
		if _, _, err := parseStatus(bad); err == nil {
			t.Errorf("parseStatus(%q) succeeded", bad)
		}
	}
}

func TestDefaultAllowed(t *testing.T) {
	self := os.Geteuid()
	other := 54321
	if self == other {
		other++
	}
	for _, tt := range []struct {
		group int
		p     Peer
		want  bool
	}{
		{-1, Peer{UID: 0, GID: 5}, true},
		{-1, Peer{UID: self, GID: 5}, true},
		{-1, Peer{UID: other, GID: 5}, false},
		{5, Peer{UID: other, GID: 5}, true},
		{6, Peer{UID: other, GID: 5}, false},
		// This process's groups are not the peer's: its uid differs, as
		// when the peer's pid was reused.
		{os.Getegid(), Peer{PID: os.Getpid(), UID: other, GID: 5}, false},
		{6, Peer{PID: 0, UID: other, GID: 5}, false},
	} {
		if got := defaultAllowed(tt.group)(tt.p); got != tt.want {
			t.Errorf("group %d, peer %+v: allowed %v, want %v", tt.group, tt.p, got, tt.want)
		}
	}
}

func TestLookupGroup(t *testing.T) {
	if gid, err := lookupGroup("4242"); err != nil || gid != 4242 {
		t.Errorf("lookupGroup(4242) = %d, %v", gid, err)
	}
	if gid, err := lookupGroup("root"); err != nil || gid != 0 {
		t.Errorf("lookupGroup(root) = %d, %v", gid, err)
	}
	if _, err := lookupGroup("-1"); err == nil {
		t.Error("lookupGroup(-1) succeeded")
	}
	if _, err := lookupGroup("no-such-group-here"); err == nil || !strings.HasPrefix(err.Error(), `socket_group "no-such-group-here": `) {
		t.Errorf("lookupGroup(no-such-group-here): %v", err)
	}
}

// TestPeerGroups runs a client under uid 65534 and checks SPEC's access
// rule with the real peer check: the socket's group admits it by its
// primary or a supplementary group; nothing else does.
func TestPeerGroups(t *testing.T) {
	if os.Geteuid() != 0 {
		need(t, "running a client under another uid needs root")
	}
	// The test binary may sit in a directory only root can enter.
	bin := copyExecutable(t)
	for _, tt := range []struct {
		group  string
		gid    uint32
		groups []uint32
		code   int
		out    string
	}{
		{"4242", 65534, []uint32{4242}, 0, strings.TrimSuffix(statusReply, "OK\n")},
		{"4243", 4243, nil, 0, strings.TrimSuffix(statusReply, "OK\n")},
		{"4242", 65534, []uint32{4244}, 1, "permission denied\n"},
		{"", 65534, []uint32{4242}, 1, "permission denied\n"},
	} {
		dir := openDir(t)
		s := testServer(t, Options{Path: filepath.Join(dir, "s.sock"), Mode: 0o666, Group: tt.group}, defaults)
		runLoop(t, s)
		cmd := exec.Command(bin)
		cmd.Env = append(os.Environ(), "CONTROL_TEST_DIAL="+s.path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: tt.gid, Groups: tt.groups}}
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || string(out) != tt.out {
			t.Errorf("socket_group %q, client gid %d groups %v: exit %d, %q; want %d, %q",
				tt.group, tt.gid, tt.groups, code, out, tt.code, tt.out)
		}
	}
}

// openDir returns a new directory that any user may enter: t.TempDir's
// parent is private to root.
func openDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyExecutable copies the test binary where any user may run it.
func copyExecutable(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := openDir(t)
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	bin := filepath.Join(dir, "control.test")
	out, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return bin
}
