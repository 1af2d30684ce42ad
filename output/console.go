package output

import (
	"io"
	"sync"
)

// consoleBudget is how many bytes may wait for one of tend's descriptors
// before more are dropped (and counted) rather than queued.
const consoleBudget = 4 << 20

// Console is one of tend's own descriptors (stdout or stderr: the
// container's log) shared by every program's output and by tend's own log.
// Write never blocks: bytes queue up to a budget and one goroutine writes
// them out. When the descriptor stalls (a blocked log driver) and the
// budget is spent, what does not fit is dropped and counted, and the count
// is reported once writing works again. So a stalled log never stalls a
// program, nor tend's loop when it logs.
type Console struct {
	w io.Writer

	mu      sync.Mutex
	more    *sync.Cond // the queue is not empty
	empty   *sync.Cond // everything queued was written
	queue   [][]byte
	queued  int   // bytes in queue
	dropped int64 // bytes dropped since the last report
	report  func(dropped int64)
}

// NewConsole starts the goroutine that writes to w. report, if not nil,
// is called from that goroutine after a write that follows drops.
func NewConsole(w io.Writer) *Console {
	c := &Console{w: w}
	c.more = sync.NewCond(&c.mu)
	c.empty = sync.NewCond(&c.mu)
	go c.run()
	return c
}

// OnDropped sets the function told how many bytes were dropped.
func (c *Console) OnDropped(report func(dropped int64)) {
	c.mu.Lock()
	c.report = report
	c.mu.Unlock()
}

// Write queues a copy of p; it never blocks and never fails.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	if c.queued+len(p) > consoleBudget {
		c.dropped += int64(len(p))
		c.mu.Unlock()
		return len(p), nil
	}
	c.queue = append(c.queue, append([]byte(nil), p...))
	c.queued += len(p)
	c.more.Signal()
	c.mu.Unlock()
	return len(p), nil
}

// Flush waits until everything queued so far has been written or dropped:
// tend calls it before it exits, so that a program's last words are not
// lost.
func (c *Console) Flush() {
	c.mu.Lock()
	for c.queued > 0 {
		c.empty.Wait()
	}
	c.mu.Unlock()
}

func (c *Console) run() {
	c.mu.Lock()
	for {
		for len(c.queue) == 0 {
			c.empty.Broadcast()
			c.more.Wait()
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		n, lost := 0, 0
		for _, b := range batch {
			// A failed write (EPIPE: no one reads the log) is a drop.
			if k, err := c.w.Write(b); err != nil {
				lost += len(b) - k
			}
			n += len(b)
		}
		c.mu.Lock()
		c.queued -= n
		c.dropped += int64(lost)
		if c.dropped > 0 && c.report != nil {
			d := c.dropped
			c.dropped = 0
			report := c.report
			c.mu.Unlock()
			report(d)
			c.mu.Lock()
		}
	}
}
