package config

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tend/schedule"
	"tend/signals"
)

// tmpl is a [program.NAME] table as read, before numprocs expansion: the
// settings every instance shares, and the raw values that ${PROCESS_NUM}
// makes differ.
type tmpl struct {
	f        *file
	path     []string // ["program", NAME]
	p        *Program // shared settings, defaults filled in
	command  []string // split, ${PROCESS_NUM} not yet expanded
	env      map[string]string
	depends  []string // as written
	ready    any      // the raw ready value, nil when unset
	health   any      // the raw health value, nil when unset
	hasGroup bool
	badCheck map[string]bool // "ready", "health": reported already

	envFile      *envFileKey // where env_file is, for its errors
	sched        *schedule.Schedule
	loc          *time.Location
	secretFiles  bool // secret_files is set: [tend]'s does not apply
	outputFormat bool // output_format is set: [tend]'s does not apply
}

// programs reads the [program.*] tables of one file.
func (l *loader) programs(f *file, v any) {
	t, ok := l.table(f, []string{"program"}, v)
	if !ok {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(t)) {
		path := []string{"program", name}
		if prev, dup := l.progs[name]; dup {
			l.errorf(f, path, "defined twice (also at %s)", prev.f.where(prev.path))
			continue
		}
		body, ok := l.table(f, path, t[name])
		if !ok {
			continue
		}
		switch {
		case !isName(name):
			l.errorf(f, path, "invalid program name %q: use letters, digits, '_', '.' and '-'", name)
		case name == "all":
			l.errorf(f, path, `invalid program name "all": the control socket uses it for every program`)
		}
		l.progs[name] = l.program(f, path, name, body)
	}
}

// program reads one [program.NAME] table.
func (l *loader) program(f *file, path []string, name string, body map[string]any) *tmpl {
	t := &tmpl{f: f, path: path, p: defaultProgram(name), badCheck: map[string]bool{}}
	for _, k := range slices.Sorted(maps.Keys(body)) {
		l.programKey(t, k, body[k])
	}
	if _, ok := body["command"]; !ok {
		l.errorf(f, join(path, []string{"command"}), "missing: every program needs a command")
	}
	if t.sched != nil {
		if t.loc != nil {
			t.sched = t.sched.In(t.loc)
		}
		t.p.Schedule = t.sched
	}
	_, hasSched := body["schedule"]
	for _, k := range []string{"schedule_timezone", "concurrency", "starting_deadline"} {
		if _, ok := body[k]; ok && !hasSched {
			l.errorf(f, join(path, []string{k}), "only with schedule")
		}
	}
	switch p := t.p; {
	case hasSched && p.Type != "oneshot":
		l.errorf(f, join(path, []string{"schedule"}), `only for type = "oneshot": a scheduled program runs to completion`)
	case p.Type == "eventlistener" && len(p.Events) == 0:
		l.errorf(f, join(path, []string{"events"}), "missing: an eventlistener needs the events it is sent")
	case p.Type != "eventlistener" && len(p.Events) > 0:
		l.errorf(f, join(path, []string{"events"}), "only for type = \"eventlistener\"")
	case p.Type == "eventlistener" && p.RedirectStderr:
		l.errorf(f, join(path, []string{"redirect_stderr"}), "an eventlistener's stdout speaks the listener protocol: its stderr cannot join it")
	}
	return t
}

// programKey reads one key of a [program.NAME] table into t.
func (l *loader) programKey(t *tmpl, k string, v any) {
	f, p, path := t.f, t.p, join(t.path, []string{k})
	switch k {
	case "command":
		t.command = l.command(f, path, v)
	case "type":
		if s, ok := l.oneOf(f, path, v, "longrun", "oneshot", "eventlistener"); ok {
			p.Type = s
		}
	case "directory":
		if s, ok := l.str(f, path, v); ok {
			p.Directory = s
		}
	case "user":
		if s, ok := l.str(f, path, v); ok {
			if s != "" {
				if err := checkUser(s); err != nil {
					l.fail(f, path, err)
				}
			}
			p.User = s
		}
	case "umask":
		if m, err := parseOctal(v); err != nil {
			l.fail(f, path, err)
		} else {
			p.Umask = m
		}
	case "environment":
		t.env = l.environment(f, path, v)
	case "clear_env":
		l.setBool(f, path, v, &p.ClearEnv)
	case "autostart":
		// An expansion string gates the program on tend's environment:
		// autostart = "${ENABLE_WORKER:-true}".
		if s, ok := v.(string); ok && strings.Contains(s, "$") {
			if b, ok := gated(l, f, path, s, strconv.ParseBool, "true or false"); ok {
				p.Autostart = b
			}
			return
		}
		l.setBool(f, path, v, &p.Autostart)
	case "autorestart":
		l.autorestart(f, path, v, p)
	case "exitcodes":
		l.exitcodes(f, path, v, p)
	case "startsecs":
		l.setDuration(f, path, v, false, &p.StartSecs)
	case "startretries":
		l.setInt(f, path, v, 0, math.MaxInt32, &p.StartRetries)
	case "backoff_max":
		l.setDuration(f, path, v, true, &p.BackoffMax)
	case "stopsignal":
		l.stopsignal(f, path, v, p)
	case "stopwaitsecs":
		l.setDuration(f, path, v, false, &p.StopWait)
	case "stopasgroup":
		l.setBool(f, path, v, &p.StopAsGroup)
	case "killasgroup":
		l.setBool(f, path, v, &p.KillAsGroup)
	case "priority":
		l.setInt(f, path, v, math.MinInt, math.MaxInt, &p.Priority)
	case "events":
		if evs, ok := l.strs(f, path, v); ok {
			for _, e := range evs {
				if !slices.Contains(EventNames, e) {
					l.errorf(f, path, "unknown event %q: want one of %s", e, strings.Join(EventNames, ", "))
				}
			}
			p.Events = evs
		}
	case "env_file":
		if paths, ok := l.envFiles(f, path, v); ok {
			p.EnvFiles, t.envFile = paths, &envFileKey{f, path}
		}
	case "secret_files":
		t.secretFiles = true
		l.setBool(f, path, v, &p.SecretFiles)
	case "schedule":
		if s, ok := l.str(f, path, v); ok {
			sch, err := schedule.Parse(s)
			if err != nil {
				l.fail(f, path, err)
				return
			}
			t.sched = sch
		}
	case "schedule_timezone":
		if s, ok := l.str(f, path, v); ok {
			loc, err := schedule.Location(s)
			if err != nil {
				l.fail(f, path, err)
				return
			}
			t.loc = loc
		}
	case "concurrency":
		if s, ok := l.oneOf(f, path, v, "forbid", "replace", "allow"); ok {
			if s == "allow" {
				l.errorf(f, path, `"allow" is not possible: tend runs one process per program; use "forbid" (the default) or "replace"`)
				return
			}
			p.Concurrency = schedule.Concurrency(s)
		}
	case "starting_deadline":
		l.setDuration(f, path, v, false, &p.StartingDeadline)
	case "buffer_size":
		l.setInt(f, path, v, 1, 1<<20, &p.BufferSize)
	case "depends_on":
		if deps, ok := l.strs(f, path, v); ok {
			t.depends = deps
		}
	case "group":
		if s, ok := l.str(f, path, v); ok && s != "" {
			if !isName(s) {
				l.errorf(f, path, "invalid group name %q: use letters, digits, '_', '.' and '-'", s)
			}
			p.Group, t.hasGroup = s, true
		}
	case "required":
		l.setBool(f, path, v, &p.Required)
	case "numprocs":
		if s, ok := v.(string); ok && strings.Contains(s, "$") { // numprocs = "${WORKERS:-2}"
			atoi := func(s string) (int, error) {
				n, err := strconv.Atoi(s)
				if err == nil && (n < 1 || n > maxNumProcs) {
					err = strconv.ErrRange
				}
				return n, err
			}
			if n, ok := gated(l, f, path, s, atoi, fmt.Sprintf("a number from 1 to %d", maxNumProcs)); ok {
				p.NumProcs = n
			}
			return
		}
		l.setInt(f, path, v, 1, maxNumProcs, &p.NumProcs)
	case "ready":
		t.ready = v
	case "ready_timeout":
		l.setDuration(f, path, v, true, &p.ReadyTimeout)
	case "ready_interval":
		l.setDuration(f, path, v, true, &p.ReadyInterval)
	case "health":
		t.health = v
	case "health_interval":
		l.setDuration(f, path, v, true, &p.HealthInterval)
	case "health_timeout":
		l.setDuration(f, path, v, true, &p.HealthTimeout)
	case "health_retries":
		l.setInt(f, path, v, 1, math.MaxInt32, &p.HealthRetries)
	case "stdout_logfile":
		l.setString(f, path, v, &p.Stdout.Path)
	case "stdout_logfile_maxbytes":
		l.setSize(f, path, v, &p.Stdout.MaxBytes)
	case "stdout_logfile_backups":
		l.setInt(f, path, v, 0, math.MaxInt32, &p.Stdout.Backups)
	case "stderr_logfile":
		l.setString(f, path, v, &p.Stderr.Path)
	case "stderr_logfile_maxbytes":
		l.setSize(f, path, v, &p.Stderr.MaxBytes)
	case "stderr_logfile_backups":
		l.setInt(f, path, v, 0, math.MaxInt32, &p.Stderr.Backups)
	case "redirect_stderr":
		l.setBool(f, path, v, &p.RedirectStderr)
	case "log_prefix":
		l.setBool(f, path, v, &p.LogPrefix)
	case "log_timestamps":
		l.setBool(f, path, v, &p.LogTimestamps)
	case "output_format":
		t.outputFormat = true
		if s, ok := l.oneOf(f, path, v, "text", "json"); ok {
			p.OutputFormat = s
		}
	case "multiline":
		if s, ok := l.str(f, path, v); ok && s != "" {
			re, err := regexp.Compile(s)
			if err != nil {
				l.errorf(f, path, "invalid regexp %q: %v", s, err)
				return
			}
			p.Multiline = re
		}
	case "stop_command":
		p.StopCommand = l.command(f, path, v)
	case "stop_delay":
		l.setDuration(f, path, v, false, &p.StopDelay)
	case "reload_signal":
		if sig, ok := l.signal(f, path, v); ok {
			p.ReloadSignal = sig
		}
	case "listen":
		if addrs, ok := l.strs(f, path, v); ok {
			p.Listen = l.listen(f, path, addrs)
		}
	case "rolling":
		l.setBool(f, path, v, &p.Rolling)
	default:
		l.errorf(f, path, "unknown key")
	}
}

// command reads a command: an array of strings, or one string split with
// shell quoting rules.
func (l *loader) command(f *file, path []string, v any) []string {
	var argv []string
	switch v := v.(type) {
	case string:
		if containsNUL(v) {
			l.fail(f, path, errNUL)
			return nil
		}
		words, err := SplitCommand(v)
		if err != nil {
			l.fail(f, path, err)
			return nil
		}
		argv = words
	case []any:
		words, ok := l.strs(f, path, v)
		if !ok {
			return nil
		}
		argv = words
	default:
		l.fail(f, path, errType("an array of strings or a string", v))
		return nil
	}
	switch {
	case len(argv) == 0:
		l.errorf(f, path, "empty command")
		return nil
	case argv[0] == "":
		l.errorf(f, path, "empty program path")
		return nil
	}
	return argv
}

// environment reads the environment table; values are expanded per
// instance.
func (l *loader) environment(f *file, path []string, v any) map[string]string {
	t, ok := l.table(f, path, v)
	if !ok {
		return nil
	}
	env := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		kp := join(path, []string{k})
		if !isEnvName(k) {
			l.errorf(f, kp, "invalid variable name %q: use letters, digits and '_', not starting with a digit", k)
			continue
		}
		if s, ok := l.str(f, kp, t[k]); ok {
			env[k] = s
		}
	}
	return env
}

// autorestart reads "always", "unexpected", "never", true or false.
func (l *loader) autorestart(f *file, path []string, v any, p *Program) {
	switch v := v.(type) {
	case bool:
		p.Autorestart = "never"
		if v {
			p.Autorestart = "always"
		}
	case string:
		if s, ok := l.oneOf(f, path, v, "always", "unexpected", "never"); ok {
			p.Autorestart = s
		}
	default:
		l.fail(f, path, errType(`"always", "unexpected", "never" or a boolean`, v))
	}
}

// exitcodes reads an array of exit statuses.
func (l *loader) exitcodes(f *file, path []string, v any, p *Program) {
	a, ok := v.([]any)
	if !ok {
		l.fail(f, path, errType("an array of integers", v))
		return
	}
	codes := []int{}
	for i, e := range a {
		n, ok := e.(int64)
		if !ok {
			l.errorf(f, path, "element %d: %v", i, errType("an integer", e))
			return
		}
		if n < 0 || n > 255 {
			l.errorf(f, path, "element %d: exit status %d is out of range 0..255", i, n)
			return
		}
		if !slices.Contains(codes, int(n)) {
			codes = append(codes, int(n))
		}
	}
	slices.Sort(codes)
	p.ExitCodes = codes
}

// stopsignal reads a signal name or number.
func (l *loader) stopsignal(f *file, path []string, v any, p *Program) {
	if sig, ok := l.signal(f, path, v); ok {
		p.StopSignal = sig
	}
}

// signal reads a signal name or number.
func (l *loader) signal(f *file, path []string, v any) (syscall.Signal, bool) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case int64:
		s = fmt.Sprint(v)
	default:
		l.fail(f, path, errType(`a signal name like "TERM" or a number`, v))
		return 0, false
	}
	sig, err := signals.Parse(s)
	if err != nil {
		l.fail(f, path, err)
		return 0, false
	}
	return sig, true
}

// gated reads a value given as an expansion of tend's environment
// ("${ENABLE_WORKER:-true}"), expanded at load (and so again at each
// reload), with parse; an error names what the string became.
func gated[T any](l *loader, f *file, path []string, s string, parse func(string) (T, error), want string) (T, bool) {
	var zero T
	x, err := Expand(s, l.lookupEnv)
	if err != nil {
		l.errorf(f, path, "%v", err)
		return zero, false
	}
	v, err := parse(strings.TrimSpace(x))
	if err != nil {
		l.errorf(f, path, "%q is %q: want %s", s, x, want)
		return zero, false
	}
	return v, true
}
