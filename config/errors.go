package config

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Error is every problem found in a config; Load and Parse return it as a
// *Error.
type Error struct {
	Problems []Problem
}

// Error returns the problems, one per line.
func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Problem is one thing wrong in a config file.
type Problem struct {
	File string // the file's path as given, or as the include glob found it
	Line int    // 1-based; 0 when the problem has no line
	Key  string // the key, dotted as in TOML ("program.web.stopsignal"); may be ""
	Msg  string
}

// String returns "FILE:LINE: KEY: MSG", leaving out ":LINE" when Line is 0
// and "KEY: " when Key is "".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// keyString writes a key path as TOML would: program.web.command, or
// program."a.b".command for a part that needs quotes.
func keyString(path []string) string {
	parts := make([]string, len(path))
	for i, k := range path {
		if isBareKey(k) {
			parts[i] = k
		} else {
			parts[i] = fmt.Sprintf("%q", k)
		}
	}
	return strings.Join(parts, ".")
}

// problems collects problems from several files, without duplicates (the
// instances of one program repeat its mistakes).
type problems struct {
	list  []Problem
	seen  map[Problem]bool
	order map[string]int // file -> the order it was read in, for sorting
}

// add records p once.
func (ps *problems) add(p Problem) {
	p.File, p.Key, p.Msg = oneLine(p.File), oneLine(p.Key), oneLine(p.Msg)
	if ps.seen == nil {
		ps.seen = map[Problem]bool{}
	}
	if ps.seen[p] {
		return
	}
	ps.seen[p] = true
	ps.list = append(ps.list, p)
}

// fileOrder notes that file was read after those noted before it.
func (ps *problems) fileOrder(file string) {
	if ps.order == nil {
		ps.order = map[string]int{}
	}
	if _, ok := ps.order[file]; !ok {
		ps.order[file] = len(ps.order)
	}
}

// err returns nil when there is no problem, else an *Error with the problems
// sorted by file, in the order the files were read, then by line.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	list := slices.Clone(ps.list)
	slices.SortStableFunc(list, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(ps.order[a.File], ps.order[b.File]), cmp.Compare(a.Line, b.Line))
	})
	return &Error{Problems: list}
}

// oneLine escapes control characters, which messages that quote the input
// (the TOML parser's, regexp's) can hold: every problem is one line.
func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
