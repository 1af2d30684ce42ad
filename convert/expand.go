package convert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ref is one %(name)... reference in a supervisord value, which supervisord
// expands with Python's % operator and a dict of names.
type ref struct {
	name  string
	flags string // any of "-+ #0"
	width int    // -1 when absent
	prec  int    // -1 when absent
	verb  byte
	raw   string // as written: "%(process_num)02d"
}

// plain reports whether r asks for no more than the value itself, as
// %(name)s or %(name)d do.
func (r ref) plain() bool {
	return r.flags == "" && r.width < 0 && r.prec < 0 && strings.IndexByte("sdiu", r.verb) >= 0
}

// maxWidth bounds a width or precision: %(program_name)999999999s must not
// make a gigabyte.
const maxWidth = 1024

// errUnknownName is a reference to a name the value's scope does not have.
var errUnknownName = errors.New("unknown name")

// expand replaces "%%" with '%' and every %(name)... in s with what resolve
// returns for it. Any other '%' is an error, as it is for supervisord. The
// result is runes because environment values carry markers beyond Unicode
// (see envref.go).
func expand(s string, resolve func(ref) ([]rune, error)) ([]rune, error) {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '%' {
			r, size := utf8.DecodeRuneInString(s[i:])
			out = append(out, r)
			i += size
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			out = append(out, '%')
			i += 2
			continue
		}
		r, n, err := parseRef(s[i:])
		if err != nil {
			return nil, err
		}
		text, err := resolve(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", shown(r.raw), err)
		}
		out = append(out, text...)
		i += n
	}
	return out, nil
}

// expandString is expand for scopes that make no markers.
func expandString(s string, resolve func(ref) ([]rune, error)) (string, error) {
	rs, err := expand(s, resolve)
	return string(rs), err
}

// parseRef reads the reference at the start of s, which starts with '%',
// as Python's % operator reads one, and returns its length.
func parseRef(s string) (ref, int, error) {
	r := ref{width: -1, prec: -1}
	if len(s) < 2 || s[1] != '(' {
		return r, 0, fmt.Errorf("a lone %% in %q: write %%%% for a literal %%", clip(s))
	}
	// The name runs to the matching ')': Python counts nested parentheses.
	depth, i := 1, 2
	for ; i < len(s) && depth > 0; i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
	}
	if depth > 0 {
		return r, 0, fmt.Errorf("unterminated %%( in %q", clip(s))
	}
	r.name = s[2 : i-1]
	for i < len(s) && strings.IndexByte("-+ #0", s[i]) >= 0 {
		if strings.IndexByte(r.flags, s[i]) < 0 {
			r.flags += string(s[i])
		}
		i++
	}
	var err error
	if r.width, i, err = number(s, i); err != nil {
		return r, 0, err
	}
	if i < len(s) && s[i] == '.' {
		if r.prec, i, err = number(s, i+1); err != nil {
			return r, 0, err
		}
		if r.prec < 0 {
			r.prec = 0
		}
	}
	if i < len(s) && strings.IndexByte("hlL", s[i]) >= 0 {
		i++
	}
	if i >= len(s) {
		return r, 0, fmt.Errorf("incomplete format %q", s)
	}
	r.verb = s[i]
	i++
	r.raw = s[:i]
	return r, i, nil
}

// number reads the digits at s[i:] as a width or precision: -1 when there
// are none.
func number(s string, i int) (int, int, error) {
	j := i
	for j < len(s) && '0' <= s[j] && s[j] <= '9' {
		j++
	}
	if j < len(s) && s[j] == '*' {
		return 0, 0, fmt.Errorf("'*' in format %q: supervisord's names give no width", clip(s))
	}
	if j == i {
		return -1, j, nil
	}
	n, err := strconv.Atoi(s[i:j])
	if err != nil || n > maxWidth {
		return 0, 0, fmt.Errorf("width %s in format %q is too large", s[i:j], clip(s))
	}
	return n, j, nil
}

// clip shortens s for a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	n := 40
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// formatStr formats a string value as Python's % does.
func formatStr(r ref, s string) ([]rune, error) {
	if r.verb != 's' {
		if strings.IndexByte("diuoxXeEfFgGc", r.verb) >= 0 {
			return nil, fmt.Errorf("%%%c needs a number, and this name is a string", r.verb)
		}
		return nil, fmt.Errorf("unsupported format character %q", r.verb)
	}
	return pad(r, []rune(s)), nil
}

// formatInt formats an integer value as Python's % does.
func formatInt(r ref, n int) ([]rune, error) {
	switch r.verb {
	case 's', 'r', 'a':
		return pad(r, []rune(strconv.Itoa(n))), nil
	case 'd', 'i', 'u', 'o', 'x', 'X':
	default:
		return nil, fmt.Errorf("unsupported format character %q", r.verb)
	}
	verb, flags := r.verb, r.flags
	switch verb {
	case 'i', 'u':
		verb = 'd'
	case 'o':
		// Python's %#o writes 0o17, which is Go's %O; Go's %#o writes 017.
		if strings.Contains(flags, "#") {
			verb, flags = 'O', strings.ReplaceAll(flags, "#", "")
		}
	}
	// Go ignores the '0' flag when there is a precision, Python does not:
	// the width is applied here.
	spec := "%" + strings.NewReplacer("0", "", "-", "").Replace(flags)
	if r.prec >= 0 {
		spec += "." + strconv.Itoa(r.prec)
	}
	s := fmt.Sprintf(spec+string(verb), n)
	if len(s) >= r.width {
		return []rune(s), nil
	}
	fill := strings.Repeat(" ", r.width-len(s))
	switch {
	case strings.Contains(flags, "-"):
		s += fill
	case strings.Contains(flags, "0"):
		// Zeros go after the sign and the 0x or 0o.
		head := 0
		if s[0] == '+' || s[0] == '-' || s[0] == ' ' {
			head = 1
		}
		if (verb == 'O' || strings.Contains(flags, "#")) && len(s) >= head+2 && s[head] == '0' && strings.IndexByte("xXoO", s[head+1]) >= 0 {
			head += 2
		}
		s = s[:head] + strings.Repeat("0", len(fill)) + s[head:]
	default:
		s = fill + s
	}
	return []rune(s), nil
}

// pad applies a string conversion's precision (the most characters kept)
// and width (spaces before, or after with '-').
func pad(r ref, s []rune) []rune {
	if r.prec >= 0 && len(s) > r.prec {
		s = s[:r.prec]
	}
	if r.width > len(s) {
		fill := []rune(strings.Repeat(" ", r.width-len(s)))
		if strings.Contains(r.flags, "-") {
			return append(s, fill...)
		}
		return append(fill, s...)
	}
	return s
}
