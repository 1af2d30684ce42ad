package convert

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// table is one table of the output: its keys, the notes that explain them,
// and what did not carry over.
type table struct {
	header  string   // "tend", "program.web"
	above   []string // comment lines above the header
	order   []string // the order keys are written in
	entries map[string]*entry
	remarks []remark // comment lines after the keys, in the order of the source
}

// entry is one key's rendered TOML value and the notes above it.
type entry struct {
	val   string
	notes []string
}

// remark is a comment about the source line at v.
type remark struct {
	v    *value
	text string
}

func newTable(header string, order []string) *table {
	return &table{header: header, order: order, entries: map[string]*entry{}}
}

// set gives key its rendered value.
func (t *table) set(key, val string, notes ...string) {
	t.entries[key] = &entry{val: val, notes: notes}
}

// remark adds a comment line about the source line at v.
func (t *table) remark(v *value, format string, args ...any) {
	t.remarks = append(t.remarks, remark{v: v, text: fmt.Sprintf(format, args...)})
}

// empty reports whether t has nothing to write.
func (t *table) empty() bool {
	return len(t.entries) == 0 && len(t.remarks) == 0
}

// write renders t. fileOrder sorts remarks across files.
func (t *table) write(b *strings.Builder, fileOrder func(string) int) {
	for _, c := range t.above {
		comment(b, c)
	}
	fmt.Fprintf(b, "[%s]\n", t.header)
	for _, k := range t.order {
		e, ok := t.entries[k]
		if !ok {
			continue
		}
		for _, n := range e.notes {
			comment(b, n)
		}
		fmt.Fprintf(b, "%s = %s\n", k, e.val)
	}
	rs := slices.Clone(t.remarks)
	slices.SortStableFunc(rs, func(a, b remark) int {
		return cmp.Or(cmp.Compare(fileOrder(a.v.file), fileOrder(b.v.file)), cmp.Compare(a.v.line, b.v.line))
	})
	for _, r := range rs {
		comment(b, r.text)
	}
}

// comment writes "# text". TOML allows no control character but tab in a
// comment, so any other is written as \xNN.
func comment(b *strings.Builder, text string) {
	if text == "" {
		b.WriteString("#\n")
		return
	}
	b.WriteString("# ")
	for _, r := range text {
		if isControl(r) && r != '\t' {
			fmt.Fprintf(b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('\n')
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// quote returns s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if isControl(r) {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlKey returns k as a TOML key: bare when it can be, else quoted.
func tomlKey(k string) string {
	if k == "" {
		return `""`
	}
	for i := 0; i < len(k); i++ {
		if !isAlnum(k[i]) && k[i] != '_' && k[i] != '-' {
			return quote(k)
		}
	}
	return k
}

// strArray returns ss as a TOML array of strings.
func strArray(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// intArray returns ns as a TOML array of integers.
func intArray(ns []int64) string {
	q := make([]string, len(ns))
	for i, n := range ns {
		q[i] = strconv.FormatInt(n, 10)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// shown returns a source value for a comment: as written when it is one
// plain line, else quoted.
func shown(s string) string {
	for _, r := range s {
		if isControl(r) && r != '\t' {
			return quote(s)
		}
	}
	return s
}
