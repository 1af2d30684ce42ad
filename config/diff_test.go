package config

import (
	"reflect"
	"testing"
)

const diffBase = `
[program.same]
command = "same"
ready = "log:up"

[program.gone]
command = "gone"

[program.cmd]
command = "old"

[program.env]
command = "env"
environment = { A = "1" }

[program.logs]
command = "logs"
stdout_logfile = "/l/a"

[program.sizes]
command = "sizes"
stdout_logfile_maxbytes = "1MB"

[program.prio]
command = "prio"

[program.stop]
command = "stop"

[program.health]
command = "health"

[program.web]
command = "web"
numprocs = 2
`

const diffNew = `
[program.same]
command = "same"
ready = "log:up"

[program.new]
command = "new"

[program.cmd]
command = "new"

[program.env]
command = "env"
environment = { A = "2" }

[program.logs]
command = "logs"
stdout_logfile = "/l/b"

[program.sizes]
command = "sizes"
stdout_logfile_maxbytes = "2MB"

[program.prio]
command = "prio"
priority = 1
depends_on = ["same"]

[program.stop]
command = "stop"
stopsignal = "INT"

[program.health]
command = "health"
health = "tcp:localhost:1"

[program.web]
command = "web"
numprocs = 3
`

func TestCompare(t *testing.T) {
	old, err := Parse("old.toml", []byte(diffBase), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := Parse("new.toml", []byte(diffNew), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got := Compare(old, cur)
	want := Diff{
		Added:   []string{"new", "web-2"},
		Removed: []string{"gone"},
		Changed: []string{"cmd", "env", "logs"},
		Updated: []string{"health", "prio", "sizes", "stop", "web-0", "web-1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if got.Empty() {
		t.Error("Empty() = true")
	}
	if d := Compare(old, old); !d.Empty() {
		t.Errorf("Compare(old, old) = %+v", d)
	}
	again, err := Parse("old.toml", []byte(diffBase), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(old, again); !d.Empty() {
		t.Errorf("same file parsed twice: %+v", d)
	}
	if d := Compare(nil, old); len(d.Added) != len(old.Programs) {
		t.Errorf("Compare(nil, old) = %+v", d)
	}
	if d := Compare(old, nil); len(d.Removed) != len(old.Programs) {
		t.Errorf("Compare(old, nil) = %+v", d)
	}
}

func TestCompareFields(t *testing.T) {
	for _, tc := range []struct {
		line string
		want string // "changed", "updated"
	}{
		{`type = "oneshot"`, "changed"},
		{`directory = "/x"`, "changed"},
		{`user = "nobody"`, "changed"},
		{`umask = "077"`, "changed"},
		{`clear_env = true`, "changed"},
		{`stderr_logfile = "NONE"`, "changed"},
		{`redirect_stderr = true`, "changed"},
		{`log_prefix = false`, "changed"},
		{`log_timestamps = true`, "changed"},
		{`autostart = false`, "updated"},
		{`autorestart = "always"`, "updated"},
		{`exitcodes = [0, 2]`, "updated"},
		{`startsecs = 5`, "updated"},
		{`startretries = 9`, "updated"},
		{`backoff_max = "1m"`, "updated"},
		{`stopwaitsecs = 1`, "updated"},
		{`stopasgroup = false`, "updated"},
		{`killasgroup = false`, "updated"},
		{`group = "g"`, "updated"},
		{`required = true`, "updated"},
		{`ready = "notify"`, "updated"},
		{`ready_timeout = 5`, "updated"},
		{`ready_interval = 5`, "updated"},
		{`health_interval = 5`, "updated"},
		{`health_timeout = 1`, "updated"},
		{`health_retries = 9`, "updated"},
		{`stderr_logfile_backups = 1`, "updated"},
		{`stdout_logfile_backups = 1`, "updated"},
		{`stderr_logfile_maxbytes = 1`, "updated"},
	} {
		t.Run(tc.line, func(t *testing.T) {
			old, err := Parse("t.toml", []byte("[program.p]\ncommand = \"x\"\n"), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			cur, err := Parse("t.toml", []byte("[program.p]\ncommand = \"x\"\n"+tc.line+"\n"), noEnv)
			if err != nil {
				t.Fatal(err)
			}
			d := Compare(old, cur)
			want := Diff{Changed: []string{"p"}}
			if tc.want == "updated" {
				want = Diff{Updated: []string{"p"}}
			}
			if !reflect.DeepEqual(d, want) {
				t.Errorf("got %+v, want %+v", d, want)
			}
		})
	}
}
