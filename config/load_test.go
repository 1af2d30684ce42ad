package config

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// noEnv is an empty environment.
func noEnv(string) (string, bool) { return "", false }

// mapEnv is an environment from a map.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// problemLines returns err's problems as strings, failing the test if err is
// not an *Error.
func problemLines(t *testing.T, err error) []string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	var out []string
	for _, p := range e.Problems {
		out = append(out, p.String())
	}
	return out
}

// program parses a one-program file: line 1 "[program.p]", line 2 the
// command, the body from line 3.
func program(t *testing.T, body string) (*Program, error) {
	t.Helper()
	cfg, err := Parse("t.toml", []byte("[program.p]\ncommand = [\"/bin/true\"]\n"+body+"\n"), noEnv)
	if err != nil {
		return nil, err
	}
	if len(cfg.Programs) != 1 {
		t.Fatalf("got %d programs, want 1", len(cfg.Programs))
	}
	return cfg.Programs[0], nil
}

func TestProgramDefaults(t *testing.T) {
	p, err := program(t, "")
	if err != nil {
		t.Fatal(err)
	}
	want := &Program{
		Name: "p", Base: "p", Command: []string{"/bin/true"}, Type: "longrun", Umask: -1, BufferSize: 10,
		Autostart: true, Autorestart: "unexpected", ExitCodes: []int{0},
		StartSecs: time.Second, StartRetries: 3, BackoffMax: 30 * time.Second,
		StopSignal: syscall.SIGTERM, StopWait: 10 * time.Second, StopAsGroup: true, KillAsGroup: true,
		Priority: 999, NumProcs: 1,
		Ready: Check{Kind: "started"}, ReadyTimeout: time.Minute, ReadyInterval: time.Second,
		HealthInterval: 10 * time.Second, HealthTimeout: 5 * time.Second, HealthRetries: 3,
		Stdout:    Log{MaxBytes: 50 << 20, Backups: 10},
		Stderr:    Log{MaxBytes: 50 << 20, Backups: 10},
		LogPrefix: true, OutputFormat: "text",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", *p, *want)
	}
}

func TestTendDefaults(t *testing.T) {
	cfg, err := Parse("t.toml", nil, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{File: "t.toml", Socket: DefaultSocket, SocketMode: 0o600, LogLevel: "info", LogFormat: "text", OutputFormat: "text", ShutdownTimeout: 9 * time.Second}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	d := Default(nil)
	want.File = ""
	if !reflect.DeepEqual(d, want) {
		t.Errorf("Default: got %+v, want %+v", d, want)
	}
}

func TestSocket(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		env       map[string]string
		want      string
	}{
		{"default", "", nil, DefaultSocket},
		{"env overrides default", "", map[string]string{"TEND_SOCKET": "/tmp/s"}, "/tmp/s"},
		{"empty env is unset", "", map[string]string{"TEND_SOCKET": ""}, DefaultSocket},
		{"key beats env", "[tend]\nsocket = \"/k\"", map[string]string{"TEND_SOCKET": "/tmp/s"}, "/k"},
		{"empty key disables", "[tend]\nsocket = \"\"", map[string]string{"TEND_SOCKET": "/tmp/s"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("t.toml", []byte(tc.src), mapEnv(tc.env))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Socket != tc.want {
				t.Errorf("Socket = %q, want %q", cfg.Socket, tc.want)
			}
			if d := Default(mapEnv(tc.env)); tc.src == "" && d.Socket != tc.want {
				t.Errorf("Default().Socket = %q, want %q", d.Socket, tc.want)
			}
		})
	}
}

func TestTendKeys(t *testing.T) {
	for _, tc := range []struct {
		line string
		get  func(*Config) any
		want any    // when err is ""
		err  string // the problem, on line 2
	}{
		{line: `socket_mode = "0660"`, get: func(c *Config) any { return c.SocketMode }, want: os.FileMode(0o660)},
		{line: `socket_mode = "660"`, get: func(c *Config) any { return c.SocketMode }, want: os.FileMode(0o660)},
		{line: `socket_mode = 600`, err: `tend.socket_mode: expected an octal string like "022", got integer`},
		{line: `socket_mode = "0999"`, err: `tend.socket_mode: invalid octal mode "0999"`},
		{line: `socket_mode = "01777"`, err: `tend.socket_mode: mode "01777" out of range 0..0777`},
		{line: `socket_group = "docker"`, get: func(c *Config) any { return c.SocketGroup }, want: "docker"},
		{line: `socket_group = "1000"`, get: func(c *Config) any { return c.SocketGroup }, want: "1000"},
		{line: `socket_group = "a b"`, err: `tend.socket_group: invalid group "a b"`},
		{line: `socket = 1`, err: `tend.socket: expected a string, got integer`},
		{line: `log_level = "debug"`, get: func(c *Config) any { return c.LogLevel }, want: "debug"},
		{line: `log_level = "loud"`, err: `tend.log_level: invalid value "loud": want "debug", "info", "warn" or "error"`},
		{line: `log_format = "json"`, get: func(c *Config) any { return c.LogFormat }, want: "json"},
		{line: `log_format = "xml"`, err: `tend.log_format: invalid value "xml": want "text" or "json"`},
		{line: `shutdown_timeout = 30`, get: func(c *Config) any { return c.ShutdownTimeout }, want: 30 * time.Second},
		{line: `shutdown_timeout = "1m"`, get: func(c *Config) any { return c.ShutdownTimeout }, want: time.Minute},
		{line: `shutdown_timeout = "soon"`, err: `tend.shutdown_timeout: invalid duration "soon"`},
		{line: `include = "x"`, err: `tend.include: expected an array of strings, got string`},
		{line: `include = [1]`, err: `tend.include: element 0: expected a string, got integer`},
		{line: `include = ["["]`, err: `tend.include: bad glob "[": syntax error in pattern`},
		{line: `colour = "red"`, err: `tend.colour: unknown key`},
	} {
		t.Run(tc.line, func(t *testing.T) {
			cfg, err := Parse("t.toml", []byte("[tend]\n"+tc.line+"\n"), noEnv)
			if tc.err != "" {
				if err == nil {
					t.Fatalf("no error, want %q", tc.err)
				}
				got := problemLines(t, err)
				if want := "t.toml:2: " + tc.err; len(got) != 1 || got[0] != want {
					t.Fatalf("problems %q, want %q", got, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(cfg); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTendNotATable(t *testing.T) {
	_, err := Parse("t.toml", []byte("tend = 1\nprogram = \"x\"\nother = true\n"), noEnv)
	want := []string{
		"t.toml:1: tend: expected a table, got integer",
		"t.toml:2: program: expected a table, got string",
		"t.toml:3: other: unknown key",
	}
	if got := problemLines(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := Parse("t.toml", []byte("[program.a]\ncommand = [\"x\"]\n\nthis is not toml\n"), noEnv)
	got := problemLines(t, err)
	if len(got) != 1 || !strings.HasPrefix(got[0], "t.toml:4: ") {
		t.Errorf("got %q, want one problem on line 4", got)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(t.TempDir()+"/none.toml", noEnv)
	got := problemLines(t, err)
	if len(got) != 1 || !strings.HasSuffix(got[0], "none.toml: cannot read: no such file or directory") {
		t.Errorf("got %q", got)
	}
}
