package config

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specExample is SPEC.md's annotated config, every key set.
const specExample = `[tend]
socket       = "/run/tend.sock"
socket_mode  = "0600"
socket_group = ""
log_level    = "info"
log_format   = "text"
shutdown_timeout = "9s"
include      = ["/nonexistent/tend.d/*.toml"]

[program.db]
command = "postgres -D /data"

[program.web]
command      = ["/app/web", "--port", "8080"]
type         = "longrun"
directory    = "/app"
user         = "app"
umask        = "022"
environment  = { PORT = "8080", URL = "http://${HOST}:$PORT" }
clear_env    = false
autostart    = true
autorestart  = "unexpected"
exitcodes    = [0]
startsecs    = 1
startretries = 3
backoff_max  = "30s"
stopsignal   = "TERM"
stopwaitsecs = 10
stopasgroup  = true
killasgroup  = true
priority     = 999
depends_on   = ["db"]
group        = "frontend"
required     = false
numprocs     = 1
ready        = "started"
ready_timeout  = "60s"
ready_interval = "1s"
health       = ""
health_interval = "10s"
health_timeout  = "5s"
health_retries  = 3
stdout_logfile = ""
stdout_logfile_maxbytes = "50MB"
stdout_logfile_backups  = 10
stderr_logfile = ""
stderr_logfile_maxbytes = "50MB"
stderr_logfile_backups  = 10
redirect_stderr = false
log_prefix   = true
log_timestamps = false
`

func TestSpecExample(t *testing.T) {
	cfg, err := Parse("tend.toml", []byte(specExample), mapEnv(map[string]string{"HOST": "example"}))
	if err != nil {
		t.Fatal(err)
	}
	web := cfg.Programs[1]
	if web.Name != "web" || web.Group != "frontend" || !slices.Equal(web.Env, []string{"PORT=8080", "URL=http://example:8080"}) {
		t.Errorf("web = %+v", web)
	}
}

// noGlob validates a pattern and matches nothing: fuzzed includes must not
// read the machine's files.
func noGlob(pattern string) ([]string, error) {
	_, err := filepath.Match(pattern, "")
	return nil, err
}

// round13 sets every key of issues 13 and 14.
const round13 = `[tend]
output_format = "json"
termination_log = "/dev/termination-log"
metrics_listen = "127.0.0.1:9100"
watch_config = true
[program.web]
command = "nginx"
stop_command = ["nginx", "-s", "quit"]
stop_delay = "5s"
reload_signal = "HUP"
listen = ["tcp:0.0.0.0:8080", "unix:/run/web.sock", "unix:@web"]
numprocs = 2
rolling = true
ready = "fd:5"
multiline = "^\\s"
output_format = "text"
`

func FuzzParse(f *testing.F) {
	for _, s := range []string{specExample, manyErrors, diffBase, diffNew, locateSrc, round13, "", "[program.a]\ncommand = \"a\"\nnumprocs = 3\n[program.b]\ncommand = [\"b\"]\ndepends_on = [\"a\", \"a-1\"]\n"} {
		f.Add([]byte(s))
	}
	env := mapEnv(map[string]string{"HOME": "/root", "PATH": "/bin"})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parse("fuzz.toml", data, env, noGlob)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("error %v (%T) is not an *Error with problems", err, err)
			}
			if cfg != nil {
				t.Fatal("config and error both returned")
			}
			for _, p := range e.Problems {
				if strings.ContainsAny(p.String(), "\n\r") {
					t.Fatalf("problem is not one line: %q", p.String())
				}
			}
			return
		}
		names := map[string]bool{}
		for i, p := range cfg.Programs {
			if len(p.Command) == 0 || p.Command[0] == "" {
				t.Fatalf("program %q has command %q", p.Name, p.Command)
			}
			if names[p.Name] || (i > 0 && cfg.Programs[i-1].Name >= p.Name) {
				t.Fatalf("names not unique and sorted at %q", p.Name)
			}
			names[p.Name] = true
		}
		started := map[string]bool{}
		for _, wave := range Waves(cfg.Programs) {
			for _, n := range wave {
				if started[n] || !names[n] {
					t.Fatalf("wave lists %q twice or unknown", n)
				}
			}
			for _, p := range cfg.Programs {
				if slices.Contains(wave, p.Name) {
					for _, d := range p.DependsOn {
						if !started[d] {
							t.Fatalf("%q starts before its dependency %q", p.Name, d)
						}
					}
				}
			}
			for _, n := range wave {
				started[n] = true
			}
		}
		if len(started) != len(names) {
			t.Fatalf("waves place %d of %d programs", len(started), len(names))
		}
		if d := Compare(cfg, cfg); !d.Empty() {
			t.Fatalf("Compare(cfg, cfg) = %+v", d)
		}
	})
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{"", "a b", `a 'b c' "d \"e\" \$f" g\ h`, "'", `"`, `\`, "a\\\nb", `"\z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := SplitCommand(s)
		if err != nil {
			return
		}
		// Quoting each word for sh and splitting again gives the words back.
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		again, err := SplitCommand(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(again, words) {
			t.Fatalf("round trip of %q: %q -> %q, %v", s, words, again, err)
		}
	})
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"", "$A", "${A}", "$$", "${", "${}", "a$", "$A_B${C}x$$"} {
		f.Add(s)
	}
	env := mapEnv(map[string]string{"A": "a", "B": "$B", "C": "${"})
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Expand(s, env)
		if !strings.Contains(s, "$") && (err != nil || got != s) {
			t.Fatalf("Expand(%q) = %q, %v; want it unchanged", s, got, err)
		}
		// $$ escapes every $.
		escaped := strings.ReplaceAll(s, "$", "$$")
		if got, err := Expand(escaped, env); err != nil || got != s {
			t.Fatalf("Expand(%q) = %q, %v; want %q", escaped, got, err, s)
		}
	})
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "50MB", "10 KB", "1GiB", "-1", "9999999999999999999GB", "b"} {
		f.Add(s, int64(0))
	}
	f.Add("", int64(-5))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if v, err := ParseSize(s); err == nil && v < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, v)
		}
		v, err := ParseSize(n)
		if (err == nil) != (n >= 0) || (err == nil && v != n) {
			t.Fatalf("ParseSize(%d) = %d, %v", n, v, err)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"0", "1s", "1m30s", "-1s", "10", "2562047h47m16.854775807s", ".s"} {
		f.Add(s, int64(1))
	}
	f.Add("", int64(-1))
	f.Fuzz(func(t *testing.T, s string, n int64) {
		if d, err := ParseDuration(s); err == nil && d < 0 {
			t.Fatalf("ParseDuration(%q) = %v", s, d)
		}
		d, err := ParseDuration(n)
		if err == nil && (d < 0 || d.Seconds() != float64(n) && int64(d.Seconds()) != n) {
			t.Fatalf("ParseDuration(%d) = %v", n, d)
		}
		if n < 0 && err == nil {
			t.Fatalf("ParseDuration(%d) accepted a negative", n)
		}
	})
}

// FuzzParseListen: a listen address parses to one that reads back the
// same, or is refused with a one-line error naming it.
func FuzzParseListen(f *testing.F) {
	for _, s := range []string{"tcp:0.0.0.0:8080", "tcp:[::1]:80", "unix:/run/a.sock", "unix:@x", "tcp:8080", "udp:1.2.3.4:5", "tcp::0", "unix:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseListen(s)
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\n\r") && !strings.ContainsAny(s, "\n\r") {
				t.Fatalf("error is not one line: %q", msg)
			}
			return
		}
		if l.String() != s {
			t.Fatalf("ParseListen(%q) = %q", s, l.String())
		}
		if l.Net == "tcp" {
			if err := checkHostPort(l.Addr); err != nil {
				t.Fatalf("accepted %q: %v", s, err)
			}
		}
	})
}
