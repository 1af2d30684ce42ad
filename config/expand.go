package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Expand replaces ${VAR} and $VAR in s with their values from env; an unset
// variable expands to "", and ${VAR:-default} to default when VAR is unset
// or empty, as in sh (the default is taken as it is, not expanded again).
// $$ is a literal $, and so is a $ followed by anything but a name or '{'.
// VAR is a letter or '_' then letters, digits and '_'. "${" without a
// closing "}" and ${} around anything else are errors. The caller
// supplies ${PROCESS_NUM} through env.
func Expand(s string, env func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				return "", fmt.Errorf("missing } after \"${\" in %q", s)
			}
			name := s[i+2 : i+2+end]
			name, def, hasDef := strings.Cut(name, ":-")
			if !isEnvName(name) {
				return "", fmt.Errorf("bad substitution ${%s} in %q", s[i+2:i+2+end], s)
			}
			v := lookup(env, name)
			if v == "" && hasDef {
				v = def // as sh: unset or empty takes the default
			}
			b.WriteString(v)
			i += 2 + end
		case isNameStart(next):
			j := i + 2
			for j < len(s) && isNameByte(s[j]) {
				j++
			}
			b.WriteString(lookup(env, s[i+1:j]))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// lookup returns name's value, "" when it is unset or env is nil.
func lookup(env func(string) (string, bool), name string) string {
	if env == nil {
		return ""
	}
	v, _ := env(name)
	return v
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameByte(c byte) bool {
	return isNameStart(c) || (c >= '0' && c <= '9')
}

// processNumVar is the one variable expanded in commands, directories, log
// paths and checks.
const processNumVar = "${PROCESS_NUM}"

// expandProcessNum replaces ${PROCESS_NUM} and nothing else: a command such
// as ["sh", "-c", "echo $HOME"] must reach the program as written.
func expandProcessNum(s string, n int) string {
	return strings.ReplaceAll(s, processNumVar, strconv.Itoa(n))
}
