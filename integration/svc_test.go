package integration

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// svc is the helper that plays a supervised program: `svc NAME [flags]`.
// It prints "NAME ready pid=N" once ready by every means asked for, and
// "NAME stopping" when SIGTERM comes (then exits 0, unless told to ignore
// it).
func svc(args []string) int {
	name := args[0]
	fs := flag.NewFlagSet("svc", flag.ContinueOnError)
	exit := fs.Int("exit", -1, "exit with this status once ready")
	delay := fs.Duration("delay", 0, "wait this long before becoming ready")
	notify := fs.Bool("notify", false, "send READY=1 to $NOTIFY_SOCKET")
	fd := fs.Int("fd", 0, "write a newline to this descriptor")
	tcp := fs.String("tcp", "", "listen on this address")
	ignoreTerm := fs.Bool("ignore-term", false, "ignore SIGTERM")
	ids := fs.Bool("ids", false, "print uid, gid, groups, umask, cwd and $SVC_VAR")
	child := fs.Bool("child", false, "start NAME-child, a second svc, in the same process group")
	touch := fs.String("touch", "", "create this file once ready")
	flood := fs.Int("flood", 0, "first write this many MiB of 1 KiB lines to stdout, then \"finished\" to stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	term := make(chan os.Signal, 1)
	if *ignoreTerm {
		signal.Ignore(unix.SIGTERM)
	} else {
		signal.Notify(term, unix.SIGTERM)
	}
	time.Sleep(*delay)
	if *flood > 0 {
		line := append(bytes.Repeat([]byte("x"), 1023), '\n')
		for range *flood * 1024 {
			os.Stdout.Write(line)
		}
		fmt.Fprintln(os.Stderr, "finished")
	}
	if *tcp != "" {
		ln, err := net.Listen("tcp", *tcp)
		if err != nil {
			fmt.Printf("%s: %v\n", name, err)
			return 1
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				// Enough HTTP for a check: any request gets 200.
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
				c.Close()
			}
		}()
	}
	if *notify {
		addr := os.Getenv("NOTIFY_SOCKET")
		if strings.HasPrefix(addr, "@") {
			addr = "\x00" + addr[1:]
		}
		c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
		if err != nil {
			fmt.Printf("%s: notify: %v\n", name, err)
			return 1
		}
		c.Write([]byte("STATUS=up\nREADY=1\n"))
		c.Close()
	}
	if *fd > 0 {
		os.NewFile(uintptr(*fd), "ready").Write([]byte("\n"))
	}
	if *ids {
		groups, _ := unix.Getgroups()
		mask := unix.Umask(0)
		cwd, _ := os.Getwd()
		fmt.Printf("%s ids uid=%d gid=%d groups=%v umask=%03o cwd=%s var=%q path=%t\n", name,
			os.Getuid(), os.Getgid(), groups, mask, cwd, os.Getenv("SVC_VAR"), os.Getenv("PATH") != "")
	}
	if *child {
		c := exec.Command(os.Args[0], "helper", "svc", name+"-child", "-fd", "3")
		c.Stdout, c.Stderr = os.Stdout, os.Stderr
		r, w, err := os.Pipe()
		if err != nil {
			return 1
		}
		c.ExtraFiles = []*os.File{w}
		if err := c.Start(); err != nil {
			fmt.Printf("%s: %v\n", name, err)
			return 1
		}
		w.Close()
		r.Read(make([]byte, 1)) // the child is set up
	}
	fmt.Printf("%s ready pid=%d\n", name, os.Getpid())
	if *touch != "" {
		os.WriteFile(*touch, nil, 0o644)
	}
	if *exit >= 0 {
		return *exit
	}
	if *ignoreTerm {
		for {
			time.Sleep(time.Hour)
		}
	}
	<-term
	fmt.Printf("%s stopping\n", name)
	return 0
}
