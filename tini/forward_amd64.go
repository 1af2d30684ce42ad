package tini

import (
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// The state the handler (forward_amd64.s) reads, laid out for it: it is
// the same memory on every thread, and the handler only loads it, but for
// pending, which it updates with locked instructions.
var (
	// fwdPid is where signals go: the program's pid, or minus its
	// process group; 0 before it has started and once it has exited.
	fwdPid int64
	// pending has bit N-1 set for signal N when it arrived while fwdPid
	// was 0; aim hands them on. Whoever swaps a bit out sends it, so a
	// signal is neither lost nor sent twice.
	pending uint64
	// target is what signal N is sent as; 0 drops it. Written before the
	// handlers are installed.
	target [65]int32
	// chain is the Go runtime's handler for the faults it turns into
	// panics; the handler jumps there when the kernel raised one (si_code
	// > 0), so that a bug in tend still panics rather than looping.
	chain [65]uintptr
)

func handler()  // the sa_handler; C ABI; never called from Go
func restorer() // rt_sigreturn, the sa_restorer the kernel returns to
func handlerPC() uintptr
func restorerPC() uintptr

// faults are raised by the kernel in the thread that caused them.
var faults = []syscall.Signal{unix.SIGILL, unix.SIGTRAP, unix.SIGBUS, unix.SIGFPE, unix.SIGSEGV, unix.SIGSYS}

// catch installs the handler on every signal in sigs, to be sent on as
// to[sig] (0 drops it). Until aim is called, signals are held.
func catch(sigs []syscall.Signal, to map[syscall.Signal]syscall.Signal) error {
	for _, s := range sigs {
		target[s] = int32(to[s])
	}
	for _, s := range faults {
		var old sigactiont
		if err := sigaction(int(s), nil, &old); err == nil && old.handler > sigIGN {
			chain[s] = old.handler
		}
	}
	act := sigactiont{
		handler:  handlerPC(),
		flags:    saSiginfo | saOnstack | saRestart | saRestorer,
		restorer: restorerPC(),
		mask:     ^uint64(0), // nothing nests inside it, not even the runtime's SIGURG
	}
	for _, s := range sigs {
		if isFault(s) && chain[s] == 0 {
			continue // not the runtime's to chain to: leave it be
		}
		if err := sigaction(int(s), &act, nil); err != nil {
			return err
		}
	}
	return nil
}

func isFault(s syscall.Signal) bool {
	for _, f := range faults {
		if f == s {
			return true
		}
	}
	return false
}

// aim sends signals to pid from now on (minus a process group), and
// passes on those held meanwhile. aim(0) holds them again: once the
// program has been reaped its pid may be reused.
func aim(pid int) {
	atomic.StoreInt64(&fwdPid, int64(pid))
	if pid == 0 {
		return
	}
	bits := atomic.SwapUint64(&pending, 0)
	for s := 1; bits != 0; s++ {
		if bits&1 != 0 && target[s] != 0 {
			unix.Kill(pid, syscall.Signal(target[s])) // ESRCH: it is exiting; its exit will be reaped
		}
		bits >>= 1
	}
}
