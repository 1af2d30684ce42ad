package config

import (
	"reflect"
	"testing"
)

// manyErrors has a problem on most lines; every one must be reported, in
// order, with its line.
const manyErrors = `# tend.toml with many mistakes
[tend]
log_level = "loud"
colour = "blue"

[program.web]
command = "/app/web"
colour = "red"
stopsignal = "TERMINATE"
startsecs = true
environment = { GOOD = "1", "bad-name" = "x",
  PORT = 8080 }
exitcodes = [
  0,
  300,
]
depends_on = ["db", "nowhere"]

[program.db]
# no command
depends_on = ["cache"]
ready = "fd:1"
  [program.db.extra]
  x = 1

[program."bad name"]
command = "x"

[program.cache]
command = ["cache"]
depends_on = ["web"]
program.cache.x = 1

[unknown]
key = 1
`

func TestManyErrors(t *testing.T) {
	_, err := Parse("tend.toml", []byte(manyErrors), noEnv)
	got := problemLines(t, err)
	want := []string{
		`tend.toml:3: tend.log_level: invalid value "loud": want "debug", "info", "warn" or "error"`,
		`tend.toml:4: tend.colour: unknown key`,
		`tend.toml:8: program.web.colour: unknown key`,
		`tend.toml:9: program.web.stopsignal: unknown signal "TERMINATE"`,
		`tend.toml:10: program.web.startsecs: expected a duration (integer seconds or a string like "1m30s"), got boolean`,
		`tend.toml:11: program.web.environment.bad-name: invalid variable name "bad-name": use letters, digits and '_', not starting with a digit`,
		`tend.toml:12: program.web.environment.PORT: expected a string, got integer`,
		`tend.toml:13: program.web.exitcodes: element 1: exit status 300 is out of range 0..255`,
		`tend.toml:17: program.web.depends_on: unknown program "nowhere"`,
		`tend.toml:19: program.db.command: missing: every program needs a command`,
		`tend.toml:22: program.db.ready: invalid check "fd:1": want fd:N with N a descriptor number of at least 3`,
		`tend.toml:23: program.db.extra: unknown key`,
		`tend.toml:26: program."bad name": invalid program name "bad name": use letters, digits, '_', '.' and '-'`,
		`tend.toml:31: program.cache.depends_on: dependency cycle cache -> web -> db -> cache`,
		`tend.toml:32: program.cache.program: unknown key`,
		`tend.toml:34: unknown: unknown key`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", join2(got), join2(want))
	}
}

func join2(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "\t" + l + "\n"
	}
	return s
}

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{"a.toml", 3, "program.x.y", "bad"}, "a.toml:3: program.x.y: bad"},
		{Problem{"a.toml", 0, "program.x.y", "bad"}, "a.toml: program.x.y: bad"},
		{Problem{"a.toml", 4, "", "syntax"}, "a.toml:4: syntax"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v: got %q, want %q", tc.p, got, tc.want)
		}
	}
	e := &Error{Problems: []Problem{{"a", 1, "k", "x"}, {"b", 2, "", "y"}}}
	if got, want := e.Error(), "a:1: k: x\nb:2: y"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"reserved all", "[program.all]\ncommand = \"x\"\n",
			[]string{`t.toml:1: program.all: invalid program name "all": the control socket uses it for every program`}},
		{"dots are fine", "[program.\"a.b\"]\ncommand = \"x\"\n", nil},
		{"instance collision", "[program.web]\ncommand = \"x\"\nnumprocs = 3\n\n[program.web-1]\ncommand = \"y\"\n",
			[]string{`t.toml:5: program.web-1: name "web-1" is also an instance of program.web (numprocs = 3)`}},
		{"program not a table", "[program]\nweb = \"x\"\n",
			[]string{`t.toml:2: program.web: expected a table, got string`}},
		{"shared log file", "[program.a]\ncommand = \"x\"\nstdout_logfile = \"/l/x.log\"\n[program.b]\ncommand = \"x\"\nstderr_logfile = \"/l/./x.log\"\n", nil},
		{"shared log file, other sizes", "[program.a]\ncommand = \"x\"\nstdout_logfile = \"/l/x.log\"\n[program.b]\ncommand = \"x\"\nstderr_logfile = \"/l/./x.log\"\nstderr_logfile_backups = 2\n",
			[]string{`t.toml:6: program.b.stderr_logfile: "/l/./x.log" is also the stdout_logfile of program a, with other maxbytes or backups: a shared file rotates by one rule; give both the same`}},
		{"stdout and stderr one file", "[program.a]\ncommand = \"x\"\nstdout_logfile = \"/l/x.log\"\nstderr_logfile = \"/l/x.log\"\n", nil},
		{"redirect_stderr ignores stderr_logfile", "[program.a]\ncommand = \"x\"\nstdout_logfile = \"/l/x.log\"\nstderr_logfile = \"/l/x.log\"\nredirect_stderr = true\n", nil},
		{"numprocs instances may share a log file", "[program.a]\ncommand = \"x\"\nnumprocs = 2\nstdout_logfile = \"/l/x.log\"\nstderr_logfile = \"NONE\"\n", nil},
		{"numprocs log paths", "[program.a]\ncommand = \"x\"\nnumprocs = 2\nstdout_logfile = \"/l/x-${PROCESS_NUM}.log\"\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.toml", []byte(tc.src), noEnv)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := problemLines(t, err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got:\n%s\nwant:\n%s", join2(got), join2(tc.want))
			}
		})
	}
}

func TestNumProcs(t *testing.T) {
	src := `
[program.web]
command = "/app/web --port 80${PROCESS_NUM}"
numprocs = 3
environment = { N = "${PROCESS_NUM}" }
stdout_logfile = "/log/web-${PROCESS_NUM}.log"
ready = "tcp:127.0.0.1:80${PROCESS_NUM}"

[program.grouped]
command = "g"
numprocs = 2
group = "mine"

[program.front]
command = "f"
depends_on = ["web", "grouped-1", "web"]
`
	cfg, err := Parse("t.toml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range cfg.Programs {
		names = append(names, p.Name)
	}
	if want := []string{"front", "grouped-0", "grouped-1", "web-0", "web-1", "web-2"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("names %q, want %q", names, want)
	}
	front, g1, w2 := cfg.Programs[0], cfg.Programs[2], cfg.Programs[5]
	if want := []string{"grouped-1", "web-0", "web-1", "web-2"}; !reflect.DeepEqual(front.DependsOn, want) {
		t.Errorf("front.DependsOn = %q, want %q", front.DependsOn, want)
	}
	if front.Group != "" || front.ProcessNum != 0 {
		t.Errorf("front: Group %q ProcessNum %d", front.Group, front.ProcessNum)
	}
	if g1.Group != "mine" || g1.Base != "grouped" || g1.ProcessNum != 1 {
		t.Errorf("grouped-1: Group %q Base %q ProcessNum %d", g1.Group, g1.Base, g1.ProcessNum)
	}
	got := []any{w2.Group, w2.Base, w2.ProcessNum, w2.NumProcs, w2.Command, w2.Env, w2.Stdout.Path, w2.Ready.Addr}
	want := []any{"web", "web", 2, 3, []string{"/app/web", "--port", "802"}, []string{"N=2"}, "/log/web-2.log", "127.0.0.1:802"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("web-2:\n got %v\nwant %v", got, want)
	}
}

func TestNumProcsBadCheck(t *testing.T) {
	src := "[program.w]\ncommand = \"w\"\nnumprocs = 12\nready = \"tcp:localhost:6553${PROCESS_NUM}\"\nstdout_logfile = \"NONE\"\n"
	_, err := Parse("t.toml", []byte(src), noEnv)
	want := []string{`t.toml:4: program.w.ready: invalid check "tcp:localhost:65536": port "65536" is not a number in 1..65535`}
	if got := problemLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", join2(got), join2(want))
	}
}
