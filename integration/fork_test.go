package integration

import (
	"syscall"
	"unsafe"
)

// forkBlocked forks a child that blocks reading one byte from fd and then
// exits 0, without exec: tens of thousands of orphans at the cost of a
// fork each. The child runs only this nosplit function and raw system
// calls, as syscall.forkAndExecInChild does, because a forked copy of a Go
// process has one thread and must not enter the runtime.
//
//go:nosplit
//go:norace
func forkBlocked(fd int) (pid int, err syscall.Errno) {
	r, _, e := syscall.RawSyscall6(syscall.SYS_CLONE, uintptr(syscall.SIGCHLD), 0, 0, 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	if r != 0 {
		return int(r), 0
	}
	var b [1]byte
	syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), 1)
	syscall.RawSyscall(syscall.SYS_EXIT_GROUP, 0, 0, 0)
	return 0, 0
}
