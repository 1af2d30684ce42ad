package schedule

import (
	"fmt"
	"time"
)

// Concurrency says what to do when a run comes due while the one before
// it is still going, as a Kubernetes CronJob's concurrencyPolicy.
type Concurrency string

const (
	Forbid  Concurrency = "forbid"  // skip the new run (the default)
	Allow   Concurrency = "allow"   // start it beside the one going
	Replace Concurrency = "replace" // stop the one going, then start the new one
)

// ParseConcurrency reads a concurrency setting; "" is Forbid. The error
// names the key: `concurrency "queue": want "forbid", "allow" or "replace"`.
func ParseConcurrency(s string) (Concurrency, error) {
	switch c := Concurrency(s); c {
	case "":
		return Forbid, nil
	case Forbid, Allow, Replace:
		return c, nil
	}
	return "", fmt.Errorf(`concurrency %q: want "forbid", "allow" or "replace"`, s)
}

// Action is what the supervisor does about a run.
type Action int

const (
	Wait        Action = iota // nothing is due yet (the clock went back): set the timer for Tick.Next
	Run                       // start the run
	Skip                      // do not start it, and say why
	StopThenRun               // stop the run that is going, then start this one
)

func (a Action) String() string {
	switch a {
	case Wait:
		return "wait"
	case Run:
		return "run"
	case Skip:
		return "skip"
	case StopThenRun:
		return "stop-then-run"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Policy is a scheduled program's CronJob settings.
type Policy struct {
	Concurrency Concurrency // "" is Forbid
	// StartingDeadline is how late a run may start; 0 is no limit. A run
	// that could not start in time is skipped, not started late.
	StartingDeadline time.Duration
}

// Decide says what to do at now about the run due at due, running saying
// whether an earlier run is still going. Reason says why, for the log,
// when the action is Skip or StopThenRun.
//
// A run more than StartingDeadline late is skipped, whatever else is
// going. Otherwise, with a run going, Forbid skips, Allow runs and Replace
// stops the old run first. A run not yet due (now before due) waits.
func (p Policy) Decide(due, now time.Time, running bool) (a Action, reason string) {
	if now.Before(due) {
		return Wait, ""
	}
	if late := now.Sub(due); p.StartingDeadline > 0 && late > p.StartingDeadline {
		return Skip, fmt.Sprintf("missed its starting deadline: %s late, starting_deadline %s",
			late.Round(time.Millisecond), p.StartingDeadline)
	}
	if !running {
		return Run, ""
	}
	switch p.Concurrency {
	case Allow:
		return Run, ""
	case Replace:
		return StopThenRun, "the previous run is still going: replacing it"
	}
	return Skip, "the previous run is still going"
}

// Tick is the whole decision when a timer set for a run fires.
type Tick struct {
	// Due is the run decided on: the latest due at or before now. Zero
	// when Action is Wait.
	Due time.Time
	// Missed counts the earlier runs, from the one the timer was set for,
	// that were passed over and never run (counted up to 100).
	Missed int
	Action Action
	Reason string    // why, when Action is Skip or StopThenRun
	Next   time.Time // set the timer for this: the first run after now
}

// maxMissed bounds the count of missed runs, as Kubernetes counts at most
// 100: the count is for the log, and a clock that jumped years must not
// make the supervisor step through every minute of them.
const maxMissed = 100

// Tick decides what to do when the timer set for the run due at due fires
// at now. Runs are never caught up: after a pause or a clock that jumped
// forward, only the latest run due at or before now is considered, and it
// is run only if Decide allows (in particular, if it is within
// StartingDeadline); the ones before it are counted in Missed. The next
// timer is for the first run after now. When the clock went back (now is
// before due), the action is Wait, and Next is recomputed from now.
func (p Policy) Tick(s *Schedule, due, now time.Time, running bool) Tick {
	t := Tick{Next: s.Next(now)}
	latest, ok := s.Latest(due, now)
	if !ok {
		t.Action = Wait
		return t
	}
	t.Due = latest
	for r := due; r.Before(latest) && t.Missed < maxMissed; r = s.Next(r) {
		t.Missed++
	}
	t.Action, t.Reason = p.Decide(latest, now, running)
	return t
}

// Latest returns the last run of s in [from, now], and false when there is
// none. from is normally a run (the one a timer was set for). It costs
// about 60 calls of Next whatever the span, so a clock that jumped from
// 1970 to today is no slower than a short pause.
func (s *Schedule) Latest(from, now time.Time) (time.Time, bool) {
	if now.Before(from) {
		return time.Time{}, false
	}
	if s.every > 0 {
		k := now.Sub(from) / s.every
		return from.Add(k * s.every).In(s.loc), true
	}
	// Bisect for the last lo with a run in (lo, now]. Distinct runs are at
	// least a second apart (offsets are whole seconds), so once the
	// interval is shorter, the run after lo is the latest.
	lo, hi := from.Add(-time.Nanosecond), now
	if s.Next(lo).After(now) {
		return time.Time{}, false
	}
	for hi.Sub(lo) >= time.Second {
		mid := lo.Add(hi.Sub(lo) / 2)
		if s.Next(mid).After(now) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return s.Next(lo), true
}
