package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// writeFiles creates files under dir, each name relative to it.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInclude(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tend.toml":         "[tend]\ninclude = [\"conf.d/*.toml\", \"" + filepath.Join(dir, "abs", "*.toml") + "\", \"none/*.toml\", \"*.toml\"]\n\n[program.main1]\ncommand = \"m\"\n",
		"conf.d/b.toml":     "[program.b]\ncommand = \"b\"\ndepends_on = [\"a\"]\n",
		"conf.d/a.toml":     "[program.a]\ncommand = \"a\"\n[program.a2]\ncommand = \"a2\"\n",
		"conf.d/x.conf":     "not toml at all [",
		"abs/c.toml":        "[program.c]\ncommand = \"c\"\ndepends_on = [\"main1\"]\n",
		"conf.d/sub/d.toml": "[program.d]\ncommand = \"d\"\n",
	})
	cfg, err := Load(filepath.Join(dir, "tend.toml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range cfg.Programs {
		names = append(names, p.Name)
	}
	if want := []string{"a", "a2", "b", "c", "main1"}; !reflect.DeepEqual(names, want) {
		t.Errorf("programs %q, want %q", names, want)
	}
}

func TestIncludeErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tend.toml": "[tend]\ninclude = [\"d/*.toml\", \"dir*\"]\n\n[program.web]\ncommand = \"w\"\n",
		"d/1.toml":  "[program.web]\ncommand = \"again\"\n\n[tend]\nlog_level = \"debug\"\n",
		"d/2.toml":  "# a comment\n[program.api]\ncommand = \"a\"\ncolour = 1\n[other]\n",
		"d/3.toml":  "[program.api]\ncommand = \"twice\"\n",
		"d/4.toml":  "[program.bad\n",
		"dir1/x":    "",
	})
	_, err := Load(filepath.Join(dir, "tend.toml"), noEnv)
	got := problemLines(t, err)
	for i := range got {
		got[i] = strings.ReplaceAll(got[i], dir+"/", "")
	}
	want := []string{
		`tend.toml:2: tend.include: cannot read "dir1": is a directory`,
		`d/1.toml:1: program.web: defined twice (also at tend.toml:4)`,
		`d/1.toml:4: tend: not allowed in an included file, which may hold [program.*] tables only`,
		`d/2.toml:4: program.api.colour: unknown key`,
		`d/2.toml:5: other: not allowed in an included file, which may hold [program.*] tables only`,
		`d/3.toml:1: program.api: defined twice (also at d/2.toml:2)`,
		`d/4.toml:1: expected '.' or ']' to end table name, but got '\n' instead`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got:\n%s\nwant:\n%s", join2(got), join2(want))
	}
}

func TestIncludeUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"tend.toml": "[tend]\ninclude = [\"*.inc\"]\n",
		"a.inc":     "",
	})
	if err := os.Chmod(filepath.Join(dir, "a.inc"), 0); err != nil {
		t.Fatal(err)
	}
	_, err := Load(filepath.Join(dir, "tend.toml"), noEnv)
	got := problemLines(t, err)
	want := `tend.include: cannot read "` + filepath.Join(dir, "a.inc") + `": permission denied`
	if len(got) != 1 || !strings.HasSuffix(got[0], want) {
		t.Errorf("got %q, want one problem ending %q", got, want)
	}
}

func TestIncludeRelativeToName(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"inc/a.toml": "[program.a]\ncommand = \"a\"\n"})
	cfg, err := Parse(filepath.Join(dir, "whatever.toml"), []byte("[tend]\ninclude = [\"inc/*.toml\"]\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Programs) != 1 || cfg.Programs[0].Name != "a" {
		t.Errorf("programs %v", cfg.Programs)
	}
}

func TestIncludeNotRegular(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"tend.toml": "[tend]\ninclude = [\"f*\"]\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skip(err)
	}
	_, err := Load(filepath.Join(dir, "tend.toml"), noEnv)
	got := problemLines(t, err)
	want := `tend.include: cannot read "` + filepath.Join(dir, "fifo") + `": not a regular file`
	if len(got) != 1 || !strings.HasSuffix(got[0], want) {
		t.Errorf("got %q, want one problem ending %q", got, want)
	}
}
