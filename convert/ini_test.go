package convert

import (
	"errors"
	"maps"
	"testing"
)

// sections returns d as section -> key -> value, [DEFAULT] included when
// it has keys.
func sections(d *document) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range append(d.sections, d.defaults) {
		if s == d.defaults && len(s.keys) == 0 {
			continue
		}
		m := map[string]string{}
		for k, v := range s.vals {
			m[k] = v.text
		}
		out[s.name] = m
	}
	return out
}

// The expectations are what Python 3's configparser, configured as
// supervisord configures it, reads from the same text.
func TestRead(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]map[string]string
	}{
		{"[a]\nk = v ; c\nk2=v;nc\nk3 = x #c\nk4=a#b\n", map[string]map[string]string{"a": {"k": "v", "k2": "v;nc", "k3": "x", "k4": "a#b"}}},
		{"[a]\ncommand=/bin/foo\n  --bar\n\n  --baz\n\n\nother=1\n", map[string]map[string]string{"a": {"command": "/bin/foo\n--bar\n\n--baz", "other": "1"}}},
		{"[a]\nk=1\n  ; comment in value\n  more\n", map[string]map[string]string{"a": {"k": "1\nmore"}}},
		{"[a]\nKey : Val\nx=y=z\ny:z=w\n", map[string]map[string]string{"a": {"key": "Val", "x": "y=z", "y": "z=w"}}},
		{"[a]\nk=v\n[a]\nk2=v2\n[b] trailing\nq=1\n", map[string]map[string]string{"a": {"k": "v", "k2": "v2"}, "b": {"q": "1"}}},
		{"[DEFAULT]\nd=1\n[a]\nk=%%x\n", map[string]map[string]string{"a": {"k": "%%x"}, "DEFAULT": {"d": "1"}}},
		{"[a]\nk=x;y #z ;w\n", map[string]map[string]string{"a": {"k": "x;y"}}},
		{"[a]\nk=a\t;b\n", map[string]map[string]string{"a": {"k": "a"}}},
		{"[a]\n  indented=1\n    cont\n", map[string]map[string]string{"a": {"indented": "1\ncont"}}},
		{"[a]\nk=1\n   [b]\n", map[string]map[string]string{"a": {"k": "1\n[b]"}}},
		{"[a]\r\nk=1\r\n  c\r\n", map[string]map[string]string{"a": {"k": "1\nc"}}},
		{"[a]]x]\nk=1\n", map[string]map[string]string{"a]]x": {"k": "1"}}},
		{"[a]\nk = ab #x; y\n", map[string]map[string]string{"a": {"k": "ab"}}},
		{"[a]\nk=x #a;b ;c\n", map[string]map[string]string{"a": {"k": "x"}}},
		// configparser looks for the next ';' and the next '#' in rounds,
		// and stops at the first round that finds a comment.
		{"[a]\nk=p#q #r ;s\n", map[string]map[string]string{"a": {"k": "p#q #r"}}},
		{"\ufeff[a]\nk=1\n", map[string]map[string]string{"a": {"k": "1"}}},
		{"[a]\nk=1\nk=2\n", map[string]map[string]string{"a": {"k": "2"}}},
	} {
		d := newDocument()
		if _, err := d.read("f.conf", "/h", tc.in); err != nil {
			t.Errorf("read(%q): %v", tc.in, err)
			continue
		}
		if got := sections(d); !maps.EqualFunc(got, tc.want, maps.Equal) {
			t.Errorf("read(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"k=1\n", `f.conf:1: "k=1" comes before any [section]`},
		{"; c\n\n[a]\nk=1\njunk\n", `f.conf:5: want [section] or key = value, not "junk"`},
		{"[a]\n=x\n", `f.conf:2: no key before the '=' in "=x"`},
		{"[]\n", `f.conf:1: "[]" comes before any [section]`},
		{"[a]\nk=\xff\n", "f.conf:2: not valid UTF-8"},
		{"[a]\nk=\x00\n", "f.conf:2: contains a NUL byte"},
	} {
		_, err := newDocument().read("f.conf", "/h", tc.in)
		var e *Error
		if !errors.As(err, &e) || err.Error() != tc.want {
			t.Errorf("read(%q) error = %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestCommentStart(t *testing.T) {
	for _, tc := range []struct {
		line string
		want int
	}{
		{"k=v", -1},
		{"k=v ;c", 4},
		{"k=v;c", -1},
		{"  # c", 0},
		{"k=a#b #c", 6},
		{"k=a\u00a0;c", 5}, // a no-break space is a blank to Python
	} {
		if got := commentStart(tc.line); got != tc.want {
			t.Errorf("commentStart(%q) = %d, want %d", tc.line, got, tc.want)
		}
	}
}

func TestSectionHeader(t *testing.T) {
	for in, want := range map[string]string{"[a]": "a", "[a]b]": "a]b", "[a] x": "a", "[]]": "]", "[]": "", "x": "", "[a": ""} {
		got, ok := sectionHeader(in)
		if got != want || ok != (want != "") {
			t.Errorf("sectionHeader(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
