package supervisor

import (
	"testing"
	"time"
)

func TestUptime(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0:00:00"},
		{-time.Second, "0:00:00"},
		{190 * time.Second, "0:03:10"},
		{10*time.Hour + 59*time.Second + 999*time.Millisecond, "10:00:59"},
		{24 * time.Hour, "1 day, 0:00:00"},
		{49*time.Hour + 61*time.Second, "2 days, 1:01:01"},
	} {
		if got := uptime(c.d); got != c.want {
			t.Errorf("uptime(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}
