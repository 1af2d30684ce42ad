package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// serveListen is a program started with sockets, as systemd's socket
// activation starts one: it checks LISTEN_PID is its own pid, reports
// each socket's inode (the same socket across restarts has the same one),
// and answers each line a client sends with "hello from PID" on every
// socket until SIGTERM.
func serveListen() int {
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n < 1 {
		fmt.Printf("bad LISTEN_FDS %q\n", os.Getenv("LISTEN_FDS"))
		return 1
	}
	if pid := os.Getenv("LISTEN_PID"); pid != strconv.Itoa(os.Getpid()) {
		fmt.Printf("LISTEN_PID %q is not my pid %d\n", pid, os.Getpid())
		return 1
	}
	if _, set := os.LookupEnv("TEND_LISTEN_EXEC"); set {
		fmt.Println("TEND_LISTEN_EXEC leaked into the program's environment")
		return 1
	}
	var inodes []string
	for fd := 3; fd < 3+n; fd++ {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			fmt.Printf("fd %d: %v\n", fd, err)
			return 1
		}
		flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if flags&unix.O_NONBLOCK != 0 {
			fmt.Printf("fd %d is non-blocking; systemd passes blocking sockets\n", fd)
			return 1
		}
		inodes = append(inodes, strconv.FormatUint(st.Ino, 10))
		ln, err := net.FileListener(os.NewFile(uintptr(fd), "listen"))
		if err != nil {
			fmt.Printf("fd %d: %v\n", fd, err)
			return 1
		}
		go answer(ln)
	}
	term := make(chan os.Signal, 1)
	signal.Notify(term, unix.SIGTERM)
	fmt.Printf("sockets %s names=%s\n", strings.Join(inodes, ","), os.Getenv("LISTEN_FDNAMES"))
	ready()
	<-term
	return 0
}

func answer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
				fmt.Fprintf(c, "hello from %d\n", os.Getpid())
			}
		}()
	}
}
