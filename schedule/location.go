package schedule

import (
	"fmt"
	"strings"
	"time"
)

// Location loads the IANA time zone name ("Europe/Paris") from the
// system's zoneinfo, as time.LoadLocation does ($ZONEINFO, then
// /usr/share/zoneinfo and the like). "" and "UTC" are UTC, which needs no
// file. tend does not embed a zone database (time/tzdata would add 450 KB
// to every binary), so an image that schedules in a zone must carry one.
//
// Errors name the config key: `schedule_timezone "Europe/Paris": no
// zoneinfo on this system (install tzdata or mount /usr/share/zoneinfo)`,
// `schedule_timezone "Europe/Pari": unknown time zone`.
func Location(name string) (*time.Location, error) {
	return location(name, time.LoadLocation)
}

// location is Location with the loader as a parameter, so that a test can
// stand for a system without zoneinfo.
func location(name string, load func(string) (*time.Location, error)) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		// time.LoadLocation would read $TZ or /etc/localtime: a zone that
		// changes with the image is not what a config should say.
		return nil, fmt.Errorf("schedule_timezone %q: want an IANA name such as \"Europe/Paris\"", name)
	}
	loc, err := load(name)
	if err == nil {
		return loc, nil
	}
	// The time package says "unknown time zone" both for a name it does not
	// know and when it finds no zoneinfo at all; a zone that every
	// database has tells the two apart.
	if _, probeErr := load("Etc/UTC"); probeErr != nil {
		return nil, fmt.Errorf("schedule_timezone %q: no zoneinfo on this system (install tzdata or mount /usr/share/zoneinfo)", name)
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown time zone") {
		msg = "unknown time zone"
	}
	return nil, fmt.Errorf("schedule_timezone %q: %s", name, strings.TrimPrefix(msg, "time: "))
}
