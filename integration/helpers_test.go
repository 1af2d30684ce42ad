package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/signals"
)

// helper runs this test binary as one of the programs tend starts, chosen
// by name: `TESTBIN helper NAME ARGS...`. Each prints "ready pid=N" first.
func helper(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "helper: no name")
		return 2
	}
	name, args := args[0], args[1:]
	switch name {
	case "exit": // exit with status args[0]
		ready()
		n, _ := strconv.Atoi(args[0])
		return n
	case "selfkill": // die of signal args[0]
		ready()
		s, err := signals.Parse(args[0])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		signal.Reset(s)
		unix.Kill(os.Getpid(), s)
		for {
			time.Sleep(time.Hour)
		}
	case "signals": // print each signal received; exit 3 on SIGTERM
		return printSignals()
	case "orphans": // make args[0] orphans of tend that exit at once
		return orphanStorm(args[0])
	case "fork-orphans": // fork args[0] children blocked on fd 3, and exit
		return forkOrphans(args[0])
	case "leftovers": // leave behind one process that honours SIGTERM and one that ignores it
		return leftovers()
	case "on-term": // print on SIGTERM, then exit
		c := make(chan os.Signal, 1)
		signal.Notify(c, unix.SIGTERM)
		ready()
		<-c
		fmt.Println("leftover got SIGTERM")
		return 0
	case "ignore-term":
		signal.Ignore(unix.SIGTERM)
		ready()
		for {
			time.Sleep(time.Hour)
		}
	case "alloc": // touch args[0] MiB of memory, then exit 3 (history_test.go)
		n, _ := strconv.Atoi(args[0])
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		return 3
	case "svc": // a supervised program (svc_test.go)
		return svc(args)
	case "tty": // report the terminal's foreground group and the signals it sends
		return ttyReport()
	case "slow-stop": // NAME DELAY: take DELAY to stop on SIGTERM (container_helpers_test.go)
		return slowStop(args)
	case "sigwrap": // BLOCKED IGNORED PROGRAM...: exec it with those signals blocked and ignored (tini_test.go)
		return sigwrap(args)
	case "family": // print signals, beside a child that prints its own (tini_test.go)
		return family()
	case "tagged-signals": // the child of family
		return taggedSignals()
	case "tend-parent": // TEND ARGS...: start tend, exit when stdin closes (tini_test.go)
		return tendParent(args)
	case "serve": // answer on the sockets of LISTEN_FDS (stop_test.go)
		return serveListen()
	}
	fmt.Fprintf(os.Stderr, "helper: unknown %q\n", name)
	return 2
}

// ready says the helper is set up: "ready pid=N" on stdout, with its tag
// before it when it has one, and a byte on fd 3 for the helper that started
// it when that is asked for.
func ready() {
	if tag := os.Getenv("HELPER_TAG"); tag != "" {
		fmt.Printf("%s ready pid=%d\n", tag, os.Getpid())
		os.NewFile(3, "ready").Write([]byte{'\n'})
		return
	}
	fmt.Printf("ready pid=%d\n", os.Getpid())
}

func printSignals() int {
	c := make(chan os.Signal, 64)
	var all []os.Signal
	for _, s := range signals.Catchable() {
		if s != unix.SIGURG { // the Go runtime's own preemption signal
			all = append(all, s)
		}
	}
	signal.Notify(c, all...)
	ready()
	for s := range c {
		fmt.Printf("got %s\n", signals.Name(s.(syscall.Signal)))
		if s == unix.SIGTERM {
			return 3
		}
	}
	return 0
}

// orphanStorm makes n processes whose parent has exited, so that they are
// reparented to tend (as PID 1 or as the subreaper), has them all exit at
// once, and waits until tend has reaped every one. An intermediate copy of
// this helper forks the orphans (raw forks blocked on a pipe) and exits.
func orphanStorm(arg string) int {
	tend := os.Getppid()
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	mid := exec.Command(os.Args[0], "helper", "fork-orphans", arg)
	mid.ExtraFiles = []*os.File{r}
	mid.Stderr = os.Stderr // a file: no pipe that the orphans would hold open
	if err := mid.Run(); err != nil {
		fmt.Printf("fork-orphans: %v\n", err)
		return 1
	}
	r.Close()
	ready()
	children := countChildren(tend, false)
	fmt.Printf("orphans %d\n", children-1) // less this helper
	w.Close()                              // every orphan reads EOF and exits
	start := time.Now()
	deadline := start.Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		if countChildren(tend, true) == 0 && countChildren(tend, false) == 1 {
			fmt.Printf("reaped all in %v\n", time.Since(start).Round(time.Millisecond))
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Printf("left: %d zombies, %d children\n", countChildren(tend, true), countChildren(tend, false))
	return 1
}

// forkOrphans forks n children blocked on fd 3 and exits without waiting.
func forkOrphans(arg string) int {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return 2
	}
	for i := 0; i < n; i++ {
		if _, e := forkBlocked(3); e != 0 {
			fmt.Fprintf(os.Stderr, "fork %d: %v\n", i, e)
			return 1
		}
	}
	return 0
}

// countChildren counts the children of ppid in /proc: only zombies, or all.
func countChildren(ppid int, zombies bool) int {
	ents, _ := os.ReadDir("/proc")
	n := 0
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(ppid) {
			continue
		}
		if !zombies || f[0] == "Z" {
			n++
		}
	}
	return n
}

// leftovers starts two helpers in the background, waits until each has
// set up its signal handling, and exits, leaving them to tend. They share
// tend's stdout and tag their lines with their names.
func leftovers() int {
	for _, name := range []string{"on-term", "ignore-term"} {
		if err := startReady(name, "HELPER_TAG="+name); err != nil {
			fmt.Println(err)
			return 1
		}
	}
	ready()
	return 0
}

// startReady starts helper name in the background with env added, and
// returns once it has written its ready byte on fd 3 (see ready).
func startReady(name string, env ...string) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	c := exec.Command(os.Args[0], "helper", name)
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	c.Env = append(os.Environ(), env...)
	c.ExtraFiles = []*os.File{w}
	err = c.Start()
	w.Close()
	if err != nil {
		return err
	}
	if _, err := r.Read(make([]byte, 1)); err != nil {
		return err
	}
	return c.Process.Release()
}

func ttyReport() int {
	c := make(chan os.Signal, 8)
	signal.Notify(c, unix.SIGINT, unix.SIGWINCH, unix.SIGTSTP)
	ready()
	fg, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	if err != nil {
		fmt.Printf("tcgetpgrp: %v\n", err)
		return 1
	}
	fmt.Printf("pgrp=%d fg=%d\n", unix.Getpgrp(), fg)
	for s := range c {
		switch s {
		case unix.SIGWINCH:
			ws, _ := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ)
			fmt.Printf("got SIGWINCH %dx%d\n", ws.Row, ws.Col)
		case unix.SIGINT:
			fmt.Println("got SIGINT")
			return 130
		default:
			fmt.Printf("got %s\n", signals.Name(s.(syscall.Signal)))
		}
	}
	return 0
}
