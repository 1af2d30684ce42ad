// Command control-helper is the client side of bench/control.sh: it times
// requests to tend's control socket from a process that is already
// running, so that the figures are tend's cost and not a client's start,
// and it times reloads of tend and of supervisord until the changed
// program runs again. Standard library only; it is not part of tend.
//
//	control-helper beat FILE
//	    a program for tend to run: appends the wall clock (ns) to FILE
//	    every 5 ms, so that a stall shows as a gap
//	control-helper mix SOCK TEND ROUNDS PER NPROGS
//	    ROUNDS rounds, the order shifting each round, of: spawn /bin/true;
//	    spawn `TEND ctl --socket SOCK status`; spawn `nc -U SOCK` with
//	    "status\n" on its standard input; PER round trips from here.
//	    Prints "KIND µs" per sample (true, ctl, nc, rtt).
//	control-helper burst SOCK CLIENTS ROUNDS NPROGS BEATFILE
//	    ROUNDS times: 1 s idle, then CLIENTS connections at once, each
//	    sending status. Prints "connect µs", "total µs", "client µs" and
//	    "beatidle µs", "beatburst µs" (the heartbeat's longest gap).
//	control-helper rtt SOCK COUNT REQUEST...
//	    COUNT round trips of REQUEST from here, each reply checked to end
//	    in OK. Prints "µs" per round trip.
//	control-helper tend-reload SOCK CONF NEWCONF NAME NPROGS MODE [TENDPID|TEND]
//	    renames NEWCONF onto CONF, then reloads tend (MODE socket: a
//	    `reload` request from here; hup: SIGHUP to TENDPID; ctl: spawn
//	    `TEND ctl --socket SOCK reload`) and waits for NAME's
//	    ->RUNNING event with a new pid. Prints one line of key=value.
//	control-helper sd-reload SDCONF SDLOG NEWCONF NAME NPROGS MODE SDSOCK
//	    the same for supervisord (MODE ctl: `supervisorctl reread` then
//	    `supervisorctl update`; rpc: the XML-RPC calls update makes, from
//	    here), applied when its log says NAME entered RUNNING.
//	control-helper cpu
//	    the machine's CPU use over 1 s (/proc/stat), and the process that
//	    used the most (/proc/PID/stat)
//	control-helper stats
//	    reads "KEY value" lines; prints "KEY n median p90 min max" per key.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fatal(errors.New("usage: control-helper beat|mix|burst|rtt|tend-reload|sd-reload|cpu|stats ARGS"))
	}
	a := os.Args[2:]
	need := map[string]int{"beat": 1, "mix": 5, "burst": 5, "rtt": 3, "tend-reload": 6, "sd-reload": 7}
	if len(a) < need[os.Args[1]] {
		fatal(fmt.Errorf("%s: %d arguments, want %d (see the doc comment)", os.Args[1], len(a), need[os.Args[1]]))
	}
	var err error
	switch os.Args[1] {
	case "beat":
		err = beat(a[0])
	case "mix":
		err = mix(a[0], a[1], atoi(a[2]), atoi(a[3]), atoi(a[4]))
	case "burst":
		err = burst(a[0], atoi(a[1]), atoi(a[2]), atoi(a[3]), a[4])
	case "rtt":
		err = rtt(a[0], atoi(a[1]), strings.Join(a[2:], " "))
	case "tend-reload":
		extra := ""
		if len(a) > 6 {
			extra = a[6]
		}
		err = tendReload(a[0], a[1], a[2], a[3], atoi(a[4]), a[5], extra)
	case "sd-reload":
		err = sdReload(a[0], a[1], a[2], a[3], atoi(a[4]), a[5], a[6])
	case "cpu":
		err = cpu()
	case "stats":
		err = stats(os.Stdin)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "control-helper: %v\n", err)
	os.Exit(1)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		fatal(fmt.Errorf("not a number: %q", s))
	}
	return n
}

func us(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 1, 64) }
func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }

// beat is a heartbeat program: one write of the wall clock every 5 ms.
func beat(file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	for {
		if _, err := f.WriteString(strconv.FormatInt(time.Now().UnixNano(), 10) + "\n"); err != nil {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}
