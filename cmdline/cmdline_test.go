package cmdline

import (
	"errors"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

func noEnv(string) (string, bool) { return "", false }

func envOf(kv ...string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for _, e := range kv {
			if n, v, _ := strings.Cut(e, "="); n == k {
				return v, true
			}
		}
		return "", false
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		args []string
		env  []string
		want Flags
	}{
		{[]string{"--", "app", "-x"}, nil, Flags{Verbosity: -1, Argv: []string{"app", "-x"}}},
		{[]string{"app", "--", "-x"}, nil, Flags{Verbosity: -1, Argv: []string{"app", "--", "-x"}}},
		{[]string{"-c", "f.toml", "--socket=", "--log-level", "info", "-log-format=json"}, nil,
			Flags{Verbosity: -1, Config: "f.toml", SocketSet: true, LogLevel: "info", LogFormat: "json"}},
		{[]string{"-socket", "/s", "--"}, nil, Flags{Verbosity: -1, Socket: "/s", SocketSet: true, Argv: []string{}}},
		{[]string{"-svvg", "-e143", "-e", "0", "-w", "-p", "TERM", "--", "a"}, nil,
			Flags{Verbosity: 3, Subreaper: true, Group: true, Success: []int{143, 0}, WarnReap: true,
				ParentDeath: syscall.SIGTERM, Argv: []string{"a"}}},
		{[]string{"-r", "15:3", "--rewrite=HUP:0", "--rewrite", "USR1:USR2", "a"}, nil,
			Flags{Verbosity: -1, Rewrite: map[syscall.Signal]syscall.Signal{15: 3, 1: 0, 10: 12}, Argv: []string{"a"}}},
		{[]string{"--single-child", "--verbose", "a"}, nil, Flags{Verbosity: 2, Argv: []string{"a"}}},
		{[]string{"-V"}, nil, Flags{Verbosity: -1, Version: true}},
		{[]string{"-h", "--version"}, nil, Flags{Verbosity: -1, Help: true, Version: true}},
		{[]string{"a"}, []string{"TINI_SUBREAPER=", "TINI_VERBOSITY=3", "TINI_KILL_PROCESS_GROUP=1"},
			Flags{Verbosity: 3, Subreaper: true, Group: true, Argv: []string{"a"}}},
		{[]string{"-v", "a"}, []string{"TINI_VERBOSITY=0"}, Flags{Verbosity: 2, Argv: []string{"a"}}},
		{[]string{"a"}, []string{"DUMB_INIT_SETSID=1"}, Flags{Verbosity: -1, Argv: []string{"a"}}},
	}
	for _, c := range cases {
		got, err := Parse(c.args, envOf(c.env...))
		if err != nil {
			t.Errorf("%q %q: %v", c.args, c.env, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q %q:\n got %+v\nwant %+v", c.args, c.env, *got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		args []string
		env  []string
		msg  string
	}{
		{[]string{"-x"}, nil, `unknown flag "-x"`},
		{[]string{"-sx"}, nil, `unknown flag "-x"`},
		{[]string{"--frob", "--", "a"}, nil, `unknown flag "--frob"`},
		{[]string{"-socketx", "a"}, nil, `unknown flag "-o"`},
		{[]string{"-e"}, nil, `-e: needs a value`},
		{[]string{"-e", "x"}, nil, `-e: "x": want an exit status 0..255`},
		{[]string{"-e", "-1"}, nil, `-e: "-1": want an exit status 0..255`},
		{[]string{"-p", "NOPE"}, nil, `-p: unknown signal "NOPE"`},
		{[]string{"--rewrite"}, nil, `--rewrite: needs a value`},
		{[]string{"-r", "15"}, nil, `-r: "15": want S:R`},
		{[]string{"--version=1"}, nil, `--version: takes no value`},
		{[]string{"-l"}, nil, `-l: tini's licence`},
		{[]string{"-g", "--single-child"}, nil, `--single-child: conflicts with -g`},
		{[]string{"a"}, []string{"TINI_KILL_PROCESS_GROUP=1", "DUMB_INIT_SETSID=0"}, `conflicts with TINI_KILL_PROCESS_GROUP`},
		{[]string{"a"}, []string{"TINI_VERBOSITY=x"}, `TINI_VERBOSITY: "x"`},
	}
	for _, c := range cases {
		_, err := Parse(c.args, envOf(c.env...))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q %q: error %v, want one with %q", c.args, c.env, err, c.msg)
		}
	}
	_, err := Parse([]string{"-q"}, noEnv)
	if !errors.Is(err, ErrUnknown) {
		t.Errorf("-q: %v is not ErrUnknown", err)
	}
}

// FuzzParse: any command line parses or fails with a one-line error; a
// program found is a suffix of the words given.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"-- a b", "-svg -e143 -p TERM a", "-r 15:3 --rewrite=1:0 a", "-c x --socket= -- a", "-e", "--", "-vvv", "-x", "-socket=/s a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		got, err := Parse(args, noEnv)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error on more than one line: %q", args, err)
			}
			return
		}
		n := len(got.Argv)
		if n > len(args) || !reflect.DeepEqual(got.Argv, args[len(args)-n:]) && n > 0 {
			t.Fatalf("%q: program %q is not what was given", args, got.Argv)
		}
		for _, c := range got.Success {
			if c < 0 || c > 255 {
				t.Fatalf("%q: -e %d", args, c)
			}
		}
	})
}
