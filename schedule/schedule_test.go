package schedule

import (
	"strings"
	"testing"
	"time"
)

// at reads "2006-01-02 15:04" (or with ":05") in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	layout := "2006-01-02 15:04"
	if strings.Count(s, ":") == 2 {
		layout += ":05"
	}
	v, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}

// matchWall reports whether the wall clock reading w (any location)
// matches the fields: the brute-force reference Next is checked against.
func (s *Schedule) matchWall(w time.Time) bool {
	return w.Second() == 0 && w.Nanosecond() == 0 &&
		s.minute&(1<<uint(w.Minute())) != 0 && s.hour&(1<<uint(w.Hour())) != 0 &&
		s.month&(1<<uint(w.Month())) != 0 && s.dayMatches(w.Year(), w.Month(), w.Day())
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `schedule "": want 5 fields (minute hour day-of-month month day-of-week), got 0`},
		{"* * * *", `schedule "* * * *": want 5 fields (minute hour day-of-month month day-of-week), got 4`},
		{"* * * * * *", `schedule "* * * * * *": want 5 fields (minute hour day-of-month month day-of-week), got 6`},
		{"*/0 * * * *", `schedule "*/0 * * * *": minute: step 0`},
		{"*/ * * * *", `schedule "*/ * * * *": minute: "*/": missing step`},
		{"*/x * * * *", `schedule "*/x * * * *": minute: "*/x": step "x" is not a number`},
		{"*/-1 * * * *", `schedule "*/-1 * * * *": minute: "*/-1": step "-1" is not a number`},
		{"60 * * * *", `schedule "60 * * * *": minute: "60" is not in 0-59`},
		{"* 24 * * *", `schedule "* 24 * * *": hour: "24" is not in 0-23`},
		{"* * 0 * *", `schedule "* * 0 * *": day-of-month: "0" is not in 1-31`},
		{"* * 32 * *", `schedule "* * 32 * *": day-of-month: "32" is not in 1-31`},
		{"* * * 13 *", `schedule "* * * 13 *": month: "13" is not in 1-12`},
		{"* * * 0 *", `schedule "* * * 0 *": month: "0" is not in 1-12`},
		{"* * * * 8", `schedule "* * * * 8": day-of-week: "8" is not in 0-7`},
		{"* * * foo *", `schedule "* * * foo *": month: "foo" is not a number in 1-12 nor a name (JAN-DEC)`},
		{"* * * * monday", `schedule "* * * * monday": day-of-week: "monday" is not a number in 0-7 nor a name (SUN-SAT)`},
		{"* mon * * *", `schedule "* mon * * *": hour: "mon" is not a number in 0-23`},
		{"1,,2 * * * *", `schedule "1,,2 * * * *": minute: empty list item`},
		{"1, * * * *", `schedule "1, * * * *": minute: empty list item`},
		{"5-1 * * * *", `schedule "5-1 * * * *": minute: range "5-1" runs backwards`},
		{"* * * * fri-mon", `schedule "* * * * fri-mon": day-of-week: range "fri-mon" runs backwards`},
		{"1- * * * *", `schedule "1- * * * *": minute: missing value`},
		{"-1 * * * *", `schedule "-1 * * * *": minute: missing value`},
		{"1-2-3 * * * *", `schedule "1-2-3 * * * *": minute: "2-3" is not in 0-59`},
		{"0x1 * * * *", `schedule "0x1 * * * *": minute: "0x1" is not in 0-59`},
		{"0 0 30 2 *", `schedule "0 0 30 2 *": day-of-month 30: no such day in month 2`},
		{"0 0 31 4,6,9,11 *", `schedule "0 0 31 4,6,9,11 *": day-of-month 31: no such day in month 4,6,9,11`},
		{"@every", `schedule "@every": @every: want one duration, as in @every 90s`},
		{"@every 1s 2s", `schedule "@every 1s 2s": @every: want one duration, as in @every 90s`},
		{"@every 90", `schedule "@every 90": @every: invalid duration "90"`},
		{"@every 500ms", `schedule "@every 500ms": @every: 500ms is less than 1s`},
		{"@every -1m", `schedule "@every -1m": @every: -1m is less than 1s`},
		{"@daily 1", `schedule "@daily 1": @daily takes no argument`},
		{"@reboot", `schedule "@reboot": @reboot is not supported: a program that is not scheduled runs at start`},
		{"@often", `schedule "@often": unknown @often; want @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every DURATION`},
	} {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %s", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q):\n got %s\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestNext checks the next runs after a time, in UTC: fields, lists,
// ranges, steps, names, macros and the day rule.
func TestNext(t *testing.T) {
	for _, tt := range []struct {
		spec, after string
		want        []string // the next runs, in order
	}{
		{"* * * * *", "2026-03-10 10:00:30", []string{"2026-03-10 10:01", "2026-03-10 10:02"}},
		{"* * * * *", "2026-03-10 10:00", []string{"2026-03-10 10:01"}}, // strictly after
		{"*/5 * * * *", "2026-03-10 10:03", []string{"2026-03-10 10:05", "2026-03-10 10:10"}},
		{"*/5 * * * *", "2026-03-10 23:58", []string{"2026-03-11 00:00"}},
		{"1-10/2 * * * *", "2026-03-10 10:08", []string{"2026-03-10 10:09", "2026-03-10 11:01", "2026-03-10 11:03"}},
		{"5/20 * * * *", "2026-03-10 10:00", []string{"2026-03-10 10:05", "2026-03-10 10:25", "2026-03-10 10:45", "2026-03-10 11:05"}},
		{"0,30 9-10 * * *", "2026-03-10 09:00", []string{"2026-03-10 09:30", "2026-03-10 10:00", "2026-03-10 10:30", "2026-03-11 09:00"}},
		{"0 0 * * mon-fri", "2026-03-13 12:00", []string{"2026-03-16 00:00", "2026-03-17 00:00"}}, // Fri -> Mon
		{"0 0 * * SAT,sun", "2026-03-10 00:00", []string{"2026-03-14 00:00", "2026-03-15 00:00", "2026-03-21 00:00"}},
		{"0 0 * * 7", "2026-03-10 00:00", []string{"2026-03-15 00:00"}}, // 7 is Sunday
		{"0 0 * * 5-7", "2026-03-10 00:00", []string{"2026-03-13 00:00", "2026-03-14 00:00", "2026-03-15 00:00", "2026-03-20 00:00"}},
		{"0 12 * jan,jul *", "2026-03-10 00:00", []string{"2026-07-01 12:00", "2026-07-02 12:00"}},
		{"0 12 1 dec-dec *", "2026-03-10 00:00", []string{"2026-12-01 12:00", "2027-12-01 12:00"}},
		{"0 0 31 * *", "2026-01-31 00:00", []string{"2026-03-31 00:00", "2026-05-31 00:00"}},
		{"0 0 29 2 *", "2026-03-10 00:00", []string{"2028-02-29 00:00", "2032-02-29 00:00"}},
		{"0 0 29 2 *", "2096-03-01 00:00", []string{"2104-02-29 00:00"}}, // 2100 is not a leap year
		// Both day fields restricted: either matches.
		{"0 0 13 * fri", "2026-03-01 00:00", []string{"2026-03-06 00:00", "2026-03-13 00:00", "2026-03-20 00:00"}},
		{"0 0 1 * mon", "2026-03-28 00:00", []string{"2026-03-30 00:00", "2026-04-01 00:00", "2026-04-06 00:00"}},
		// A field written with "*" makes the day match both.
		{"0 0 */10 * mon", "2026-01-01 00:00", []string{"2026-05-11 00:00", "2026-06-01 00:00"}},
		{"0 0 13 * */7", "2026-01-01 00:00", []string{"2026-09-13 00:00"}}, // the 13th, a Sunday
		{"@hourly", "2026-03-10 10:59:59", []string{"2026-03-10 11:00", "2026-03-10 12:00"}},
		{"@daily", "2026-03-10 10:00", []string{"2026-03-11 00:00"}},
		{"@midnight", "2026-03-10 10:00", []string{"2026-03-11 00:00"}},
		{"@weekly", "2026-03-10 10:00", []string{"2026-03-15 00:00", "2026-03-22 00:00"}},
		{"@monthly", "2026-03-10 10:00", []string{"2026-04-01 00:00"}},
		{"@yearly", "2026-03-10 10:00", []string{"2027-01-01 00:00"}},
		{"@annually", "2026-03-10 10:00", []string{"2027-01-01 00:00"}},
		{"  @DAILY\t", "2026-03-10 10:00", []string{"2026-03-11 00:00"}},
		{"@every 90s", "2026-03-10 10:00:10", []string{"2026-03-10 10:01:40", "2026-03-10 10:03:10"}},
		{"@every\t1h30m", "2026-03-10 10:00", []string{"2026-03-10 11:30"}},
		{"0\t0  1\t1   *", "2026-03-10 10:00", []string{"2027-01-01 00:00"}},
	} {
		s, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		after := at(t, time.UTC, tt.after)
		for _, w := range tt.want {
			got := s.Next(after)
			if want := at(t, time.UTC, w); !got.Equal(want) {
				t.Errorf("%q: Next(%s) = %s, want %s", tt.spec, after, got, want)
				break
			}
			after = got
		}
	}
}

// TestDST checks Next across daylight saving changes in real zones.
func TestDST(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	newYork := zone(t, "America/New_York")
	lordHowe := zone(t, "Australia/Lord_Howe") // changes by 30 minutes
	apia := zone(t, "Pacific/Apia")            // skipped 30 December 2011
	for _, tt := range []struct {
		name  string
		spec  string
		loc   *time.Location
		after string   // wall clock in loc
		want  []string // instants, as RFC 3339
	}{
		// Paris, 29 March 2026: 02:00 CET becomes 03:00 CEST.
		{"skipped time runs at the change", "30 2 * * *", paris, "2026-03-28 12:00",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"skipped hour runs once", "*/15 2 * * *", paris, "2026-03-29 01:00",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"}},
		{"skipped and first valid time run once", "0 2,3 * * *", paris, "2026-03-29 01:00",
			[]string{"2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"}},
		{"every minute across the gap", "* * * * *", paris, "2026-03-29 01:58",
			[]string{"2026-03-29T01:59:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:01:00+02:00"}},
		{"daily job the week of the change", "0 9 * * *", paris, "2026-03-28 10:00",
			[]string{"2026-03-29T09:00:00+02:00"}},
		// Paris, 25 October 2026: 03:00 CEST becomes 02:00 CET.
		{"repeated time runs once", "30 2 * * *", paris, "2026-10-24 12:00",
			[]string{"2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}},
		{"repeated hour runs once", "*/20 * * * *", paris, "2026-10-25 01:50",
			[]string{"2026-10-25T02:00:00+02:00", "2026-10-25T02:20:00+02:00", "2026-10-25T02:40:00+02:00",
				"2026-10-25T03:00:00+01:00", "2026-10-25T03:20:00+01:00"}},
		// New York, 8 March 2026 (02:00 EST -> 03:00 EDT) and 1 November
		// 2026 (02:00 EDT -> 01:00 EST).
		{"New York gap", "30 2 * * *", newYork, "2026-03-07 12:00",
			[]string{"2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"}},
		{"New York repeat", "30 1 * * *", newYork, "2026-10-31 12:00",
			[]string{"2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
		// Lord Howe, 4 October 2026: 02:00 +10:30 becomes 02:30 +11:00;
		// 5 April 2026: 02:00 +11:00 becomes 01:30 +10:30.
		{"half-hour gap", "15 2 * * *", lordHowe, "2026-10-03 12:00",
			[]string{"2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"}},
		{"half-hour repeat", "*/20 1 * * *", lordHowe, "2026-04-05 01:10",
			[]string{"2026-04-05T01:20:00+11:00", "2026-04-05T01:40:00+11:00", "2026-04-06T01:00:00+10:30"}},
		// Apia went from 29 December 2011 23:59:59 -10:00 to 31 December
		// 00:00 +14:00: a whole day skipped.
		{"skipped day", "0 12 30 12 *", apia, "2011-12-29 12:00",
			[]string{"2011-12-31T00:00:00+14:00", "2012-12-30T12:00:00+14:00"}},
		// @every ignores the wall clock: an hour apart in real time.
		{"@every across the gap", "@every 1h", paris, "2026-03-29 01:30",
			[]string{"2026-03-29T03:30:00+02:00", "2026-03-29T04:30:00+02:00"}},
		{"@every across the repeat", "@every 1h", paris, "2026-10-25 01:30",
			[]string{"2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			s = s.In(tt.loc)
			after := at(t, tt.loc, tt.after)
			for _, w := range tt.want {
				want, err := time.Parse(time.RFC3339, w)
				if err != nil {
					t.Fatal(err)
				}
				got := s.Next(after)
				if !got.Equal(want) {
					t.Fatalf("%q in %s: Next(%s) = %s, want %s", tt.spec, tt.loc, after, got, want)
				}
				if got.Location() != tt.loc {
					t.Errorf("Next(%s) is in %s, want %s", after, got.Location(), tt.loc)
				}
				after = got
			}
		})
	}
}

// TestRepeatedAfter checks a time given in the second pass of a repeated
// hour: the wall times of that hour ran in the first pass.
func TestRepeatedAfter(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	s, _ := Parse("*/20 * * * *")
	s = s.In(paris)
	after, _ := time.Parse(time.RFC3339, "2026-10-25T02:10:00+01:00") // second 02:10
	want, _ := time.Parse(time.RFC3339, "2026-10-25T03:00:00+01:00")
	if got := s.Next(after); !got.Equal(want) {
		t.Errorf("Next(%s) = %s, want %s", after, got, want)
	}
}

func TestString(t *testing.T) {
	s, err := Parse("  */5 * * * mon  ")
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "*/5 * * * mon" || s.Location() != time.UTC || s.Every() != 0 {
		t.Errorf("String %q, Location %s, Every %s", s.String(), s.Location(), s.Every())
	}
	e, _ := Parse("@every 90s")
	if e.Every() != 90*time.Second {
		t.Errorf("Every = %s", e.Every())
	}
	if s.In(nil).Location() != time.UTC {
		t.Errorf("In(nil) is not UTC")
	}
}

func TestLocation(t *testing.T) {
	for _, name := range []string{"", "UTC"} {
		if loc, err := Location(name); err != nil || loc != time.UTC {
			t.Errorf("Location(%q) = %v, %v; want UTC", name, loc, err)
		}
	}
	loc, err := Location("Europe/Paris")
	if err != nil || loc.String() != "Europe/Paris" {
		t.Errorf("Location(Europe/Paris) = %v, %v", loc, err)
	}
	for _, tt := range []struct{ name, want string }{
		{"Europe/Pari", `schedule_timezone "Europe/Pari": unknown time zone`},
		{"Local", `schedule_timezone "Local": want an IANA name such as "Europe/Paris"`},
		{"../etc/passwd", `schedule_timezone "../etc/passwd": invalid location name`},
	} {
		if _, err := Location(tt.name); err == nil || err.Error() != tt.want {
			t.Errorf("Location(%q) = %v, want %s", tt.name, err, tt.want)
		}
	}
	// A system with no zoneinfo at all: every name is unknown.
	none := func(name string) (*time.Location, error) {
		return nil, &unknownZone{name}
	}
	_, err = location("Europe/Paris", none)
	want := `schedule_timezone "Europe/Paris": no zoneinfo on this system (install tzdata or mount /usr/share/zoneinfo)`
	if err == nil || err.Error() != want {
		t.Errorf("without zoneinfo: %v, want %s", err, want)
	}
}

type unknownZone struct{ name string }

func (e *unknownZone) Error() string { return "unknown time zone " + e.name }

// TestNextAgainstScan compares Next with a minute-by-minute scan over a
// month, in UTC and in a zone with daylight saving.
func TestNextAgainstScan(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	for _, spec := range []string{"*/7 * * * *", "0 */5 * * *", "15 2 * * *", "0,30 1-3 * * 0", "0 0 1,15 * fri", "59 23 31 * *"} {
		for _, loc := range []*time.Location{time.UTC, paris} {
			s, err := Parse(spec)
			if err != nil {
				t.Fatal(err)
			}
			s = s.In(loc)
			checkAgainstScan(t, s, at(t, loc, "2026-03-20 00:00"), 40*24*time.Hour)
			checkAgainstScan(t, s, at(t, loc, "2026-10-20 00:00"), 40*24*time.Hour)
		}
	}
}

// checkAgainstScan steps through every minute of span after from and
// checks that each run Next gives is the next minute the scan finds,
// allowing for the daylight saving rules of the package documentation.
func checkAgainstScan(t *testing.T, s *Schedule, from time.Time, span time.Duration) {
	t.Helper()
	next := s.Next(from)
	seen := map[time.Time]bool{} // wall times that have run
	pendingGap := false          // a wall time skipped by a change is due
	for m := from.Truncate(time.Minute).Add(time.Minute); m.Before(from.Add(span)); m = m.Add(time.Minute) {
		w := m.In(s.loc)
		wall := wallOf(w)
		prevWall := wallOf(m.Add(-time.Minute).In(s.loc))
		// Wall minutes the clock jumped over since the last minute.
		for g := prevWall.Add(time.Minute); g.Before(wall); g = g.Add(time.Minute) {
			if s.matchWall(g) {
				pendingGap = true
			}
		}
		due := (s.matchWall(wall) && !seen[wall]) || pendingGap
		if s.matchWall(wall) {
			seen[wall] = true
		}
		pendingGap = false
		if !due {
			if !next.After(m) {
				t.Fatalf("%q in %s: Next gave %s, which the scan does not run", s, s.loc, next)
			}
			continue
		}
		if !next.Equal(m) {
			t.Fatalf("%q in %s: the scan runs at %s, Next gave %s", s, s.loc, m, next)
		}
		next = s.Next(next)
	}
}

func BenchmarkNext(b *testing.B) {
	paris := zone(b, "Europe/Paris")
	for _, bb := range []struct {
		spec string
		loc  *time.Location
	}{
		{"0 0 29 2 *", time.UTC},
		{"0 0 29 2 *", paris},
		{"*/5 * * * *", time.UTC},
		{"30 2 * * 1-5", paris},
		{"0 0 13 * fri", time.UTC},
	} {
		s, err := Parse(bb.spec)
		if err != nil {
			b.Fatal(err)
		}
		s = s.In(bb.loc)
		after := time.Date(2025, 3, 1, 0, 0, 0, 0, bb.loc)
		b.Run(strings.ReplaceAll(bb.spec, " ", "_")+"/"+bb.loc.String(), func(b *testing.B) {
			for b.Loop() {
				s.Next(after)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		Parse("*/5 9-17 * jan-jun mon-fri")
	}
}
