package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/config"
	"tend/probe"
	"tend/signals"
	"tend/spawn"
)

const waitUsage = "usage: tend wait [--timeout 60s] TARGET... [-- PROGRAM [ARG...]]"

// waitInterval is how often each target is tried, and waitAttempt bounds
// one try: the defaults of ready_interval and health_timeout.
const (
	waitInterval = time.Second
	waitAttempt  = 5 * time.Second
)

// waitCommand is `tend wait [--timeout 60s] TARGET... [-- PROGRAM
// [ARG...]]`, a wait that needs no shell, for distroless images. A TARGET
// is tcp:HOST:PORT (the port accepts a connection) or an http:// URL (it
// answers 2xx), as tend's ready and health checks. Every target is tried
// every second, each try bounded by 5s, until all have passed: one line
// on stdout says when each one passes. Then PROGRAM replaces tend (execve:
// same pid, same descriptors, tend's environment), or with no PROGRAM tend
// exits 0.
//
// --timeout is a Go duration or a number of seconds, 60s by default; 0
// waits for ever. When it runs out, one line on stderr names the targets
// not ready and why, and tend exits 1 without running PROGRAM. SIGTERM,
// SIGINT or SIGQUIT while waiting (docker stop, Ctrl-C) make it exit
// 128+N at once. A bad command line exits 2; a PROGRAM that cannot be
// executed, 127 (not found) or 126.
func waitCommand(args []string, stdout, stderr io.Writer) int {
	timeout, targets, argv, err := parseWait(args)
	if err != nil {
		fmt.Fprintf(stderr, "tend wait: %v\n%s\n", err, waitUsage)
		return 2
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGQUIT)
	defer signal.Stop(sigs)
	if code := waitAll(targets, timeout, sigs, stdout, stderr); code != 0 || argv == nil {
		return code
	}
	signal.Stop(sigs)
	return execProgram(argv, stderr)
}

// waitTarget is one thing tend wait waits for.
type waitTarget struct {
	text string // as given
	tcp  bool   // tcp:HOST:PORT, else an http:// URL
	addr string // tcp: HOST:PORT; http: the URL
}

func (t waitTarget) try(ctx context.Context) error {
	var err error
	if t.tcp {
		err = probe.TCP(ctx, t.addr)
	} else {
		err = probe.HTTP(ctx, t.addr)
	}
	// probe's errors begin with the target, which the caller names.
	if inner := errors.Unwrap(err); inner != nil {
		return inner
	}
	return err
}

// parseWait reads the command line. argv is nil when no PROGRAM follows.
func parseWait(args []string) (timeout time.Duration, targets []waitTarget, argv []string, err error) {
	for i, a := range args {
		if a == "--" {
			args, argv = args[:i], args[i+1:]
			if len(argv) == 0 {
				return 0, nil, nil, errors.New("no program after --")
			}
			break
		}
	}
	fs := flag.NewFlagSet("tend wait", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	timeoutText := fs.String("timeout", "60s", "")
	if err := fs.Parse(args); err != nil {
		return 0, nil, nil, err
	}
	if timeout, err = parseWaitTimeout(*timeoutText); err != nil {
		return 0, nil, nil, err
	}
	if fs.NArg() == 0 {
		return 0, nil, nil, errors.New("no target")
	}
	for _, s := range fs.Args() {
		t, err := parseWaitTarget(s)
		if err != nil {
			return 0, nil, nil, err
		}
		targets = append(targets, t)
	}
	return timeout, targets, argv, nil
}

// parseWaitTimeout reads a Go duration or a number of seconds, as the
// config's durations.
func parseWaitTimeout(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseUint(s, 10, 32); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--timeout %q: want a duration such as 60s or 1m30s, or a number of seconds", s)
	}
	return d, nil
}

// parseWaitTarget reads a target with the config's own check syntax:
// tcp:HOST:PORT or an http:// URL.
func parseWaitTarget(s string) (waitTarget, error) {
	c, err := config.ParseTarget(s)
	if err != nil {
		return waitTarget{}, err
	}
	return waitTarget{text: s, tcp: c.Kind == "tcp", addr: c.Addr + c.URL}, nil
}

// waitResult is the outcome of one try of target i.
type waitResult struct {
	i   int
	err error
}

// waitAll tries every target until all pass (0), the timeout runs out
// (1), or a signal comes on sigs (128+N).
func waitAll(targets []waitTarget, timeout time.Duration, sigs <-chan os.Signal, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan waitResult)
	for i, t := range targets {
		go pollTarget(ctx, i, t, results)
	}
	var expired <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	start := time.Now()
	ready := make([]bool, len(targets))
	last := make([]error, len(targets))
	for left := len(targets); left > 0; {
		select {
		case r := <-results:
			if r.err != nil {
				last[r.i] = r.err
				continue
			}
			ready[r.i] = true
			left--
			fmt.Fprintf(stdout, "tend wait: %s is ready (%s)\n", targets[r.i].text, time.Since(start).Round(100*time.Millisecond))
		case <-expired:
			fmt.Fprintf(stderr, "tend wait: timed out after %s; not ready: %s\n", timeout, notReady(targets, ready, last))
			return 1
		case s := <-sigs:
			sig, _ := s.(syscall.Signal)
			fmt.Fprintf(stderr, "tend wait: %s; not ready: %s\n", signals.Name(sig), notReady(targets, ready, last))
			return 128 + int(sig)
		}
	}
	return 0
}

// notReady lists the targets not ready, each with its last error.
func notReady(targets []waitTarget, ready []bool, last []error) string {
	var b strings.Builder
	for i, t := range targets {
		if ready[i] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		why := "no answer yet"
		if last[i] != nil {
			why = last[i].Error()
		}
		fmt.Fprintf(&b, "%s (%s)", t.text, why)
	}
	return b.String()
}

// pollTarget tries t every waitInterval until it passes or ctx ends,
// sending each result.
func pollTarget(ctx context.Context, i int, t waitTarget, results chan<- waitResult) {
	for {
		began := time.Now()
		actx, cancel := context.WithTimeout(ctx, waitAttempt)
		err := t.try(actx)
		cancel()
		select {
		case results <- waitResult{i, err}:
		case <-ctx.Done():
			return
		}
		if err == nil {
			return
		}
		pause := time.NewTimer(time.Until(began.Add(waitInterval)))
		select {
		case <-ctx.Done():
			pause.Stop()
			return
		case <-pause.C:
		}
	}
}

// execProgram replaces tend with argv, found in $PATH as execvp(3) would.
// It returns only when that fails: 127 for a command not found, 126 for
// one that cannot be executed, as a shell.
func execProgram(argv []string, stderr io.Writer) int {
	env := os.Environ()
	path, err := spawn.LookPath(argv[0], env)
	if err == nil {
		err = syscall.Exec(path, argv, env)
	}
	e := &spawn.Error{Op: "exec", Name: argv[0], Err: err}
	fmt.Fprintf(stderr, "tend wait: %v\n", e)
	return e.ExitCode()
}
