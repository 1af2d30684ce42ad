package control

import (
	"reflect"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"status", "status web db\r\n", "START web", "signal TERM web", "signal RTMIN+3 a",
		"signal 99 web", "pid", "tail web 10", "tail web 0", "wait web db 1m30s", "wait web -5s",
		"wait 5s", "wait web 9999999999999999999", "wait a .5s", "wait a 1.2.3s", "events",
		"rstart", "", " \t", "s\u0130gnal TERM web", "help\x00", "status \xff",
	} {
		f.Add(s)
	}
	known := map[string]bool{}
	for _, c := range commands {
		known[c.name] = true
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := Parse(line)
		if err != nil {
			if err.Error() == "" || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q): error %q is not one line", line, err)
			}
			return
		}
		if !known[r.Cmd] {
			t.Fatalf("Parse(%q).Cmd = %q, not a known command", line, r.Cmd)
		}
		for _, a := range r.Args {
			if a == "" || strings.ContainsAny(a, " \t") {
				t.Fatalf("Parse(%q).Args = %q: an empty or split word", line, r.Args)
			}
		}
		if r.Args != nil && len(r.Args) == 0 {
			t.Fatalf("Parse(%q).Args is empty but not nil", line)
		}
		for _, a := range r.Targets {
			if a == "" {
				t.Fatalf("Parse(%q).Targets = %q: an empty target", line, r.Targets)
			}
		}
		if r.Lines < 0 || r.Timeout < 0 {
			t.Fatalf("Parse(%q) = %+v: negative count or timeout", line, r)
		}
		// The words, joined again, read the same.
		again, err := Parse(strings.Join(append([]string{r.Cmd}, r.Args...), " "))
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("Parse(%q) = %+v, but its words read %+v, %v", line, r, again, err)
		}
	})
}
