package main

import (
	"strings"
	"testing"
)

// statusCheck decides tend ctl status's exit 3 from the lines it passes on.
func TestStatusCheck(t *testing.T) {
	for _, c := range []struct {
		reply string
		down  bool
	}{
		{"web  RUNNING  pid 42, uptime 0:03:10\n", false},
		{"job  EXITED   done, exit status 0, 0:00:02 ago\nweb  RUNNING  pid 1, uptime 0:00:01\n", false},
		{"job  EXITED   exited with an unexpected status, exit status 1, 0:00:02 ago\n", true},
		{"web  STARTING  pid 42, up 0:00:00 of startsecs 1s\n", true},
		{"web  FATAL  exec \"/x\": no such file or directory\n", true},
		{"db   STOPPED  not started\n", true},
		{"web  BACKOFF  exited too quickly, exit status 1; next try in 0:00:01\n", true},
	} {
		var out strings.Builder
		s := &statusCheck{w: &out}
		for _, line := range strings.SplitAfter(c.reply, "\n") {
			if line != "" {
				s.Write([]byte(line))
			}
		}
		if s.down != c.down || out.String() != c.reply {
			t.Errorf("%q: down %v, want %v; passed on %q", c.reply, s.down, c.down, out.String())
		}
	}
}
