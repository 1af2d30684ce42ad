package signals

import (
	"strings"
	"syscall"
	"testing"
)

func TestParseRewrite(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to syscall.Signal
		err      string
	}{
		{"15:3", 15, 3, ""},
		{"TERM:SIGQUIT", 15, 3, ""},
		{"hup:0", 1, 0, ""},
		{"RTMIN+1:64", 35, 64, ""},
		{"15", 0, 0, "want S:R"},
		{"15:", 0, 0, "unknown signal"},
		{":3", 0, 0, "unknown signal"},
		{"0:3", 0, 0, "out of range"},
		{"15:65", 0, 0, "out of range"},
	} {
		from, to, err := ParseRewrite(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || from != c.from || to != c.to {
			t.Errorf("%q: %d:%d %v, want %d:%d", c.in, from, to, err, c.from, c.to)
		}
	}
}

// FuzzParseRewrite: a rewrite that parses names a real signal to rewrite,
// and a real signal or 0 to send.
func FuzzParseRewrite(f *testing.F) {
	for _, s := range []string{"15:3", "TERM:0", "RTMAX-1:RTMIN", ":", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		from, to, err := ParseRewrite(s)
		if err != nil {
			return
		}
		if from < 1 || from > 64 || to < 0 || to > 64 {
			t.Fatalf("%q: %d:%d", s, from, to)
		}
	})
}
