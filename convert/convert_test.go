package convert

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tend/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.toml with what Convert makes of testdata/*.conf")

// testEnv is the environment the tests convert in.
var testEnv = map[string]string{
	"PATH":               "/usr/bin:/bin",
	"HOME":               "/root",
	"CELERY_CONCURRENCY": "4",
	"WEB_PORT":           "8080",
	"DB_PASSWORD":        "hunter2",
	"PRICE":              "$5 && up",
	"ENABLE_X":           "false",
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// testOptions converts as if on a host named testhost, with testEnv, and
// with testdata as the .conf files' directory.
func testOptions() Options {
	return Options{Here: "testdata", Env: lookup(testEnv), Hostname: "testhost"}
}

// convert converts conf, named test.conf, with testOptions.
func convert(t *testing.T, conf string) (string, error) {
	t.Helper()
	out, err := Convert(strings.NewReader(conf), "test.conf", testOptions())
	return string(out), err
}

// mustParse fails t unless tend's own loader accepts out.
func mustParse(t *testing.T, name, out string) {
	t.Helper()
	if _, err := config.Parse(name, []byte(out), lookup(testEnv)); err != nil {
		t.Errorf("config.Parse rejects the output:\n%v\n--- output:\n%s", err, out)
	}
}

// TestGolden converts each testdata/*.conf and compares the result with
// testdata/*.toml (go test -update rewrites those), and checks that tend's
// loader takes it.
func TestGolden(t *testing.T) {
	confs, err := filepath.Glob("testdata/*.conf")
	if err != nil || len(confs) == 0 {
		t.Fatalf("no testdata/*.conf: %v", err)
	}
	for _, conf := range confs {
		t.Run(filepath.Base(conf), func(t *testing.T) {
			src, err := os.ReadFile(conf)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Convert(bytes.NewReader(src), conf, testOptions())
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			golden := strings.TrimSuffix(conf, ".conf") + ".toml"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if diff := firstDiff(string(want), string(out)); diff != "" {
				t.Errorf("output differs from %s (go test -update rewrites it):\n%s", golden, diff)
			}
			// Every golden output loads as it is, shared log files included.
			mustParse(t, "test.toml", string(out))
		})
	}
}

// firstDiff describes the first line where got differs from want, or
// returns "".
func firstDiff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + wl + "\n  got: " + gl
		}
	}
	return "trailing difference"
}

// TestErrors checks that what supervisord would refuse is one error line
// naming the file and line.
func TestErrors(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"command=x\n", `test.conf:1: "command=x" comes before any [section]`},
		{"[program:a]\ncommand=x\nnonsense\n", `test.conf:3: want [section] or key = value, not "nonsense"`},
		{"[program:a]\nautostart=maybe\ncommand=x\n", `test.conf:2: [program:a] autostart: invalid boolean "maybe": use true or false`},
		{"[program:a]\n", `test.conf:1: [program:a] has no command`},
		{"[program:a b]\ncommand=x\n", `test.conf:1: [program:a b]: invalid program name "a b": supervisord allows no ' ', ':' or '/' in it`},
		{"[program:]\ncommand=x\n", `test.conf:1: [program:]: empty program name`},
		{"[program:a]\ncommand=x\nautorestart=sometimes\n", `test.conf:3: [program:a] autorestart: invalid value "sometimes": use true, false or unexpected`},
		{"[program:a]\ncommand=x\nexitcodes=0,256\n", `test.conf:3: [program:a] exitcodes: invalid exit status "256": want 0 to 255`},
		{"[program:a]\ncommand=x\npriority=high\n", `test.conf:3: [program:a] priority: invalid number "high"`},
		{"[program:a]\ncommand=x\nuser=no body\n", `test.conf:3: [program:a] user: "no body": tend wants a name, uid, name:group or uid:gid`},
		{"[program:a]\ncommand=x\numask=099\n", `test.conf:3: [program:a] umask: invalid number "099"`},
		{"[program:a]\ncommand=x\nstdout_logfile=/l\nstdout_logfile_maxbytes=1.5MB\n", `test.conf:4: [program:a] stdout_logfile_maxbytes: invalid size "1.5MB"`},
		{"[program:a]\ncommand=run %(nope)s\n", `test.conf:2: [program:a] command: %(nope)s: unknown name`},
		{"[program:a]\ncommand=run 100%\n", `test.conf:2: [program:a] command: a lone % in "%": write %% for a literal %`},
		{"[program:a]\ncommand=x\npriority=%(process_num)d\n", `test.conf:3: [program:a] priority: %(process_num)d: unknown name`},
		{"[program:a]\ncommand=run 'x\n", `test.conf:2: [program:a] command: no closing quotation`},
		{"[program:a]\ncommand= \"\" x\n", `test.conf:2: [program:a] command: empty program path`},
		{"[program:a]\ncommand=x\nnumprocs=2\n", `test.conf:3: [program:a] numprocs: more than 1 needs a process_name with %(process_num) in it`},
		{"[program:a]\ncommand=x\nnumprocs=2\nprocess_name=a\n", `test.conf:4: [program:a] process_name: with numprocs > 1 it must hold %(process_num)`},
		{"[program:a]\ncommand=x\nstopasgroup=true\nkillasgroup=false\n", `test.conf:4: [program:a] killasgroup: false with stopasgroup = true, which supervisord refuses`},
		{"[program:a]\ncommand=x\nenvironment=A=1 B=2\n", `test.conf:3: [program:a] environment: want KEY=value pairs separated by commas (quote values with spaces or other punctuation)`},
		{"[group:g]\nprograms=a,b\n[program:a]\ncommand=x\n", `test.conf:2: [group:g] programs: no [program:b] to put in it`},
		{"[supervisord]\nloglevel=loud\n", `test.conf:2: [supervisord] loglevel: invalid level "loud"`},
		{"[supervisord]\nenvironment=A=%(ENV_X)d\n", `test.conf:2: [supervisord] environment: %(ENV_X)d: %d needs a number, and this name is a string`},
		{"[unix_http_server]\nchmod=rw\n", `test.conf:2: [unix_http_server] chmod: invalid number "rw"`},
		{"[include]\n", `test.conf:1: [include] has no files key`},
	} {
		out, err := convert(t, tc.conf)
		var e *Error
		if !errors.As(err, &e) || err.Error() != tc.want {
			t.Errorf("Convert(%q) error = %v, want %s\n%s", tc.conf, err, tc.want, out)
		}
	}
}

// TestInclude reads [include] through fake files: globs relative to the
// main file's directory or absolute, sorted matches, %(here)s as each
// file's directory, a file that cannot be read noted and skipped, the main
// file never read twice.
func TestInclude(t *testing.T) {
	files := map[string]string{
		"/etc/sv/supervisord.conf": "[include]\nfiles = conf.d/*.conf /opt/*.ini *.conf\n",
		"/etc/sv/conf.d/b.conf":    "[program:b]\ncommand=b\n",
		"/etc/sv/conf.d/a.conf":    "[program:a]\ncommand=a %(here)s\n",
		"/opt/x.ini":               "[program:x]\ncommand=x\nautostart=false\n",
	}
	globs := map[string][]string{
		"/etc/sv/conf.d/*.conf": {"/etc/sv/conf.d/b.conf", "/etc/sv/conf.d/a.conf", "/etc/sv/conf.d/gone.conf"},
		"/opt/*.ini":            {"/opt/x.ini"},
		"/etc/sv/*.conf":        {"/etc/sv/supervisord.conf"},
	}
	opts := Options{
		Here:     "/etc/sv",
		Env:      lookup(nil),
		Hostname: "h",
		Glob:     func(p string) ([]string, error) { return globs[p], nil },
		ReadFile: func(name string) ([]byte, error) {
			if s, ok := files[name]; ok {
				return []byte(s), nil
			}
			return nil, &os.PathError{Op: "open", Path: name, Err: os.ErrNotExist}
		},
	}
	data, err := Convert(strings.NewReader(files["/etc/sv/supervisord.conf"]), "/etc/sv/supervisord.conf", opts)
	if err != nil {
		t.Fatal(err)
	}
	out := string(data)
	for _, want := range []string{
		"# inlined from [include]: conf.d/a.conf\n# inlined from [include]: conf.d/b.conf\n# not carried over: [include] /etc/sv/conf.d/gone.conf (cannot read it: file does not exist)\n# inlined from [include]: /opt/x.ini\n",
		"# from conf.d/a.conf\n[program.a]\ncommand = \"a /etc/sv/conf.d\"\n",
		"# from /opt/x.ini\n[program.x]\ncommand = \"x\"\nautostart = false\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	mustParse(t, "test.toml", out)

	opts.Glob = func(string) ([]string, error) { return nil, filepath.ErrBadPattern }
	_, err = Convert(strings.NewReader("[include]\nfiles = [z-a]\n"), "/etc/sv/supervisord.conf", opts)
	if want := `/etc/sv/supervisord.conf:2: [include] files: bad pattern "[z-a]"`; err == nil || err.Error() != want {
		t.Errorf("bad pattern: error = %v, want %s", err, want)
	}
}

// TestPyGlob checks that Python's glob patterns match in Go as in Python.
func TestPyGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		match         bool // as Python's fnmatch.fnmatch(name, pattern)
	}{
		{"*.conf", "a.conf", true},
		{"[!a]x", "bx", true},
		{"[!a]x", "ax", false},
		{"[^a]x", "^x", true},
		{"[^a]x", "bx", false},
		{`a\b`, `a\b`, true},
		{"a[", "a[", true},
		{"[]a]", "]", true},
		{"[-a]", "-", true},
		{"[a-]", "-", true},
		{"[a-c]", "b", true},
	} {
		got, err := filepath.Match(pyGlob(tc.pattern), tc.name)
		if err != nil || got != tc.match {
			t.Errorf("Match(pyGlob(%q) = %q, %q) = %v, %v; want %v", tc.pattern, pyGlob(tc.pattern), tc.name, got, err, tc.match)
		}
	}
}
