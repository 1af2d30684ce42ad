package config

import (
	"reflect"
	"testing"
)

// prog is a program for ordering tests: "name:priority" and its deps.
func prog(name string, priority int, deps ...string) *Program {
	return &Program{Name: name, Priority: priority, DependsOn: deps}
}

func TestWaves(t *testing.T) {
	for _, tc := range []struct {
		name  string
		progs []*Program
		want  [][]string
	}{
		{"none", nil, nil},
		{"priorities", []*Program{prog("c", 999), prog("a", 10), prog("b", 999), prog("d", 5)},
			[][]string{{"d"}, {"a"}, {"b", "c"}}},
		{"chain", []*Program{prog("web", 999, "api"), prog("api", 999, "db"), prog("db", 999)},
			[][]string{{"db"}, {"api"}, {"web"}}},
		{"diamond", []*Program{prog("top", 1, "l", "r"), prog("l", 999, "base"), prog("r", 999, "base"), prog("base", 999)},
			[][]string{{"base"}, {"l", "r"}, {"top"}}},
		{"diamond with priorities", []*Program{prog("top", 1, "l", "r"), prog("l", 20, "base"), prog("r", 10, "base"), prog("base", 999)},
			[][]string{{"base"}, {"r"}, {"l"}, {"top"}}},
		{"free program with lower priority goes first", []*Program{prog("a", 100), prog("b", 50, "a"), prog("c", 70)},
			[][]string{{"c"}, {"a"}, {"b"}}},
		{"dependency beats priority", []*Program{prog("db", 999), prog("web", 1, "db"), prog("x", 500)},
			[][]string{{"x"}, {"db"}, {"web"}}},
		{"numprocs instances", []*Program{prog("web-0", 999), prog("web-1", 999), prog("front", 999, "web-0", "web-1")},
			[][]string{{"web-0", "web-1"}, {"front"}}},
		{"unknown dependency ignored", []*Program{prog("a", 1, "gone")}, [][]string{{"a"}}},
		{"cycle still terminates", []*Program{prog("a", 1, "b"), prog("b", 1, "a"), prog("c", 1)},
			[][]string{{"c"}, {"a", "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Waves(tc.progs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWavesFromConfig(t *testing.T) {
	src := `
[program.db]
command = "db"
priority = 10
[program.web]
command = "web"
numprocs = 2
depends_on = ["db"]
[program.proxy]
command = "proxy"
depends_on = ["web"]
[program.cron]
command = "cron"
priority = 999
`
	cfg, err := Parse("t.toml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"db"}, {"cron", "web-0", "web-1"}, {"proxy"}}
	if got := Waves(cfg.Programs); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCycles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph map[string][]string
		want  [][]string
	}{
		{"none", map[string][]string{"a": {"b"}, "b": nil}, nil},
		{"self", map[string][]string{"a": {"a"}}, [][]string{{"a", "a"}}},
		{"three", map[string][]string{"c": {"a"}, "a": {"b"}, "b": {"c"}}, [][]string{{"a", "b", "c", "a"}}},
		{"shortest from first", map[string][]string{"a": {"d", "b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [][]string{{"a", "d", "a"}}},
		{"two separate", map[string][]string{"a": {"b"}, "b": {"a"}, "x": {"y"}, "y": {"x"}, "z": {"a"}},
			[][]string{{"a", "b", "a"}, {"x", "y", "x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cycles(tc.graph); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCycleErrors(t *testing.T) {
	src := `
[program.a]
command = "a"
depends_on = ["b"]
[program.b]
command = "b"
depends_on = ["c"]
[program.c]
command = "c"
depends_on = ["a"]
[program.w]
command = "w"
numprocs = 2
depends_on = ["w-1"]
`
	_, err := Parse("tend.toml", []byte(src), noEnv)
	want := []string{
		"tend.toml:4: program.a.depends_on: dependency cycle a -> b -> c -> a",
		"tend.toml:14: program.w.depends_on: dependency cycle w -> w",
	}
	if got := problemLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", join2(got), join2(want))
	}
}
