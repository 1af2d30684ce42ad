package control

import (
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		line string
		want Request
		err  string
	}{
		{line: "status", want: Request{Cmd: "status"}},
		{line: "STATUS web db", want: Request{Cmd: "status", Args: []string{"web", "db"}, Targets: []string{"web", "db"}}},
		{line: "status\n", want: Request{Cmd: "status"}},
		{line: "status\r\n", want: Request{Cmd: "status"}},
		{line: "stAtus \r web\r\r\n", want: Request{Cmd: "status", Args: []string{"web"}, Targets: []string{"web"}}},
		{line: " \tstatus \t web\t", want: Request{Cmd: "status", Args: []string{"web"}, Targets: []string{"web"}}},
		{line: "status frontend:* all", want: Request{Cmd: "status", Args: []string{"frontend:*", "all"}, Targets: []string{"frontend:*", "all"}}},

		{line: "start web", want: Request{Cmd: "start", Args: []string{"web"}, Targets: []string{"web"}}},
		{line: "Start Web DB", want: Request{Cmd: "start", Args: []string{"Web", "DB"}, Targets: []string{"Web", "DB"}}},
		{line: "start", err: "start: want at least one target"},
		{line: "stop all", want: Request{Cmd: "stop", Args: []string{"all"}, Targets: []string{"all"}}},
		{line: "stop", err: "stop: want at least one target"},
		{line: "restart web", want: Request{Cmd: "restart", Args: []string{"web"}, Targets: []string{"web"}}},
		{line: "restart ", err: "restart: want at least one target"},

		{line: "signal HUP web", want: Request{Cmd: "signal", Args: []string{"HUP", "web"}, Targets: []string{"web"}, Signal: syscall.SIGHUP}},
		{line: "signal sigusr1 a b", want: Request{Cmd: "signal", Args: []string{"sigusr1", "a", "b"}, Targets: []string{"a", "b"}, Signal: syscall.SIGUSR1}},
		{line: "signal 15 web", want: Request{Cmd: "signal", Args: []string{"15", "web"}, Targets: []string{"web"}, Signal: syscall.SIGTERM}},
		{line: "signal RTMIN+2 web", want: Request{Cmd: "signal", Args: []string{"RTMIN+2", "web"}, Targets: []string{"web"}, Signal: 36}},
		{line: "signal FOO web", err: `signal: unknown signal "FOO"`},
		{line: "signal 99 web", err: "signal: signal number 99 out of range 1..64"},
		{line: "signal TERM", err: "signal: want a signal and at least one target"},
		{line: "signal", err: "signal: want a signal and at least one target"},

		{line: "pid", want: Request{Cmd: "pid"}},
		{line: "pid web", want: Request{Cmd: "pid", Args: []string{"web"}, Targets: []string{"web"}}},
		{line: "pid web db", err: "pid: want at most one target"},

		{line: "reread", want: Request{Cmd: "reread"}},
		{line: "reread now", err: "reread: takes no arguments"},
		{line: "reload", want: Request{Cmd: "reload"}},
		{line: "tail -f web", want: Request{Cmd: "tail", Args: []string{"-f", "web"}, Targets: []string{"web"}, Lines: DefaultLines, Follow: true}},
		{line: "tail -f web 5", want: Request{Cmd: "tail", Args: []string{"-f", "web", "5"}, Targets: []string{"web"}, Lines: 5, Follow: true}},
		{line: "tail -f", err: "tail: want a target and an optional line count N"},
		{line: "metrics", want: Request{Cmd: "metrics"}},
		{line: "status -l", want: Request{Cmd: "status", Args: []string{"-l"}, Long: true}},
		{line: "status -l web", want: Request{Cmd: "status", Args: []string{"-l", "web"}, Targets: []string{"web"}, Long: true}},
		{line: "reload x web:*", want: Request{Cmd: "reload", Args: []string{"x", "web:*"}, Targets: []string{"x", "web:*"}}},
		{line: "reopen", want: Request{Cmd: "reopen"}},
		{line: "reopen x", err: "reopen: takes no arguments"},

		{line: "tail web", want: Request{Cmd: "tail", Args: []string{"web"}, Targets: []string{"web"}, Lines: 50}},
		{line: "tail web 10", want: Request{Cmd: "tail", Args: []string{"web", "10"}, Targets: []string{"web"}, Lines: 10}},
		{line: "tail web 0", err: "tail: N must be a positive number"},
		{line: "tail web -3", err: "tail: N must be a positive number"},
		{line: "tail web x", err: "tail: N must be a positive number"},
		{line: "tail web 99999999999999999999", err: "tail: N must be a positive number"},
		{line: "tail", err: "tail: want a target and an optional line count N"},
		{line: "tail a 1 2", err: "tail: want a target and an optional line count N"},

		{line: "wait web", want: Request{Cmd: "wait", Args: []string{"web"}, Targets: []string{"web"}, Timeout: time.Minute}},
		{line: "wait web db 5", want: Request{Cmd: "wait", Args: []string{"web", "db", "5"}, Targets: []string{"web", "db"}, Timeout: 5 * time.Second}},
		{line: "wait web 1m30s", want: Request{Cmd: "wait", Args: []string{"web", "1m30s"}, Targets: []string{"web"}, Timeout: 90 * time.Second}},
		{line: "wait web 500ms", want: Request{Cmd: "wait", Args: []string{"web", "500ms"}, Targets: []string{"web"}, Timeout: 500 * time.Millisecond}},
		{line: "wait web 0", want: Request{Cmd: "wait", Args: []string{"web", "0"}, Targets: []string{"web"}, Timeout: 0}},
		{line: "wait web db", want: Request{Cmd: "wait", Args: []string{"web", "db"}, Targets: []string{"web", "db"}, Timeout: time.Minute}},
		{line: "wait web 1.5", want: Request{Cmd: "wait", Args: []string{"web", "1.5"}, Targets: []string{"web", "1.5"}, Timeout: time.Minute}},
		{line: "wait 5s", want: Request{Cmd: "wait", Args: []string{"5s"}, Targets: []string{"5s"}, Timeout: time.Minute}},
		{line: "wait 5s 10", want: Request{Cmd: "wait", Args: []string{"5s", "10"}, Targets: []string{"5s"}, Timeout: 10 * time.Second}},
		{line: "wait web -5s", err: `wait: bad timeout "-5s"`},
		{line: "wait web -1", err: `wait: bad timeout "-1"`},
		{line: "wait web 99999999999h", err: `wait: bad timeout "99999999999h"`},
		{line: "wait web 9999999999999999999", err: `wait: bad timeout "9999999999999999999"`},
		{line: "wait web 9223372037", err: `wait: bad timeout "9223372037"`},
		{line: "wait", err: "wait: want at least one target"},

		{line: "events", want: Request{Cmd: "events"}},
		{line: "events all", err: "events: takes no arguments"},
		{line: "shutdown", want: Request{Cmd: "shutdown"}},
		{line: "shutdown now", err: "shutdown: takes no arguments"},
		{line: "version", want: Request{Cmd: "version"}},
		{line: "version x", err: "version: takes no arguments"},
		{line: "help", want: Request{Cmd: "help"}},
		{line: "HELP", want: Request{Cmd: "help"}},
		{line: "help me", err: "help: takes no arguments"},

		{line: "rstart web", err: `unknown command "rstart"; try help`},
		{line: "RSTART", err: `unknown command "RSTART"; try help`},
		{line: "s\u0130gnal TERM web", err: "unknown command \"s\u0130gnal\"; try help"},
		{line: "status\x00", err: `unknown command "status\x00"; try help`},
		{line: "", err: "empty request"},
		{line: " \t ", err: "empty request"},
		{line: "\r\n", err: "empty request"},
	} {
		got, err := Parse(tt.line)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("Parse(%q) error = %v, want %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.line, got, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	if len(Help()) != len(commands) {
		t.Fatalf("Help has %d lines for %d commands", len(Help()), len(commands))
	}
	for i, c := range commands {
		if !strings.HasPrefix(Help()[i], c.name) || strings.Contains(Help()[i], "\n") {
			t.Errorf("Help[%d] = %q, want a line starting with %q", i, Help()[i], c.name)
		}
	}
	if want := "wait TARGET... [TIMEOUT]"; !strings.Contains(strings.Join(Help(), "\n"), want) {
		t.Errorf("Help lacks %q:\n%s", want, strings.Join(Help(), "\n"))
	}
}
