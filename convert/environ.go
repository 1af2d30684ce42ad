package convert

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"tend/config"
)

// Environment values need care, because the two programs expand them at
// different times. supervisord expands %(ENV_X)s from its own environment
// when it starts, then splits KEY=value pairs; tend expands ${X} from its
// own environment when it loads the config, looking first in the same
// table (except for a key's own name). So %(ENV_X)s becomes ${X} wherever
// the two agree, which keeps the value live rather than frozen at
// conversion time. While the pairs are split, each such reference, and
// each %(process_num)d that becomes ${PROCESS_NUM}, is one marker rune
// beyond Unicode: supervisord split the text it expanded to, and a marker
// splits as one word character. A literal '$' becomes "$$".

// markerBase is the first marker rune: c.refs[r-markerBase] is what r
// stands for.
const markerBase = 0x110000

// envRef is what a marker stands for.
type envRef struct {
	name string // X of %(ENV_X)s; "" for %(process_num)
	raw  string // as written
}

// envEntry is one KEY=value of an environment table.
type envEntry struct {
	key     []rune
	val     []rune
	v       *value
	fromSup bool // from [supervisord] environment
}

// name returns the entry's key, and whether tend takes it as a name.
func (e envEntry) name() (string, bool) {
	for _, r := range e.key {
		if r >= markerBase {
			return "", false
		}
	}
	s := string(e.key)
	return s, config.IsEnvName(s)
}

// marker returns a new marker for r.
func (c *converter) marker(r envRef) []rune {
	c.refs = append(c.refs, r)
	return []rune{rune(markerBase + len(c.refs) - 1)}
}

// markable reports whether an %(ENV_X)... reference can become ${X}: only
// a plain %(ENV_X)s, since ${X} has no width or precision.
func markable(r ref) bool {
	return r.flags == "" && r.width < 0 && r.prec < 0 && r.verb == 's'
}

// plainText renders rs with markers as the references they stand for, for
// a comment.
func (c *converter) plainText(rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if r >= markerBase {
			b.WriteString(c.refs[r-markerBase].raw)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// find returns the entry of table whose key is key.
func find(table []envEntry, key []rune) int {
	return slices.IndexFunc(table, func(e envEntry) bool { return slices.Equal(e.key, key) })
}

// supEnvironment reads [supervisord] environment, whose names are
// %(here)s, %(host_node_name)s and %(ENV_X)s.
func (c *converter) supEnvironment(v *value) ([]string, error) {
	var notes []string
	simple := c.simpleScope(v, true, false, &notes)
	rs, err := expand(v.text, func(r ref) ([]rune, error) {
		if x, ok := strings.CutPrefix(r.name, "ENV_"); ok && markable(r) {
			return c.marker(envRef{name: x, raw: r.raw}), nil
		}
		return simple(r)
	})
	if err != nil {
		return nil, valueError(v, "supervisord", "environment", err)
	}
	pairs, err := envPairs(rs)
	if err != nil {
		return nil, valueError(v, "supervisord", "environment", err)
	}
	for _, p := range pairs {
		c.supEnv = append(c.supEnv, envEntry{key: p.key, val: p.val, v: v, fromSup: true})
	}
	return notes, nil
}

// environment converts the program's environment, [supervisord]
// environment merged under it as supervisord merges them.
func (p *prog) environment() error {
	table := slices.Clone(p.c.supEnv)
	var notes []string
	if v, ok := p.value("environment"); ok {
		rs, err := expand(v.text, p.envScope(v, &notes))
		if err != nil {
			return p.fail("environment", v, err)
		}
		pairs, err := envPairs(rs)
		if err != nil {
			return p.fail("environment", v, err)
		}
		for _, pr := range pairs {
			e := envEntry{key: pr.key, val: pr.val, v: v}
			if i := find(table, pr.key); i >= 0 {
				table[i] = e
			} else {
				table = append(table, e)
			}
		}
	}
	p.env = table
	var parts []string
	for _, e := range table {
		name, ok := e.name()
		if !ok {
			if !e.fromSup {
				p.t.remark(e.v, "not carried over: environment %s (tend wants a name of letters, digits and '_')", shown(p.c.plainText(e.key)))
			}
			continue
		}
		val, err := p.c.renderEnv(e, table, &notes)
		if err != nil {
			return p.fail("environment", e.v, err)
		}
		parts = append(parts, tomlKey(name)+" = "+quote(val))
	}
	if len(parts) > 0 {
		p.t.set("environment", "{ "+strings.Join(parts, ", ")+" }", notes...)
	}
	return nil
}

// envScope resolves the names of a program's environment: a plain
// %(ENV_X)s and, with numprocs > 1, %(process_num)d become markers; the
// rest as in the program's other values.
func (p *prog) envScope(v *value, notes *[]string) func(ref) ([]rune, error) {
	inner := p.scope(v, pnTend, false, notes)
	return func(r ref) ([]rune, error) {
		x, isEnv := strings.CutPrefix(r.name, "ENV_")
		switch {
		case isEnv && markable(r):
			return p.c.marker(envRef{name: x, raw: r.raw}), nil
		case isEnv:
			s, err := p.c.envValue(r, false, notes)
			if err != nil {
				return nil, err
			}
			return formatStr(r, s)
		case r.name == "process_num" && p.numprocs > 1:
			if _, err := inner(r); err != nil {
				return nil, err
			}
			return p.c.marker(envRef{raw: r.raw}), nil
		}
		return inner(r)
	}
}

// renderEnv writes e's value for tend: '$' doubled, ${X} for each
// %(ENV_X)s that tend reads as supervisord did, the value as converted
// for the others.
func (c *converter) renderEnv(e envEntry, table []envEntry, notes *[]string) (string, error) {
	var b strings.Builder
	key := c.plainText(e.key)
	for _, r := range e.val {
		switch {
		case r == '$':
			b.WriteString("$$")
		case r < markerBase:
			b.WriteRune(r)
		case c.refs[r-markerBase].name == "":
			b.WriteString(processNumVar)
		case c.faithful(e, c.refs[r-markerBase].name, table):
			b.WriteString("${" + c.refs[r-markerBase].name + "}")
		default:
			ref := c.refs[r-markerBase]
			s, err := c.fixedEnv(e, ref, notes)
			if err != nil {
				return "", err
			}
			if !e.fromSup && c.supHas(ref.name) {
				addNote(notes, fmt.Sprintf("%s in %s became [supervisord] environment's %s: %s", ref.raw, key, ref.name, shownValue(ref.name, s)))
			}
			b.WriteString(strings.ReplaceAll(s, "$", "$$"))
		}
	}
	return b.String(), nil
}

// faithful reports whether ${x} in entry e of table means to tend what
// %(ENV_x)s meant to supervisord. tend reads ${x} from the table when x is
// another of its keys, else from its environment; supervisord read
// [supervisord] environment's x, else its environment's.
func (c *converter) faithful(e envEntry, x string, table []envEntry) bool {
	if !config.IsEnvName(x) {
		return false
	}
	self := string(e.key) == x
	i := find(table, []rune(x))
	if !e.fromSup && c.supHas(x) {
		return !self && i >= 0 && table[i].fromSup
	}
	return self || i < 0
}

// fixedEnv returns what %(ENV_X)s in e is, fixed now.
func (c *converter) fixedEnv(e envEntry, ref envRef, notes *[]string) (string, error) {
	if !e.fromSup {
		if s, ok, err := c.supLiteral(ref.name, notes); ok || err != nil {
			return s, err
		}
	}
	return c.osEnv(ref.name, ref.raw, false, notes)
}

// envLiteral returns the program's environment variable x as supervisord
// had it for %(ENV_x)s in a command or a path, fixed now but for
// ${PROCESS_NUM}.
func (p *prog) envLiteral(x string, notes *[]string) (string, bool, error) {
	i := find(p.env, []rune(x))
	if i < 0 {
		return "", false, nil
	}
	s, err := p.c.literal(p.env[i], notes)
	return s, err == nil, err
}

// supHas reports whether [supervisord] environment sets x.
func (c *converter) supHas(x string) bool {
	return find(c.supEnv, []rune(x)) >= 0
}

// supLiteral returns [supervisord] environment's x, fixed now.
func (c *converter) supLiteral(x string, notes *[]string) (string, bool, error) {
	i := find(c.supEnv, []rune(x))
	if i < 0 {
		return "", false, nil
	}
	s, err := c.literal(c.supEnv[i], notes)
	return s, err == nil, err
}

// literal renders e's value fixed now, but for ${PROCESS_NUM}.
func (c *converter) literal(e envEntry, notes *[]string) (string, error) {
	var b strings.Builder
	for _, r := range e.val {
		if r < markerBase {
			b.WriteRune(r)
			continue
		}
		ref := c.refs[r-markerBase]
		if ref.name == "" {
			b.WriteString(processNumVar)
			continue
		}
		s, err := c.fixedEnv(e, ref, notes)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// osEnv returns $x from the environment Convert runs in, with a note. An
// unset x is an error with need, which is every value but a command's
// words and an environment table's values: a number, a boolean, a user or
// a path made of "" would not mean what supervisord was given (it refuses
// to start), and a user dropped would run the program as root. In a
// command and an environment value it becomes "", with a note.
func (c *converter) osEnv(x, raw string, need bool, notes *[]string) (string, error) {
	s, ok := c.opts.Env(x)
	switch {
	case !ok && need:
		return "", fmt.Errorf("%s is not set", x)
	case !ok:
		addNote(notes, fmt.Sprintf("%s became \"\": $%s was not set when converted (supervisord would refuse to start)", raw, x))
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		return "", fmt.Errorf("$%s is not valid UTF-8 text", x)
	case looksSecret(x):
		addNote(notes, fmt.Sprintf("%s became $%s as it was when converted (%s)", raw, x, secretWhy(x)))
	default:
		addNote(notes, fmt.Sprintf("%s became $%s as it was when converted: %s", raw, x, quote(s)))
	}
	return s, nil
}

// secretWords are the parts of a variable's name that make its value a
// secret, which tend convert never writes into a comment. Matching is by
// substring of the upper-cased name, so it errs on the side of hiding:
// DB_PASSWORD, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, API_KEY, REDIS_AUTH,
// MYSQL_PWD, but also KEYBOARD or PWD (the working directory), whose
// values are then merely not shown.
var secretWords = []string{"PASS", "PWD", "SECRET", "TOKEN", "KEY", "CRED", "AUTH", "PRIVATE", "SALT", "COOKIE", "SESSION"}

// looksSecret reports whether the variable x may hold a secret.
func looksSecret(x string) bool {
	u := strings.ToUpper(x)
	for _, w := range secretWords {
		if strings.Contains(u, w) {
			return true
		}
	}
	return false
}

// secretWhy is what a comment says instead of x's value.
func secretWhy(x string) string {
	return "not shown: " + x + " looks like a secret"
}

// shownValue returns s quoted for a comment, or words saying why not when
// it is the value of a variable that looks secret.
func shownValue(x, s string) string {
	if looksSecret(x) {
		return "(" + secretWhy(x) + ")"
	}
	return quote(s)
}
