package tini

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigactiont is the kernel's struct sigaction on amd64 and arm64 (not
// glibc's): handler, flags, restorer, then a 64-bit mask.
type sigactiont struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const (
	sigDFL = 0
	sigIGN = 1

	saSiginfo  = 0x4
	saRestorer = 0x04000000
	saOnstack  = 0x08000000
	saRestart  = 0x10000000
)

// sigaction is rt_sigaction(2). Either pointer may be nil.
func sigaction(sig int, act, old *sigactiont) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig),
		uintptr(unsafe.Pointer(act)), uintptr(unsafe.Pointer(old)), 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// ignored reports whether sig's disposition is SIG_IGN now. Only HUP and
// INT (when ignored), CONT, TSTP, TTIN and TTOU are still as tend's parent
// left them by the time Go code runs: the runtime puts its own handler on
// every other signal before any package is initialised
// (runtime/signal_unix.go, initsig), and keeps what was there only in
// runtime.fwdSig, which the linker refuses to any other package.
func ignored(sig int) bool {
	var old sigactiont
	return sigaction(sig, nil, &old) == nil && old.handler == sigIGN
}

// defaultChld sets SIGCHLD to SIG_DFL, under which the kernel discards it
// at once: the runtime's handler would otherwise run, and wake a thread,
// at every exit of every child. (SIG_IGN would be wrong: the kernel would
// then reap children itself and wait4 would lose their statuses.)
func defaultChld() error {
	return sigaction(int(unix.SIGCHLD), &sigactiont{handler: sigDFL}, nil)
}

// sigmask returns the calling thread's signal mask, bit N-1 for signal N.
func sigmask() (uint64, error) {
	var old uint64
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0)
	if e != 0 {
		return 0, e
	}
	return old, nil
}

// unblock removes set from the calling thread's signal mask.
func unblock(set uint64) error {
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
