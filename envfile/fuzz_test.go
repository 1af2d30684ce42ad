package envfile

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// quote writes v as a double-quoted value that Parse reads back as v.
func quote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`) // a CR before a newline would be read as CRLF
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var errShape = regexp.MustCompile(`^f\.env:[0-9]+: [^\n]+$`)

// FuzzParse checks that Parse never panics, that an error is one line
// with the file and a line number within the file, that every variable
// has a valid name, no NUL and a line within the file, and that writing
// the variables out again, double-quoted, reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"A=1\n", "export A=1 # c\n", "A='x\\'y'\n", "A=\"a\\nb\\\"c\"\n", "A=\"multi\nline\"\n",
		"# c\n\nA\n", "1A=x\n", "A=\"open\n", "A='x' y\n", "A= #\n", "A=#x\r\nB=2\r\n", "\uFEFFA=1",
		"A=\"\\\nb\"", "export\tHOME\n",
	} {
		f.Add([]byte(s))
	}
	lookup := func(string) (string, bool) { return "from env", true }
	f.Fuzz(func(t *testing.T, data []byte) {
		vars, err := Parse("f.env", data, lookup)
		lines := strings.Count(string(data), "\n") + 1
		if err != nil {
			if !errShape.MatchString(err.Error()) {
				t.Fatalf("bad error %q", err)
			}
			var n int
			_, rest, _ := strings.Cut(err.Error(), ":")
			for _, c := range rest {
				if c < '0' || c > '9' {
					break
				}
				n = n*10 + int(c-'0')
			}
			if n < 1 || n > lines {
				t.Fatalf("error line %d outside 1..%d: %v", n, lines, err)
			}
			return
		}
		var out strings.Builder
		for _, v := range vars {
			if !validName(v.Name) || strings.IndexByte(v.Value, 0) >= 0 || v.Line < 1 || v.Line > lines {
				t.Fatalf("bad var %#v", v)
			}
			out.WriteString(v.Name + "=" + quote(v.Value) + "\n")
		}
		again, err := Parse("f.env", []byte(out.String()), nil)
		if err != nil {
			t.Fatalf("reading back %q: %v", out.String(), err)
		}
		if len(again) != len(vars) {
			t.Fatalf("read back %d vars, want %d", len(again), len(vars))
		}
		for i := range vars {
			if again[i].Name != vars[i].Name || again[i].Value != vars[i].Value {
				t.Fatalf("read back %#v, want %#v", again[i], vars[i])
			}
		}
	})
}

// FuzzSecrets checks that Secrets never puts a file's content in an error.
func FuzzSecrets(f *testing.F) {
	f.Add("DB_PASSWORD_FILE", "/run/secrets/db", []byte("hunter2\n"), "DB_PASSWORD")
	f.Add("X_FILE", "/x", []byte("a\x00b"), "Y")
	f.Fuzz(func(t *testing.T, key, path string, content []byte, other string) {
		env := []string{key + "=" + path, other + "=set"}
		out, names, err := Secrets(env, func(string) ([]byte, error) { return content, nil })
		if err != nil {
			// Every error is one of two, built from names and the path.
			name := strings.TrimSuffix(key, "_FILE")
			if err.Error() != fmt.Sprintf("secret %s: %s is set too; set one or the other", key, name) &&
				err.Error() != fmt.Sprintf("secret %s: %q holds a NUL byte, which an environment cannot carry", key, path) {
				t.Fatalf("unexpected error: %v", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		// Each name Secrets reports set holds exactly what its file said,
		// but one line end.
		want := string(content)
		if w, ok := strings.CutSuffix(want, "\r\n"); ok {
			want = w
		} else {
			want = strings.TrimSuffix(want, "\n")
		}
		for _, kv := range out {
			k, v, _ := strings.Cut(kv, "=")
			if names[k] && v != want {
				t.Fatalf("%s = %q from a file holding %q", k, v, content)
			}
		}
	})
}
