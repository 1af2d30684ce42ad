package schedule

import (
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that its errors are one line
// naming the schedule, and that for a schedule it accepts, Next is after
// the time given, matches the fields (in UTC, where no minute is skipped
// or repeated), and skips no matching minute (checked by a scan when the
// run is less than two days away); in Paris, that Next is after the time
// given and is a matching wall time or the instant of a change of offset.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"* * * * *", "*/5 * * * *", "1-10/2 3,4 * * mon-fri", "0 0 29 2 *", "0 0 13 * fri",
		"0 0 */10 * mon", "5/20 1-23/3 1,15 jan-jun,dec sun", "@daily", "@every 90s", "@every 1h",
		"30 2 * * *", "0 0 31 4 *", "*/0 * * * *", "@reboot", "0 0 1 1 7", "59 23 31 12 *",
	} {
		f.Add(s, int64(1773100800)) // 2026-03-10
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, spec string, unix int64) {
		s, err := Parse(spec)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || !strings.HasPrefix(msg, "schedule ") {
				t.Fatalf("Parse(%q): bad error %q", spec, msg)
			}
			return
		}
		// Keep times to years 1970-2200, where the zone rules are known.
		unix = unix % (230 * 365 * 86400)
		if unix < 0 {
			unix = -unix
		}
		after := time.Unix(unix, unix%1e9).UTC()
		got := s.Next(after)
		if !got.After(after) {
			t.Fatalf("%q: Next(%s) = %s, not after", spec, after, got)
		}
		if s.Every() > 0 {
			if !got.Equal(after.Add(s.Every())) {
				t.Fatalf("%q: Next(%s) = %s", spec, after, got)
			}
			return
		}
		if !s.matchWall(got) {
			t.Fatalf("%q: Next(%s) = %s, which does not match", spec, after, got)
		}
		if got.Sub(after) < 48*time.Hour {
			for m := after.Truncate(time.Minute).Add(time.Minute); m.Before(got); m = m.Add(time.Minute) {
				if s.matchWall(m) {
					t.Fatalf("%q: Next(%s) = %s, but %s matches", spec, after, got, m)
				}
			}
		}
		if again := s.Next(got.Add(-time.Nanosecond)); !again.Equal(got) {
			t.Fatalf("%q: Next(%s) = %s, but Next just before it = %s", spec, after, got, again)
		}

		p := s.In(paris)
		pafter := after.In(paris)
		pgot := p.Next(pafter)
		if !pgot.After(pafter) {
			t.Fatalf("%q in Paris: Next(%s) = %s, not after", spec, pafter, pgot)
		}
		if start, _ := pgot.ZoneBounds(); !p.matchWall(pgot) && !start.Equal(pgot) {
			t.Fatalf("%q in Paris: Next(%s) = %s: neither a match nor a change of offset", spec, pafter, pgot)
		}
	})
}
