package envfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParse(t *testing.T) {
	lookup := env(map[string]string{"HOME": "/root", "EMPTY": ""})
	for _, tt := range []struct {
		name, in string
		want     []Var
	}{
		{"plain", "A=1\nB=two words\n", []Var{{"A", "1", 1}, {"B", "two words", 2}}},
		{"no final newline", "A=1", []Var{{"A", "1", 1}}},
		{"blank lines and comments", "\n# c\n  # indented\n\t\nA=1\n\n", []Var{{"A", "1", 5}}},
		{"trimmed", "  A = 1  \t\n\tB\t=\t2\n", []Var{{"A", "1", 1}, {"B", "2", 2}}},
		{"empty", "A=\nB= \nC=''\nD=\"\"\n", []Var{{"A", "", 1}, {"B", "", 2}, {"C", "", 3}, {"D", "", 4}}},
		{"export", "export A=1\nexport\tB=2\nexport=3\nexports=4\n", []Var{{"A", "1", 1}, {"B", "2", 2}, {"export", "3", 3}, {"exports", "4", 4}}},
		{"comment after unquoted", "A=1 # one\nB=2\t#two\nC= # none\n", []Var{{"A", "1", 1}, {"B", "2", 2}, {"C", "", 3}}},
		{"# inside unquoted", "COLOR=#ff0000\nURL=http://x/#frag\nX=a#b #c\n", []Var{{"COLOR", "#ff0000", 1}, {"URL", "http://x/#frag", 2}, {"X", "a#b", 3}}},
		{"= in value", "A=b=c\n", []Var{{"A", "b=c", 1}}},
		{"quotes inside unquoted", `A=it's "fine"` + "\n", []Var{{"A", `it's "fine"`, 1}}},
		{"single quotes are literal", `A='$HOME \n ${X} "q" # not'` + "\n", []Var{{"A", `$HOME \n ${X} "q" # not`, 1}}},
		{"escaped single quote", `A='Let\'s go!'` + "\n", []Var{{"A", "Let's go!", 1}}},
		{"double-quote escapes", `A="a\nb\tc\rd\\e\"f\$g"` + "\n", []Var{{"A", "a\nb\tc\rd\\e\"f$g", 1}}},
		{"unknown escape kept", `A="\q\a"` + "\n", []Var{{"A", `\q\a`, 1}}},
		{"json", `A="{\"hello\": \"json\"}"` + "\n", []Var{{"A", `{"hello": "json"}`, 1}}},
		{"comment after quotes", "A=\"x # y\" # z\nB='p' #q\n", []Var{{"A", "x # y", 1}, {"B", "p", 2}}},
		{"quoted spaces kept", "A=\"  x  \"\n", []Var{{"A", "  x  ", 1}}},
		{"multi-line double", "A=\"line1\nline2\"\nB=2\n", []Var{{"A", "line1\nline2", 1}, {"B", "2", 3}}},
		{"multi-line single", "K='-----BEGIN-----\nabc\n-----END-----'\nN=1\n", []Var{{"K", "-----BEGIN-----\nabc\n-----END-----", 1}, {"N", "1", 4}}},
		{"escaped newline in double quotes", "A=\"a\\\nb\"\nB=1\n", []Var{{"A", "a\\\nb", 1}, {"B", "1", 3}}},
		{"name alone from the environment", "HOME\nexport EMPTY\nNOPE\n", []Var{{"HOME", "/root", 1}, {"EMPTY", "", 2}}},
		{"name alone with a comment", "HOME # from tend\n", []Var{{"HOME", "/root", 1}}},
		{"duplicates kept in order", "A=1\nA=2\n", []Var{{"A", "1", 1}, {"A", "2", 2}}},
		{"CRLF", "A=1\r\nB=\"x\r\ny\"\r\n", []Var{{"A", "1", 1}, {"B", "x\ny", 2}}},
		{"byte order mark", "\uFEFFA=1\n", []Var{{"A", "1", 1}}},
		{"UTF-8 value", "A=héllo wörld\n", []Var{{"A", "héllo wörld", 1}}},
	} {
		got, err := Parse("test.env", []byte(tt.in), lookup)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Parse(%q)\n got %#v\nwant %#v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestParseNilLookup(t *testing.T) {
	got, err := Parse("x.env", []byte("HOME\nA=1\n"), nil)
	if err != nil || !reflect.DeepEqual(got, []Var{{"A", "1", 2}}) {
		t.Errorf("Parse = %v, %v", got, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"A=1\nB=2\n1A=x\n", `/run/secrets/app.env:3: invalid variable name "1A"`},
		{"A-B=1\n", `/run/secrets/app.env:1: invalid variable name "A-B"`},
		{"=1\n", `/run/secrets/app.env:1: invalid variable name ""`},
		{"A B=1\n", `/run/secrets/app.env:1: A: want '=' after the name`},
		{"s3cr3t+/pasted\n", `/run/secrets/app.env:1: want NAME=VALUE or a variable name alone`},
		{"A=1\nB=\"open\nstill\n", `/run/secrets/app.env:2: B: no closing double quote`},
		{"B='open", `/run/secrets/app.env:1: B: no closing single quote`},
		{"A=\"x\"y\n", `/run/secrets/app.env:1: A: text after the closing quote (a comment starts with #)`},
		{"A=\"x\ny\" z\n", `/run/secrets/app.env:2: A: text after the closing quote (a comment starts with #)`},
		{"A=a\x00b\n", `/run/secrets/app.env:1: A: the value holds a NUL byte`},
		{"A=\"a\x00b\"\n", `/run/secrets/app.env:1: A: the value holds a NUL byte`},
	} {
		_, err := Parse("/run/secrets/app.env", []byte(tt.in), nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

// TestErrorsHideValues checks that no error quotes a value.
func TestErrorsHideValues(t *testing.T) {
	for _, in := range []string{
		"A=\"hunter2\"hunter3\n", "A='hunter2\n", "A=\"hunter2\x00\"\n", "hunter2.x\n", "A hunter2\n",
	} {
		_, err := Parse("x.env", []byte(in), nil)
		if err == nil {
			t.Errorf("Parse(%q): no error", in)
			continue
		}
		if strings.Contains(err.Error(), "hunter") {
			t.Errorf("Parse(%q): the error quotes the value: %v", in, err)
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.env")
	if err := os.WriteFile(path, []byte("A=1\n2B=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path, nil)
	if want := path + `:2: invalid variable name "2B"`; err == nil || err.Error() != want {
		t.Errorf("Read = %v, want %s", err, want)
	}
	_, err = Read(filepath.Join(dir, "none.env"), nil)
	if want := "env file: open " + dir + "/none.env: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("Read = %v, want %s", err, want)
	}
}

func TestSecrets(t *testing.T) {
	files := map[string]string{
		"/run/secrets/db":   "hunter2\n",
		"/run/secrets/crlf": "p4ss\r\n",
		"/run/secrets/two":  "x\n\n",
		"/run/secrets/none": "bare",
		"/run/secrets/nul":  "a\x00b",
	}
	read := func(path string) ([]byte, error) {
		if path == "/run/secrets/denied" {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrPermission}
		}
		if path == "/run/secrets/odd" {
			return nil, errors.New("device busy")
		}
		s, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
	for _, tt := range []struct {
		name  string
		in    []string
		want  []string
		names []string
		err   string
	}{
		{"one", []string{"A=1", "DB_PASSWORD_FILE=/run/secrets/db", "B=2"},
			[]string{"A=1", "DB_PASSWORD=hunter2", "B=2"}, []string{"DB_PASSWORD"}, ""},
		{"newlines", []string{"C_FILE=/run/secrets/crlf", "T_FILE=/run/secrets/two", "N_FILE=/run/secrets/none"},
			[]string{"C=p4ss", "T=x\n", "N=bare"}, []string{"C", "N", "T"}, ""},
		{"not secrets", []string{"_FILE=/run/secrets/db", "1X_FILE=/run/secrets/db", "E_FILE=", "FILE=/x", "noequals"},
			[]string{"_FILE=/run/secrets/db", "1X_FILE=/run/secrets/db", "E_FILE=", "FILE=/x", "noequals"}, nil, ""},
		{"empty beside is fine", []string{"DB_PASSWORD=", "DB_PASSWORD_FILE=/run/secrets/db"},
			[]string{"DB_PASSWORD=hunter2"}, []string{"DB_PASSWORD"}, ""},
		{"the last of a duplicate", []string{"S_FILE=/run/secrets/missing", "S_FILE=/run/secrets/db"},
			[]string{"S=hunter2"}, []string{"S"}, ""},
		{"both set", []string{"DB_PASSWORD=x", "DB_PASSWORD_FILE=/run/secrets/db"}, nil, nil,
			"secret DB_PASSWORD_FILE: DB_PASSWORD is set too; set one or the other"},
		{"missing", []string{"DB_PASSWORD_FILE=/run/secrets/missing"}, nil, nil,
			`secret DB_PASSWORD_FILE: read "/run/secrets/missing": file does not exist`},
		{"denied", []string{"DB_PASSWORD_FILE=/run/secrets/denied"}, nil, nil,
			`secret DB_PASSWORD_FILE: read "/run/secrets/denied": permission denied`},
		{"other error", []string{"DB_PASSWORD_FILE=/run/secrets/odd"}, nil, nil,
			`secret DB_PASSWORD_FILE: read "/run/secrets/odd": device busy`},
		{"NUL", []string{"K_FILE=/run/secrets/nul"}, nil, nil,
			"secret K_FILE: \"/run/secrets/nul\" holds a NUL byte, which an environment cannot carry"},
	} {
		got, names, err := Secrets(tt.in, read)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%s: err %v, want %s", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		var gotNames []string
		for n := range names {
			gotNames = append(gotNames, n)
		}
		sortStrings(gotNames)
		if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(gotNames, tt.names) {
			t.Errorf("%s: Secrets = %q %q, want %q %q", tt.name, got, gotNames, tt.want, tt.names)
		}
	}
}

func TestSecretsRealFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db")
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	got, _, err := Secrets([]string{"DB_PASSWORD_FILE=" + path}, os.ReadFile)
	if os.Geteuid() == 0 {
		// root reads a 0000 file
		if err != nil || got[0] != "DB_PASSWORD=s3cret" {
			t.Errorf("Secrets = %q, %v", got, err)
		}
		return
	}
	if want := "secret DB_PASSWORD_FILE: read \"" + path + "\": permission denied"; err == nil || err.Error() != want {
		t.Errorf("Secrets = %v, want %s", err, want)
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
