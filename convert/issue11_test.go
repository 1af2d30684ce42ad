package convert

import (
	"errors"
	"strings"
	"testing"
)

// Issue 11: real supervisord configs convert and run as they did. Each
// case is the issue's smallest input for it, and what the output must say.

func TestIssue11(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
		header     string // the table to compare; [program.x] when ""
		want       string
		shared     bool // one log file for several streams
	}{
		// 1, 2 and 9: log files written by several streams keep their paths.
		{name: "1 stdout and stderr in one file", conf: "[program:x]\ncommand=/bin/cat\nstdout_logfile=/tmp/a.log\nstderr_logfile=/tmp/a.log", shared: true,
			want: "[program.x]\ncommand = \"/bin/cat\"\nstopasgroup = false\nkillasgroup = false\nstdout_logfile = \"/tmp/a.log\"\nstderr_logfile = \"/tmp/a.log\""},
		{name: "2 two programs in one file", conf: "[program:a]\ncommand=/bin/cat\nstdout_logfile=/tmp/x.log\n[program:x]\ncommand=/bin/cat\nstdout_logfile=/tmp/x.log", shared: true,
			want: "[program.x]\ncommand = \"/bin/cat\"\nstopasgroup = false\nkillasgroup = false\nstdout_logfile = \"/tmp/x.log\""},
		{name: "9 instances in one file", conf: "[program:x]\ncommand=/bin/cat\nnumprocs=2\nprocess_name=%(program_name)s-%(process_num)d\nstdout_logfile=/l/x.log", shared: true,
			want: "[program.x]\ncommand = \"/bin/cat\"\nstopasgroup = false\nkillasgroup = false\nnumprocs = 2\n" +
				"# with numprocs = 2 every instance writes this one file, as in supervisord: for a file each, put ${PROCESS_NUM} in the path\nstdout_logfile = \"/l/x.log\""},

		// 3: supervisord's stopasgroup and killasgroup, written out.
		{name: "3 killasgroup alone", conf: "[program:x]\ncommand=celery worker\nkillasgroup=true",
			want: "[program.x]\ncommand = \"celery worker\"\n# supervisord's default (tend's is true): the stop signal goes to the program's pid only\nstopasgroup = false\nkillasgroup = true"},
		{name: "3 neither", conf: "[program:x]\ncommand=app",
			want: "[program.x]\ncommand = \"app\"\nstopasgroup = false\nkillasgroup = false"},

		// 4: no false "runs no shell" note.
		{name: "4 nice bash -c", conf: "[program:x]\ncommand=nice -n 1 /bin/bash -c \"echo $HOME\"",
			want: "[program.x]\ncommand = \"nice -n 1 /bin/bash -c \\\"echo $HOME\\\"\"\nstopasgroup = false\nkillasgroup = false"},
		{name: "4 env sh -c", conf: "[program:x]\ncommand=env FOO=1 sh -c 'exec app && true'",
			want: "[program.x]\ncommand = \"env FOO=1 sh -c 'exec app && true'\"\nstopasgroup = false\nkillasgroup = false"},
		{name: "4 a $ from the environment", conf: "[program:x]\ncommand=/app --price %(ENV_PRICE)s",
			want: "[program.x]\n# %(ENV_PRICE)s became $PRICE as it was when converted: \"$5 && up\"\ncommand = \"/app --price $5 && up\"\nstopasgroup = false\nkillasgroup = false"},
		{name: "4 shell syntax before a shell is still noted", conf: "[program:x]\ncommand=/app && bash -c 'x'",
			want: "[program.x]\n# supervisord runs no shell, and neither does tend: \"&&\" reaches the program as an argument.\n# For a shell, write command = [\"/bin/sh\", \"-c\", \"...\"]\ncommand = \"/app && bash -c 'x'\"\nstopasgroup = false\nkillasgroup = false"},

		// 5: secrets: ${X} where tend expands it, never a value in a comment.
		{name: "5 secret in a command", conf: "[program:x]\ncommand=app --password %(ENV_DB_PASSWORD)s",
			want: "[program.x]\n# %(ENV_DB_PASSWORD)s became $DB_PASSWORD as it was when converted (not shown: DB_PASSWORD looks like a secret)\n" +
				"# so the command holds $DB_PASSWORD's value: tend expands ${DB_PASSWORD} in an environment table, not in a command\n" +
				"command = \"app --password hunter2\"\nstopasgroup = false\nkillasgroup = false"},
		{name: "5 secret in an environment", conf: "[program:x]\ncommand=app\nenvironment=PW=\"%(ENV_DB_PASSWORD)s\"",
			want: "[program.x]\ncommand = \"app\"\nenvironment = { PW = \"${DB_PASSWORD}\" }\nstopasgroup = false\nkillasgroup = false"},
		{name: "5 secret shadowed in an environment", conf: "[program:x]\ncommand=app\nenvironment=DB_PASSWORD=\"x\",OLD=\"%(ENV_DB_PASSWORD)s\"",
			want: "[program.x]\ncommand = \"app\"\n# %(ENV_DB_PASSWORD)s became $DB_PASSWORD as it was when converted (not shown: DB_PASSWORD looks like a secret)\n" +
				"environment = { DB_PASSWORD = \"x\", OLD = \"hunter2\" }\nstopasgroup = false\nkillasgroup = false"},
		{name: "5 secret from [supervisord] environment", conf: "[supervisord]\nenvironment=API_KEY=\"k3y\"\n[program:x]\ncommand=app\nenvironment=API_KEY=\"mine\",OLD=\"%(ENV_API_KEY)s\"",
			want: "[program.x]\ncommand = \"app\"\n# %(ENV_API_KEY)s in OLD became [supervisord] environment's API_KEY: (not shown: API_KEY looks like a secret)\n" +
				"environment = { API_KEY = \"mine\", OLD = \"k3y\" }\nstopasgroup = false\nkillasgroup = false"},

		// 6: env-gated values, from the environment at conversion.
		{name: "6 autostart from the environment", conf: "[program:x]\ncommand=app\nautostart=%(ENV_ENABLE_X)s",
			want: "[program.x]\ncommand = \"app\"\n" +
				"# " + envGated("autostart", "ENABLE_X") + "\nautostart = \"${ENABLE_X:-false}\"\nstopasgroup = false\nkillasgroup = false"},
		{name: "6 numprocs from the environment", conf: "[program:x]\ncommand=app\nnumprocs=%(ENV_CELERY_CONCURRENCY)s\nprocess_name=%(program_name)s-%(process_num)d",
			want: "[program.x]\ncommand = \"app\"\nstopasgroup = false\nkillasgroup = false\n" +
				"# " + envGated("numprocs", "CELERY_CONCURRENCY") + "\nnumprocs = \"${CELERY_CONCURRENCY:-4}\""},

		// 7: a group's priority goes to its members.
		{name: "7 group priority", conf: "[group:g]\nprograms=x\npriority=1\n[program:x]\ncommand=x\n[program:late]\ncommand=y\npriority=10",
			want: "[program.x]\ncommand = \"x\"\nstopasgroup = false\nkillasgroup = false\n" +
				"# [group:g] priority: supervisord starts the group's programs by the group's priority\npriority = 1\ngroup = \"g\""},
		{name: "7 a member's own priority, reversed", conf: "[group:g]\nprograms=x\npriority=1\n[program:x]\ncommand=x\npriority=20\n[program:late]\ncommand=y\npriority=10",
			want: "[program.x]\ncommand = \"x\"\nstopasgroup = false\nkillasgroup = false\n" +
				"# supervisord started this program before late (it orders [group:g] by the group's priority, 1, then its programs by theirs); with priority 20, tend starts it after them\n" +
				"priority = 20\ngroup = \"g\""},
		{name: "7 a member's own priority, in order", conf: "[group:g]\nprograms=x\npriority=1\n[program:x]\ncommand=x\npriority=5\n[program:late]\ncommand=y\npriority=10",
			want: "[program.x]\ncommand = \"x\"\nstopasgroup = false\nkillasgroup = false\npriority = 5\ngroup = \"g\""},
		{name: "7 a program in no group keeps its own", conf: "[group:g]\nprograms=y\npriority=1\n[program:y]\ncommand=y\n[program:x]\ncommand=x\npriority=10",
			want: "[program.x]\ncommand = \"x\"\nstopasgroup = false\nkillasgroup = false\npriority = 10"},

		// 8: stopping the container when a program dies.
		{name: "8 kill by pidfile", conf: "[program:x]\ncommand=bash -c \"/opt/bin/start.sh; kill -s SIGINT `cat /tmp/supervisord.pid`\"\nautorestart=false\nstartsecs=0",
			want: "[program.x]\ncommand = \"bash -c \\\"/opt/bin/start.sh; kill -s SIGINT `cat /tmp/supervisord.pid`\\\"\"\n" +
				"autorestart = \"never\"\nstartsecs = 0\nstopasgroup = false\nkillasgroup = false\n" +
				"# this command stops supervisord when its work is done (a kill by pidfile, or of its parent):\n" +
				"# required = true does that in tend: when the program ends for good, tend stops everything and\n" +
				"# exits with its status (supervisord's pidfile does not exist under tend; a kill of the parent\n" +
				"# reaches tend, and stops it too)\nrequired = true"},
		{name: "8 kill by the [supervisord] pidfile", conf: "[supervisord]\npidfile=/run/sv.pid\n[program:x]\ncommand=sh -c 'work; pkill -F /run/sv.pid'\nautorestart=false\nstartsecs=0",
			want: "[program.x]\ncommand = \"sh -c 'work; pkill -F /run/sv.pid'\"\n" +
				"autorestart = \"never\"\nstartsecs = 0\nstopasgroup = false\nkillasgroup = false\n" +
				"# this command stops supervisord when its work is done (a kill by pidfile, or of its parent):\n" +
				"# required = true does that in tend: when the program ends for good, tend stops everything and\n" +
				"# exits with its status (supervisord's pidfile does not exist under tend; a kill of the parent\n" +
				"# reaches tend, and stops it too)\nrequired = true"},
		{name: "8 a real one-shot keeps its hint", conf: "[program:x]\ncommand=/app/migrate\nautorestart=false\nstartsecs=0",
			want: "# supervisord has no one-shot programs. If this one runs to completion, consider\n" +
				"# type = \"oneshot\" here, and depends_on = [\"x\"] in the programs that need it done\n" +
				"[program.x]\ncommand = \"/app/migrate\"\nautorestart = \"never\"\nstartsecs = 0\nstopasgroup = false\nkillasgroup = false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := convert(t, tc.conf+"\n")
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			header := tc.header
			if header == "" {
				header = "[program.x]"
			}
			if got := block(out, header); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s\n--- output:\n%s", got, tc.want, out)
			}
			if tc.shared {
				mustParse(t, "test.toml", out)
			} else {
				mustParse(t, "test.toml", out)
			}
			for _, line := range strings.Split(out, "\n") {
				for _, secret := range []string{"hunter2", "k3y"} {
					if strings.HasPrefix(line, "#") && strings.Contains(line, secret) {
						t.Errorf("a comment shows a secret: %s", line)
					}
				}
			}
		})
	}
}

// TestIssue11Errors: a value needed from an unset variable is an error
// naming it (case 6), and so is a user tend cannot take.
func TestIssue11Errors(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"[program:x]\ncommand=app\nnumprocs=%(ENV_WORKERS)s\n", `test.conf:3: [program:x] numprocs: %(ENV_WORKERS)s: WORKERS is not set`},
		{"[program:x]\ncommand=app\nuser=%(ENV_APPUSER)s\n", `test.conf:3: [program:x] user: %(ENV_APPUSER)s: APPUSER is not set`},
		{"[program:x]\ncommand=app\nautostart=%(ENV_ENABLE_Y)s\n", `test.conf:3: [program:x] autostart: %(ENV_ENABLE_Y)s: ENABLE_Y is not set`},
		{"[program:x]\ncommand=app\ndirectory=/srv/%(ENV_APP)s\n", `test.conf:3: [program:x] directory: %(ENV_APP)s: APP is not set`},
		{"[program:x]\ncommand=app\nstdout_logfile=/var/log/%(ENV_APP)s.log\n", `test.conf:3: [program:x] stdout_logfile: %(ENV_APP)s: APP is not set`},
		{"[program:x]\ncommand=app\nuser=\n", `test.conf:3: [program:x] user: "": tend wants a name, uid, name:group or uid:gid`},
		{"[unix_http_server]\nfile=%(ENV_SOCK)s\n", `test.conf:2: [unix_http_server] file: %(ENV_SOCK)s: SOCK is not set`},
	} {
		out, err := convert(t, tc.conf)
		var e *Error
		if !errors.As(err, &e) || err.Error() != tc.want {
			t.Errorf("Convert(%q) error = %v, want %s\n%s", tc.conf, err, tc.want, out)
		}
	}
}

// TestIssue11Listeners: an [eventlistener:x] becomes a program of type
// eventlistener with its events, which runs unchanged; one that stops
// supervisord when a program dies also points at required = true (case 8).
func TestIssue11Listeners(t *testing.T) {
	const required = "# the simpler way is required = true on the programs whose end must stop the container"
	const runs = "type = \"eventlistener\"\nevents = "
	for _, tc := range []struct{ name, conf, want string }{
		{"fatal and a kill script", "command=/usr/local/bin/kill_supervisor.py\nevents=PROCESS_STATE_FATAL", required},
		{"exited and kill $PPID", "command=bash -c 'printf \"READY\\n\"; read line; kill -QUIT $PPID'\nevents=PROCESS_STATE_EXITED", required},
		{"all states and supervisorctl shutdown", "command=sh -c 'supervisorctl shutdown'\nevents=PROCESS_STATE", required},
		{"crashmail", "command=crashmail -a -m ops@example.com\nevents=PROCESS_STATE_EXITED", runs + `["PROCESS_STATE_EXITED"]`},
		{"a tick and more", "command=/bin/kill_supervisor\nevents=TICK_60,process_state_fatal,PROCESS_LOG\nbuffer_size=50", runs + `["TICK_60", "PROCESS_STATE_FATAL"]` + "\nbuffer_size = 50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := convert(t, "[eventlistener:l]\n"+tc.conf+"\n")
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(out, "oneshot") {
				t.Errorf("output suggests a oneshot:\n%s", out)
			}
			mustParse(t, "test.toml", out)
		})
	}
}
