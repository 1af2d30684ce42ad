package config

import (
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestProgramKeys(t *testing.T) {
	type get = func(*Program) any
	var (
		command     get = func(p *Program) any { return p.Command }
		env         get = func(p *Program) any { return p.Env }
		autorestart get = func(p *Program) any { return p.Autorestart }
		ready       get = func(p *Program) any { return checkString(p.Ready) }
		health      get = func(p *Program) any { return checkString(p.Health) }
	)
	for _, tc := range []struct {
		line string
		get  get
		want any    // when err is ""
		err  string // the one problem, on line 3
	}{
		{`command = "/bin/sh -c 'echo \"hi\"; exit 3'"`, command, []string{"/bin/sh", "-c", `echo "hi"; exit 3`}, ""},
		{`command = ["a", "b c"]`, command, []string{"a", "b c"}, ""},
		{`command = "run ${PROCESS_NUM} $HOME"`, command, []string{"run", "0", "$HOME"}, ""},
		{`command = ""`, nil, nil, `program.p.command: empty command`},
		{`command = "  "`, nil, nil, `program.p.command: empty command`},
		{`command = []`, nil, nil, `program.p.command: empty command`},
		{`command = ["", "x"]`, nil, nil, `program.p.command: empty program path`},
		{`command = ["a", 1]`, nil, nil, `program.p.command: element 1: expected a string, got integer`},
		{`command = "it's"`, nil, nil, `program.p.command: unterminated single quote`},
		{`command = "a\u0000b"`, nil, nil, `program.p.command: contains a NUL byte`},
		{`command = 7`, nil, nil, `program.p.command: expected an array of strings or a string, got integer`},

		{`type = "oneshot"`, func(p *Program) any { return p.Type }, "oneshot", ""},
		{`type = "daemon"`, nil, nil, `program.p.type: invalid value "daemon": want "longrun", "oneshot" or "eventlistener"`},
		{`directory = "/srv/${PROCESS_NUM}"`, func(p *Program) any { return p.Directory }, "/srv/0", ""},
		{`directory = false`, nil, nil, `program.p.directory: expected a string, got boolean`},

		{`user = "app"`, func(p *Program) any { return p.User }, "app", ""},
		{`user = "1000:1000"`, func(p *Program) any { return p.User }, "1000:1000", ""},
		{`user = "app:staff"`, func(p *Program) any { return p.User }, "app:staff", ""},
		{`user = "app:"`, nil, nil, `program.p.user: invalid group in "app:": want name, uid, name:group or uid:gid`},
		{`user = "a b"`, nil, nil, `program.p.user: invalid user "a b": want name, uid, name:group or uid:gid`},
		{`user = "99999999999"`, nil, nil, `program.p.user: invalid user "99999999999": want name, uid, name:group or uid:gid`},
		{`umask = "022"`, func(p *Program) any { return p.Umask }, 0o22, ""},
		{`umask = "0"`, func(p *Program) any { return p.Umask }, 0, ""},
		{`umask = 22`, nil, nil, `program.p.umask: expected an octal string like "022", got integer`},
		{`umask = "8"`, nil, nil, `program.p.umask: invalid octal mode "8"`},

		{`environment = { B = "2", A = "x$$y" }`, env, []string{"A=x$y", "B=2"}, ""},
		{`environment = { N = "n${PROCESS_NUM}", U = "$UNSET." }`, env, []string{"N=n0", "U=."}, ""},
		{`environment = { PORT = "80", URL = "http://$HOST:$PORT", PATH = "/app:$PATH" }`, env, []string{"PATH=/app:/bin", "PORT=80", "URL=http://h:80"}, ""},
		{`environment = { "1X" = "a" }`, nil, nil, `program.p.environment.1X: invalid variable name "1X": use letters, digits and '_', not starting with a digit`},
		{`environment = { PORT = 80 }`, nil, nil, `program.p.environment.PORT: expected a string, got integer`},
		{`environment = { A = "${A" }`, nil, nil, `program.p.environment.A: missing } after "${" in "${A"`},
		{`environment = { A = "$B", B = "$A" }`, nil, nil, `program.p.environment.B: refers to itself through A`},
		{`environment = "A=1"`, nil, nil, `program.p.environment: expected a table, got string`},
		{`clear_env = true`, func(p *Program) any { return p.ClearEnv }, true, ""},

		{`autostart = false`, func(p *Program) any { return p.Autostart }, false, ""},
		{`autostart = "no"`, nil, nil, `program.p.autostart: expected a boolean, got string`},
		{`autorestart = true`, autorestart, "always", ""},
		{`autorestart = false`, autorestart, "never", ""},
		{`autorestart = "always"`, autorestart, "always", ""},
		{`autorestart = "sometimes"`, nil, nil, `program.p.autorestart: invalid value "sometimes": want "always", "unexpected" or "never"`},
		{`autorestart = 1`, nil, nil, `program.p.autorestart: expected "always", "unexpected", "never" or a boolean, got integer`},
		{`exitcodes = [2, 0, 2]`, func(p *Program) any { return p.ExitCodes }, []int{0, 2}, ""},
		{`exitcodes = []`, func(p *Program) any { return p.ExitCodes }, []int{}, ""},
		{`exitcodes = [256]`, nil, nil, `program.p.exitcodes: element 0: exit status 256 is out of range 0..255`},
		{`exitcodes = 0`, nil, nil, `program.p.exitcodes: expected an array of integers, got integer`},
		{`exitcodes = ["0"]`, nil, nil, `program.p.exitcodes: element 0: expected an integer, got string`},
		{`startsecs = 0`, func(p *Program) any { return p.StartSecs }, time.Duration(0), ""},
		{`startsecs = "1m30s"`, func(p *Program) any { return p.StartSecs }, 90 * time.Second, ""},
		{`startsecs = true`, nil, nil, `program.p.startsecs: expected a duration (integer seconds or a string like "1m30s"), got boolean`},
		{`startsecs = -1`, nil, nil, `program.p.startsecs: negative duration -1`},
		{`startsecs = 1.5`, nil, nil, `program.p.startsecs: expected a duration (integer seconds or a string like "1m30s"), got float`},
		{`startretries = 0`, func(p *Program) any { return p.StartRetries }, 0, ""},
		{`startretries = -1`, nil, nil, `program.p.startretries: -1 is out of range 0..2147483647`},
		{`backoff_max = "2m"`, func(p *Program) any { return p.BackoffMax }, 2 * time.Minute, ""},
		{`backoff_max = 0`, nil, nil, `program.p.backoff_max: must be more than 0`},

		{`stopsignal = "INT"`, func(p *Program) any { return p.StopSignal }, syscall.SIGINT, ""},
		{`stopsignal = "SIGQUIT"`, func(p *Program) any { return p.StopSignal }, syscall.SIGQUIT, ""},
		{`stopsignal = 9`, func(p *Program) any { return p.StopSignal }, syscall.SIGKILL, ""},
		{`stopsignal = "TERMINATE"`, nil, nil, `program.p.stopsignal: unknown signal "TERMINATE"`},
		{`stopsignal = 99`, nil, nil, `program.p.stopsignal: signal number 99 out of range 1..64`},
		{`stopsignal = true`, nil, nil, `program.p.stopsignal: expected a signal name like "TERM" or a number, got boolean`},
		{`stopwaitsecs = 3`, func(p *Program) any { return p.StopWait }, 3 * time.Second, ""},
		{`stopasgroup = false`, func(p *Program) any { return p.StopAsGroup }, false, ""},
		{`killasgroup = false`, func(p *Program) any { return p.KillAsGroup }, false, ""},
		{`killasgroup = 0`, nil, nil, `program.p.killasgroup: expected a boolean, got integer`},

		{`priority = -5`, func(p *Program) any { return p.Priority }, -5, ""},
		{`priority = "high"`, nil, nil, `program.p.priority: expected an integer, got string`},
		{`depends_on = "db"`, nil, nil, `program.p.depends_on: expected an array of strings, got string`},
		{`depends_on = ["db"]`, nil, nil, `program.p.depends_on: unknown program "db"`},
		{`depends_on = ["p"]`, nil, nil, `program.p.depends_on: dependency cycle p -> p`},
		{`group = "front"`, func(p *Program) any { return p.Group }, "front", ""},
		{`group = "a:b"`, nil, nil, `program.p.group: invalid group name "a:b": use letters, digits, '_', '.' and '-'`},
		{`required = true`, func(p *Program) any { return p.Required }, true, ""},
		{`numprocs = 0`, nil, nil, `program.p.numprocs: 0 is out of range 1..1000`},
		{`numprocs = 1001`, nil, nil, `program.p.numprocs: 1001 is out of range 1..1000`},

		{`ready = "notify"`, ready, "notify", ""},
		{`ready = "fd:3"`, ready, "fd 3", ""},
		{`ready = "log:listening on :\\d+"`, ready, `log listening on :\d+`, ""},
		{`ready = "tcp:127.0.0.1:5432"`, ready, "tcp 127.0.0.1:5432", ""},
		{`ready = "tcp:[::1]:5432"`, ready, "tcp [::1]:5432", ""},
		{`ready = "http://localhost:8080/ready"`, ready, "http http://localhost:8080/ready", ""},
		{`ready = "https://example.com"`, nil, nil, `program.p.ready: invalid check "https://example.com": https is not supported; use an http:// URL, tcp:HOST:PORT or a command`},
		{`ready = ["pg_isready", "-q"]`, ready, "cmd [pg_isready -q]", ""},
		{`ready = "fd:2"`, nil, nil, `program.p.ready: invalid check "fd:2": want fd:N with N a descriptor number of at least 3`},
		{`ready = "log:("`, nil, nil, "program.p.ready: invalid check \"log:(\": error parsing regexp: missing closing ): `(`"},
		{`ready = "log:"`, nil, nil, `program.p.ready: invalid check "log:": want log:REGEXP`},
		{`ready = "tcp:localhost"`, nil, nil, `program.p.ready: invalid check "tcp:localhost": want tcp:HOST:PORT`},
		{`ready = "tcp:localhost:http"`, nil, nil, `program.p.ready: invalid check "tcp:localhost:http": port "http" is not a number in 1..65535`},
		{`ready = "http://"`, nil, nil, `program.p.ready: invalid check "http://": the URL has no host`},
		{`ready = "http://h:99999/"`, nil, nil, `program.p.ready: invalid check "http://h:99999/": bad port "99999"`},
		{`ready = "notify:x"`, nil, nil, `program.p.ready: invalid check "notify:x": "notify" takes no argument`},
		{`ready = ""`, nil, nil, `program.p.ready: invalid check "": want "started", "notify", "fd:N", "log:REGEXP", "tcp:HOST:PORT", an http URL or a command array`},
		{`ready = []`, nil, nil, `program.p.ready: empty command`},
		{`ready = 1`, nil, nil, `program.p.ready: expected "started", "notify", "fd:N", "log:REGEXP", "tcp:HOST:PORT", an http URL or a command array, got integer`},
		{`ready_timeout = "90s"`, func(p *Program) any { return p.ReadyTimeout }, 90 * time.Second, ""},
		{`ready_interval = 0`, nil, nil, `program.p.ready_interval: must be more than 0`},
		{`health = ""`, health, "", ""},
		{`health = "tcp:localhost:80"`, health, "tcp localhost:80", ""},
		{`health = "http://127.0.0.1:8080/healthz"`, health, "http http://127.0.0.1:8080/healthz", ""},
		{`health = ["check"]`, health, "cmd [check]", ""},
		{`health = "started"`, nil, nil, `program.p.health: "started" is a ready check, not a health check: use tcp:HOST:PORT, an http URL or a command array`},
		{`health = "log:x"`, nil, nil, `program.p.health: "log:x" is a ready check, not a health check: use tcp:HOST:PORT, an http URL or a command array`},
		{`health = "ping"`, nil, nil, `program.p.health: invalid check "ping": want "", tcp:HOST:PORT, an http URL or a command array`},
		{`health_interval = "30s"`, func(p *Program) any { return p.HealthInterval }, 30 * time.Second, ""},
		{`health_timeout = 2`, func(p *Program) any { return p.HealthTimeout }, 2 * time.Second, ""},
		{`health_retries = 1`, func(p *Program) any { return p.HealthRetries }, 1, ""},
		{`health_retries = 0`, nil, nil, `program.p.health_retries: 0 is out of range 1..2147483647`},

		{`stdout_logfile = "/var/log/p.log"`, func(p *Program) any { return p.Stdout.Path }, "/var/log/p.log", ""},
		{`stdout_logfile = "NONE"`, func(p *Program) any { return p.Stdout.Path }, "NONE", ""},
		{`stdout_logfile_maxbytes = "10 KB"`, func(p *Program) any { return p.Stdout.MaxBytes }, int64(10 << 10), ""},
		{`stdout_logfile_maxbytes = 0`, func(p *Program) any { return p.Stdout.MaxBytes }, int64(0), ""},
		{`stdout_logfile_maxbytes = "lots"`, nil, nil, `program.p.stdout_logfile_maxbytes: invalid size "lots"`},
		{`stdout_logfile_backups = 0`, func(p *Program) any { return p.Stdout.Backups }, 0, ""},
		{`stdout_logfile_backups = -1`, nil, nil, `program.p.stdout_logfile_backups: -1 is out of range 0..2147483647`},
		{`stderr_logfile = "/var/log/e.log"`, func(p *Program) any { return p.Stderr.Path }, "/var/log/e.log", ""},
		{`stderr_logfile_maxbytes = "1GiB"`, func(p *Program) any { return p.Stderr.MaxBytes }, int64(1 << 30), ""},
		{`stderr_logfile_backups = 3`, func(p *Program) any { return p.Stderr.Backups }, 3, ""},
		{`redirect_stderr = true`, func(p *Program) any { return p.RedirectStderr }, true, ""},
		{`log_prefix = false`, func(p *Program) any { return p.LogPrefix }, false, ""},
		{`log_timestamps = true`, func(p *Program) any { return p.LogTimestamps }, true, ""},
		{`colour = "red"`, nil, nil, `program.p.colour: unknown key`},

		{`output_format = "json"`, func(p *Program) any { return p.OutputFormat }, "json", ""},
		{`output_format = "xml"`, nil, nil, `program.p.output_format: invalid value "xml": want "text" or "json"`},
		{`multiline = "^\\s"`, func(p *Program) any { return p.Multiline.String() }, `^\s`, ""},
		{`multiline = "("`, nil, nil, "program.p.multiline: invalid regexp \"(\": error parsing regexp: missing closing ): `(`"},
		{`stop_command = "nginx -s quit"`, func(p *Program) any { return p.StopCommand }, []string{"nginx", "-s", "quit"}, ""},
		{`stop_command = []`, nil, nil, `program.p.stop_command: empty command`},
		{`stop_delay = "5s"`, func(p *Program) any { return p.StopDelay }, 5 * time.Second, ""},
		{`stop_delay = 2`, func(p *Program) any { return p.StopDelay }, 2 * time.Second, ""},
		{`reload_signal = "HUP"`, func(p *Program) any { return p.ReloadSignal }, syscall.SIGHUP, ""},
		{`reload_signal = "SIGWINCH"`, func(p *Program) any { return p.ReloadSignal }, syscall.SIGWINCH, ""},
		{`reload_signal = "RELOAD"`, nil, nil, `program.p.reload_signal: unknown signal "RELOAD"`},
		{`rolling = true`, func(p *Program) any { return p.Rolling }, true, ""},
		{`listen = ["tcp:0.0.0.0:8080", "unix:/run/app.sock", "tcp:[::1]:9000", "unix:@app"]`, func(p *Program) any { return fmt.Sprint(p.Listen) }, "[tcp:0.0.0.0:8080 unix:/run/app.sock tcp:[::1]:9000 unix:@app]", ""},
		{`listen = ["tcp:8080"]`, nil, nil, `program.p.listen: listen address "tcp:8080": "8080": want HOST:PORT ("[::]:8080" for IPv6)`},
		{`listen = ["tcp:0.0.0.0:http"]`, nil, nil, `program.p.listen: listen address "tcp:0.0.0.0:http": "0.0.0.0:http": port "http" is not a number from 1 to 65535`},
		{`listen = ["tcp::0"]`, nil, nil, `program.p.listen: listen address "tcp::0": ":0": port "0" is not a number from 1 to 65535`},
		{`listen = ["udp:0.0.0.0:53"]`, nil, nil, `program.p.listen: listen address "udp:0.0.0.0:53": unknown network "udp": want tcp or unix`},
		{`listen = ["unix:app.sock"]`, nil, nil, `program.p.listen: listen address "unix:app.sock": the socket path must be absolute`},
		{`listen = ["/run/app.sock"]`, nil, nil, `program.p.listen: listen address "/run/app.sock": want tcp:HOST:PORT or unix:PATH`},
		{`listen = ["tcp::80", "tcp::80"]`, nil, nil, `program.p.listen: "tcp::80" is listed twice`},
		{`listen = ["tcp:localhost:80"]`, nil, nil, `program.p.listen: listen address "tcp:localhost:80": the host must be an IP address, or empty for every address ("127.0.0.1", not "localhost")`},
	} {
		t.Run(tc.line, func(t *testing.T) {
			src := "[program.p]\ncommand = [\"/bin/true\"]\n" + tc.line + "\n"
			if strings.HasPrefix(tc.line, "command") {
				src = "[program.p]\n\n" + tc.line + "\n"
			}
			cfg, err := Parse("t.toml", []byte(src), mapEnv(map[string]string{"HOST": "h", "PATH": "/bin"}))
			if tc.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tc.err)
				}
				got := problemLines(t, err)
				if want := "t.toml:3: " + tc.err; len(got) != 1 || got[0] != want {
					t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(cfg.Programs[0]); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

// checkString summarises a check for comparison.
func checkString(c Check) string {
	switch c.Kind {
	case "fd":
		return fmt.Sprintf("fd %d", c.FD)
	case "log":
		return "log " + c.Pattern.String()
	case "tcp":
		return "tcp " + c.Addr
	case "http":
		return "http " + c.URL
	case "cmd":
		return fmt.Sprintf("cmd %v", c.Argv)
	}
	return c.Kind
}

func TestEventListenerKeys(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"type = \"eventlistener\"\nevents = [\"PROCESS_STATE\", \"TICK_60\"]\n", ""},
		{"type = \"eventlistener\"\n", `t.toml:1: program.p.events: missing: an eventlistener needs the events it is sent`},
		{"events = [\"PROCESS_STATE\"]\n", `t.toml:3: program.p.events: only for type = "eventlistener"`},
		{"type = \"eventlistener\"\nevents = [\"PROCESS_STAT\"]\n", `t.toml:4: program.p.events: unknown event "PROCESS_STAT": want one of PROCESS_STATE, `},
	} {
		_, err := Parse("t.toml", []byte("[program.p]\ncommand = \"x\"\n"+tc.body), func(string) (string, bool) { return "", false })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%q: %v, want %s", tc.body, err, tc.want)
		}
	}
}

// autostart and numprocs may be expansions of tend's environment, gating a
// program on it; a value that does not parse names what it became.
func TestEnvGated(t *testing.T) {
	env := func(k string) (string, bool) {
		v, ok := map[string]string{"ON": "false", "N": "3", "BAD": "maybe"}[k]
		return v, ok
	}
	for _, tc := range []struct {
		body      string
		autostart bool
		n         int
		err       string
	}{
		{`autostart = "${ON}"`, false, 1, ""},
		{`autostart = "${UNSET:-true}"`, true, 1, ""},
		{`numprocs = "${N:-1}"`, true, 3, ""},
		{`numprocs = "${UNSET:-2}"`, true, 2, ""},
		{`autostart = "${BAD}"`, false, 0, `t.toml:3: program.p.autostart: "${BAD}" is "maybe": want true or false`},
		{`autostart = "${UNSET}"`, false, 0, `t.toml:3: program.p.autostart: "${UNSET}" is "": want true or false`},
		{`numprocs = "${BAD:-2}"`, false, 0, `t.toml:3: program.p.numprocs: "${BAD:-2}" is "maybe": want a number from 1 to `},
		{`numprocs = "${N:-x"`, false, 0, `t.toml:3: program.p.numprocs: missing } after`},
	} {
		cfg, err := Parse("t.toml", []byte("[program.p]\ncommand = \"x\"\n"+tc.body+"\n"), env)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %s", tc.body, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if got := cfg.Programs[0]; got.Autostart != tc.autostart || len(cfg.Programs) != tc.n {
			t.Errorf("%s: autostart %v, %d instances; want %v, %d", tc.body, got.Autostart, len(cfg.Programs), tc.autostart, tc.n)
		}
	}
}

func TestScheduleKeys(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"type = \"oneshot\"\nschedule = \"*/5 * * * *\"\nschedule_timezone = \"UTC\"\nconcurrency = \"replace\"\nstarting_deadline = \"30s\"\n", ""},
		{"schedule = \"@hourly\"\n", `t.toml:3: program.p.schedule: only for type = "oneshot"`},
		{"type = \"oneshot\"\nschedule = \"*/0 * * * *\"\n", `t.toml:4: program.p.schedule: schedule "*/0 * * * *": minute: step 0`},
		{"type = \"oneshot\"\nschedule = \"@daily\"\nschedule_timezone = \"Mars/Olympus\"\n", `t.toml:5: program.p.schedule_timezone: `},
		{"type = \"oneshot\"\nschedule = \"@daily\"\nconcurrency = \"allow\"\n", `t.toml:5: program.p.concurrency: "allow" is not possible`},
		{"type = \"oneshot\"\nconcurrency = \"forbid\"\n", `t.toml:4: program.p.concurrency: only with schedule`},
	} {
		cfg, err := Parse("t.toml", []byte("[program.p]\ncommand = \"x\"\n"+tc.body), func(string) (string, bool) { return "", false })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.body, err)
		case tc.want == "" && cfg.Programs[0].Schedule == nil:
			t.Errorf("%q: no schedule", tc.body)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%q: %v, want %s", tc.body, err, tc.want)
		}
	}
}

func TestListenOwner(t *testing.T) {
	src := "[program.a]\ncommand = \"a\"\nlisten = [\"tcp::80\"]\nnumprocs = 2\n[program.b]\ncommand = \"b\"\nlisten = [\"tcp::80\"]\n"
	_, err := Parse("t.toml", []byte(src), noEnv)
	want := `t.toml:7: program.b.listen: "tcp::80" is also program "a"'s: a socket goes to one program`
	if got := problemLines(t, err); len(got) != 1 || got[0] != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
}

func TestListenReadyFD(t *testing.T) {
	src := "[program.a]\ncommand = \"a\"\nready = \"fd:3\"\nlisten = [\"tcp::80\"]\n"
	_, err := Parse("t.toml", []byte(src), noEnv)
	want := `t.toml:3: program.a.ready: fd:3 is taken: the listen sockets are fds 3 to 3; use fd:4`
	if got := problemLines(t, err); len(got) != 1 || got[0] != want {
		t.Fatalf("problems:\n%s\nwant:\n%s", got, want)
	}
}

func TestTendNewKeys(t *testing.T) {
	src := "[tend]\noutput_format = \"json\"\ntermination_log = \"/tmp/term\"\nmetrics_listen = \"127.0.0.1:9100\"\nwatch_config = true\n" +
		"[program.a]\ncommand = \"a\"\n[program.b]\ncommand = \"b\"\noutput_format = \"text\"\n"
	cfg, err := Parse("t.toml", []byte(src), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OutputFormat != "json" || cfg.TerminationLog != "/tmp/term" || cfg.MetricsListen != "127.0.0.1:9100" || !cfg.WatchConfig {
		t.Errorf("[tend]: %+v", cfg)
	}
	if a, b := cfg.Programs[0].OutputFormat, cfg.Programs[1].OutputFormat; a != "json" || b != "text" {
		t.Errorf("output_format: a %q (want [tend]'s json), b %q (its own)", a, b)
	}
	for _, tc := range []struct{ line, want string }{
		{`termination_log = "term"`, `t.toml:2: tend.termination_log: "term" is not an absolute path`},
		{`metrics_listen = "9100"`, `t.toml:2: tend.metrics_listen: "9100": want HOST:PORT ("[::]:8080" for IPv6)`},
		{`output_format = 1`, `t.toml:2: tend.output_format: expected a string, got integer`},
	} {
		_, err := Parse("t.toml", []byte("[tend]\n"+tc.line+"\n"), noEnv)
		if got := problemLines(t, err); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.line, got, tc.want)
		}
	}
}
