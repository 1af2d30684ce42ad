package supervisor

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// maxRuns is how many runs of a program history keeps.
const maxRuns = 20

// run is one process of a program, from its start to its reaping, with
// what it used (wait4's rusage) and why it ended as it did.
type run struct {
	start, end time.Time
	pid        int
	status     unix.WaitStatus
	code       int // as tend counts it: 128+N for signal N, after -e
	maxRSS     int64
	cpu        time.Duration
	reason     string
}

// line is history's line for r:
// `2026-12-02T10:00:00Z 2026-12-02T10:00:05Z 5s pid 42 exit 1 max_rss 10240KiB cpu 120ms (reason)`.
func (r run) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s pid %d ", r.start.UTC().Format(time.RFC3339), r.end.UTC().Format(time.RFC3339),
		r.end.Sub(r.start).Round(time.Millisecond), r.pid)
	b.WriteString(r.summary())
	return b.String()
}

// summary is how r ended and what it used:
// `exit 1 max_rss 10240KiB cpu 120ms (reason)`.
func (r run) summary() string {
	var b strings.Builder
	if r.status.Signaled() {
		fmt.Fprintf(&b, "signal %s", unix.SignalName(r.status.Signal()))
	} else {
		fmt.Fprintf(&b, "exit %d", r.code)
	}
	fmt.Fprintf(&b, " max_rss %dKiB cpu %s", r.maxRSS, r.cpu.Round(time.Millisecond))
	if r.reason != "" {
		fmt.Fprintf(&b, " (%s)", r.reason)
	}
	return b.String()
}

// history answers `history TARGET`: the program's last runs, oldest
// first.
func (s *core) history(c replier, targets []string) {
	ps, err := s.resolve(targets)
	if err != nil {
		c.Err(err.Error())
		return
	}
	if len(ps) != 1 {
		c.Err(fmt.Sprintf("history: %s names %d programs; name one", targets[0], len(ps)))
		return
	}
	for _, r := range ps[0].runs {
		c.Line(r.line())
	}
	c.OK()
}
