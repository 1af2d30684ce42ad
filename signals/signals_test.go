package signals

import (
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want syscall.Signal
		err  string
	}{
		{"TERM", syscall.SIGTERM, ""},
		{"SIGTERM", syscall.SIGTERM, ""},
		{"sigterm", syscall.SIGTERM, ""},
		{"15", syscall.SIGTERM, ""},
		{" hup ", syscall.SIGHUP, ""},
		{"IOT", syscall.SIGABRT, ""},
		{"RTMIN", 34, ""},
		{"RTMIN+1", 35, ""},
		{"SIGRTMAX-2", 62, ""},
		{"RTMAX", 64, ""},
		{"64", 64, ""},
		{"RTMIN+31", 0, `unknown signal "RTMIN+31"`},
		{"RTMIN-1", 0, `unknown signal "RTMIN-1"`},
		{"RTMIN++1", 0, `unknown signal "RTMIN++1"`},
		{"TERMINATE", 0, `unknown signal "TERMINATE"`},
		{"0", 0, "signal number 0 out of range 1..64"},
		{"65", 0, "signal number 65 out of range 1..64"},
		{"", 0, `unknown signal ""`},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("Parse(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Parse(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}

// Every signal's name parses back to the signal.
func TestNameRoundTrip(t *testing.T) {
	for s := syscall.Signal(1); s <= 64; s++ {
		if s == 32 || s == 33 {
			continue
		}
		got, err := Parse(Name(s))
		if err != nil || got != s {
			t.Errorf("Parse(Name(%d)=%q) = %d, %v", int(s), Name(s), got, err)
		}
	}
}

func TestForwarded(t *testing.T) {
	for _, s := range []syscall.Signal{syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPIPE, syscall.SIGKILL, syscall.SIGSTOP, 0, 65} {
		if Forwarded(s) {
			t.Errorf("%v is forwarded", s)
		}
	}
	for _, s := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGWINCH, syscall.SIGUSR1, 34, 64} {
		if !Forwarded(s) {
			t.Errorf("%v is not forwarded", s)
		}
	}
	for _, s := range Catchable() {
		if s == syscall.SIGKILL || s == syscall.SIGSTOP {
			t.Errorf("%v is listed as catchable", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"TERM", "SIGRTMIN+3", "rtmax-1", "15", "", "SIG", "RTMIN+", "RTMIN+-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := Parse(s)
		if err != nil {
			return
		}
		if sig < 1 || sig > 64 {
			t.Fatalf("Parse(%q) = %d, out of range", s, sig)
		}
	})
}
