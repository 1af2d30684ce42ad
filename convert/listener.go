package convert

import (
	"regexp"
	"strings"
	"sync"
)

// Two supervisord habits stop the container when a program dies, and
// both have one answer in tend, required = true: when a required program
// ends for good (it exits with no restart due, or goes FATAL), tend stops
// everything and exits with its status.
//
//   - An [eventlistener:x] on PROCESS_STATE_FATAL or PROCESS_STATE_EXITED
//     whose command kills supervisord (kill_supervisor.py,
//     stop-supervisor.sh, kill -QUIT $PPID...). tend has no event
//     listeners; the note names required = true, and the programs that
//     need it are for the user to choose: the listener may have watched
//     them all or a few.
//   - A program whose command kills supervisord through its pidfile, or
//     as its parent, when the real work ends (docker-selenium's
//     `bash -c "start.sh; kill -s SIGINT $(cat supervisord.pid)"`). It
//     gets required = true, since that is what the command meant, and not
//     the one-shot hint that its autorestart = false and startsecs = 0
//     would give: a one-shot that ends is done, and stops nothing.

// deathEvents are the listener events that fire when a program dies.
var deathEvents = map[string]bool{"PROCESS_STATE": true, "PROCESS_STATE_FATAL": true, "PROCESS_STATE_EXITED": true}

// killsParent matches a kill of the parent process, which is supervisord
// for its programs and tend after conversion: kill $PPID, kill -s QUIT
// ${PPID}, os.kill(os.getppid(), ...).
// Compiled on first use, as envRefPattern.
var killsParent = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`kill\b[^;&|]*(\$\{?ppid\}?|getppid)`)
})

// stopsSupervisor reports whether a command (as written, lower case or
// not) ends supervisord: kills it by name, pidfile or as the parent, runs
// supervisorctl shutdown, or is a script named for doing so. pidfile is
// [supervisord] pidfile, "" when unset.
func stopsSupervisor(command, pidfile string) bool {
	t := strings.ToLower(command)
	switch {
	case killsParent().MatchString(t):
		return true
	case strings.Contains(t, "supervisorctl"):
		// supervisorctl stop x stops a program, shutdown supervisord.
		return strings.Contains(t, "shutdown")
	case !strings.Contains(t, "kill") && !strings.Contains(t, "stop"):
		return false
	}
	return strings.Contains(t, "supervisor") || pidfile != "" && strings.Contains(t, strings.ToLower(pidfile))
}

// listenerNote returns what a comment says of an [eventlistener:x] whose
// events are events and command command, or "" for the generic reason.
func (c *converter) listenerNote(events, command string) string {
	dies := false
	for _, e := range listOfStrings(events) {
		dies = dies || deathEvents[strings.ToUpper(e)]
	}
	switch {
	case !dies:
		return ""
	case stopsSupervisor(command, c.pidfile):
		return "this listener stops supervisord when a program dies; it runs under tend, but\n" +
			"the simpler way is required = true on the programs whose end must stop the container:\n" +
			"when one ends for good (exits with no restart due, or goes FATAL), tend stops\n" +
			"everything and exits with its status"
	}
	return ""
}

// killTrick gives required = true to a program whose command stops
// supervisord, and reports whether it did.
func (p *prog) killTrick() bool {
	v, ok := p.value("command")
	if !ok || !stopsSupervisor(v.text, p.c.pidfile) {
		return false
	}
	notes := []string{
		"this command stops supervisord when its work is done (a kill by pidfile, or of its parent):",
		"required = true does that in tend: when the program ends for good, tend stops everything and",
		"exits with its status (supervisord's pidfile does not exist under tend; a kill of the parent",
		"reaches tend, and stops it too)",
	}
	if !p.never {
		notes = append(notes, `autorestart is not "never": tend restarts the program instead of stopping, unless it goes FATAL`)
	}
	p.t.set("required", "true", notes...)
	return true
}
