package convert

import (
	"strings"
	"testing"
)

// block returns the paragraph of out that holds the line header: the
// table, with the comments above it.
func block(out, header string) string {
	for _, p := range strings.Split(out, "\n\n") {
		for _, line := range strings.Split(p, "\n") {
			if line == header {
				return strings.TrimSuffix(p, "\n")
			}
		}
	}
	return ""
}

// withoutGroupDefaults removes from a table the stopasgroup = false and
// killasgroup = false that every program gets, for tests about other keys.
func withoutGroupDefaults(table string) string {
	return strings.Replace(table, "\nstopasgroup = false\nkillasgroup = false", "", 1)
}

// TestKeys converts one thing at a time. Each output must also load in
// tend.
func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		header     string // the table to compare; [program.x] when ""
		want       string
	}{
		// command
		{name: "command", conf: "command=/bin/app -x 1", want: `command = "/bin/app -x 1"`},
		{name: "command quoted", conf: `command=/bin/app --title "a b" 'c d'`, want: `command = "/bin/app --title \"a b\" 'c d'"`},
		{name: "command shlex differs from sh", conf: `command=/bin/echo "a \$b"`, want: `# supervisord runs no shell, and neither does tend: "a \\$b" reaches the program as an argument.
# For a shell, write command = ["/bin/sh", "-c", "..."]
command = ["/bin/echo", "a \\$b"]`},
		{name: "command continued", conf: "command=/bin/app\n  --flag ; why\n  --other", want: `command = ["/bin/app", "--flag", "--other"]`},
		{name: "command names", conf: "command=/app %(program_name)s %(group_name)s %(here)s %(numprocs)d %%", want: `command = "/app x x testdata 1 %"`},
		{name: "command shell syntax", conf: "command=/app/run && /app/other", want: `# supervisord runs no shell, and neither does tend: "&&" reaches the program as an argument.
# For a shell, write command = ["/bin/sh", "-c", "..."]
command = "/app/run && /app/other"`},
		{name: "command variable", conf: "command=/app --port $PORT", want: `# supervisord runs no shell, and neither does tend: "$PORT" reaches the program as an argument.
# For a shell, write command = ["/bin/sh", "-c", "..."]
command = "/app --port $PORT"`},
		{name: "command in a shell", conf: `command=bash -lc "cd /app && exec ./run > /tmp/log"`, want: `command = "bash -lc \"cd /app && exec ./run > /tmp/log\""`},
		{name: "command env", conf: "command=/app --home %(ENV_HOME)s --x=%(ENV_UNSET)s", want: `# %(ENV_HOME)s became $HOME as it was when converted: "/root"
# %(ENV_UNSET)s became "": $UNSET was not set when converted (supervisord would refuse to start)
command = "/app --home /root --x="`},
		{name: "command env from the program's environment", conf: "command=/app --port %(ENV_PORT)s\nenvironment=PORT=9000", want: `command = "/app --port 9000"
environment = { PORT = "9000" }`},
		{name: "command process_num", conf: "command=/app -n %(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)s", want: `command = "/app -n ${PROCESS_NUM}"
numprocs = 2`},
		{name: "command process_num padded", conf: "command=/app -n %(process_num)03d\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)s", want: `# %(process_num)03d became ${PROCESS_NUM}, which tend writes in plain decimal, unpadded
command = "/app -n ${PROCESS_NUM}"
numprocs = 2`},
		{name: "command process_num with one process", conf: "command=/app -n %(process_num)02d\nnumprocs_start=5", want: `command = "/app -n 05"
# not carried over: numprocs_start = 5 (tend numbers instances from 0)`},
		{name: "command host", conf: "command=/app %(host_node_name)s", want: `# %(host_node_name)s became this host's name when converted: "testhost"
command = "/app testhost"`},

		// directory, user, umask
		{name: "directory", conf: "directory=/srv/%(program_name)s", want: "directory = \"/srv/x\""},
		{name: "user", conf: "user=www-data", want: `user = "www-data"`},
		{name: "umask", conf: "umask=22", want: `umask = "022"`},
		{name: "umask 0o", conf: "umask=0o027", want: `umask = "027"`},
		{name: "umask too big", conf: "umask=1777", want: `# not carried over: umask = 1777 (tend wants 000 to 777)`},

		// environment
		{name: "environment", conf: `environment=A=1,B="two words",C='x,y'`, want: `environment = { A = "1", B = "two words", C = "x,y" }`},
		{name: "environment dollar", conf: `environment=A="$HOME and $$"`, want: `environment = { A = "$$HOME and $$$$" }`},
		{name: "environment env", conf: `environment=A="%(ENV_HOME)s/x",PATH="/x:%(ENV_PATH)s"`, want: `environment = { A = "${HOME}/x", PATH = "/x:${PATH}" }`},
		{name: "environment env shadowed", conf: `environment=PATH="/x",OLD="%(ENV_PATH)s"`, want: `# %(ENV_PATH)s became $PATH as it was when converted: "/usr/bin:/bin"
environment = { PATH = "/x", OLD = "/usr/bin:/bin" }`},
		{name: "environment env padded", conf: `environment=A="%(ENV_HOME)7s"`, want: `# %(ENV_HOME)7s became $HOME as it was when converted: "/root"
environment = { A = "  /root" }`},
		{name: "environment process_num", conf: "environment=N=%(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)d", want: `environment = { N = "${PROCESS_NUM}" }
numprocs = 2`},
		{name: "environment bad key", conf: `environment="a.b"=1,OK=2`, want: `environment = { OK = "2" }
# not carried over: environment "a.b" (tend wants a name of letters, digits and '_')`},

		// booleans, autorestart, exitcodes
		{name: "autostart", conf: "autostart=no", want: `autostart = false`},
		{name: "autorestart true", conf: "autorestart=TRUE", want: `autorestart = "always"`},
		{name: "autorestart false", conf: "autorestart=off", want: `autorestart = "never"`},
		{name: "autorestart unexpected", conf: "autorestart=unexpected", want: `autorestart = "unexpected"`},
		{name: "exitcodes", conf: "exitcodes=0, 2", want: `exitcodes = [0, 2]`},
		{name: "exitcodes empty", conf: "exitcodes=", want: `exitcodes = []`},
		{name: "redirect_stderr", conf: "redirect_stderr=1", want: `redirect_stderr = true`},
		{name: "stopasgroup", conf: "stopasgroup=false", want: `stopasgroup = false
# supervisord's killasgroup defaults to its stopasgroup
killasgroup = false`},
		{name: "killasgroup", conf: "killasgroup=true", want: `# supervisord's default (tend's is true): the stop signal goes to the program's pid only
stopasgroup = false
killasgroup = true`},
		{name: "asgroup defaults", conf: "", want: `stopasgroup = false
killasgroup = false`},

		// integers and signals
		{name: "startsecs", conf: "startsecs=1_0", want: `startsecs = 10`},
		{name: "startretries", conf: "startretries=+5", want: `startretries = 5`},
		{name: "stopwaitsecs", conf: "stopwaitsecs=30", want: `stopwaitsecs = 30`},
		{name: "stopwaitsecs negative", conf: "stopwaitsecs=-1", want: `# not carried over: stopwaitsecs = -1 (negative)`},
		{name: "priority", conf: "priority=-5", want: `priority = -5`},
		{name: "stopsignal name", conf: "stopsignal=sigint", want: `stopsignal = "INT"`},
		{name: "stopsignal number", conf: "stopsignal=15", want: `stopsignal = 15`},
		{name: "stopsignal unknown", conf: "stopsignal=FOO", want: `# not carried over: stopsignal = FOO (not a signal tend knows)`},

		// numprocs
		{name: "numprocs", conf: "numprocs=3\nprocess_name=%(program_name)s-%(process_num)d", want: `numprocs = 3`},
		{name: "numprocs other names", conf: "numprocs=3\nprocess_name=%(program_name)s_%(process_num)02d", want: `numprocs = 3
# not carried over: process_name = %(program_name)s_%(process_num)02d (tend names the instances x-0 .. x-2)`},
		{name: "numprocs zero", conf: "numprocs=0", want: `# not carried over: numprocs = 0 (supervisord starts no process for it, tend at least one: set autostart = false)`},
		{name: "process_name", conf: "process_name=%(program_name)s", want: ``},
		{name: "process_name other", conf: "process_name=worker", want: `# not carried over: process_name = worker (tend names it x)`},

		// logs
		{name: "log file", conf: "stdout_logfile=/var/log/x.log\nstdout_logfile_maxbytes=1024\nstdout_logfile_backups=0", want: `stdout_logfile = "/var/log/x.log"
stdout_logfile_maxbytes = 1024
stdout_logfile_backups = 0`},
		{name: "log size units", conf: "stderr_logfile=/var/log/x.err\nstderr_logfile_maxbytes=1GB", want: `stderr_logfile = "/var/log/x.err"
stderr_logfile_maxbytes = "1GB"`},
		{name: "log none", conf: "stdout_logfile=none\nstdout_logfile_backups=3", want: `stdout_logfile = "NONE"
# not carried over: stdout_logfile_backups = 3 (unneeded: output is discarded)`},
		{name: "log docker habit", conf: "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstdout_logfile_backups=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0", want: ``},
		{name: "log passthrough rotated", conf: "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=1MB", want: `# not carried over: stdout_logfile_maxbytes = 1MB (tend passes stdout through, and rotates only files)`},
		{name: "log crossed", conf: "stdout_logfile=/dev/stderr\nstdout_logfile_maxbytes=0", want: `# not carried over: stdout_logfile = /dev/stderr (tend writes stdout to its own stdout)`},
		{name: "log redirected", conf: "redirect_stderr=true\nstderr_logfile=/var/log/e.log", want: `redirect_stderr = true
# not carried over: stderr_logfile = /var/log/e.log (redirect_stderr = true sends stderr to stdout's log, in supervisord too)`},
		{name: "log auto", conf: "stdout_logfile=AUTO\nstdout_logfile_maxbytes=1MB", want: `# not carried over: stdout_logfile = AUTO (tend makes no AUTO log files: tend writes stdout to its own stdout)
# not carried over: stdout_logfile_maxbytes = 1MB (there is no log file: tend writes stdout to its own stdout)`},
		{name: "log home", conf: "stdout_logfile=~/x.log", want: `# not carried over: stdout_logfile = ~/x.log (supervisord expands ~, tend does not: write the whole path)`},
		{name: "log per instance", conf: "numprocs=2\nprocess_name=%(program_name)s-%(process_num)d\nstdout_logfile=/l/%(program_name)s-%(process_num)d.log\nstdout_logfile_maxbytes=%(process_num)d", want: `numprocs = 2
stdout_logfile = "/l/x-${PROCESS_NUM}.log"
# not carried over: stdout_logfile_maxbytes = %(process_num)d (differs between instances, which tend cannot do)`},

		// keys with no counterpart
		{name: "events", conf: "stdout_events_enabled=true", want: `# not carried over: stdout_events_enabled = true (tend has no event listeners)`},
		{name: "capture", conf: "stderr_capture_maxbytes=1MB", want: `# not carried over: stderr_capture_maxbytes = 1MB (tend has no capture mode, which serves event listeners)`},
		{name: "syslog", conf: "stdout_syslog=true", want: `# not carried over: stdout_syslog = true (tend has no syslog)`},
		{name: "serverurl", conf: "serverurl=AUTO", want: `# not carried over: serverurl = AUTO (tend gives its programs no XML-RPC URL; they can use tend ctl)`},
		{name: "unknown", conf: "colour=blue", want: `# not carried over: colour = blue (unknown key)`},

		// oneshot
		{name: "oneshot", conf: "autorestart=false\nstartsecs=0", want: `# supervisord has no one-shot programs. If this one runs to completion, consider
# type = "oneshot" here, and depends_on = ["x"] in the programs that need it done
[program.x]
command = "/bin/true"
autorestart = "never"
startsecs = 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := tc.conf
			if !strings.Contains(conf, "command=") {
				conf = "command=/bin/true\n" + conf
			}
			out, err := convert(t, "[program:x]\n"+conf+"\n")
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			want := tc.want
			if !strings.Contains(want, "[program.x]") {
				want = strings.TrimSuffix("[program.x]\n"+want, "\n")
				if !strings.Contains(tc.want, "command =") {
					want = strings.Replace(want, "[program.x]", "[program.x]\ncommand = \"/bin/true\"", 1)
				}
			}
			got := block(out, "[program.x]")
			if !strings.Contains(tc.want, "asgroup") {
				got = withoutGroupDefaults(got)
			}
			if got != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
			mustParse(t, "test.toml", out)
		})
	}
}

// TestSections converts whole small configs: names, groups, [DEFAULT],
// [supervisord] and [unix_http_server].
func TestSections(t *testing.T) {
	for _, tc := range []struct {
		name, conf, header, want string
	}{
		{"renamed", "[program:a+b]\ncommand=x\n", "[program.a-b]", `# [program:a+b] is [program.a-b] here: tend names have only letters, digits, '_', '.' and '-'
[program.a-b]
command = "x"`},
		{"all", "[program:all]\ncommand=x\n", "[program.all_]", `# [program:all] is [program.all_] here: tend's socket uses "all" for every program
[program.all_]
command = "x"`},
		{"dotted", "[program:v1.2]\ncommand=x\n", `[program."v1.2"]`, `[program."v1.2"]
command = "x"`},
		{"renamed twice", "[program:a@]\ncommand=x\n[program:a#]\ncommand=y\n", "[program.a--2]", `# [program:a#] is [program.a--2] here: tend names have only letters, digits, '_', '.' and '-'; a- is taken
[program.a--2]
command = "y"`},
		{"group", "[group:g]\nprograms=x, y\n[program:x]\ncommand=x\n[program:y]\ncommand=y\n", "[program.y]", `[program.y]
command = "y"
group = "g"`},
		{"group renamed", "[group:g@1]\nprograms=x\n[program:x]\ncommand=x\n", "[program.x]", `[program.x]
command = "x"
# [group:g@1] is group "g-1" here: tend names have only letters, digits, '_', '.' and '-'
group = "g-1"`},
		{"two groups", "[group:a]\nprograms=x\n[group:b]\nprograms=x\n[program:x]\ncommand=x %(group_name)s\n", "[program.x]", `[program.x]
command = "x a"
# [group:b] names it too, but a tend program is in one group
group = "a"`},
		{"default", "[DEFAULT]\nautostart=false\nnodaemon=true\n[program:x]\ncommand=x\n", "[program.x]", `[program.x]
command = "x"
autostart = false`},
		{"supervisord", "[supervisord]\nloglevel=CRITICAL\numask=002\nminfds=4096\nbogus=1\n", "[tend]", `[tend]
# tend's log has no critical level: error is the nearest
log_level = "error"
# not carried over: [supervisord] umask = 002 (supervisord sets it only when it daemonizes; set umask per program)
# not carried over: [supervisord] minfds = 4096 (tend sets no limits: use docker run --ulimit nofile=N)
# not carried over: [supervisord] bogus = 1 (unknown key)`},
		{"supervisord environment", "[supervisord]\nenvironment=A=1,B=2\n[program:x]\ncommand=x\nenvironment=B=3,A=9,C=%(ENV_A)s\n", "[program.x]", `[program.x]
command = "x"
# %(ENV_A)s in C became [supervisord] environment's A: "1"
environment = { A = "9", B = "3", C = "1" }`},
		{"supervisord environment faithful", "[supervisord]\nenvironment=A=1,B=%(ENV_HOME)s\n[program:x]\ncommand=x\nenvironment=C=\"%(ENV_A)s\"\n", "[program.x]", `[program.x]
command = "x"
environment = { A = "1", B = "${HOME}", C = "${A}" }`},
		{"unix_http_server", "[unix_http_server]\nfile=%(here)s/s.sock\nchmod=770\nchown=app:ops\nusername=u\npassword=p\n", "[tend]", `[tend]
socket = "testdata/s.sock"
socket_mode = "0770"
socket_group = "ops"
# not carried over: [unix_http_server] chown = app:ops (owner app: tend's socket belongs to the user tend runs as)
# not carried over: [unix_http_server] username = u (tend's socket checks the peer's uid, not a password)
# not carried over: [unix_http_server] password = (not shown) (tend's socket checks the peer's uid, not a password)`},
		{"unix_http_server owner only", "[unix_http_server]\nchown=app\n", "[tend]", `[tend]
# not carried over: [unix_http_server] chown = app (tend's socket belongs to the user tend runs as; socket_group lets a group in)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := convert(t, tc.conf)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			got := block(out, tc.header)
			if !strings.Contains(tc.want, "asgroup") {
				got = withoutGroupDefaults(got)
			}
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s\n--- output:\n%s", got, tc.want, out)
			}
			mustParse(t, "test.toml", out)
		})
	}
}
