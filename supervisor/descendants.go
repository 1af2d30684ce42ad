package supervisor

import (
	"bytes"
	"os"
	"strconv"
)

// descendants lists every live process below pid, found by walking the
// parent links in /proc. As a subreaper tend must not use kill(-1), which
// would reach every process the user owns on the host, so it signals these
// one by one. A process that has exited but is not yet reaped is skipped.
func descendants(pid int) ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return nil, err
	}
	children := make(map[int][]int)
	for _, name := range names {
		p, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		ppid, zombie, ok := readStat(p)
		if !ok || zombie {
			continue
		}
		children[ppid] = append(children[ppid], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out, nil
}

// readStat reads the parent pid and whether pid is a zombie from
// /proc/PID/stat. The command name, field 2, is in parentheses and may hold
// spaces and ')' itself, so fields are counted from the last ')'.
func readStat(pid int) (ppid int, zombie bool, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return 0, false, false
	}
	ppid, err = strconv.Atoi(string(f[1]))
	if err != nil {
		return 0, false, false
	}
	return ppid, string(f[0]) == "Z" || string(f[0]) == "X", true
}
