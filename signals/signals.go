// Package signals names Linux signals and says which ones tend passes on.
//
// tend forwards every signal it receives to its program, except three that
// are tend's own business:
//
//   - SIGCHLD: tells tend to reap; the program has its own.
//   - SIGURG: the Go runtime preempts goroutines with it, dozens of times a
//     second (see runtime/preempt.go); forwarding it would flood the program.
//   - SIGPIPE: tend must survive its own broken stdout (a log driver gone).
package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// names maps the classic signals to their names without the SIG prefix.
var names = map[syscall.Signal]string{
	unix.SIGHUP: "HUP", unix.SIGINT: "INT", unix.SIGQUIT: "QUIT",
	unix.SIGILL: "ILL", unix.SIGTRAP: "TRAP", unix.SIGABRT: "ABRT",
	unix.SIGBUS: "BUS", unix.SIGFPE: "FPE", unix.SIGKILL: "KILL",
	unix.SIGUSR1: "USR1", unix.SIGSEGV: "SEGV", unix.SIGUSR2: "USR2",
	unix.SIGPIPE: "PIPE", unix.SIGALRM: "ALRM", unix.SIGTERM: "TERM",
	unix.SIGSTKFLT: "STKFLT", unix.SIGCHLD: "CHLD", unix.SIGCONT: "CONT",
	unix.SIGSTOP: "STOP", unix.SIGTSTP: "TSTP", unix.SIGTTIN: "TTIN",
	unix.SIGTTOU: "TTOU", unix.SIGURG: "URG", unix.SIGXCPU: "XCPU",
	unix.SIGXFSZ: "XFSZ", unix.SIGVTALRM: "VTALRM", unix.SIGPROF: "PROF",
	unix.SIGWINCH: "WINCH", unix.SIGIO: "IO", unix.SIGPWR: "PWR",
	unix.SIGSYS: "SYS",
}

// aliases are other names the kernel's headers and kill(1) accept.
var aliases = map[string]syscall.Signal{
	"IOT": unix.SIGABRT, "POLL": unix.SIGIO, "CLD": unix.SIGCHLD,
}

// The realtime signals as the kernel numbers them. glibc reserves the first
// two for threads and calls 34 SIGRTMIN; tend is not linked with glibc, but
// the programs it runs may be, so names follow the kernel and kill(1):
// RTMIN is 34, RTMAX is 64.
const (
	rtMin = 34
	rtMax = 64
)

// Name returns the signal's name with the SIG prefix ("SIGTERM",
// "SIGRTMIN+3"), or "signal N" for a number with no name.
func Name(s syscall.Signal) string {
	if n, ok := names[s]; ok {
		return "SIG" + n
	}
	switch {
	case s == rtMin:
		return "SIGRTMIN"
	case s == rtMax:
		return "SIGRTMAX"
	case s > rtMin && s < rtMax:
		return fmt.Sprintf("SIGRTMIN+%d", int(s)-rtMin)
	}
	return fmt.Sprintf("signal %d", int(s))
}

// Parse reads a signal as a name ("TERM"), a SIG-name ("SIGTERM"), either
// in any case, "RTMIN+N", or a number ("15").
func Parse(s string) (syscall.Signal, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if n, err := strconv.Atoi(t); err == nil {
		if n < 1 || n > rtMax {
			return 0, fmt.Errorf("signal number %d out of range 1..%d", n, rtMax)
		}
		return syscall.Signal(n), nil
	}
	t = strings.TrimPrefix(t, "SIG")
	for sig, n := range names {
		if n == t {
			return sig, nil
		}
	}
	if sig, ok := aliases[t]; ok {
		return sig, nil
	}
	if sig, ok := parseRT(t); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// parseRT reads RTMIN, RTMAX, RTMIN+N and RTMAX-N.
func parseRT(t string) (syscall.Signal, bool) {
	base, sign, rest := 0, 1, ""
	switch {
	case strings.HasPrefix(t, "RTMIN"):
		base, rest = rtMin, t[len("RTMIN"):]
	case strings.HasPrefix(t, "RTMAX"):
		base, sign, rest = rtMax, -1, t[len("RTMAX"):]
	default:
		return 0, false
	}
	if rest == "" {
		return syscall.Signal(base), true
	}
	if (sign == 1 && rest[0] != '+') || (sign == -1 && rest[0] != '-') {
		return 0, false
	}
	n, err := strconv.Atoi(rest[1:])
	if err != nil || n < 0 || rest[1] == '+' || rest[1] == '-' {
		return 0, false
	}
	sig := base + sign*n
	if sig < rtMin || sig > rtMax {
		return 0, false
	}
	return syscall.Signal(sig), true
}

// Forwarded reports whether tend passes s on to its program. SIGKILL and
// SIGSTOP cannot be caught, so they never reach tend to be forwarded.
func Forwarded(s syscall.Signal) bool {
	switch s {
	case unix.SIGCHLD, unix.SIGURG, unix.SIGPIPE, unix.SIGKILL, unix.SIGSTOP:
		return false
	}
	return s >= 1 && s <= rtMax
}

// Catchable lists every signal tend installs a handler for: all but SIGKILL
// and SIGSTOP, which cannot be caught, and 32 and 33, which the kernel
// numbers but no libc lets a program send by name. Catching SIGPIPE and
// SIGURG keeps the runtime's default action (death by SIGPIPE on a broken
// stdout) away; tend then drops them.
func Catchable() []syscall.Signal {
	var out []syscall.Signal
	for s := syscall.Signal(1); s <= rtMax; s++ {
		if s == unix.SIGKILL || s == unix.SIGSTOP || s == 32 || s == 33 {
			continue
		}
		out = append(out, s)
	}
	return out
}
