package config

import (
	"fmt"
	"slices"
	"time"
)

// The loader's typed readers: each returns the value and whether it was
// valid, having recorded a problem when it was not.

// str returns v as a string; strings with NUL bytes cannot reach the kernel
// and are refused.
func (l *loader) str(f *file, path []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		l.fail(f, path, errType("a string", v))
		return "", false
	}
	if containsNUL(s) {
		l.fail(f, path, errNUL)
		return "", false
	}
	return s, true
}

// oneOf returns v as a string that must be one of choices.
func (l *loader) oneOf(f *file, path []string, v any, choices ...string) (string, bool) {
	s, ok := l.str(f, path, v)
	if !ok {
		return "", false
	}
	if !slices.Contains(choices, s) {
		l.errorf(f, path, "invalid value %q: want %s", s, orList(choices))
		return "", false
	}
	return s, true
}

// orList writes choices as `"a", "b" or "c"`.
func orList(choices []string) string {
	s := ""
	for i, c := range choices {
		switch {
		case i == 0:
		case i == len(choices)-1:
			s += " or "
		default:
			s += ", "
		}
		s += fmt.Sprintf("%q", c)
	}
	return s
}

// boolean returns v as a boolean.
func (l *loader) boolean(f *file, path []string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		l.fail(f, path, errType("a boolean", v))
	}
	return b, ok
}

// integer returns v as an integer in lo..hi.
func (l *loader) integer(f *file, path []string, v any, lo, hi int64) (int, bool) {
	n, ok := v.(int64)
	if !ok {
		l.fail(f, path, errType("an integer", v))
		return 0, false
	}
	if n < lo || n > hi {
		l.errorf(f, path, "%d is out of range %d..%d", n, lo, hi)
		return 0, false
	}
	return int(n), true
}

// duration returns v as a duration, which must be above 0 if positive.
func (l *loader) duration(f *file, path []string, v any, positive bool) (time.Duration, bool) {
	d, err := ParseDuration(v)
	if err != nil {
		l.fail(f, path, err)
		return 0, false
	}
	if positive && d <= 0 {
		l.errorf(f, path, "must be more than 0")
		return 0, false
	}
	return d, true
}

// strs returns v as an array of strings.
func (l *loader) strs(f *file, path []string, v any) ([]string, bool) {
	a, ok := v.([]any)
	if !ok {
		l.fail(f, path, errType("an array of strings", v))
		return nil, false
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			l.errorf(f, path, "element %d: %v", i, errType("a string", e))
			return nil, false
		}
		if containsNUL(s) {
			l.errorf(f, path, "element %d: %v", i, errNUL)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// containsNUL reports whether s has a NUL byte.
func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

// setBool, setString, setInt, setDuration and setSize store a valid value
// in dst and leave it alone otherwise, so that the default stays.
func (l *loader) setBool(f *file, path []string, v any, dst *bool) {
	if b, ok := l.boolean(f, path, v); ok {
		*dst = b
	}
}

func (l *loader) setString(f *file, path []string, v any, dst *string) {
	if s, ok := l.str(f, path, v); ok {
		*dst = s
	}
}

func (l *loader) setInt(f *file, path []string, v any, lo, hi int64, dst *int) {
	if n, ok := l.integer(f, path, v, lo, hi); ok {
		*dst = n
	}
}

func (l *loader) setDuration(f *file, path []string, v any, positive bool, dst *time.Duration) {
	if d, ok := l.duration(f, path, v, positive); ok {
		*dst = d
	}
}

func (l *loader) setSize(f *file, path []string, v any, dst *int64) {
	if n, err := ParseSize(v); err != nil {
		l.fail(f, path, err)
	} else {
		*dst = n
	}
}
