// Package cgroup reads what the kernel counts for tend's memory cgroup:
// the processes its OOM killer killed. tend reads it only when a program
// dies of SIGKILL, to say whether the OOM killer did it; nothing polls it.
package cgroup

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OOM is the file that counts OOM kills in tend's memory cgroup: cgroup
// v2's memory.events, or cgroup v1's memory.oom_control (kernel 4.13 and
// later); both have an "oom_kill N" line, hierarchical, so a kill of any
// process below tend counts.
type OOM struct {
	path string
}

// root is where cgroup filesystems are mounted; tests change it.
var root = "/sys/fs/cgroup"

// FindOOM finds the OOM counter of the cgroup tend is in, from
// /proc/self/cgroup, or, in a container, where the runtime mounted the
// container's own cgroup at the top. It returns nil when there is none it
// can read (no cgroup filesystem, a kernel that does not count, no
// permission): then tend says nothing of the OOM killer.
func FindOOM() *OOM {
	data, _ := os.ReadFile("/proc/self/cgroup")
	for _, p := range candidates(data) {
		o := &OOM{path: p}
		if _, err := o.Kills(); err == nil {
			return o
		}
	}
	return nil
}

// candidates lists the files that may count OOM kills for the cgroups of
// /proc/self/cgroup's content, best first: v2's, then v1's memory
// controller's, each under the cgroup's path and then at the top (a
// container with a private cgroup view sees its own cgroup there).
func candidates(procCgroup []byte) []string {
	var v2, v1 string
	sc := bufio.NewScanner(bytes.NewReader(procCgroup))
	for sc.Scan() {
		id, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		controllers, path, ok := strings.Cut(rest, ":")
		if !ok || !strings.HasPrefix(path, "/") {
			continue
		}
		switch {
		case id == "0" && controllers == "":
			v2 = path
		case hasController(controllers, "memory"):
			v1 = path
		}
	}
	var out []string
	if v2 != "" {
		out = append(out, filepath.Join(root, v2, "memory.events"))
	}
	out = append(out, filepath.Join(root, "memory.events"))
	if v1 != "" {
		out = append(out, filepath.Join(root, "memory", v1, "memory.oom_control"))
	}
	out = append(out, filepath.Join(root, "memory", "memory.oom_control"))
	return dedup(out)
}

func hasController(list, name string) bool {
	for _, c := range strings.Split(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

func dedup(paths []string) []string {
	seen := map[string]bool{}
	out := paths[:0]
	for _, p := range paths {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// Path is the counter's file.
func (o *OOM) Path() string { return o.path }

// errNoCount is a file with no oom_kill line: a kernel before 4.13.
var errNoCount = errors.New("no oom_kill count")

// Kills is how many processes the OOM killer has killed in the cgroup.
func (o *OOM) Kills() (int64, error) {
	data, err := os.ReadFile(o.path)
	if err != nil {
		return 0, err
	}
	n, ok := ParseKills(data)
	if !ok {
		return 0, errNoCount
	}
	return n, nil
}

// ParseKills reads the "oom_kill N" line of memory.events or
// memory.oom_control.
func ParseKills(data []byte) (int64, bool) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		key, val, ok := bytes.Cut(line, []byte{' '})
		if !ok || string(key) != "oom_kill" {
			continue
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
