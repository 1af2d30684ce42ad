package convert

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// FuzzConvert checks that any input either fails with one line naming the
// file, or converts to TOML that the decoder reads: the output is the
// user's new config, and a quoting slip must not make it unreadable. The
// environment and host name hold quotes, backslashes, '$' and control
// characters, which the output must quote too.
func FuzzConvert(f *testing.F) {
	confs, _ := filepath.Glob("testdata/*.conf")
	for _, c := range confs {
		if data, err := os.ReadFile(c); err == nil {
			f.Add(string(data))
		}
	}
	for _, s := range []string{
		"[program:x]\ncommand=/bin/x %(ENV_Q)s\nenvironment=A=\"%(ENV_Q)s\",B='$x',C=%(process_num)d\nnumprocs=2\nprocess_name=%(program_name)s%(process_num)d\n",
		"[program:a\x01b]\ncommand=\"\\\x7f\" %(host_node_name)s\nstdout_logfile=/l/%(ENV_Q)s%(process_num)02d\n",
		"[supervisord]\nenvironment=K=\"%(ENV_Q)s\"\n[program:p]\ncommand=x\nenvironment=J=\"%(ENV_K)s\",K=1\n",
		"[unix_http_server]\nfile=%(ENV_Q)s\nchown=a:b\n[DEFAULT]\nx=1\n",
		"[group:g]\nprograms=x\n[program:x]\ncommand=x\n  y ; z\n\n  w\n",
		"[include]\nfiles=*.conf\n[eventlistener:e]\npassword=\x1f\n",
	} {
		f.Add(s)
	}
	env := map[string]string{"Q": "q\"\\\n\t$x\x1b\u2028é", "HOME": "/root"}
	opts := Options{
		Here:     "/fuzz",
		Env:      lookup(env),
		Hostname: "h\"\\$",
		Glob:     func(string) ([]string, error) { return nil, nil },
		ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist },
	}
	f.Fuzz(func(t *testing.T, conf string) {
		out, err := Convert(strings.NewReader(conf), "fuzz.conf", opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is a %T, not an *Error: %v", err, err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "fuzz.conf") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		if !utf8.Valid(out) {
			t.Fatalf("output is not UTF-8:\n%s", out)
		}
		var v map[string]any
		if _, err := toml.Decode(string(out), &v); err != nil {
			t.Fatalf("output is not TOML: %v\n--- input:\n%q\n--- output:\n%s", err, conf, out)
		}
	})
}
