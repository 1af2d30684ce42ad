package convert

import (
	"fmt"
	"strings"

	"tend/config"
)

// supervisordKeys are the keys supervisord reads in [supervisord].
var supervisordKeys = map[string]bool{
	"logfile": true, "logfile_maxbytes": true, "logfile_backups": true, "loglevel": true,
	"pidfile": true, "umask": true, "nodaemon": true, "silent": true, "minfds": true,
	"minprocs": true, "nocleanup": true, "childlogdir": true, "user": true,
	"directory": true, "strip_ansi": true, "environment": true, "identifier": true,
}

// supervisordSkips are the [supervisord] keys tend has no use for, and why.
var supervisordSkips = map[string]string{
	"logfile":          "tend logs to its stderr",
	"logfile_maxbytes": "tend logs to its stderr",
	"logfile_backups":  "tend logs to its stderr",
	"pidfile":          "tend writes no pidfile",
	"umask":            "supervisord sets it only when it daemonizes; set umask per program",
	"nodaemon":         "unneeded: tend never daemonizes",
	"silent":           "tend logs to its stderr; log_level says how much",
	"minfds":           "tend sets no limits: use docker run --ulimit nofile=N",
	"minprocs":         "tend sets no limits: use docker run --ulimit nproc=N",
	"nocleanup":        "unneeded: tend makes no AUTO log files",
	"childlogdir":      "unneeded: tend makes no AUTO log files",
	"user":             "tend keeps the user it starts as: run the container as that user, or set user per program",
	"directory":        "tend keeps the directory it starts in: set directory per program",
	"strip_ansi":       "tend does not strip ANSI escapes",
	"identifier":       "tend has no XML-RPC interface",
}

// unixServerKeys are the keys supervisord reads in [unix_http_server].
var unixServerKeys = map[string]bool{
	"file": true, "chmod": true, "chown": true, "username": true, "password": true,
}

// keysOf returns the keys of s, then those of [DEFAULT] that known has and
// s does not: configparser gives every section [DEFAULT]'s keys.
func (c *converter) keysOf(s *section, known map[string]bool) []string {
	keys := append([]string(nil), s.keys...)
	for _, k := range c.doc.defaults.keys {
		if _, own := s.vals[k]; !own && known[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// tendSkip notes a key of sect that does not carry over into [tend].
func (c *converter) tendSkip(sect, key string, v *value, why string) {
	c.tend.remark(v, "not carried over: [%s] %s (%s)", sect, keyShown(key, v.text), why)
}

// supervisord converts [supervisord] into [tend]: loglevel becomes
// log_level, environment goes into every program's environment, and the
// rest does not carry over.
func (c *converter) supervisord(s *section) error {
	for _, k := range c.keysOf(s, supervisordKeys) {
		v, _ := c.doc.get(s, k)
		switch k {
		case "loglevel":
			var notes []string
			text, err := expandString(v.text, c.simpleScope(v, false, true, &notes))
			if err != nil {
				return valueError(v, s.name, k, err)
			}
			level := strings.ToLower(text)
			switch level {
			case "error", "warn", "info", "debug":
			case "critical":
				level, notes = "error", append(notes, "tend's log has no critical level: error is the nearest")
			case "trace", "blather":
				level, notes = "debug", append(notes, "tend's most detailed level is debug")
			default:
				return valueError(v, s.name, k, fmt.Errorf("invalid level %q", text))
			}
			c.tend.set("log_level", quote(level), notes...)
		case "environment":
			notes, err := c.supEnvironment(v)
			if err != nil {
				return err
			}
			for _, n := range notes {
				c.tend.remark(v, "%s", n)
			}
			c.tend.remark(v, "[supervisord] environment is in each program's environment below, as supervisord merges it")
			for _, e := range c.supEnv {
				if _, ok := e.name(); !ok {
					c.tendSkip(s.name, "environment", v, fmt.Sprintf("%s is not a name tend takes: letters, digits and '_'", shown(c.plainText(e.key))))
				}
			}
		default:
			if k == "pidfile" {
				// Kept raw, to recognise a command that kills supervisord by it.
				c.pidfile = trimPy(v.text)
			}
			why, ok := supervisordSkips[k]
			if !ok {
				why = "unknown key"
			}
			c.tendSkip(s.name, k, v, why)
		}
	}
	return nil
}

// unixServer converts [unix_http_server] into [tend]'s socket keys.
func (c *converter) unixServer(s *section) error {
	for _, k := range c.keysOf(s, unixServerKeys) {
		v, _ := c.doc.get(s, k)
		switch k {
		case "username", "password":
			c.tendSkip(s.name, k, v, "tend's socket checks the peer's uid, not a password")
			continue
		case "file", "chmod", "chown":
		default:
			c.tendSkip(s.name, k, v, "unknown key")
			continue
		}
		var notes []string
		text, err := expandString(v.text, c.simpleScope(v, false, true, &notes))
		if err != nil {
			return valueError(v, s.name, k, err)
		}
		switch k {
		case "file":
			if t := trimPy(text); t != "" {
				c.tend.set("socket", quote(t), notes...)
			} else {
				c.tendSkip(s.name, k, v, "empty")
			}
		case "chmod":
			n, err := pyOctal(text)
			switch {
			case err != nil:
				return valueError(v, s.name, k, err)
			case n < 0 || n > 0o777:
				c.tendSkip(s.name, k, v, "tend wants 0000 to 0777")
			default:
				c.tend.set("socket_mode", quote(fmt.Sprintf("%04o", n)), notes...)
			}
		case "chown":
			user, group, ok := strings.Cut(text, ":")
			switch {
			case !ok:
				c.tendSkip(s.name, k, v, "tend's socket belongs to the user tend runs as; socket_group lets a group in")
			case !config.IsUser(group):
				c.tendSkip(s.name, k, v, "not a group name or number tend takes")
			default:
				c.tend.set("socket_group", quote(group), notes...)
				c.tendSkip(s.name, k, v, fmt.Sprintf("owner %s: tend's socket belongs to the user tend runs as", shown(user)))
			}
		}
	}
	return nil
}

// group reads a [group:x] section: each program it names gets group = "x",
// and the group's priority is kept for its members (see prog.priority).
func (c *converter) group(s *section) error {
	name := trimPy(strings.TrimPrefix(s.name, "group:"))
	if err := checkName("group", name); err != nil {
		return &Error{File: s.file, Line: s.line, Msg: fmt.Sprintf("[%s]: %v", s.name, err)}
	}
	for _, k := range c.keysOf(s, map[string]bool{"programs": true, "priority": true}) {
		v, _ := c.doc.get(s, k)
		var notes []string
		text, err := expandString(v.text, c.simpleScope(v, false, true, &notes))
		switch {
		case k == "programs" && err != nil:
			return valueError(v, s.name, k, err)
		case k == "programs":
			for _, prog := range listOfStrings(text) {
				if _, ok := c.doc.byName["program:"+prog]; ok {
					c.groups["program:"+prog] = append(c.groups["program:"+prog], name)
					continue
				}
				if _, ok := c.doc.byName["fcgi-program:"+prog]; !ok {
					return valueError(v, s.name, k, fmt.Errorf("no [program:%s] to put in it", prog))
				}
			}
		case k == "priority":
			var n int64
			if err == nil {
				n, err = pyInt(text)
			}
			if err != nil {
				return valueError(v, s.name, k, err)
			}
			c.groupPrio[name] = n
		default:
			c.head = append(c.head, fmt.Sprintf("not carried over: [%s] %s (unknown key)", s.name, keyShown(k, v.text)))
		}
	}
	return nil
}
