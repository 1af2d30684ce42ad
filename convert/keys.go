package convert

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"tend/config"
	"tend/signals"
)

// command converts the command. supervisord splits it with shlex and
// execs it, with no shell; tend splits a string with sh's quoting rules and
// execs it, with no shell either. Where the two splits agree the string
// carries over as written, else as the array of supervisord's words.
func (p *prog) command() error {
	f, err := p.field("command", pnTend)
	if err != nil {
		return err
	}
	if f == nil {
		return &Error{File: p.sec.file, Line: p.sec.line, Msg: fmt.Sprintf("[%s] has no command", p.sec.name)}
	}
	words, err := splitPosix(f.text)
	switch {
	case err != nil:
		return p.fail("command", f.v, err)
	case len(words) == 0:
		return p.fail("command", f.v, errors.New("empty command"))
	case words[0] == "":
		return p.fail("command", f.v, errors.New("empty program path"))
	}
	notes := f.notes
	if x := p.secretRef(f.v); x != "" {
		notes = append(notes, fmt.Sprintf("so the command holds $%s's value: tend expands ${%s} in an environment table, not in a command", x, x))
	}
	if op := shellSyntax(p.asWritten(f.v)); op != "" {
		notes = append(notes, fmt.Sprintf(`supervisord runs no shell, and neither does tend: %s reaches the program as an argument.`, quote(op)),
			`For a shell, write command = ["/bin/sh", "-c", "..."]`)
	}
	if sh, err := config.SplitCommand(f.text); err == nil && slices.Equal(sh, words) && !strings.Contains(f.text, "\n") {
		p.t.set("command", quote(f.text), notes...)
	} else {
		p.t.set("command", strArray(words), notes...)
	}
	return nil
}

// asWritten returns the command's words as its author wrote them: split
// as supervisord splits them, but with each %(ENV_X)s left as written, so
// that a '$' or a '&&' in a variable's value, which supervisord too passed
// to the program as it was, is not taken for shell syntax in the file.
// It returns nil when that text does not split.
func (p *prog) asWritten(v *value) []string {
	inner := p.scope(v, pnTend, false, new([]string))
	s, err := expandString(v.text, func(r ref) ([]rune, error) {
		if strings.HasPrefix(r.name, "ENV_") {
			return []rune(r.raw), nil
		}
		return inner(r)
	})
	if err != nil {
		return nil
	}
	words, err := splitPosix(s)
	if err != nil {
		return nil
	}
	return words
}

// secretRef returns the first X of a %(ENV_X)s in v that looks secret and
// whose value Convert writes, or "".
func (p *prog) secretRef(v *value) string {
	x := ""
	expandString(v.text, func(r ref) ([]rune, error) {
		if n, ok := strings.CutPrefix(r.name, "ENV_"); ok && x == "" && looksSecret(n) {
			x = n
		}
		return nil, nil
	})
	return x
}

// shells are the programs after which "-c" takes a script.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true, "busybox": true}

// shellSyntax returns the first word of argv that a shell would have
// treated as syntax, or "" when there is none. The words of a shell that
// runs a script (sh -c '...'), and what follows them, are a shell's
// business: they are not checked, whatever runs the shell (nice -n 1 bash
// -c ..., env A=1 sh -c ..., su-exec app sh -c ...).
func shellSyntax(argv []string) string {
	for i, w := range argv {
		if shells[w[strings.LastIndexByte(w, '/')+1:]] && runsScript(argv[i+1:]) {
			argv = argv[:i]
			break
		}
	}
	for _, w := range argv {
		switch w {
		case "&&", "||", "|", ";", "&", ";;", "|&":
			return w
		}
		if strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") || strings.HasPrefix(w, "2>") ||
			strings.HasPrefix(w, "&>") || strings.Contains(w, "$(") || strings.Contains(w, "`") {
			return w
		}
		// $NAME and ${NAME}, but not the ${PROCESS_NUM} tend expands.
		u := strings.ReplaceAll(w, processNumVar, "")
		if i := strings.IndexByte(u, '$'); i >= 0 && i+1 < len(u) {
			if c := u[i+1]; c == '{' || c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
				return w
			}
		}
	}
	return ""
}

// runsScript reports whether a shell's arguments hold -c, alone or among
// other one-letter options (-lc, -ec).
func runsScript(args []string) bool {
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Contains(a, "c") {
			return true
		}
	}
	return false
}

// directory converts the working directory.
func (p *prog) directory() error {
	f, err := p.field("directory", pnTend)
	if err != nil || f == nil {
		return err
	}
	if f.text == "" {
		p.skip("directory", f.v, "empty")
		return nil
	}
	p.t.set("directory", quote(f.text), f.notes...)
	return nil
}

// user converts the user. One that tend cannot take is an error, not a
// key left out: without it the program would run as tend's user, root in
// most containers.
func (p *prog) user() error {
	f, err := p.field("user", pnNone)
	if err != nil || f == nil {
		return err
	}
	if !config.IsUser(f.text) {
		return p.fail("user", f.v, fmt.Errorf("%q: tend wants a name, uid, name:group or uid:gid", f.text))
	}
	p.t.set("user", quote(f.text), f.notes...)
	return nil
}

// umask converts the umask, an octal number.
func (p *prog) umask() error {
	f, err := p.field("umask", pnNone)
	if err != nil || f == nil {
		return err
	}
	n, err := pyOctal(f.text)
	if err != nil {
		return p.fail("umask", f.v, err)
	}
	if n < 0 || n > 0o777 {
		p.skip("umask", f.v, "tend wants 000 to 777")
		return nil
	}
	p.t.set("umask", quote(fmt.Sprintf("%03o", n)), f.notes...)
	return nil
}

// booleans converts autostart, redirect_stderr, stopasgroup and
// killasgroup. supervisord's stopasgroup defaults to false, and its
// killasgroup to its stopasgroup, while tend's are both true: both are
// always written, with supervisord's values, so that a stop reaches the
// processes it reached before (celery's killasgroup = true without
// stopasgroup sends SIGTERM to the main process only).
func (p *prog) booleans() error {
	vals := map[string]bool{}
	fields := map[string]*field{}
	for _, k := range []string{"autostart", "redirect_stderr", "stopasgroup", "killasgroup"} {
		f, err := p.field(k, pnNone)
		if err != nil {
			return err
		}
		if f == nil {
			continue
		}
		b, err := pyBool(f.text)
		if err != nil {
			return p.fail(k, f.v, err)
		}
		vals[k], fields[k] = b, f
		if name, ok := wholeEnvRef(f.v.text); ok && k == "autostart" {
			p.t.set(k, gatedValue(name, strconv.FormatBool(b)), envGated(k, name))
			continue
		}
		notes := f.notes
		if k == "autostart" && strings.Contains(f.v.text, "%(ENV_") {
			notes = append(notes, envFixed("autostart"))
		}
		p.t.set(k, strconv.FormatBool(b), notes...)
	}
	p.redirect = vals["redirect_stderr"]
	sa, hasSA := vals["stopasgroup"]
	ka, hasKA := vals["killasgroup"]
	switch {
	case hasSA && hasKA && sa && !ka:
		return p.fail("killasgroup", fields["killasgroup"].v, errors.New("false with stopasgroup = true, which supervisord refuses"))
	case hasSA && !hasKA:
		p.t.set("killasgroup", strconv.FormatBool(sa), "supervisord's killasgroup defaults to its stopasgroup")
	case !hasSA && hasKA:
		p.t.set("stopasgroup", "false", "supervisord's default (tend's is true): the stop signal goes to the program's pid only")
	case !hasSA:
		p.t.set("stopasgroup", "false")
		p.t.set("killasgroup", "false")
	}
	return nil
}

// envRefPattern is a value that is one environment reference, whole.
// It is compiled on first use: tend's other modes never convert, and a
// package-level regexp would be compiled at every start, tini mode's too.
var envRefPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^%\(ENV_([A-Za-z_][A-Za-z0-9_]*)\)s$`)
})

// wholeEnvRef returns the variable a value is, whole ("%(ENV_ENABLE_X)s").
func wholeEnvRef(raw string) (string, bool) {
	m := envRefPattern().FindStringSubmatch(strings.TrimSpace(raw))
	if m == nil {
		return "", false
	}
	return m[1], true
}

// gatedValue is tend's expansion string for a key taken from variable
// name, whose value at conversion becomes the default.
func gatedValue(name, now string) string {
	return quote("${" + name + ":-" + now + "}")
}

// envGated is the note on a key that supervisord read from the
// environment when it started (a program switched on or off, or sized,
// by a variable): tend reads it from its own environment, at start and at
// each reload.
func envGated(key, name string) string {
	return key + " comes from $" + name + " when tend starts (and at each reload), as supervisord read it; its value when converted is the default"
}

// envFixed is the note on such a key whose value mixes a variable with
// other text: tend takes the value it had when converted.
func envFixed(key string) string {
	return key + " was set from the environment when supervisord started; this is the value at conversion: convert again, or edit it, where the variable differs"
}

// autorestart converts true, false and unexpected to always, never and
// unexpected.
func (p *prog) autorestart() error {
	f, err := p.field("autorestart", pnNone)
	if err != nil || f == nil {
		return err
	}
	var s string
	switch strings.ToLower(f.text) {
	case "yes", "true", "on", "1":
		s = "always"
	case "no", "false", "off", "0":
		s, p.never = "never", true
	case "unexpected":
		s = "unexpected"
	default:
		return p.fail("autorestart", f.v, fmt.Errorf("invalid value %q: use true, false or unexpected", f.text))
	}
	p.t.set("autorestart", quote(s), f.notes...)
	return nil
}

// exitcodes converts the comma-separated exit statuses.
func (p *prog) exitcodes() error {
	f, err := p.field("exitcodes", pnNone)
	if err != nil || f == nil {
		return err
	}
	codes := []int64{}
	if f.text != "" {
		for _, s := range strings.Split(f.text, ",") {
			n, err := pyInt(s)
			if err != nil || n < 0 || n > 255 {
				return p.fail("exitcodes", f.v, fmt.Errorf("invalid exit status %q: want 0 to 255", s))
			}
			codes = append(codes, n)
		}
	}
	p.t.set("exitcodes", intArray(codes), f.notes...)
	return nil
}

// ints converts the integer keys.
func (p *prog) ints() error {
	for _, k := range []struct {
		key    string
		lo, hi int64
	}{
		{"startsecs", 0, maxSeconds},
		{"startretries", 0, math.MaxInt32},
		{"stopwaitsecs", 0, maxSeconds},
		{"priority", math.MinInt64, math.MaxInt64},
	} {
		f, err := p.field(k.key, pnNone)
		if err != nil {
			return err
		}
		if f == nil {
			continue
		}
		n, err := pyInt(f.text)
		if err != nil {
			return p.fail(k.key, f.v, err)
		}
		if n < k.lo || n > k.hi {
			why := "too large for tend"
			if n < 0 {
				why = "negative"
			}
			p.skip(k.key, f.v, why)
			continue
		}
		if k.key == "startsecs" {
			p.instant = n == 0
		}
		p.t.set(k.key, strconv.FormatInt(n, 10), f.notes...)
	}
	return nil
}

// stopsignal converts the stop signal: a name carries over without its
// SIG prefix, a number as a number.
func (p *prog) stopsignal() error {
	f, err := p.field("stopsignal", pnNone)
	if err != nil || f == nil {
		return err
	}
	t := trimPy(f.text)
	val := ""
	if n, err := pyInt(t); err == nil {
		if _, err := signals.Parse(strconv.FormatInt(n, 10)); err == nil {
			val = strconv.FormatInt(n, 10)
		}
	} else {
		name := strings.TrimPrefix(strings.ToUpper(t), "SIG")
		if _, err := signals.Parse(name); err == nil {
			val = quote(name)
		}
	}
	if val == "" {
		p.skip("stopsignal", f.v, "not a signal tend knows")
		return nil
	}
	p.t.set("stopsignal", val, f.notes...)
	return nil
}
