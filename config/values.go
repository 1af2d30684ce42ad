package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// typeName names a decoded TOML value's type as TOML does.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case time.Time:
		return "datetime"
	case []any, []map[string]any:
		return "array"
	case map[string]any:
		return "table"
	}
	return fmt.Sprintf("%T", v)
}

// errType is a wrong-type error: "expected WANT, got TYPE".
func errType(want string, v any) error {
	return fmt.Errorf("expected %s, got %s", want, typeName(v))
}

// durationWant describes what a duration may be written as.
const durationWant = `a duration (integer seconds or a string like "1m30s")`

// ParseDuration reads a duration as TOML decodes it: an integer is seconds
// (supervisord's habit), a string is Go's duration syntax ("500ms",
// "1m30s"). Negative durations are errors.
func ParseDuration(v any) (time.Duration, error) {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return 0, fmt.Errorf("negative duration %d", v)
		}
		if v > int64(math.MaxInt64/time.Second) {
			return 0, fmt.Errorf("duration %d seconds is too long", v)
		}
		return time.Duration(v) * time.Second, nil
	case int:
		return ParseDuration(int64(v))
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			if _, nerr := strconv.ParseUint(strings.TrimSpace(v), 10, 64); nerr == nil {
				return 0, fmt.Errorf("invalid duration %q: a string needs a unit (write %s or \"%ss\")", v, strings.TrimSpace(v), strings.TrimSpace(v))
			}
			return 0, fmt.Errorf("invalid duration %q", v)
		}
		if d < 0 {
			return 0, fmt.Errorf("negative duration %q", v)
		}
		return d, nil
	}
	return 0, errType(durationWant, v)
}

// sizeUnits are the multipliers ParseSize knows, lowercased. KB, MB and GB
// are powers of 1024, as supervisord reads them.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1 << 10, "kib": 1 << 10,
	"mb": 1 << 20, "mib": 1 << 20,
	"gb": 1 << 30, "gib": 1 << 30,
}

// sizeWant describes what a size may be written as.
const sizeWant = `a size (integer bytes or a string like "50MB")`

// ParseSize reads a size as TOML decodes it: an integer is bytes; a string is
// a whole number, optionally followed by B, KB, MB, GB (powers of 1024, as
// supervisord) or KiB, MiB, GiB, in any case ("50MB", "10 KB", "1GiB",
// "512"). Negative sizes and sizes over 2^63-1 bytes are errors.
func ParseSize(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		if v < 0 {
			return 0, fmt.Errorf("negative size %d", v)
		}
		return v, nil
	case int:
		return ParseSize(int64(v))
	case string:
		s := strings.TrimSpace(v)
		end := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if end < 0 {
			end = len(s)
		}
		if end == 0 {
			if strings.HasPrefix(s, "-") {
				return 0, fmt.Errorf("negative size %q", v)
			}
			return 0, fmt.Errorf("invalid size %q", v)
		}
		unit := strings.ToLower(strings.TrimLeftFunc(s[end:], unicode.IsSpace))
		mult, ok := sizeUnits[unit]
		if !ok {
			return 0, fmt.Errorf("invalid size %q: unknown unit %q (use B, KB, MB, GB, KiB, MiB or GiB)", v, s[end:])
		}
		n, err := strconv.ParseInt(s[:end], 10, 64)
		if err != nil || n > math.MaxInt64/mult {
			return 0, fmt.Errorf("size %q is too large", v)
		}
		return n * mult, nil
	}
	return 0, errType(sizeWant, v)
}

// These are plain loops, not regexps: a package-level regexp is compiled
// at every start of tend, tini mode included, and costs it a millisecond.

// isName reports whether s is a program or group name: letters, digits,
// '_', '.' and '-'.
func isName(s string) bool {
	return s != "" && allOf(s, func(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' })
}

// isEnvName reports whether s is an environment variable name.
func isEnvName(s string) bool {
	return s != "" && !isDigit(s[0]) && allOf(s, func(c byte) bool { return isAlnum(c) || c == '_' })
}

// isUserName reports whether s is a user or group name as useradd(8)
// allows it, a little more leniently: letters, digits, '_', '.', '-', not
// starting with '-', with Samba's trailing '$'.
func isUserName(s string) bool {
	s = strings.TrimSuffix(s, "$")
	return s != "" && s[0] != '-' && isName(s)
}

// isBareKey reports whether TOML writes key k without quotes.
func isBareKey(k string) bool {
	return k != "" && allOf(k, func(c byte) bool { return isAlnum(c) || c == '_' || c == '-' })
}

func allOf(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// checkUser validates the form of a user key: name, uid, name:group or
// uid:gid. It looks nothing up: that happens when the program starts, in
// the image it runs in.
func checkUser(s string) error {
	user, group, hasGroup := strings.Cut(s, ":")
	if !idOrName(user) {
		return fmt.Errorf("invalid user %q: want name, uid, name:group or uid:gid", s)
	}
	if hasGroup && !idOrName(group) {
		return fmt.Errorf("invalid group in %q: want name, uid, name:group or uid:gid", s)
	}
	return nil
}

// idOrName reports whether s is a numeric id that fits a uid_t, or a name.
func idOrName(s string) bool {
	if s == "" {
		return false
	}
	if strings.Trim(s, "0123456789") == "" {
		_, err := strconv.ParseUint(s, 10, 32)
		return err == nil
	}
	return isUserName(s) && len(s) <= 256
}

// parseOctal reads a permission string such as "0600" or "022".
func parseOctal(v any) (int, error) {
	s, ok := v.(string)
	if !ok {
		return 0, errType(`an octal string like "022"`, v)
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "0o"), 8, 32)
	if err != nil || s == "" {
		return 0, fmt.Errorf("invalid octal mode %q", s)
	}
	if n > 0o777 {
		return 0, fmt.Errorf("mode %q out of range 0..0777", s)
	}
	return int(n), nil
}

// errNUL is returned for strings that cannot reach the kernel.
var errNUL = errors.New("contains a NUL byte")

// The rules for names, for other packages (tend convert) that must write
// what this package accepts: one home for each.

// IsName reports whether s may name a program or group.
func IsName(s string) bool { return isName(s) }

// IsEnvName reports whether s may be an environment table key, and the
// NAME of a ${NAME}.
func IsEnvName(s string) bool { return isEnvName(s) }

// IsUser reports whether s is a user key tend takes: name, uid,
// name:group or uid:gid.
func IsUser(s string) bool { return checkUser(s) == nil }
