// Package envfile reads environment files in Docker Compose's .env
// syntax, turns NAME_FILE variables into secrets as the official images'
// entrypoints do, and hides the values of both when an environment is
// printed. It is pure: Read is the only function that touches the file
// system, and Secrets reads through the function it is given.
//
// # Syntax
//
// One variable a line, as Compose reads an env_file:
//
//	# a comment                      whole-line comments and blank lines are ignored
//	PORT=8080                        unquoted: spaces and tabs around the value are trimmed
//	URL=http://db/x # the db         " #" (or a tab and #) after an unquoted value starts a comment
//	COLOR=#ff0000                    a # with no space before it is part of the value
//	export MODE=prod                 an "export " prefix is allowed, so the file can be sourced
//	GREETING='Hello $USER\n'         single quotes: literal, except \' for a quote
//	MOTD="one\ttwo\nthree"           double quotes: \n \r \t \\ \" \$ are escapes
//	KEY="-----BEGIN KEY-----         a quoted value may span lines
//	...
//	-----END KEY-----"               after the closing quote, only spaces and a comment
//	HOME                             a name alone: the value from tend's environment
//
// Names are letters, digits and '_', not starting with a digit; spaces
// and tabs may surround the name and the '='. A later line for a name
// overrides an earlier one. In double quotes, a backslash before any other
// character is kept as it is. Lines may end in CRLF, and a UTF-8 byte
// order mark at the start is ignored.
//
// Where tend differs from Compose: values are not interpolated ("$OTHER"
// and "${OTHER}" stay as written, in every kind of value), so a value
// never depends on what else is in the environment. A name alone takes
// the value from the lookup function (tend's environment), as Compose
// and `docker run --env-file` do, and is left out when that has none.
//
// Errors carry the file and line, and never a value, since values are
// often secrets: `/run/secrets/app.env:3: invalid variable name "1A"`.
package envfile

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// Var is one variable set by an env file.
type Var struct {
	Name, Value string
	Line        int // the line of its name
}

// Read reads the env file at path and parses it (see Parse).
func Read(path string, lookup func(string) (string, bool)) ([]Var, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	return Parse(path, data, lookup)
}

// Parse reads the content of an env file, name being its path for
// errors. lookup gives the value of a name written alone (nil: none);
// vars come in the file's order, duplicates included.
func Parse(name string, data []byte, lookup func(string) (string, bool)) ([]Var, error) {
	p := parser{file: name, src: string(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))), line: 1}
	p.src = strings.TrimPrefix(p.src, "\uFEFF")
	var vars []Var
	for p.pos < len(p.src) {
		v, ok, err := p.next(lookup)
		if err != nil {
			return nil, err
		}
		if ok {
			vars = append(vars, v)
		}
	}
	return vars, nil
}

type parser struct {
	file string
	src  string
	pos  int // next byte of src to read
	line int // the line of src[pos]
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...))
}

// rest returns what is left of the current line, and moves past its end.
func (p *parser) rest() string {
	s := p.src[p.pos:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
		p.pos += i + 1
	} else {
		p.pos = len(p.src)
	}
	p.line++
	return s
}

// next reads one line, or several for a quoted value that spans them. ok
// is false for a blank line, a comment, or a name alone that lookup does
// not know.
func (p *parser) next(lookup func(string) (string, bool)) (v Var, ok bool, err error) {
	line := p.line
	start := p.pos
	raw := p.rest()
	text := trimLeft(raw)
	if text == "" || text[0] == '#' {
		return Var{}, false, nil
	}
	if after, found := strings.CutPrefix(text, "export"); found && after != "" && isBlank(after[0]) {
		text = trimLeft(after)
	}
	end := strings.IndexAny(text, "= \t")
	if end < 0 {
		end = len(text)
	}
	name, after := text[:end], trimLeft(text[end:])
	if after == "" || after[0] == '#' {
		// A name alone. Without an '=', the line may be a stray piece of
		// a value, so it is not quoted in the error.
		if !validName(name) {
			return Var{}, false, p.errorf(line, "want NAME=VALUE or a variable name alone")
		}
		if lookup == nil {
			return Var{}, false, nil
		}
		value, ok := lookup(name)
		return Var{Name: name, Value: value, Line: line}, ok, nil
	}
	if after[0] != '=' {
		if !validName(name) {
			return Var{}, false, p.errorf(line, "want NAME=VALUE or a variable name alone")
		}
		return Var{}, false, p.errorf(line, "%s: want '=' after the name", name)
	}
	if !validName(name) {
		return Var{}, false, p.errorf(line, "invalid variable name %q", name)
	}
	value := trimLeft(after[1:])
	if value == "" || (value[0] != '\'' && value[0] != '"') {
		value = unquoted(after[1:])
		if strings.IndexByte(value, 0) >= 0 {
			return Var{}, false, p.errorf(line, "%s: the value holds a NUL byte", name)
		}
		return Var{Name: name, Value: value, Line: line}, true, nil
	}
	// A quoted value: go back to its opening quote, which may be followed
	// by several lines. value is a suffix of the line raw.
	p.pos = start + len(raw) - len(value)
	p.line = line
	value, err = p.quoted(name, line)
	if err != nil {
		return Var{}, false, err
	}
	if strings.IndexByte(value, 0) >= 0 {
		return Var{}, false, p.errorf(line, "%s: the value holds a NUL byte", name)
	}
	return Var{Name: name, Value: value, Line: line}, true, nil
}

// unquoted cuts a comment off an unquoted value and trims it; s is all
// that follows the '=', so that "A= # c" is empty.
func unquoted(s string) string {
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && isBlank(s[i-1]) {
			s = s[:i]
			break
		}
	}
	return strings.Trim(s, " \t")
}

// quoted reads the quoted value at p.pos and the rest of its last line.
func (p *parser) quoted(name string, line int) (string, error) {
	q := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			kind := "double"
			if q == '\'' {
				kind = "single"
			}
			return "", p.errorf(line, "%s: no closing %s quote", name, kind)
		}
		c := p.src[p.pos]
		p.pos++
		switch {
		case c == q:
			if tail := trimLeft(p.rest()); tail != "" && tail[0] != '#' {
				return "", p.errorf(p.line-1, "%s: text after the closing quote (a comment starts with #)", name)
			}
			return b.String(), nil
		case c == '\n':
			p.line++
			b.WriteByte(c)
		case c == '\\' && p.pos < len(p.src):
			e := p.src[p.pos]
			if q == '\'' {
				if e == '\'' {
					b.WriteByte(e)
					p.pos++
				} else {
					b.WriteByte(c)
				}
				continue
			}
			p.pos++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '\\', '"', '$':
				b.WriteByte(e)
			default:
				// An unknown escape is kept whole; a backslash before a
				// newline keeps the newline too.
				b.WriteByte(c)
				if e == '\n' {
					p.line++
				}
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func trimLeft(s string) string { return strings.TrimLeft(s, " \t") }

// validName reports whether s is a portable variable name:
// [A-Za-z_][A-Za-z0-9_]*.
func validName(s string) bool {
	if s == "" || '0' <= s[0] && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
