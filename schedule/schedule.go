// Package schedule reads cron schedules and computes their next run, and
// decides, as a Kubernetes CronJob does, whether a run that has come due
// may start. It is pure: nothing here sleeps, starts a timer or reads the
// clock, so the supervisor owns the one timer and the tests own time.
//
// A schedule is five fields, minute hour day-of-month month day-of-week,
// separated by spaces or tabs:
//
//	field          values
//	minute         0-59
//	hour           0-23
//	day-of-month   1-31
//	month          1-12 or JAN-DEC
//	day-of-week    0-7 or SUN-SAT (0 and 7 are both Sunday)
//
// Each field is a list of items separated by commas; an item is "*" (every
// value), a value, or a range "LOW-HIGH", optionally followed by a step
// "/N" (every Nth value of the range: "*/15", "1-10/2"). A value with a
// step, "5/10", means the range from it to the field's highest value.
// Names are case-insensitive, three letters, and may be used in ranges
// ("mon-fri"). A range must not run backwards ("fri-mon" is an error).
//
// Day-of-month and day-of-week follow the usual cron rule: when both are
// restricted, a day matches when either matches ("0 0 1 * mon" runs on
// the 1st and on every Monday); when either is written with "*" ("*" or
// "*/N", as Vixie cron), a day must match both.
//
// Instead of five fields, a schedule may be one of @yearly (or @annually,
// "0 0 1 1 *"), @monthly ("0 0 1 * *"), @weekly ("0 0 * * 0"), @daily (or
// @midnight, "0 0 * * *"), @hourly ("0 * * * *"), or "@every DURATION"
// in Go's syntax ("@every 90s", "@every 1h30m"), at least 1s.
//
// # Time zones and daylight saving
//
// Fields are read on the wall clock of the schedule's location (UTC
// unless In says otherwise), so "30 2 * * *" in Europe/Paris is half past
// two in Paris, whatever the offset. When the clock changes:
//
//   - A wall time that a spring-forward change skips runs once, at the
//     first instant after the change (02:30 on the day Paris goes from
//     02:00 to 03:00 runs at 03:00 CEST). Several skipped times, or a
//     skipped time and the first time after the change, make one run.
//   - A wall time that a fall-back change repeats runs once, the first
//     time the clock shows it. So "*/5 * * * *" in Paris has no runs while
//     the clock shows 02:00 to 02:59 for the second time; use @every, or
//     UTC, for a job that must run at even intervals.
//
// "@every D" does not read the wall clock: its next run is D after the
// time given to Next, in any location.
package schedule

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Schedule is a parsed schedule. Its methods are safe for concurrent use.
type Schedule struct {
	text  string
	every time.Duration // "@every": the interval; 0 for a cron schedule

	// One bit per allowed value: minute 0-59, hour 0-23, dom 1-31,
	// month 1-12, dow 0-6 (Sunday is 0).
	minute, hour, dom, month, dow uint64
	// domStar and dowStar say the field was written with "*": the day
	// must then match both fields, not either.
	domStar, dowStar bool

	loc *time.Location
}

// A field of a five-field schedule.
type field struct {
	name     string
	min, max int
	names    []string // names[i] is the name of value min+i, when names exist
}

var (
	minuteField = field{name: "minute", min: 0, max: 59}
	hourField   = field{name: "hour", min: 0, max: 23}
	domField    = field{name: "day-of-month", min: 1, max: 31}
	monthField  = field{name: "month", min: 1, max: 12, names: []string{
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}}
	// 7 is Sunday too, as in every cron since Vixie's.
	dowField = field{name: "day-of-week", min: 0, max: 7, names: []string{
		"sun", "mon", "tue", "wed", "thu", "fri", "sat"}}
)

var macros = map[string]string{
	"@yearly":   "0 0 1 1 *",
	"@annually": "0 0 1 1 *",
	"@monthly":  "0 0 1 * *",
	"@weekly":   "0 0 * * 0",
	"@daily":    "0 0 * * *",
	"@midnight": "0 0 * * *",
	"@hourly":   "0 * * * *",
}

// searchYears bounds the search for the next run. The Gregorian calendar
// repeats every 400 years, so a schedule with no run in 400 years has none
// at all; Parse refuses such a schedule, and any other has a run well
// within this bound (the rarest, Feb 29 on a given weekday, every 28 years
// or so).
const searchYears = 400

// Parse reads a schedule (see the package documentation). Its location is
// UTC; In gives one in another. Errors name the schedule and the field:
// `schedule "*/0 * * * *": minute: step 0`.
func Parse(s string) (*Schedule, error) {
	sch, err := parse(s)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", s, err)
	}
	return sch, nil
}

func parse(s string) (*Schedule, error) {
	text := strings.TrimSpace(s)
	sch := &Schedule{text: text, loc: time.UTC}
	if strings.HasPrefix(text, "@") {
		f := strings.Fields(text)
		switch w := strings.ToLower(f[0]); {
		case w == "@every":
			if len(f) != 2 {
				return nil, errors.New("@every: want one duration, as in @every 90s")
			}
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return nil, fmt.Errorf("@every: invalid duration %q", f[1])
			}
			if d < time.Second {
				return nil, fmt.Errorf("@every: %s is less than 1s", f[1])
			}
			sch.every = d
			return sch, nil
		case w == "@reboot":
			return nil, errors.New("@reboot is not supported: a program that is not scheduled runs at start")
		case macros[w] != "":
			if len(f) != 1 {
				return nil, fmt.Errorf("%s takes no argument", f[0])
			}
			text = macros[w]
		default:
			return nil, fmt.Errorf("unknown %s; want @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every DURATION", f[0])
		}
	}
	f := strings.Fields(text)
	if len(f) != 5 {
		return nil, fmt.Errorf("want 5 fields (minute hour day-of-month month day-of-week), got %d", len(f))
	}
	var err error
	if sch.minute, err = minuteField.parse(f[0]); err != nil {
		return nil, err
	}
	if sch.hour, err = hourField.parse(f[1]); err != nil {
		return nil, err
	}
	if sch.dom, err = domField.parse(f[2]); err != nil {
		return nil, err
	}
	if sch.month, err = monthField.parse(f[3]); err != nil {
		return nil, err
	}
	if sch.dow, err = dowField.parse(f[4]); err != nil {
		return nil, err
	}
	if sch.dow&(1<<7) != 0 {
		sch.dow = sch.dow&^(1<<7) | 1
	}
	sch.domStar = strings.HasPrefix(f[2], "*")
	sch.dowStar = strings.HasPrefix(f[4], "*")
	// A day that no allowed month has ("0 0 30 2 *") would never run.
	from := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, ok := sch.nextWall(from); !ok {
		return nil, fmt.Errorf("day-of-month %s: no such day in month %s", f[2], f[3])
	}
	return sch, nil
}

// parse reads one field into a set of bits.
func (f field) parse(s string) (uint64, error) {
	var set uint64
	for _, item := range strings.Split(s, ",") {
		bits, err := f.item(item)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.name, err)
		}
		set |= bits
	}
	return set, nil
}

// item reads one item of a list: "*", "N", "N-M", any of them with "/STEP".
func (f field) item(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("empty list item")
	}
	rng, stepText, hasStep := strings.Cut(s, "/")
	step := 1
	if hasStep {
		n, err := strconv.Atoi(stepText)
		switch {
		case stepText == "":
			return 0, fmt.Errorf("%q: missing step", s)
		case err != nil || n < 0:
			return 0, fmt.Errorf("%q: step %q is not a number", s, stepText)
		case n == 0:
			return 0, errors.New("step 0")
		}
		step = n
	}
	lo, hi := f.min, f.max
	if rng != "*" {
		loText, hiText, isRange := strings.Cut(rng, "-")
		var err error
		if lo, err = f.value(loText); err != nil {
			return 0, err
		}
		hi = lo
		switch {
		case isRange:
			if hi, err = f.value(hiText); err != nil {
				return 0, err
			}
			if hi < lo {
				return 0, fmt.Errorf("range %q runs backwards", rng)
			}
		case hasStep:
			hi = f.max
		}
	}
	var set uint64
	for v := lo; v <= hi; v += step {
		set |= 1 << v
	}
	return set, nil
}

// value reads a number or, where the field has them, a name.
func (f field) value(s string) (int, error) {
	if s == "" {
		return 0, errors.New("missing value")
	}
	if s[0] >= '0' && s[0] <= '9' {
		n, err := strconv.Atoi(s)
		if err != nil || n < f.min || n > f.max {
			return 0, fmt.Errorf("%q is not in %d-%d", s, f.min, f.max)
		}
		return n, nil
	}
	for i, name := range f.names {
		if strings.EqualFold(s, name) {
			return f.min + i, nil
		}
	}
	if f.names != nil {
		return 0, fmt.Errorf("%q is not a number in %d-%d nor a name (%s-%s)", s, f.min, f.max,
			strings.ToUpper(f.names[0]), strings.ToUpper(f.names[len(f.names)-1]))
	}
	return 0, fmt.Errorf("%q is not a number in %d-%d", s, f.min, f.max)
}

// String returns the schedule as written, less surrounding spaces.
func (s *Schedule) String() string { return s.text }

// Location returns the location whose wall clock the fields are read on.
func (s *Schedule) Location() *time.Location { return s.loc }

// Every returns the interval of an "@every" schedule, or 0.
func (s *Schedule) Every() time.Duration { return s.every }

// In returns a copy of s read on the wall clock of loc (UTC when nil).
func (s *Schedule) In(loc *time.Location) *Schedule {
	c := *s
	if loc == nil {
		loc = time.UTC
	}
	c.loc = loc
	return &c
}

// Next returns the first run strictly after after, or the zero Time when
// there is none in 400 years (never, for a schedule from Parse). For
// "@every D" it is after+D. The result is in the schedule's location.
//
// It skips whole months, days and hours that do not match rather than
// stepping through minutes: under 10µs even for "0 0 29 2 *", whose next
// run may be 8 years away (BenchmarkNext).
func (s *Schedule) Next(after time.Time) time.Time {
	if s.every > 0 {
		return after.Add(s.every).In(s.loc)
	}
	w := after.In(s.loc)
	// Wall times are kept as UTC times, where every minute exists once.
	wall := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, time.UTC).Add(time.Minute)
	// The loop runs more than once only when a wall time's first
	// occurrence is not after after: in the repeated hour of a fall-back
	// change, at most once per matching minute of it.
	for range 100000 {
		var ok bool
		if wall, ok = s.nextWall(wall); !ok {
			return time.Time{}
		}
		if t := instant(wall, s.loc); t.After(after) {
			return t
		}
		wall = wall.Add(time.Minute)
	}
	return time.Time{}
}

// nextWall returns the first wall time at or after from that matches the
// fields, from and the result being wall clock readings kept as UTC times.
func (s *Schedule) nextWall(from time.Time) (time.Time, bool) {
	y, mo, d := from.Date()
	h, m := from.Hour(), from.Minute()
	nextDay := func() { d, h, m = d+1, 0, 0 }
	for y < from.Year()+searchYears {
		if s.month&(1<<uint(mo)) == 0 || d > daysIn(y, mo) {
			if mo++; mo > 12 {
				mo, y = 1, y+1
			}
			d, h, m = 1, 0, 0
			continue
		}
		if !s.dayMatches(y, mo, d) {
			nextDay()
			continue
		}
		hh := nextBit(s.hour, h)
		if hh < 0 {
			nextDay()
			continue
		}
		if hh > h {
			h, m = hh, 0
		}
		mm := nextBit(s.minute, m)
		if mm < 0 {
			if h++; h > 23 {
				nextDay()
			} else {
				m = 0
			}
			continue
		}
		return time.Date(y, mo, d, h, mm, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// dayMatches applies the cron rule for day-of-month and day-of-week.
func (s *Schedule) dayMatches(y int, mo time.Month, d int) bool {
	dom := s.dom&(1<<uint(d)) != 0
	dow := s.dow&(1<<uint(time.Date(y, mo, d, 0, 0, 0, 0, time.UTC).Weekday())) != 0
	if s.domStar || s.dowStar {
		return dom && dow
	}
	return dom || dow
}

// nextBit returns the lowest set bit of set at or above from, or -1.
func nextBit(set uint64, from int) int {
	if from >= 64 {
		return -1
	}
	set = set >> uint(from) << uint(from)
	if set == 0 {
		return -1
	}
	return bits.TrailingZeros64(set)
}

func daysIn(y int, mo time.Month) int {
	return time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// instant returns the first instant at which loc's wall clock reads wall
// (a wall clock reading kept as a UTC time), or, when a change of offset
// skips that reading, the instant of the change.
//
// time.Date does not say which of two instants it returns for a repeated
// reading, nor what it returns for a skipped one, so instant looks at the
// offsets of the zone period time.Date lands in and of its neighbours.
func instant(wall time.Time, loc *time.Location) time.Time {
	y, mo, d := wall.Date()
	t := time.Date(y, mo, d, wall.Hour(), wall.Minute(), 0, 0, loc)
	start, end := t.ZoneBounds()
	if start.IsZero() && end.IsZero() {
		return t // a fixed offset: every reading occurs once
	}
	var first time.Time
	try := func(offset int) {
		u := wall.Add(-time.Duration(offset) * time.Second).In(loc)
		if wallOf(u).Equal(wall) && (first.IsZero() || u.Before(first)) {
			first = u
		}
	}
	try(offsetAt(t))
	if !start.IsZero() {
		try(offsetAt(start.Add(-time.Second)))
	}
	if !end.IsZero() {
		try(offsetAt(end))
	}
	if !first.IsZero() {
		return first
	}
	// Skipped: find the change whose jump spans wall.
	for _, change := range []time.Time{start, end} {
		if change.IsZero() {
			continue
		}
		before, after := offsetAt(change.Add(-time.Second)), offsetAt(change)
		lo := change.UTC().Add(time.Duration(before) * time.Second)
		hi := change.UTC().Add(time.Duration(after) * time.Second)
		if !wall.Before(lo) && wall.Before(hi) {
			return change
		}
	}
	return t
}

func offsetAt(t time.Time) int {
	_, off := t.Zone()
	return off
}

// wallOf returns t's wall clock reading as a UTC time.
func wallOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
