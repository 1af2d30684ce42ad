package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"tend/signals"
)

// sigwrap BLOCKED IGNORED PROGRAM ARGS...: exec PROGRAM with the signals
// listed (numbers or names, comma separated) blocked and ignored, as a
// shell or nohup would leave them.
func sigwrap(args []string) int {
	if len(args) < 3 {
		fmt.Fprintln(os.Stderr, "sigwrap: BLOCKED IGNORED PROGRAM...")
		return 2
	}
	runtime.LockOSThread() // the mask is this thread's, and exec keeps it
	var mask uint64
	for _, name := range strings.Split(args[0], ",") {
		s, err := signals.Parse(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		mask |= 1 << (s - 1)
	}
	for _, name := range strings.Split(args[1], ",") {
		s, err := signals.Parse(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		signal.Ignore(s) // SIG_IGN, which exec keeps
	}
	if _, _, e := unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_BLOCK, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0); e != 0 {
		fmt.Fprintln(os.Stderr, e)
		return 1
	}
	err := syscall.Exec(args[2], args[2:], os.Environ())
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 127
}

// family starts a child in its own process group's (its child, tagged
// "child"), and prints the signals each gets; both exit on SIGTERM.
func family() int {
	if err := startReady("tagged-signals"); err != nil {
		fmt.Println(err)
		return 1
	}
	return printSignals()
}

// taggedSignals prints "child got SIGNAME" for each signal, and "child
// ready pid=N" then a byte on fd 3 once set up; it exits on SIGTERM.
func taggedSignals() int {
	c := make(chan os.Signal, 8)
	signal.Notify(c, unix.SIGUSR1, unix.SIGTERM)
	fmt.Printf("child ready pid=%d\n", os.Getpid())
	os.NewFile(3, "ready").Write([]byte{'\n'})
	for s := range c {
		fmt.Printf("child got %s\n", signals.Name(s.(syscall.Signal)))
		if s == unix.SIGTERM {
			return 0
		}
	}
	return 0
}

// tendParent TEND ARGS...: start tend, say "tend pid=N", and exit when
// standard input closes, so that tend's parent dies (tini's -p).
func tendParent(args []string) int {
	c := exec.Command(args[0], args[1:]...)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	if err := c.Start(); err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Printf("tend pid=%s\n", strconv.Itoa(c.Process.Pid))
	bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}
