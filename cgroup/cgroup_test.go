package cgroup

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

func TestParseKills(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		okay bool
	}{
		{"low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n", 2, true}, // v2 memory.events
		{"oom_kill_disable 0\nunder_oom 0\noom_kill 7\n", 7, true},               // v1 memory.oom_control
		{"oom_kill_disable 0\nunder_oom 0\n", 0, false},                          // before 4.13
		{"oom_kill x\n", 0, false},
		{"oom_kill -1\n", 0, false},
		{"oom_kill 5", 5, true},
		{"", 0, false},
	} {
		n, ok := ParseKills([]byte(tc.in))
		if n != tc.n || ok != tc.okay {
			t.Errorf("ParseKills(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.okay)
		}
	}
}

func TestCandidates(t *testing.T) {
	root = "/cg"
	defer func() { root = "/sys/fs/cgroup" }()
	v1 := "4:memory:/libpod_parent/libpod-1\n0::/libpod_parent/libpod-1\n3:cpu,cpuacct:/x\n"
	want := []string{"/cg/libpod_parent/libpod-1/memory.events", "/cg/memory.events", "/cg/memory/libpod_parent/libpod-1/memory.oom_control", "/cg/memory/memory.oom_control"}
	if got := candidates([]byte(v1)); !reflect.DeepEqual(got, want) {
		t.Errorf("hybrid:\n got %q\nwant %q", got, want)
	}
	if got := candidates([]byte("0::/\n")); !reflect.DeepEqual(got, []string{"/cg/memory.events", "/cg/memory/memory.oom_control"}) {
		t.Errorf("v2 in a cgroup namespace: %q", got)
	}
	if got := candidates(nil); len(got) != 2 {
		t.Errorf("no /proc: %q", got)
	}
}

func TestKills(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "memory.events")
	if err := os.WriteFile(p, []byte("oom 1\noom_kill "+strconv.Itoa(3)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := (&OOM{path: p}).Kills(); n != 3 || err != nil {
		t.Errorf("Kills = %d, %v", n, err)
	}
	if _, err := (&OOM{path: filepath.Join(dir, "none")}).Kills(); err == nil {
		t.Error("a missing file read as a count")
	}
}

func FuzzParseKills(f *testing.F) {
	f.Add([]byte("oom_kill 2\n"))
	f.Add([]byte("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, ok := ParseKills(data)
		if n < 0 || (!ok && n != 0) {
			t.Fatalf("ParseKills(%q) = %d, %v", data, n, ok)
		}
	})
}
