package convert

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// value is one key's value as read, with where it was read.
type value struct {
	text string
	file string // the file's name, for messages
	line int    // the key's line
	here string // the file's directory, for %(here)s
}

// section is one [NAME] section, merged over every file that has one, as
// supervisord's parser merges them.
type section struct {
	name string
	file string // where the section first appears
	line int
	keys []string // in the order first set
	vals map[string]*value
}

func (s *section) set(key string, v *value) {
	if _, ok := s.vals[key]; !ok {
		s.keys = append(s.keys, key)
	}
	s.vals[key] = v
}

// document is every section read so far. It reads the INI dialect of
// Python's configparser as supervisord configures it (strict=False,
// inline_comment_prefixes=(';', '#')):
//
//   - "[NAME]" starts a section; a section seen again continues it. Keys in
//     [DEFAULT] are defaults for every section.
//   - "key = value" or "key: value"; keys are lowercased; the value is
//     stripped; a key set again replaces the value.
//   - A line indented deeper than its key's line continues the value, after
//     a newline; blank lines inside a value are kept, trailing ones dropped.
//   - A line whose first non-blank character is ';' or '#' is a comment, and
//     so is the rest of a line from a ';' or '#' that follows a blank.
type document struct {
	sections []*section
	byName   map[string]*section
	defaults *section
}

func newDocument() *document {
	return &document{
		byName:   map[string]*section{},
		defaults: &section{name: "DEFAULT", vals: map[string]*value{}},
	}
}

// get returns the value of key in s, or in [DEFAULT].
func (d *document) get(s *section, key string) (*value, bool) {
	if v, ok := s.vals[key]; ok {
		return v, true
	}
	v, ok := d.defaults.vals[key]
	return v, ok
}

// syntaxError is a line the parser cannot read.
func syntaxError(file string, line int, format string, args ...any) error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// read parses one file's text into d and returns the names of the sections
// it has, in order.
func (d *document) read(file, here string, text string) ([]string, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	// Python reads text files with universal newlines.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	var (
		names   []string
		cur     *section
		key     string   // the key whose value may continue; "" after a header
		lines   []string // that value's lines so far
		val     *value
		indent  int // the indent of the last key or header line
		pending = map[*value][]string{}
	)
	flush := func() {
		if val != nil {
			pending[val] = lines
		}
	}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		if !utf8.ValidString(line) {
			return nil, syntaxError(file, n, "not valid UTF-8")
		}
		if strings.IndexByte(line, 0) >= 0 {
			return nil, syntaxError(file, n, "contains a NUL byte")
		}
		start := commentStart(line)
		content := line
		if start >= 0 {
			content = line[:start]
		}
		content = trimPy(content)
		if content == "" {
			// A blank line inside a value is part of it; a comment line is
			// not.
			if start < 0 && key != "" {
				lines = append(lines, "")
			}
			continue
		}
		lineIndent := indentOf(line)
		if key != "" && lineIndent > indent {
			lines = append(lines, content)
			continue
		}
		indent = lineIndent
		if name, ok := sectionHeader(content); ok {
			flush()
			key, val, lines = "", nil, nil
			cur = d.section(name, file, n)
			if cur != d.defaults && !slices.Contains(names, name) {
				names = append(names, name)
			}
			continue
		}
		if cur == nil {
			return nil, syntaxError(file, n, "%q comes before any [section]", content)
		}
		k, v, ok := splitOption(content)
		if !ok {
			return nil, syntaxError(file, n, "want [section] or key = value, not %q", content)
		}
		if k == "" {
			return nil, syntaxError(file, n, "no key before the '=' in %q", content)
		}
		flush()
		key, lines = k, []string{v}
		val = &value{file: file, line: n, here: here}
		cur.set(k, val)
	}
	flush()
	for v, ls := range pending {
		v.text = strings.TrimRightFunc(strings.Join(ls, "\n"), isPySpace)
	}
	return names, nil
}

// section returns the section called name, making it if it is new.
func (d *document) section(name, file string, line int) *section {
	if name == "DEFAULT" {
		return d.defaults
	}
	if s, ok := d.byName[name]; ok {
		return s
	}
	s := &section{name: name, file: file, line: line, vals: map[string]*value{}}
	d.sections = append(d.sections, s)
	d.byName[name] = s
	return s
}

// commentStart returns where a comment begins in line, or -1. It follows
// configparser to the letter: each round looks for the next ';' and the next
// '#', and the round that finds one at the start of the line or after a
// blank ends the search, taking the smaller of that round's hits. A line
// whose first non-blank character is ';' or '#' is a comment from 0.
func commentStart(line string) int {
	if t := trimPy(line); strings.HasPrefix(t, ";") || strings.HasPrefix(t, "#") {
		return 0
	}
	start := -1
	prefixes := []byte{';', '#'}
	from := []int{-1, -1}
	for start < 0 {
		found := false
		for j, p := range prefixes {
			if from[j] == -2 {
				continue
			}
			k := strings.IndexByte(line[from[j]+1:], p)
			if k < 0 {
				from[j] = -2
				continue
			}
			k += from[j] + 1
			from[j] = k
			found = true
			if k == 0 || afterBlank(line, k) {
				if start < 0 || k < start {
					start = k
				}
			}
		}
		if !found {
			break
		}
	}
	return start
}

// afterBlank reports whether the character before line[k] is a blank.
func afterBlank(line string, k int) bool {
	r, _ := utf8.DecodeLastRuneInString(line[:k])
	return isPySpace(r)
}

// indentOf counts the blank characters that start line.
func indentOf(line string) int {
	n := 0
	for _, r := range line {
		if !isPySpace(r) {
			break
		}
		n++
	}
	return n
}

// sectionHeader reads "[NAME]" as configparser's \[(?P<header>.+)\] does:
// greedy, so NAME runs to the last ']', and anything after it is ignored.
func sectionHeader(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	end := strings.LastIndexByte(s, ']')
	if end < 2 {
		return "", false
	}
	return s[1:end], true
}

// splitOption reads "key = value" or "key: value": the key runs to the first
// '=' or ':'. The key is lowercased, as configparser's optionxform does.
func splitOption(s string) (key, val string, ok bool) {
	i := strings.IndexAny(s, "=:")
	if i < 0 {
		return "", "", false
	}
	key = strings.ToLower(strings.TrimRightFunc(s[:i], isPySpace))
	return key, trimPy(s[i+1:]), true
}
