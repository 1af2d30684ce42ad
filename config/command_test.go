package config

import (
	"reflect"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{"  \t\n ", nil, ""},
		{"/bin/app", []string{"/bin/app"}, ""},
		{"  a   b\tc\nd  ", []string{"a", "b", "c", "d"}, ""},
		{`a 'b c' "d e"`, []string{"a", "b c", "d e"}, ""},
		{`'' ""`, []string{"", ""}, ""},
		{`a''b`, []string{"ab"}, ""},
		{`x"y"'z'`, []string{"xyz"}, ""},
		{`'a\b "c" $d'`, []string{`a\b "c" $d`}, ""},
		{`"a\"b\\c\$d\` + "`" + `e\nf"`, []string{`a"b\c$d` + "`" + `e\nf`}, ""},
		{`"it's"`, []string{"it's"}, ""},
		{`a\ b \'c\" \\`, []string{"a b", `'c"`, `\`}, ""},
		{"a\\\nb", []string{"ab"}, ""},
		{"\"a\\\nb\"", []string{"ab"}, ""},
		{`$HOME ${X} * ~ # ; | &&`, []string{"$HOME", "${X}", "*", "~", "#", ";", "|", "&&"}, ""},
		{`sh -c 'echo "$1"' --`, []string{"sh", "-c", `echo "$1"`, "--"}, ""},
		{`'abc`, nil, "unterminated single quote"},
		{`"abc`, nil, "unterminated double quote"},
		{`"abc\"`, nil, "unterminated double quote"},
		{`abc\`, nil, "trailing backslash"},
	} {
		got, err := SplitCommand(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("SplitCommand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
