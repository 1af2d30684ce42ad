// Package listener speaks supervisord's event listener protocol, so that
// listeners written for supervisord ([eventlistener:x]: crashmail,
// superfsmon, "stop the container when a program dies" scripts) run
// under tend unchanged.
//
// The protocol (supervisord's "Event Listener Notification Protocol"): the
// listener writes READY and a newline on its stdout; tend then writes one
// header line on its stdin,
//
//	ver:3.0 server:supervisor serial:21 pool:listener poolserial:10 eventname:PROCESS_STATE_EXITED len:71
//
// and len bytes of payload; the listener answers RESULT N, a newline and N
// bytes, OK or FAIL, and READY again for the next. A FAIL, or a process
// that ends before it answers, puts the event back at the front of the
// queue, to be sent again. A Pool holds one listener's queue, across the
// restarts of its process; Serve runs the protocol with one process.
package listener

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one notification: its name (PROCESS_STATE_EXITED, TICK_60) and
// its payload, the key:value tokens supervisord sends for it.
type Event struct {
	Serial  int // numbered across all events tend sends
	Name    string
	Payload string
}

// ticks are the TICK_* events and their periods.
var ticks = map[string]time.Duration{"TICK_5": 5 * time.Second, "TICK_60": time.Minute, "TICK_3600": time.Hour}

// Pool is one listener program's queue of events. Push never blocks: past
// max events the oldest is dropped, as supervisord's buffer_size does.
type Pool struct {
	name   string
	events []string
	max    int

	mu         sync.Mutex
	queue      []Event
	poolSerial int
	dropped    int
	wake       chan struct{}
	stop       chan struct{}
	stopped    bool
	serials    *Serials
}

// Serials numbers events across every pool, as supervisord's serial.
type Serials struct {
	mu sync.Mutex
	n  int
}

// Next is the next serial number.
func (s *Serials) Next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

// New is the pool of listener name, wanting events (names from Names),
// holding at most max events. It starts a ticker only when it wants a
// TICK_* event: a listener that does not costs no wakeup.
func New(name string, events []string, max int, serials *Serials) *Pool {
	p := &Pool{name: name, events: events, max: max, wake: make(chan struct{}, 1), stop: make(chan struct{}), serials: serials}
	for _, e := range events {
		if d, ok := ticks[e]; ok {
			go p.tick(e, d)
		}
	}
	return p
}

// Wants reports whether the pool asked for the event.
func (p *Pool) Wants(name string) bool {
	return slices.Contains(p.events, name) ||
		(strings.HasPrefix(name, "PROCESS_STATE_") && slices.Contains(p.events, "PROCESS_STATE"))
}

// Push queues e if the pool wants it. It returns how many events were
// dropped (the oldest, over max) since the last report.
func (p *Pool) Push(e Event) (dropped int) {
	if !p.Wants(e.Name) {
		return 0
	}
	p.mu.Lock()
	p.queue = append(p.queue, e)
	if len(p.queue) > p.max {
		p.queue = p.queue[1:]
		p.dropped++
	}
	dropped, p.dropped = p.dropped, 0
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return dropped
}

// Close stops the pool's ticker and ends Serve's wait.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		p.stopped = true
		close(p.stop)
	}
}

func (p *Pool) tick(name string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.Push(Event{Serial: p.serials.Next(), Name: name, Payload: "when:" + strconv.FormatInt(now.Unix(), 10)})
		}
	}
}

// next waits for an event, or for done or Close.
func (p *Pool) next(done <-chan struct{}) (Event, bool) {
	for {
		p.mu.Lock()
		if len(p.queue) > 0 {
			e := p.queue[0]
			p.queue = p.queue[1:]
			p.mu.Unlock()
			return e, true
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-done:
			return Event{}, false
		case <-p.stop:
			return Event{}, false
		}
	}
}

// again puts e back at the front of the queue.
func (p *Pool) again(e Event) {
	p.mu.Lock()
	p.queue = append([]Event{e}, p.queue...)
	p.mu.Unlock()
}

// ErrProtocol is wrapped by Serve's error when the listener wrote what
// the protocol does not allow.
var ErrProtocol = errors.New("event listener protocol")

// Serve runs the protocol with one listener process: from its stdout, to
// its stdin. It returns when the process closes its stdout (nil), on done
// or Close (nil), or at a protocol error; the event in flight, if any,
// goes back to the queue.
func (p *Pool) Serve(stdout io.Reader, stdin io.Writer, done <-chan struct{}) error {
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil // the process is gone
		}
		if line != "READY\n" {
			return fmt.Errorf("%w: want READY, got %q", ErrProtocol, strings.TrimSuffix(line, "\n"))
		}
		e, ok := p.next(done)
		if !ok {
			return nil
		}
		p.mu.Lock()
		p.poolSerial++
		ps := p.poolSerial
		p.mu.Unlock()
		header := fmt.Sprintf("ver:3.0 server:supervisor serial:%d pool:%s poolserial:%d eventname:%s len:%d\n",
			e.Serial, p.name, ps, e.Name, len(e.Payload))
		if _, err := io.WriteString(stdin, header+e.Payload); err != nil {
			p.again(e)
			return nil
		}
		ok, err = result(r)
		if err != nil || !ok {
			p.again(e) // FAIL: sent again, as supervisord does
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil
			}
			return err
		}
	}
}

// result reads `RESULT N\n` and N bytes: OK (true) or FAIL (false).
func result(r *bufio.Reader) (bool, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSuffix(line, "\n"), "RESULT "))
	if !strings.HasPrefix(line, "RESULT ") || err != nil || n < 0 || n > 1<<16 {
		return false, fmt.Errorf("%w: want RESULT N, got %q", ErrProtocol, strings.TrimSuffix(line, "\n"))
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return false, err
	}
	switch string(body) {
	case "OK":
		return true, nil
	case "FAIL":
		return false, nil
	}
	return false, fmt.Errorf("%w: want OK or FAIL, got %q", ErrProtocol, body)
}
