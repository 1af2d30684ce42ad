package convert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isPySpace reports whether Python's str.isspace() holds for r: Go's
// unicode.IsSpace, and the four separators U+001C..U+001F that Python counts
// as blanks too. configparser strips and indents by this test.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// trimPy strips blanks as Python's str.strip() does.
func trimPy(s string) string { return strings.TrimFunc(s, isPySpace) }

// pyInt reads an integer as Python's int(s) does, which is how supervisord
// reads every number: blanks around it, an optional sign, decimal digits with
// single underscores between them ("1_000").
func pyInt(s string) (int64, error) {
	return pyIntBase(s, 10, "")
}

// pyOctal reads a mode as supervisord's octal_type, int(s, 8): "022",
// "0o22" and "0022" are all 18.
func pyOctal(s string) (int64, error) {
	return pyIntBase(s, 8, "0o")
}

// pyIntBase is int(s, base), allowing prefix ("0o" for base 8, any case)
// after the sign.
func pyIntBase(s string, base int, prefix string) (int64, error) {
	t := trimPy(s)
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	if prefix != "" && len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
		// Python allows one underscore right after the prefix: 0o_17.
		t = strings.TrimPrefix(t[len(prefix):], "_")
	}
	digits, ok := stripUnderscores(t)
	if !ok {
		return 0, fmt.Errorf("invalid number %q", s)
	}
	n, err := strconv.ParseInt(digits, base, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("number %q is out of range", s)
		}
		return 0, fmt.Errorf("invalid number %q", s)
	}
	if neg {
		n = -n
	}
	return n, nil
}

// stripUnderscores removes the underscores Python allows between digits,
// and reports false for a leading, trailing or doubled one, or for "".
func stripUnderscores(t string) (string, bool) {
	if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
		return "", false
	}
	return strings.ReplaceAll(t, "_", ""), true
}

// pyBool reads a boolean as supervisord's boolean(): yes, true, on, 1 or
// no, false, off, 0, in any case.
func pyBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q: use true or false", s)
}

// byteSize reads a size as supervisord's byte_size: a number, or a number
// ending in KB, MB or GB (powers of 1024) in any case.
func byteSize(s string) (int64, error) {
	v := strings.ToLower(s)
	mult := int64(1)
	switch lastRunes(v, 2) {
	case "kb":
		mult = 1 << 10
	case "mb":
		mult = 1 << 20
	case "gb":
		mult = 1 << 30
	}
	if mult > 1 {
		v = v[:len(v)-2]
	}
	n, err := pyInt(v)
	if err != nil {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	if n > math.MaxInt64/mult || n < math.MinInt64/mult {
		return 0, fmt.Errorf("size %q is out of range", s)
	}
	return n * mult, nil
}

// lastRunes returns the last n characters of s, or all of s, as Python's
// s[-n:] does.
func lastRunes(s string, n int) string {
	i := len(s)
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

// listOfStrings splits as supervisord's list_of_strings: on commas, each
// part stripped; "" is the empty list.
func listOfStrings(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = trimPy(p)
	}
	return parts
}

func isNameByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '.' || c == '-'
}

func isAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}
