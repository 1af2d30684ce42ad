package convert

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Options says where Convert finds what a supervisord config refers to
// besides its own text. The zero value uses the real machine.
type Options struct {
	// Here is what %(here)s means in the main file, and the directory that
	// relative [include] globs start from: the .conf file's directory, as
	// an absolute path. "" means the directory of name, made absolute. In
	// an included file, %(here)s is that file's directory, as supervisord
	// has it.
	Here string
	// Env looks up X for a %(ENV_X)s that tend cannot look up itself when
	// it runs (in a command, a path, a user...). nil means os.LookupEnv.
	Env func(string) (string, bool)
	// Hostname is what %(host_node_name)s becomes. "" means os.Hostname().
	Hostname string
	// Glob expands an [include] pattern; nil means filepath.Glob.
	Glob func(string) ([]string, error)
	// ReadFile reads an included file; nil means os.ReadFile.
	ReadFile func(string) ([]byte, error)
}

// Error is why a config cannot be converted: a line that is not INI, or a
// value that supervisord itself would refuse. It is one line,
// "FILE:LINE: problem".
type Error struct {
	File string
	Line int // 0 when the problem has no line
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Convert reads a supervisord config from src and returns it as tend TOML.
// name is the config's path, for messages and the output's header. A
// failure is an *Error.
func Convert(src io.Reader, name string, opts Options) ([]byte, error) {
	data, err := io.ReadAll(src)
	if err != nil {
		return nil, &Error{File: name, Msg: "cannot read: " + err.Error()}
	}
	c, err := newConverter(name, opts)
	if err != nil {
		return nil, err
	}
	if _, err := c.doc.read(name, c.here, string(data)); err != nil {
		return nil, err
	}
	if err := c.run(); err != nil {
		return nil, err
	}
	return []byte(c.render()), nil
}

// converter holds one conversion.
type converter struct {
	opts  Options
	name  string
	here  string
	doc   *document
	files []string // read so far, the main file first

	head     []string // comment lines under the header
	tend     *table
	programs []*table

	supEnv    []envEntry          // [supervisord] environment
	refs      []envRef            // what environment markers stand for
	groups    map[string][]string // program section name -> supervisord group names
	groupPrio map[string]int64    // [group:x] priority, by x
	order     []*ordered          // every program's place in supervisord's start order
	used      map[string]bool     // tend program names taken
	hostname  string
	pidfile   string // [supervisord] pidfile, "" when unset
}

func newConverter(name string, opts Options) (*converter, error) {
	here := opts.Here
	if here == "" {
		abs, err := filepath.Abs(filepath.Dir(name))
		if err != nil {
			return nil, &Error{File: name, Msg: "cannot find its directory: " + err.Error()}
		}
		here = abs
	}
	if opts.Env == nil {
		opts.Env = os.LookupEnv
	}
	if opts.Glob == nil {
		opts.Glob = filepath.Glob
	}
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	return &converter{
		opts:      opts,
		name:      name,
		here:      here,
		doc:       newDocument(),
		files:     []string{name},
		tend:      newTable("tend", []string{"socket", "socket_mode", "socket_group", "log_level"}),
		groups:    map[string][]string{},
		groupPrio: map[string]int64{},
		used:      map[string]bool{},
	}, nil
}

// run converts every section: [include] first, since it adds sections;
// [supervisord] next, since its environment goes into every program; then
// groups, which programs name; then the rest in the order found.
func (c *converter) run() error {
	if s, ok := c.doc.byName["include"]; ok {
		if err := c.include(s); err != nil {
			return err
		}
	}
	if s, ok := c.doc.byName["supervisord"]; ok {
		if err := c.supervisord(s); err != nil {
			return err
		}
	}
	for _, s := range c.doc.sections {
		if strings.HasPrefix(s.name, "group:") {
			if err := c.group(s); err != nil {
				return err
			}
		}
	}
	for _, s := range c.doc.sections {
		var err error
		switch {
		case s.name == "supervisord", s.name == "include", strings.HasPrefix(s.name, "group:"):
		case strings.HasPrefix(s.name, "program:"), strings.HasPrefix(s.name, "eventlistener:"):
			err = c.program(s)
		case s.name == "unix_http_server":
			err = c.unixServer(s)
		default:
			c.otherSection(s)
		}
		if err != nil {
			return err
		}
	}
	c.defaults()
	c.checkOrder()
	return nil
}

// include reads the files that [include] files= names, as supervisord
// does: whitespace-separated globs, relative to the main file's directory,
// each glob's matches in sorted order, a file it cannot open skipped. Their
// sections merge into the main file's. supervisord reads [include] in the
// main file only.
func (c *converter) include(s *section) error {
	v, ok := c.doc.get(s, "files")
	if !ok {
		return &Error{File: s.file, Line: s.line, Msg: "[include] has no files key"}
	}
	var notes []string
	text, err := expandString(v.text, c.simpleScope(v, true, true, &notes))
	if err != nil {
		return valueError(v, "include", "files", err)
	}
	c.head = append(c.head, notes...)
	mainAbs, _ := filepath.Abs(c.name)
	for _, pattern := range strings.FieldsFunc(text, isPySpace) {
		p := pattern
		if !filepath.IsAbs(p) {
			p = filepath.Join(c.here, p)
		}
		matches, err := c.opts.Glob(pyGlob(p))
		if err != nil {
			return valueError(v, "include", "files", fmt.Errorf("bad pattern %q", pattern))
		}
		matches = slices.DeleteFunc(matches, func(m string) bool {
			// Python's glob matches a dot file only with a pattern that
			// starts with a dot.
			return strings.HasPrefix(filepath.Base(m), ".") && !strings.HasPrefix(filepath.Base(p), ".")
		})
		slices.Sort(matches)
		if len(matches) == 0 {
			c.head = append(c.head, fmt.Sprintf("[include] %s matches no file", shown(pattern)))
		}
		for _, m := range matches {
			if abs, _ := filepath.Abs(m); abs == mainAbs {
				continue
			}
			data, err := c.opts.ReadFile(m)
			if err != nil {
				c.head = append(c.head, fmt.Sprintf("not carried over: [include] %s (cannot read it: %s)", shown(m), cause(err)))
				continue
			}
			names, err := c.doc.read(m, filepath.Dir(m), string(data))
			if err != nil {
				return err
			}
			c.files = append(c.files, m)
			c.head = append(c.head, "inlined from [include]: "+shown(c.rel(m)))
			if slices.Contains(names, "include") {
				c.head = append(c.head, fmt.Sprintf("not carried over: [include] in %s (supervisord reads [include] in the main file only)", shown(c.rel(m))))
			}
		}
	}
	return nil
}

// pyGlob turns a pattern of Python's glob into one of Go's filepath.Match:
// Python writes a negated class [!a], Go [^a]; a backslash is an ordinary
// character to Python, an escape to Go; a '[' with no ']' is a character.
func pyGlob(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; ch {
		case '\\':
			b.WriteString(`\\`)
		case '[':
			j := i + 1
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				b.WriteString(`\[`)
				continue
			}
			class := p[i+1 : j]
			b.WriteByte('[')
			if strings.HasPrefix(class, "!") {
				b.WriteByte('^')
				class = class[1:]
			}
			for k := 0; k < len(class); k++ {
				c := class[k]
				edge := k == 0 || k == len(class)-1
				if c == '\\' || c == ']' || (c == '^' && k == 0) || (c == '-' && edge) {
					b.WriteByte('\\')
				}
				b.WriteByte(c)
			}
			b.WriteByte(']')
			i = j
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// cause returns a file error's reason without the path.
func cause(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// rel returns path relative to the main file's directory when it is under
// it, for comments.
func (c *converter) rel(path string) string {
	if r, err := filepath.Rel(c.here, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// fileOrder returns the index of a file in the order read.
func (c *converter) fileOrder(file string) int {
	return slices.Index(c.files, file)
}

// otherSection notes a section that does not carry over, with its keys.
func (c *converter) otherSection(s *section) {
	reason := "unknown section"
	kind, _, _ := strings.Cut(s.name, ":")
	switch {
	case strings.HasPrefix(s.name, "unix_http_server"):
		reason = "tend has one control socket: [unix_http_server] is carried over"
	case strings.HasPrefix(s.name, "inet_http_server"):
		reason = "tend's control socket is a Unix socket only"
	case s.name == "supervisorctl":
		reason = "tend ctl replaces supervisorctl, and finds the socket through this file"
	case kind == "rpcinterface":
		reason = "tend has no XML-RPC interface: its socket speaks lines, and tend ctl is the client"
	case kind == "fcgi-program":
		reason = "tend opens no sockets for its programs"
	case kind == "ctlplugin":
		reason = "tend ctl has no plugins"
	}
	c.head = append(c.head, fmt.Sprintf("not carried over: [%s] (%s)", s.name, reason))
	for _, k := range s.keys {
		c.head = append(c.head, "  "+keyShown(k, s.vals[k].text))
	}
}

// keyShown writes key = value for a comment, leaving passwords out.
func keyShown(key, text string) string {
	if strings.Contains(key, "password") {
		return key + " = (not shown)"
	}
	return key + " = " + shown(text)
}

// defaults notes [DEFAULT] keys that no section reads.
func (c *converter) defaults() {
	for _, k := range c.doc.defaults.keys {
		if !programKeys[k] && !supervisordKeys[k] && !unixServerKeys[k] && k != "programs" && k != "files" {
			c.head = append(c.head, fmt.Sprintf("not carried over: [DEFAULT] %s (unknown key)", keyShown(k, c.doc.defaults.vals[k].text)))
		}
	}
}

// valueError is a value supervisord would refuse.
func valueError(v *value, sect, key string, err error) error {
	return &Error{File: v.file, Line: v.line, Msg: fmt.Sprintf("[%s] %s: %v", sect, key, err)}
}

// simpleScope resolves the names every section but a program's has:
// %(here)s, %(host_node_name)s when host, and %(ENV_X)s, which becomes X's
// value from [supervisord] environment or, failing that, from the
// environment Convert runs in; with need, an X set in neither is an error
// (see osEnv). Notes say what was looked up.
func (c *converter) simpleScope(v *value, host, need bool, notes *[]string) func(ref) ([]rune, error) {
	return func(r ref) ([]rune, error) {
		switch {
		case r.name == "here":
			return formatStr(r, v.here)
		case r.name == "host_node_name" && host:
			h, err := c.host(notes)
			if err != nil {
				return nil, err
			}
			return formatStr(r, h)
		case strings.HasPrefix(r.name, "ENV_"):
			s, err := c.envValue(r, need, notes)
			if err != nil {
				return nil, err
			}
			return formatStr(r, s)
		}
		return nil, errUnknownName
	}
}

// envValue returns the value of X for %(ENV_X)s where it must be fixed
// now: [supervisord] environment's, else the environment's as Convert
// runs, with a note; need as for osEnv.
func (c *converter) envValue(r ref, need bool, notes *[]string) (string, error) {
	x := strings.TrimPrefix(r.name, "ENV_")
	if s, ok, err := c.supLiteral(x, notes); ok || err != nil {
		return s, err
	}
	return c.osEnv(x, r.raw, need, notes)
}

// host returns the host name for %(host_node_name)s, with a note.
func (c *converter) host(notes *[]string) (string, error) {
	if c.hostname == "" {
		c.hostname = c.opts.Hostname
		if c.hostname == "" {
			h, err := os.Hostname()
			if err != nil {
				return "", fmt.Errorf("cannot find this host's name: %w", err)
			}
			c.hostname = h
		}
	}
	addNote(notes, fmt.Sprintf("%%(host_node_name)s became this host's name when converted: %s", quote(c.hostname)))
	return c.hostname, nil
}

// addNote appends n to notes unless it is there already.
func addNote(notes *[]string, n string) {
	if !slices.Contains(*notes, n) {
		*notes = append(*notes, n)
	}
}

// render writes the TOML.
func (c *converter) render() string {
	var b strings.Builder
	comment(&b, "converted from "+c.name+" by tend convert")
	comment(&b, "")
	for _, line := range header {
		comment(&b, line)
	}
	if len(c.head) > 0 {
		comment(&b, "")
		for _, h := range c.head {
			comment(&b, h)
		}
	}
	if !c.tend.empty() {
		b.WriteByte('\n')
		c.tend.write(&b, c.fileOrder)
	}
	for _, t := range c.programs {
		b.WriteByte('\n')
		t.write(&b, c.fileOrder)
	}
	return b.String()
}

// header is the text under the first line of every output.
var header = []string{
	"Where a program sets nothing, tend's defaults apply. Where they differ",
	"from supervisord's, supervisord's are written out: stopasgroup and",
	"killasgroup (tend's default true, supervisord's false). Output with no",
	"stdout_logfile or stderr_logfile goes to tend's own stdout and stderr",
	"(supervisord: AUTO files in childlogdir). Like supervisord, tend runs a",
	"command without a shell.",
}
