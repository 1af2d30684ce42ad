package supervisor

import (
	"context"
	"os"
	"time"

	"tend/probe"
	"tend/procs"
)

// watch is one process's ready check under way, and what it holds open.
// The host keeps them; the core asks for them by effect.
type watch struct {
	cancel context.CancelFunc
	ctx    context.Context
	notify *probe.Notify
	fdRead *os.File   // fd:N: tend's end of the pipe
	child  []*os.File // descriptors handed to the child, closed after the fork
}

// startWatch starts the goroutine of p's ready check, for this process.
func (h *host) startWatch(p *program) {
	w := h.watch[p]
	if w == nil {
		return
	}
	gen := p.gen
	c := p.cfg.Ready
	switch c.Kind {
	case "notify":
		// As systemd's NotifyAccess=all within the service: READY=1
		// counts only from the program's process or one below it (the
		// kernel-checked pid of the datagram), not from anyone who can
		// reach the socket.
		pid := p.pid
		go w.notify.Run(func(m probe.Message) {
			if !m.Ready {
				return
			}
			if m.PID == 0 || !procs.Within(m.PID, pid) {
				h.log.Warn("READY=1 ignored: not sent by the program or a process below it", "program", p.cfg.Name, "pid", m.PID)
				return
			}
			h.send(result{p: p, gen: gen, ready: true})
		})
	case "fd":
		go func() {
			err := probe.WatchFD(w.ctx, w.fdRead)
			if w.ctx.Err() == nil {
				h.send(result{p: p, gen: gen, ready: err == nil, err: err})
			}
		}()
	case "tcp", "http":
		go h.poll(w.ctx, p, gen, c.Kind, c.Addr+c.URL, p.cfg.ReadyInterval)
	}
}

// poll tries a tcp or http check every interval until it passes or ctx
// ends.
func (h *host) poll(ctx context.Context, p *program, gen int, kind, target string, every time.Duration) {
	for {
		tctx, cancel := context.WithTimeout(ctx, every)
		err := probeOnce(tctx, kind, target)
		cancel()
		if err == nil {
			h.send(result{p: p, gen: gen, ready: true})
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

func probeOnce(ctx context.Context, kind, target string) error {
	if kind == "tcp" {
		return probe.TCP(ctx, target)
	}
	return probe.HTTP(ctx, target)
}

// send hands a result to the loop, unless the loop has ended.
func (h *host) send(r result) {
	select {
	case h.results <- r:
	case <-h.quit:
	}
}

// stopWatch ends p's ready check and frees what it holds.
func (h *host) stopWatch(p *program) {
	w := h.watch[p]
	if w == nil {
		return
	}
	delete(h.watch, p)
	w.cancel()
	if w.notify != nil {
		w.notify.Close()
	}
	if w.fdRead != nil {
		w.fdRead.Close()
	}
	for _, f := range w.child {
		f.Close()
	}
}
