// Package cmdline reads tend's command line: its own flags, and tini's and
// dumb-init's, so that an ENTRYPOINT written for either runs unchanged.
// Flags come before the program, in any order, up to `--` or the first
// word that is not a flag (getopt's "+" rule, as tini and dumb-init).
// Short flags combine as getopt allows (-vv, -sg, -e143); long ones take
// --name=value or --name value, and tend's own also -name.
package cmdline

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"tend/signals"
)

// Flags is what the command line and the TINI_*/DUMB_INIT_* environment
// asked for.
type Flags struct {
	Config    string // -c FILE
	Socket    string // --socket PATH
	SocketSet bool   // --socket was given, even as ""
	LogLevel  string // --log-level
	LogFormat string // --log-format
	// Verbosity is tini's: -v counted, else $TINI_VERBOSITY; -1 when
	// neither was given.
	Verbosity int
	Success   []int // -e CODE: statuses of the program reported as 0
	// Group: -g, $TINI_KILL_PROCESS_GROUP: signals go to the program's
	// process group. --single-child (dumb-init) asks for the opposite.
	Group   bool
	Rewrite map[syscall.Signal]syscall.Signal // -r/--rewrite S:R; R 0 drops S
	// ParentDeath is -p SIGNAL: sent to tend when its parent dies.
	ParentDeath syscall.Signal
	WarnReap    bool // -w: log every zombie reaped
	Subreaper   bool // -s, $TINI_SUBREAPER: tend is one anyway when not PID 1
	Help        bool // -h, --help
	Version     bool // --version, -V
	Argv        []string
}

// Error is a command line that cannot be run. Its text names the flag.
type Error struct {
	Flag string // as written: "-e", "--rewrite"
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Flag, e.Msg) }

// ErrUnknown is the cause of an Error for a flag tend does not know.
var ErrUnknown = errors.New("unknown flag")

// unknownError names a flag tend does not know.
type unknownError struct{ flag string }

func (e *unknownError) Error() string { return fmt.Sprintf("unknown flag %q", e.flag) }
func (e *unknownError) Unwrap() error { return ErrUnknown }

// Parse reads args (without the program name) and the environment
// through lookup.
func Parse(args []string, lookup func(string) (string, bool)) (*Flags, error) {
	f := &Flags{Verbosity: -1}
	p := parser{f: f}
	if err := p.env(lookup); err != nil {
		return nil, err
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			f.Argv = args[i+1:]
			return f, p.done()
		case strings.HasPrefix(a, "--"):
			n, err := p.long(a, args[i+1:])
			if err != nil {
				return nil, err
			}
			i += n
		case len(a) > 1 && a[0] == '-':
			n, err := p.short(a, args[i+1:])
			if err != nil {
				return nil, err
			}
			i += n
		default: // the program, without "--"
			f.Argv = args[i:]
			return f, p.done()
		}
	}
	return f, p.done()
}

type parser struct {
	f      *Flags
	group  string // the flag that asked for -g, for a conflict's message
	single bool   // --single-child given
	vflag  bool   // -v given: it wins over $TINI_VERBOSITY
}

func (p *parser) done() error {
	if p.single && p.group != "" {
		return &Error{Flag: "--single-child", Msg: fmt.Sprintf("conflicts with %s (signals to the process group)", p.group)}
	}
	return nil
}

// env reads tini's and dumb-init's environment variables.
func (p *parser) env(lookup func(string) (string, bool)) error {
	if _, ok := lookup("TINI_SUBREAPER"); ok {
		p.f.Subreaper = true
	}
	if _, ok := lookup("TINI_KILL_PROCESS_GROUP"); ok {
		p.f.Group, p.group = true, "TINI_KILL_PROCESS_GROUP"
	}
	if v, ok := lookup("TINI_VERBOSITY"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return &Error{Flag: "TINI_VERBOSITY", Msg: fmt.Sprintf("%q: want a number 0..3", v)}
		}
		p.f.Verbosity = n
	}
	// DUMB_INIT_SETSID=0 is dumb-init's --single-child; any other value
	// is its default, the process group, which tend leaves to -g.
	if v, ok := lookup("DUMB_INIT_SETSID"); ok && v == "0" {
		p.single = true
	}
	return nil
}

// takesValue lists the short flags that take a value.
const takesValue = "cepr"

// short reads one word of short flags ("-sv", "-e143", "-e 143") and
// returns how many of the words after it it used.
func (p *parser) short(word string, rest []string) (int, error) {
	if isLongName(word[1:]) {
		// Go's flag package let tend's own flags have one dash; they
		// are read as such before letters ("-socket" is not -s -o ...).
		return p.long("-"+word, rest)
	}
	for j := 1; j < len(word); j++ {
		c := word[j]
		name := "-" + string(c)
		if strings.IndexByte(takesValue, c) >= 0 {
			val, used := word[j+1:], 0
			if val == "" {
				if len(rest) == 0 {
					return 0, &Error{Flag: name, Msg: "needs a value"}
				}
				val, used = rest[0], 1
			}
			return used, p.value(name, val)
		}
		switch c {
		case 'h':
			p.f.Help = true
		case 'V':
			p.f.Version = true
		case 's':
			p.f.Subreaper = true
		case 'g':
			p.f.Group, p.group = true, "-g"
		case 'w':
			p.f.WarnReap = true
		case 'v':
			if !p.vflag {
				p.f.Verbosity, p.vflag = 1, true // tini's default is 1: each -v adds one
			}
			p.f.Verbosity++
		case 'l':
			return 0, &Error{Flag: name, Msg: "tini's licence text is not built in; tend is under its own licence (see its README)"}
		default:
			return 0, &unknownError{flag: name}
		}
	}
	return 0, nil
}

// tend's own long flags, which also work with one dash (-socket).
func isLongName(s string) bool {
	name, _, _ := strings.Cut(s, "=")
	switch name {
	case "socket", "log-level", "log-format":
		return true
	}
	return false
}

// long reads "--name", "--name=value" or "--name value".
func (p *parser) long(word string, rest []string) (int, error) {
	name, val, hasVal := strings.Cut(word, "=")
	switch name {
	case "--help", "--version", "--single-child", "--verbose":
		if hasVal {
			return 0, &Error{Flag: name, Msg: "takes no value"}
		}
		switch name {
		case "--help":
			p.f.Help = true
		case "--version":
			p.f.Version = true
		case "--single-child":
			p.single = true
		case "--verbose":
			return p.short("-v", nil)
		}
		return 0, nil
	case "--socket", "--log-level", "--log-format", "--rewrite":
		used := 0
		if !hasVal {
			if len(rest) == 0 {
				return 0, &Error{Flag: name, Msg: "needs a value"}
			}
			val, used = rest[0], 1
		}
		return used, p.value(name, val)
	}
	return 0, &unknownError{flag: name}
}

// value applies a flag that takes one.
func (p *parser) value(name, val string) error {
	f := p.f
	switch name {
	case "-c":
		f.Config = val
	case "--socket":
		f.Socket, f.SocketSet = val, true
	case "--log-level":
		f.LogLevel = val
	case "--log-format":
		f.LogFormat = val
	case "-e":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 255 {
			return &Error{Flag: name, Msg: fmt.Sprintf("%q: want an exit status 0..255", val)}
		}
		f.Success = append(f.Success, n)
	case "-p":
		s, err := signals.Parse(val)
		if err != nil {
			return &Error{Flag: name, Msg: err.Error()}
		}
		f.ParentDeath = s
	case "-r", "--rewrite":
		from, to, err := signals.ParseRewrite(val)
		if err != nil {
			return &Error{Flag: name, Msg: err.Error()}
		}
		if f.Rewrite == nil {
			f.Rewrite = make(map[syscall.Signal]syscall.Signal)
		}
		f.Rewrite[from] = to
	}
	return nil
}
