// Package procs finds and signals the processes below tend: what its
// programs left behind, for the end of a shutdown.
package procs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// SignalAll sends sig to every process below self. As PID 1 that is
// kill(-1), which the kernel confines to tend's PID namespace and never
// delivers to tend itself. As a subreaper kill(-1) would reach every
// process the user owns on the host, so each descendant found in /proc is
// signalled; should /proc be unreadable, each of groups (process group
// ids, as negative pids) is, and the error says so. A process that ended
// meanwhile is no error.
func SignalAll(self int, sig syscall.Signal, groups []int) error {
	if self == 1 {
		return kill(-1, sig)
	}
	pids, err := Below(self)
	if err != nil {
		err = fmt.Errorf("list processes in /proc (signalling process groups only): %w", err)
		pids = groups
	}
	for _, pid := range pids {
		err = errors.Join(err, kill(pid, sig))
	}
	return err
}

func kill(pid int, sig syscall.Signal) error {
	if err := unix.Kill(pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("signal %d: %w", pid, err)
	}
	return nil
}

// Below lists every live process under pid, found by walking the parent
// links in /proc. A process that has exited but is not yet reaped is left
// out: it is only waiting for its status to be collected.
func Below(pid int) ([]int, error) {
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
		if ppid, live := parent(p); live {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []int
	queue := children[pid]
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, children[p]...)
	}
	return out, nil
}

// parent reads pid's parent from /proc/PID/stat, and whether the process
// is still running (not a zombie). The command name, in parentheses, may
// hold spaces and parentheses itself: the fields after it follow the last
// ')'.
func parent(pid int) (ppid int, live bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err = strconv.Atoi(string(f[1]))
	st := string(f[0])
	return ppid, err == nil && st != "Z" && st != "X" // X: dead, on its way out
}

// Within reports whether pid is root or a live process below it, by its
// chain of parents in /proc.
func Within(pid, root int) bool {
	for range 4096 { // deeper than any real process tree; a cycle cannot loop for ever
		if pid == root {
			return true
		}
		ppid, live := parent(pid)
		if !live || ppid <= 1 {
			return root == 1 && live
		}
		pid = ppid
	}
	return false
}
