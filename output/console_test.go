package output

import (
	"bytes"
	"sync"
	"testing"
)

// stall is a writer that blocks until released, like a log driver that
// has stopped reading.
type stall struct {
	mu      sync.Mutex
	release chan struct{}
	buf     bytes.Buffer
}

func (s *stall) Write(p []byte) (int, error) {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// A stalled descriptor never blocks Write: past the budget bytes are
// dropped, counted, and reported once writing works again; nothing queued
// is lost or reordered.
func TestConsoleNeverBlocks(t *testing.T) {
	s := &stall{release: make(chan struct{})}
	c := NewConsole(s)
	reported := make(chan int64, 1)
	c.OnDropped(func(n int64) { reported <- n })
	line := bytes.Repeat([]byte("x"), 1023)
	line = append(line, '\n')
	total := 0
	for range 2 * consoleBudget / len(line) { // twice what fits
		c.Write(line)
		total += len(line)
	}
	close(s.release)
	c.Flush()
	c.Write([]byte("after\n")) // a write after the drops brings the report
	c.Flush()
	dropped := <-reported
	s.mu.Lock()
	written := s.buf.Len()
	s.mu.Unlock()
	if int64(written)+dropped != int64(total)+6 {
		t.Errorf("written %d + dropped %d != %d", written, dropped, total+6)
	}
	if dropped == 0 || written < consoleBudget/2 {
		t.Errorf("written %d, dropped %d: want about half each", written, dropped)
	}
	if !bytes.HasSuffix(s.buf.Bytes(), []byte("x\nafter\n")) {
		t.Error("the queue was not written in order")
	}
}
