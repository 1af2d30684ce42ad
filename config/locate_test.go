package config

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

const locateSrc = `# comment [not.a.table]
top = 1 # trailing
[program.web]   # header comment
command = ["a", # comment inside
  "b]",
  'c#',
]
"quoted.key" = """
multi [x] = 1
line"""
environment = { A = "1", "B.C" = '2' }
env2 = {
  X = { Y = 1 },  # TOML 1.1
  Z = 2,
}
lit = '''
'''
  [ program . "a b" ]
  key="v\"=still string"
  dotted.deep.key = 3
[program.'lit\key']
x = 1
[[arr]]
y = 2
"esc\u0041" = 1
`

func TestLocate(t *testing.T) {
	var m map[string]any
	if _, err := toml.Decode(locateSrc, &m); err != nil {
		t.Fatalf("test input is not TOML: %v", err)
	}
	loc := locate(locateSrc)
	for _, tc := range []struct {
		key  string // parts separated by '|'
		want int
	}{
		{"top", 2},
		{"program", 3},
		{"program|web", 3},
		{"program|web|command", 4},
		{"program|web|quoted.key", 8},
		{"program|web|environment", 11},
		{"program|web|environment|A", 11},
		{"program|web|environment|B.C", 11},
		{"program|web|env2", 12},
		{"program|web|env2|X", 13},
		{"program|web|env2|X|Y", 13},
		{"program|web|env2|Z", 14},
		{"program|web|lit", 16},
		{"program|a b", 18},
		{"program|a b|key", 19},
		{"program|a b|dotted", 20},
		{"program|a b|dotted|deep|key", 20},
		{`program|lit\key`, 21},
		{`program|lit\key|x`, 22},
		{"arr|y", 24},
		{"arr|escA", 25},
		// Not defined: the nearest ancestor's line, else 0.
		{"program|web|missing", 3},
		{"program|a b|dotted|other", 20},
		{"nothing", 0},
	} {
		if got := loc.line(strings.Split(tc.key, "|")); got != tc.want {
			t.Errorf("line(%s) = %d, want %d", tc.key, got, tc.want)
		}
	}
	var nilLoc *locator
	if got := nilLoc.line([]string{"x"}); got != 0 {
		t.Errorf("nil locator: %d", got)
	}
}

func TestLocateGarbage(t *testing.T) {
	// Not TOML: the locator must only terminate.
	for _, src := range []string{"[", "[[", "a", "a =", "a = [", "a = {", `a = "`, `a = """`, "a = '''", "= = =", "\"", "{", "a = [1,,2", "a = {b", "a.=1", "\\"} {
		locate(src)
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		`plain`: "plain", `a\tb`: "a\tb", `\u00e9`: "é", `\U0001F600`: "😀", `\x41`: "A",
		`\e`: "\x1b", `\"\\`: `"\`, `\q`: `\q`, `\u12`: `\u12`, `\`: `\`, `\uD800`: `\uD800`,
	} {
		if got := unescape(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
