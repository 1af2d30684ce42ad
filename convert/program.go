package convert

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"tend/config"
)

// programOrder is the order keys are written in a [program.NAME] table.
var programOrder = []string{
	"type", "events", "buffer_size", "command", "directory", "user", "umask", "environment",
	"autostart", "autorestart", "exitcodes", "startsecs", "startretries",
	"stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup",
	"priority", "group", "required", "numprocs", "redirect_stderr",
	"stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups",
	"stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
}

// programKeys are the keys supervisord reads in a [program:x] section.
var programKeys = map[string]bool{
	"command": true, "process_name": true, "numprocs": true, "numprocs_start": true,
	"priority": true, "autostart": true, "startsecs": true, "startretries": true,
	"autorestart": true, "exitcodes": true, "stopsignal": true, "stopwaitsecs": true,
	"stopasgroup": true, "killasgroup": true, "user": true, "redirect_stderr": true,
	"stdout_logfile": true, "stdout_logfile_maxbytes": true, "stdout_logfile_backups": true,
	"stdout_capture_maxbytes": true, "stdout_events_enabled": true, "stdout_syslog": true,
	"stderr_logfile": true, "stderr_logfile_maxbytes": true, "stderr_logfile_backups": true,
	"stderr_capture_maxbytes": true, "stderr_events_enabled": true, "stderr_syslog": true,
	"environment": true, "directory": true, "umask": true, "serverurl": true,
}

// programSkips are the program keys tend has no use for, and why.
var programSkips = map[string]string{
	"stdout_capture_maxbytes": "tend has no capture mode, which serves event listeners",
	"stderr_capture_maxbytes": "tend has no capture mode, which serves event listeners",
	"stdout_events_enabled":   "tend has no event listeners",
	"stderr_events_enabled":   "tend has no event listeners",
	"stdout_syslog":           "tend has no syslog",
	"stderr_syslog":           "tend has no syslog",
	"serverurl":               "tend gives its programs no XML-RPC URL; they can use tend ctl",
}

// What %(process_num)s may become in a value (a number >= 0 is that
// instance's number).
const (
	pnNone  = -1 // nothing: supervisord reads the key before it numbers processes
	pnTend  = -2 // ${PROCESS_NUM}: tend expands it in this key
	pnFixed = -3 // an error: tend cannot vary this key by instance
)

// processNumVar is what tend expands to the instance number.
const processNumVar = "${PROCESS_NUM}"

// errVaries is a key that would differ between a program's instances.
var errVaries = errors.New("differs between instances")

// maxSeconds is the longest duration tend takes in seconds.
const maxSeconds = math.MaxInt64 / int64(time.Second)

// prog is one [program:x] being converted.
type prog struct {
	c        *converter
	sec      *section
	name     string // supervisord's name
	tname    string // tend's name
	group    string // supervisord's group, "" for none
	t        *table
	numprocs int
	start    int // numprocs_start
	env      []envEntry
	redirect bool // redirect_stderr
	never    bool // autorestart is false
	instant  bool // startsecs is 0
}

// program converts one [program:x] section.
func (c *converter) program(s *section) error {
	kind, rest, _ := strings.Cut(s.name, ":")
	name := trimPy(rest)
	if err := checkName("program", name); err != nil {
		return &Error{File: s.file, Line: s.line, Msg: fmt.Sprintf("[%s]: %v", s.name, err)}
	}
	tname, above := c.programName(s.name, name)
	p := &prog{c: c, sec: s, name: name, tname: tname, t: newTable("program."+tomlKey(tname), programOrder), numprocs: 1}
	if s.file != c.name {
		p.t.above = append(p.t.above, "from "+c.rel(s.file))
	}
	p.t.above = append(p.t.above, above...)
	if gs := c.groups[s.name]; len(gs) > 0 {
		p.group = gs[0]
	}
	for _, step := range []func() error{
		p.numbers, p.processName, p.environment, p.command, p.directory,
		p.user, p.umask, p.booleans, p.autorestart, p.exitcodes, p.ints,
		p.stopsignal, p.groupKey, p.priority, p.logs,
	} {
		if err := step(); err != nil {
			return err
		}
	}
	listener := kind == "eventlistener"
	if listener {
		if err := p.listener(); err != nil {
			return err
		}
	}
	for _, k := range c.keysOf(s, programKeys) {
		v, _ := p.value(k)
		if listener && listenerKeys[k] {
			continue
		}
		if why, ok := programSkips[k]; ok {
			p.skip(k, v, why)
		} else if !programKeys[k] {
			p.skip(k, v, "unknown key")
		}
	}
	if !listener && !p.killTrick() && p.never && p.instant {
		p.t.above = append(p.t.above,
			"supervisord has no one-shot programs. If this one runs to completion, consider",
			`type = "oneshot" here, and depends_on = [`+quote(tname)+`] in the programs that need it done`)
	}
	c.programs = append(c.programs, p.t)
	return nil
}

// checkName applies supervisord's rule for program and group names.
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s name", kind)
	}
	if strings.ContainsAny(name, " :/") {
		return fmt.Errorf("invalid %s name %q: supervisord allows no ' ', ':' or '/' in it", kind, name)
	}
	return nil
}

// programName returns the tend name for a supervisord program, unique
// among those converted, and a note for the table when it had to change.
func (c *converter) programName(sect, name string) (string, []string) {
	var why []string
	t := tendName(name)
	if t != name {
		why = append(why, "tend names have only letters, digits, '_', '.' and '-'")
	}
	if t == "all" {
		t = "all_"
		why = append(why, `tend's socket uses "all" for every program`)
	}
	base := t
	for n := 2; c.used[t]; n++ {
		t = fmt.Sprintf("%s-%d", base, n)
	}
	if t != base {
		why = append(why, base+" is taken")
	}
	c.used[t] = true
	if len(why) == 0 {
		return t, nil
	}
	return t, []string{fmt.Sprintf("[%s] is [program.%s] here: %s", sect, tomlKey(t), strings.Join(why, "; "))}
}

// tendName maps every character tend does not allow in a name to '-'.
func tendName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 && isNameByte(byte(r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// value returns key's value in the section, or in [DEFAULT].
func (p *prog) value(key string) (*value, bool) {
	return p.c.doc.get(p.sec, key)
}

// field is a key's value, expanded.
type field struct {
	v     *value
	text  string
	notes []string
}

// field expands key's value; pn says what %(process_num)s becomes. It
// returns nil when the key is unset, and errVaries itself (not an *Error)
// for a pnFixed key that names the instance.
func (p *prog) field(key string, pn int) (*field, error) {
	v, ok := p.value(key)
	if !ok {
		return nil, nil
	}
	f := &field{v: v}
	rs, err := expand(v.text, p.scope(v, pn, key != "command", &f.notes))
	if errors.Is(err, errVaries) {
		return nil, errVaries
	}
	if err != nil {
		return nil, p.fail(key, v, err)
	}
	f.text = string(rs)
	return f, nil
}

// fail is a value supervisord would refuse.
func (p *prog) fail(key string, v *value, err error) error {
	return valueError(v, p.sec.name, key, err)
}

// skip notes a key that does not carry over.
func (p *prog) skip(key string, v *value, why string) {
	p.t.remark(v, "not carried over: %s (%s)", keyShown(key, v.text), why)
}

// scope resolves the names supervisord gives a program's values; need
// says whether an unset %(ENV_X)s is an error (see osEnv).
func (p *prog) scope(v *value, pn int, need bool, notes *[]string) func(ref) ([]rune, error) {
	return func(r ref) ([]rune, error) {
		switch r.name {
		case "here":
			return formatStr(r, v.here)
		case "program_name":
			return formatStr(r, p.name)
		case "group_name":
			if p.group != "" {
				return formatStr(r, p.group)
			}
			return formatStr(r, p.name)
		case "host_node_name":
			h, err := p.c.host(notes)
			if err != nil {
				return nil, err
			}
			return formatStr(r, h)
		case "process_num":
			switch {
			case pn == pnNone:
				return nil, errUnknownName
			case pn >= 0:
				return formatInt(r, pn)
			case p.numprocs <= 1:
				return formatInt(r, p.start)
			case pn == pnFixed:
				return nil, errVaries
			}
			if !r.plain() {
				addNote(notes, r.raw+" became "+processNumVar+", which tend writes in plain decimal, unpadded")
			}
			if p.start != 0 {
				addNote(notes, fmt.Sprintf("%s counted from numprocs_start = %d; tend's %s counts from 0", r.raw, p.start, processNumVar))
			}
			return []rune(processNumVar), nil
		case "numprocs":
			if pn == pnNone {
				return nil, errUnknownName
			}
			return formatInt(r, p.numprocs)
		}
		if x, ok := strings.CutPrefix(r.name, "ENV_"); ok {
			if pn != pnNone {
				if s, ok, err := p.envLiteral(x, notes); ok || err != nil {
					if err != nil {
						return nil, err
					}
					return formatStr(r, s)
				}
			}
			s, err := p.c.envValue(r, need, notes)
			if err != nil {
				return nil, err
			}
			return formatStr(r, s)
		}
		return nil, errUnknownName
	}
}

// numbers reads numprocs and numprocs_start, which the other keys need.
func (p *prog) numbers() error {
	f, err := p.field("numprocs", pnNone)
	if err != nil {
		return err
	}
	if f != nil {
		n, err := pyInt(f.text)
		if err != nil {
			return p.fail("numprocs", f.v, err)
		}
		switch {
		case n > 1000:
			p.numprocs = int(min(n, math.MaxInt32))
			p.skip("numprocs", f.v, "tend runs at most 1000 instances")
		case n < 1:
			p.skip("numprocs", f.v, "supervisord starts no process for it, tend at least one: set autostart = false")
		default:
			p.numprocs = int(n)
			if name, ok := wholeEnvRef(f.v.text); ok {
				p.t.set("numprocs", gatedValue(name, strconv.FormatInt(n, 10)), envGated("numprocs", name))
				break
			}
			notes := f.notes
			if strings.Contains(f.v.text, "%(ENV_") {
				notes = append(notes, envFixed("numprocs"))
			}
			p.t.set("numprocs", strconv.FormatInt(n, 10), notes...)
		}
	}
	if f, err = p.field("numprocs_start", pnNone); err != nil || f == nil {
		return err
	}
	n, err := pyInt(f.text)
	if err != nil {
		return p.fail("numprocs_start", f.v, err)
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return p.fail("numprocs_start", f.v, fmt.Errorf("%d is out of range", n))
	}
	p.start = int(n)
	p.skip("numprocs_start", f.v, "tend numbers instances from 0")
	return nil
}

// processName checks process_name as supervisord does, and says so when
// tend names the instances differently.
func (p *prog) processName() error {
	v, ok := p.value("process_name")
	if !ok {
		if n, _ := p.value("numprocs"); p.numprocs > 1 {
			// The default, %(program_name)s, would name every instance alike.
			return p.fail("numprocs", n, errors.New("more than 1 needs a process_name with %(process_num) in it"))
		}
		return nil
	}
	raw := trimPy(v.text)
	if err := checkName("process", raw); err != nil {
		return p.fail("process_name", v, err)
	}
	if p.numprocs > 1 && !strings.Contains(raw, "%(process_num)") {
		return p.fail("process_name", v, errors.New("with numprocs > 1 it must hold %(process_num)"))
	}
	tname := p.tname
	same := true
	for i := range min(p.numprocs, 2) {
		got, err := expandString(raw, p.scope(v, p.start+i, true, new([]string)))
		if err != nil {
			return p.fail("process_name", v, err)
		}
		want := tname
		if p.numprocs > 1 {
			want = fmt.Sprintf("%s-%d", tname, i)
		}
		same = same && got == want
	}
	switch {
	case same:
	case p.numprocs > 1:
		p.skip("process_name", v, fmt.Sprintf("tend names the instances %s-0 .. %s-%d", tname, tname, p.numprocs-1))
	default:
		p.skip("process_name", v, "tend names it "+tname)
	}
	return nil
}

// groupKey sets group from the [group:x] sections that name the program.
func (p *prog) groupKey() error {
	gs := p.c.groups[p.sec.name]
	if len(gs) == 0 {
		return nil
	}
	g := tendName(gs[0])
	var notes []string
	if g != gs[0] {
		notes = append(notes, fmt.Sprintf("[group:%s] is group %s here: tend names have only letters, digits, '_', '.' and '-'", gs[0], quote(g)))
	}
	for _, other := range gs[1:] {
		notes = append(notes, fmt.Sprintf("[group:%s] names it too, but a tend program is in one group", other))
	}
	p.t.set("group", quote(g), notes...)
	return nil
}

// listenerKeys are the keys of an [eventlistener:x] beyond a program's,
// read by prog.listener.
var listenerKeys = map[string]bool{"events": true, "buffer_size": true, "result_handler": true}

// listener carries an [eventlistener:x]'s own keys: tend runs it as a
// program of type eventlistener, speaking supervisord's listener protocol
// on its stdin and stdout, so it runs unchanged.
func (p *prog) listener() error {
	p.t.set("type", quote("eventlistener"))
	f, err := p.field("events", pnNone)
	if err != nil {
		return err
	}
	if f == nil {
		return &Error{File: p.sec.file, Line: p.sec.line, Msg: fmt.Sprintf("[%s]: events: missing (supervisord requires it)", p.sec.name)}
	}
	var events, dropped []string
	for _, e := range listOfStrings(f.text) {
		if e = strings.ToUpper(e); slices.Contains(config.EventNames, e) {
			events = append(events, quote(e))
		} else {
			dropped = append(dropped, e)
		}
	}
	if len(events) == 0 {
		return p.fail("events", f.v, fmt.Errorf("none of %q is an event tend sends (%s)", f.text, strings.Join(config.EventNames, ", ")))
	}
	p.t.set("events", "["+strings.Join(events, ", ")+"]")
	if len(dropped) > 0 {
		p.t.remark(f.v, "not carried over: events %s (tend sends %s)", strings.Join(dropped, ", "), strings.Join(config.EventNames, ", "))
	}
	if b, err := p.field("buffer_size", pnNone); err != nil {
		return err
	} else if b != nil {
		n, err := pyInt(b.text)
		if err != nil || n < 1 || n > 1<<20 {
			return p.fail("buffer_size", b.v, fmt.Errorf("want a number from 1 to %d", 1<<20))
		}
		p.t.set("buffer_size", strconv.FormatInt(n, 10))
	}
	if cmd, ok := p.value("command"); ok {
		if n := p.c.listenerNote(f.text, cmd.text); n != "" {
			p.t.above = append(p.t.above, strings.Split(n, "\n")...)
		}
	}
	if v, ok := p.value("result_handler"); ok {
		p.skip("result_handler", v, "tend reads OK and FAIL itself: FAIL sends the event again")
	}
	return nil
}
