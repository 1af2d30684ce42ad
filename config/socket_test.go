package config

import (
	"os"
	"path/filepath"
	"testing"
)

// SocketOf agrees with Load on every way the socket can be given.
func TestSocketOf(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, envSocket string
	}{
		{"default", "[program.a]\ncommand = \"x\"\n", ""},
		{"env", "[program.a]\ncommand = \"x\"\n", "/env.sock"},
		{"key", "[tend]\nsocket = \"/key.sock\"\n", "/env.sock"},
		{"disabled", "[tend]\nsocket = \"\"\n", "/env.sock"},
	} {
		path := filepath.Join(dir, c.name+".toml")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		env := func(k string) (string, bool) {
			if k == "TEND_SOCKET" && c.envSocket != "" {
				return c.envSocket, true
			}
			return "", false
		}
		cfg, err := Load(path, env)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := SocketOf(path, env)
		if err != nil || got != cfg.Socket {
			t.Errorf("%s: SocketOf = %q, %v; Load has %q", c.name, got, err, cfg.Socket)
		}
	}
	if _, err := SocketOf(filepath.Join(dir, "none.toml"), nil); err == nil {
		t.Error("SocketOf of a missing file: no error")
	}
}
