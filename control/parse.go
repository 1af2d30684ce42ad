package control

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"tend/signals"
)

// MaxLine is the longest request line, in bytes, not counting its "\n" or
// "\r\n". SPEC: "A request line is at most 4096 bytes".
const MaxLine = 4096

// Defaults for the optional arguments of tail and wait (SPEC's table).
const (
	DefaultLines       = 50
	DefaultWaitTimeout = 60 * time.Second
)

// Request is one parsed request line.
//
// Cmd and Args are the words as sent (Cmd lowercased); the other fields are
// what Parse read from Args, so that the loop need not parse them again.
// Targets are not resolved here: each is a program name, GROUP:* or all,
// as the client wrote it.
type Request struct {
	Cmd  string   // a known command, lowercase
	Args []string // the words after Cmd, never empty strings; nil when none

	Targets []string       // status, start, stop, restart, signal, pid, tail, wait: the targets among Args
	Signal  syscall.Signal // signal: the signal Args[0] names
	Lines   int            // tail: N, DefaultLines when not given
	Follow  bool           // tail -f: stream new lines until the client goes
	Long    bool           // status -l: each program's last run too
	Timeout time.Duration  // wait: TIMEOUT, DefaultWaitTimeout when not given
}

// command is one request the protocol knows: its usage, its help line and
// the check of its arguments.
type command struct {
	name  string
	usage string // the arguments, as Help shows them
	help  string
	check func(r *Request) error
}

// commands lists every request in SPEC's order; Help follows it.
var commands = []command{
	{"status", "[-l] [TARGET...]", "show state, as supervisorctl does (all programs when no target); -l: and the last run's status, max RSS and CPU", checkStatus},
	{"start", "TARGET...", "start, and wait until RUNNING", someTargets},
	{"stop", "TARGET...", "stop, and wait until stopped", someTargets},
	{"restart", "TARGET...", "stop, then start", someTargets},
	{"signal", "SIG TARGET...", "send a signal: TERM, SIGTERM or 15", checkSignal},
	{"pid", "[TARGET]", "a program's pid; tend's own without a target", checkPid},
	{"reread", "", "show what reload would change", noArgs},
	{"reload", "[TARGET...]", "re-read the config and apply the changes; with targets, send each its reload_signal", anyTargets},
	{"reopen", "", "reopen every log file", noArgs},
	{"tail", "[-f] TARGET [N]", "the last N lines a program wrote (default 50); -f: then follow until the client goes", checkTail},
	{"metrics", "", "Prometheus text exposition: per program state, restarts, last exit, RSS, OOM kills", noArgs},
	{"history", "TARGET", "a program's last 20 runs: start, end, status, max RSS, CPU", oneTarget},
	{"wait", "TARGET... [TIMEOUT]", "wait until every target is ready (default 60s)", checkWait},
	{"events", "", "stream state changes until the client closes", noArgs},
	{"shutdown", "", "stop every program, then exit", noArgs},
	{"version", "", "tend's version", noArgs},
	{"help", "", "this list", noArgs},
}

// Help is the text of `help`, one line per command: its usage, then what
// it does. TARGET is a program name, GROUP:* or all.
// It is built on first use: tini mode never answers help.
var Help = sync.OnceValue(helpLines)

func helpLines() []string {
	width := 0
	for _, c := range commands {
		width = max(width, len(c.name)+1+len(c.usage))
	}
	lines := make([]string, len(commands))
	for i, c := range commands {
		use := strings.TrimSpace(c.name + " " + c.usage)
		lines[i] = fmt.Sprintf("%-*s  %s", width, use, c.help)
	}
	return lines
}

// errEmpty is Parse's error for a line with no words.
var errEmpty = errors.New("empty request")

// Parse reads a request line: words separated by spaces or tabs, the
// first one the command, in any case. A CR or LF counts as a space, so a
// trailing "\n" or "\r\n" is ignored. Each command's argument shape is
// checked here:
//
//	status [-l] [TARGET...]   start TARGET...       stop TARGET...
//	restart TARGET...         signal SIG TARGET...  pid [TARGET]
//	tail [-f] TARGET [N]      wait TARGET... [TIMEOUT]  history TARGET
//	reload [TARGET...]
//	reread, reopen, events, metrics, shutdown, version, help: no arguments
//
// SIG is anything signals.Parse reads. N is a positive integer. The last
// argument of wait is its TIMEOUT when it reads as one (Go's duration
// syntax, "90s", or whole seconds, "90") and at least one target comes
// before it; a target that looks like a timeout can be waited for by
// giving the timeout after it. A TIMEOUT of 0 checks once.
//
// An error is the exact reason for the reply's ERR line, such as
// `unknown command "rstart"; try help` or `start: want at least one
// target`.
func Parse(line string) (Request, error) {
	words := strings.FieldsFunc(line, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n'
	})
	if len(words) == 0 {
		return Request{}, errEmpty
	}
	name := asciiLower(words[0])
	for _, c := range commands {
		if c.name != name {
			continue
		}
		r := Request{Cmd: name}
		if len(words) > 1 {
			r.Args = words[1:]
		}
		if err := c.check(&r); err != nil {
			return Request{}, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	}
	return Request{}, fmt.Errorf("unknown command %q; try help", words[0])
}

// asciiLower lowercases A to Z only: unicode.ToLower would turn "sİgnal"
// (U+0130) into a command.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func anyTargets(r *Request) error {
	r.Targets = r.Args
	return nil
}

func checkStatus(r *Request) error {
	r.Targets = r.Args
	if len(r.Args) > 0 && r.Args[0] == "-l" {
		r.Long, r.Targets = true, r.Args[1:]
		if len(r.Targets) == 0 {
			r.Targets = nil
		}
	}
	return nil
}

func someTargets(r *Request) error {
	if len(r.Args) == 0 {
		return errors.New("want at least one target")
	}
	r.Targets = r.Args
	return nil
}

func noArgs(r *Request) error {
	if len(r.Args) > 0 {
		return errors.New("takes no arguments")
	}
	return nil
}

func oneTarget(r *Request) error {
	if len(r.Args) != 1 {
		return errors.New("want one target")
	}
	r.Targets = r.Args
	return nil
}

func checkPid(r *Request) error {
	if len(r.Args) > 1 {
		return errors.New("want at most one target")
	}
	r.Targets = r.Args
	return nil
}

func checkSignal(r *Request) error {
	if len(r.Args) < 2 {
		return errors.New("want a signal and at least one target")
	}
	sig, err := signals.Parse(r.Args[0])
	if err != nil {
		return err
	}
	r.Signal, r.Targets = sig, r.Args[1:]
	return nil
}

func checkTail(r *Request) error {
	args := r.Args
	if len(args) > 0 && args[0] == "-f" {
		r.Follow, args = true, args[1:]
	}
	if len(args) == 0 || len(args) > 2 {
		return errors.New("want a target and an optional line count N")
	}
	r.Targets, r.Lines = args[:1], DefaultLines
	if len(args) == 2 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			return errors.New("N must be a positive number")
		}
		r.Lines = n
	}
	return nil
}

func checkWait(r *Request) error {
	if len(r.Args) == 0 {
		return errors.New("want at least one target")
	}
	r.Targets, r.Timeout = r.Args, DefaultWaitTimeout
	if len(r.Args) < 2 {
		return nil
	}
	last := r.Args[len(r.Args)-1]
	d, ok, good := parseTimeout(last)
	if !ok {
		return nil
	}
	if !good {
		return fmt.Errorf("bad timeout %q", last)
	}
	r.Targets, r.Timeout = r.Args[:len(r.Args)-1], d
	return nil
}

// parseTimeout reads s as whole seconds ("90") or a Go duration ("1m30s").
// ok reports whether s is written as one of them at all; good, whether its
// value is then usable: not negative, and not too long for a
// time.Duration.
func parseTimeout(s string) (d time.Duration, ok, good bool) {
	switch {
	case isInteger(s):
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > math.MaxInt64/int64(time.Second) {
			return 0, true, false
		}
		d = time.Duration(n) * time.Second
	case isDuration(s):
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, true, false
		}
	default:
		return 0, false, false
	}
	return d, true, d >= 0
}

// isInteger reports whether s is an optional sign and decimal digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// isDuration reports whether s is written in time.ParseDuration's syntax:
// an optional sign, then one or more decimal numbers, each with a unit.
// It checks the form only: the value may still overflow.
func isDuration(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for s != "" {
		i := 0
		digits := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			if s[i] != '.' {
				digits++
			}
			i++
		}
		if digits == 0 || strings.Count(s[:i], ".") > 1 {
			return false
		}
		s = s[i:]
		unit := ""
		for _, u := range []string{"ns", "us", "µs", "μs", "ms", "s", "m", "h"} {
			if strings.HasPrefix(s, u) {
				unit = u
				break
			}
		}
		if unit == "" {
			return false
		}
		s = s[len(unit):]
	}
	return true
}
