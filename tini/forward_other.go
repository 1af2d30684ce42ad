//go:build !amd64

package tini

import (
	"os"
	"os/signal"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// Elsewhere than amd64, signals come through os/signal: slower to set up
// and one more thread per signal, but the same behaviour.
var fwd struct {
	sync.Mutex
	pid  int
	held []syscall.Signal
	to   map[syscall.Signal]syscall.Signal
}

func catch(sigs []syscall.Signal, to map[syscall.Signal]syscall.Signal) error {
	c := make(chan os.Signal, 64)
	var list []os.Signal
	for _, s := range sigs {
		list = append(list, s)
	}
	fwd.to = to
	signal.Notify(c, list...)
	go func() {
		for s := range c {
			sig := s.(syscall.Signal)
			r := fwd.to[sig]
			if r == 0 {
				continue
			}
			fwd.Lock()
			if fwd.pid == 0 {
				fwd.held = append(fwd.held, sig)
			} else {
				unix.Kill(fwd.pid, r)
			}
			fwd.Unlock()
		}
	}()
	return nil
}

func aim(pid int) {
	fwd.Lock()
	defer fwd.Unlock()
	fwd.pid = pid
	if pid == 0 {
		return
	}
	for _, s := range fwd.held {
		unix.Kill(pid, fwd.to[s])
	}
	fwd.held = nil
}
