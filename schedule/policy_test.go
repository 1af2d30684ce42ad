package schedule

import (
	"testing"
	"time"
)

func TestParseConcurrency(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Concurrency
		err  string
	}{
		{"", Forbid, ""},
		{"forbid", Forbid, ""},
		{"allow", Allow, ""},
		{"replace", Replace, ""},
		{"Forbid", "", `concurrency "Forbid": want "forbid", "allow" or "replace"`},
		{"queue", "", `concurrency "queue": want "forbid", "allow" or "replace"`},
	} {
		got, err := ParseConcurrency(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("ParseConcurrency(%q) = %v, want %s", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseConcurrency(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	due := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		p       Policy
		late    time.Duration // now - due
		running bool
		action  Action
		reason  string
	}{
		{"on time", Policy{}, 0, false, Run, ""},
		{"late, no deadline", Policy{}, 5 * time.Hour, false, Run, ""},
		{"within the deadline", Policy{StartingDeadline: time.Minute}, time.Minute, false, Run, ""},
		{"past the deadline", Policy{StartingDeadline: time.Minute}, 90 * time.Second, false, Skip,
			"missed its starting deadline: 1m30s late, starting_deadline 1m0s"},
		{"past the deadline beats replace", Policy{Concurrency: Replace, StartingDeadline: time.Minute}, 2 * time.Minute, true, Skip,
			"missed its starting deadline: 2m0s late, starting_deadline 1m0s"},
		{"not yet due", Policy{}, -time.Second, false, Wait, ""},
		{"forbid, running", Policy{Concurrency: Forbid}, 0, true, Skip, "the previous run is still going"},
		{"default is forbid", Policy{}, 0, true, Skip, "the previous run is still going"},
		{"forbid, idle", Policy{Concurrency: Forbid}, 0, false, Run, ""},
		{"allow, running", Policy{Concurrency: Allow}, 0, true, Run, ""},
		{"replace, running", Policy{Concurrency: Replace}, 0, true, StopThenRun, "the previous run is still going: replacing it"},
		{"replace, idle", Policy{Concurrency: Replace}, 0, false, Run, ""},
	} {
		a, reason := tt.p.Decide(due, due.Add(tt.late), tt.running)
		if a != tt.action || reason != tt.reason {
			t.Errorf("%s: Decide = %s %q, want %s %q", tt.name, a, reason, tt.action, tt.reason)
		}
	}
}

func TestTick(t *testing.T) {
	utc := func(s string) time.Time { return at(t, time.UTC, s) }
	for _, tt := range []struct {
		name     string
		spec     string
		p        Policy
		due, now string
		running  bool
		wantDue  string // "" for none
		missed   int
		action   Action
		next     string
	}{
		{"on time", "*/5 * * * *", Policy{}, "2026-03-10 10:05", "2026-03-10 10:05:00.01", false,
			"2026-03-10 10:05", 0, Run, "2026-03-10 10:10"},
		{"a pause: only the latest runs", "*/5 * * * *", Policy{}, "2026-03-10 10:05", "2026-03-10 11:02", false,
			"2026-03-10 11:00", 11, Run, "2026-03-10 11:05"},
		{"a pause past the deadline: nothing runs", "*/5 * * * *", Policy{StartingDeadline: time.Minute}, "2026-03-10 10:05", "2026-03-10 11:02", false,
			"2026-03-10 11:00", 11, Skip, "2026-03-10 11:05"},
		{"a pause, latest within the deadline", "*/5 * * * *", Policy{StartingDeadline: 3 * time.Minute}, "2026-03-10 10:05", "2026-03-10 11:02", false,
			"2026-03-10 11:00", 11, Run, "2026-03-10 11:05"},
		{"clock jumped years: missed counts up to 100", "* * * * *", Policy{}, "1970-01-01 00:01", "2026-03-10 10:00:30", false,
			"2026-03-10 10:00", 100, Run, "2026-03-10 10:01"},
		{"clock went back", "0 * * * *", Policy{}, "2026-03-10 11:00", "2026-03-10 10:30", false,
			"", 0, Wait, "2026-03-10 11:00"},
		{"clock went back past a run", "0 * * * *", Policy{}, "2026-03-10 11:00", "2026-03-10 09:30", false,
			"", 0, Wait, "2026-03-10 10:00"},
		{"forbid while running", "0 * * * *", Policy{}, "2026-03-10 11:00", "2026-03-10 11:00", true,
			"2026-03-10 11:00", 0, Skip, "2026-03-10 12:00"},
		{"replace while running", "0 * * * *", Policy{Concurrency: Replace}, "2026-03-10 11:00", "2026-03-10 11:00", true,
			"2026-03-10 11:00", 0, StopThenRun, "2026-03-10 12:00"},
		{"allow while running", "0 * * * *", Policy{Concurrency: Allow}, "2026-03-10 11:00", "2026-03-10 11:00", true,
			"2026-03-10 11:00", 0, Run, "2026-03-10 12:00"},
		{"@every after a pause", "@every 10s", Policy{}, "2026-03-10 11:00", "2026-03-10 11:01:05", false,
			"2026-03-10 11:01", 6, Run, "2026-03-10 11:01:15"},
		{"@every on time", "@every 10s", Policy{}, "2026-03-10 11:00", "2026-03-10 11:00", false,
			"2026-03-10 11:00", 0, Run, "2026-03-10 11:00:10"},
	} {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		got := tt.p.Tick(s, utc(tt.due), utc(tt.now), tt.running)
		var wantDue time.Time
		if tt.wantDue != "" {
			wantDue = utc(tt.wantDue)
		}
		if !got.Due.Equal(wantDue) || got.Missed != tt.missed || got.Action != tt.action || !got.Next.Equal(utc(tt.next)) {
			t.Errorf("%s: Tick = due %s missed %d %s next %s (%s); want due %s missed %d %s next %s",
				tt.name, got.Due, got.Missed, got.Action, got.Next, got.Reason, wantDue, tt.missed, tt.action, tt.next)
		}
	}
}

func TestLatest(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	for _, tt := range []struct {
		spec      string
		loc       *time.Location
		from, now string // wall clock in loc
		want      string // RFC 3339, "" for none
	}{
		{"*/5 * * * *", time.UTC, "2026-03-10 10:05", "2026-03-10 10:05", "2026-03-10T10:05:00Z"},
		{"*/5 * * * *", time.UTC, "2026-03-10 10:05", "2026-03-10 10:09:59", "2026-03-10T10:05:00Z"},
		{"*/5 * * * *", time.UTC, "2026-03-10 10:05", "2026-03-10 10:10", "2026-03-10T10:10:00Z"},
		{"*/5 * * * *", time.UTC, "2026-03-10 10:05", "2026-03-10 10:04", ""},
		{"0 0 29 2 *", time.UTC, "1972-02-29 00:00", "2026-03-10 10:00", "2024-02-29T00:00:00Z"},
		{"30 2 * * *", paris, "2026-03-28 02:30", "2026-03-29 12:00", "2026-03-29T03:00:00+02:00"},
		{"*/20 * * * *", paris, "2026-10-25 01:00", "2026-10-25 02:50", "2026-10-25T02:40:00+02:00"},
		{"15 * * * *", time.UTC, "2026-03-10 10:00", "2026-03-10 10:10", ""}, // from is not a run, none since
	} {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		s = s.In(tt.loc)
		got, ok := s.Latest(at(t, tt.loc, tt.from), at(t, tt.loc, tt.now))
		if tt.want == "" {
			if ok {
				t.Errorf("%q: Latest(%s, %s) = %s, want none", tt.spec, tt.from, tt.now, got)
			}
			continue
		}
		want, _ := time.Parse(time.RFC3339, tt.want)
		if !ok || !got.Equal(want) {
			t.Errorf("%q: Latest(%s, %s) = %s, %v; want %s", tt.spec, tt.from, tt.now, got, ok, want)
		}
	}
}

func BenchmarkLatest(b *testing.B) {
	s, _ := Parse("0 0 29 2 *")
	from := time.Date(1972, 2, 29, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		s.Latest(from, now)
	}
}
