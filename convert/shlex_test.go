package convert

import (
	"slices"
	"testing"
)

// The expectations are what Python 3's shlex.split returns.
func TestSplitPosix(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "a b  c", want: []string{"a", "b", "c"}},
		{in: `a "b c" d`, want: []string{"a", "b c", "d"}},
		{in: `a 'b \" c'`, want: []string{"a", `b \" c`}},
		{in: `a "b \" c"`, want: []string{"a", `b " c`}},
		{in: `a "b \$ c"`, want: []string{"a", `b \$ c`}},
		{in: `a \$b`, want: []string{"a", "$b"}},
		{in: `a""b`, want: []string{"ab"}},
		{in: `"" x`, want: []string{"", "x"}},
		{in: "a\\\nb", want: []string{"a\nb"}},
		{in: `x "a\\b"`, want: []string{"x", `a\b`}},
		{in: `--x='1 2'`, want: []string{"--x=1 2"}},
		{in: "  ", want: nil},
		{in: "it's", err: "no closing quotation"},
		{in: `a \`, err: "no character after the final backslash"},
	} {
		got, err := splitPosix(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("splitPosix(%q) error = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("splitPosix(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// The expectations are what supervisord's dict_of_key_value_pairs returns.
func TestEnvPairs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // key, value, key, value...
	}{
		{`A=1,B=2`, []string{"A", "1", "B", "2"}},
		{`A="x,y",B='z'`, []string{"A", "x,y", "B", "z"}},
		{`A="a*b"`, []string{"A", "a*b"}},
		{`A=/usr/bin:/bin`, []string{"A", "/usr/bin:/bin"}},
		{`A=1;B=2`, []string{"A", "1", "B", "2"}},
		{`A=1,A=2,B=3`, []string{"A", "2", "B", "3"}},
		{`A=""`, []string{"A", ""}},
		{`K="it's"`, []string{"K", "it's"}},
		{`A=é`, []string{"A", "é"}},
		{`A=1,`, []string{"A", "1"}},
		{`A=-1.5`, []string{"A", "-1.5"}},
		{`"K"=v`, []string{`"K"`, "v"}},
		{`A=1 ,B=2`, []string{"A", "1", "B", "2"}},
		{"A=x\n#c\n,B=2", []string{"A", "x", "B", "2"}},
		{``, nil},
		{`A=1 B=2`, nil},
		{`A=a*b`, nil},
		{"A=x#c\nB=2", nil},
		{`A=ab"c,d"`, nil},
		{`A=1,B`, nil},
		{`A="x"y,B=1`, nil},
		{`A="x`, nil},
	} {
		pairs, err := envPairs([]rune(tc.in))
		var got []string
		for _, p := range pairs {
			got = append(got, string(p.key), string(p.val))
		}
		bad := tc.want == nil && tc.in != ""
		if bad != (err != nil) || !slices.Equal(got, tc.want) {
			t.Errorf("envPairs(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
