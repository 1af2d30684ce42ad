package config

import "testing"

func TestExpand(t *testing.T) {
	env := mapEnv(map[string]string{"HOME": "/root", "X": "x", "X_1": "x1", "EMPTY": "", "PROCESS_NUM": "3"})
	for _, tc := range []struct {
		in, want, err string
	}{
		{"", "", ""},
		{"plain", "plain", ""},
		{"$HOME/bin", "/root/bin", ""},
		{"${HOME}bin", "/rootbin", ""},
		{"$X_1.$X", "x1.x", ""},
		{"${X}_1", "x_1", ""},
		{"$UNSET|${UNSET}|$EMPTY", "||", ""},
		{"$$HOME", "$HOME", ""},
		{"$$$X", "$x", ""},
		{"cost: 5$", "cost: 5$", ""},
		{"$1 $- $ x", "$1 $- $ x", ""},
		{"n${PROCESS_NUM}", "n3", ""},
		{"${HOME", "", `missing } after "${" in "${HOME"`},
		{"${}", "", `bad substitution ${} in "${}"`},
		{"${X:-d}", "x", ""},
		{"${UNSET:-d}|${EMPTY:-e}|${UNSET:-}", "d|e|", ""},
		{"${X:d}", "", `bad substitution ${X:d} in "${X:d}"`},
		{"${:-d}", "", `bad substitution ${:-d} in "${:-d}"`},
		{"${1}", "", `bad substitution ${1} in "${1}"`},
	} {
		got, err := Expand(tc.in, env)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("Expand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if got, err := Expand("a$X", nil); err != nil || got != "a" {
		t.Errorf("Expand with nil env = %q, %v", got, err)
	}
}

func TestExpandProcessNum(t *testing.T) {
	for in, want := range map[string]string{
		"/log/${PROCESS_NUM}.log":      "/log/7.log",
		"$PROCESS_NUM $HOME $$":        "$PROCESS_NUM $HOME $$",
		"${PROCESS_NUM}${PROCESS_NUM}": "77",
	} {
		if got := expandProcessNum(in, 7); got != want {
			t.Errorf("expandProcessNum(%q) = %q, want %q", in, got, want)
		}
	}
}
