package convert

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

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
	if op := shellSyntax(words); op != "" {
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

// shellSyntax returns the first word of argv that a shell would have
// treated as syntax, or "" when there is none or argv runs a shell itself
// (sh -c '...').
func shellSyntax(argv []string) string {
	switch base := argv[0][strings.LastIndexByte(argv[0], '/')+1:]; base {
	case "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh":
		for _, a := range argv[1:] {
			if len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.Contains(a, "c") {
				return ""
			}
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

// user converts the user.
func (p *prog) user() error {
	f, err := p.field("user", pnNone)
	if err != nil || f == nil {
		return err
	}
	if !isUserSpec(f.text) {
		p.skip("user", f.v, "tend wants a name, uid, name:group or uid:gid")
		return nil
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
// killasgroup. supervisord's killasgroup defaults to its stopasgroup, so a
// stopasgroup with no killasgroup sets both.
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
		p.t.set(k, strconv.FormatBool(b), f.notes...)
	}
	p.redirect = vals["redirect_stderr"]
	sa, hasSA := vals["stopasgroup"]
	ka, hasKA := vals["killasgroup"]
	switch {
	case hasSA && hasKA && sa && !ka:
		return p.fail("killasgroup", fields["killasgroup"].v, errors.New("false with stopasgroup = true, which supervisord refuses"))
	case hasSA && !hasKA:
		p.t.set("killasgroup", strconv.FormatBool(sa), "supervisord's killasgroup defaults to its stopasgroup")
	}
	return nil
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
