package convert

import "testing"

// testScope resolves a few names as supervisord would.
func testScope(r ref) ([]rune, error) {
	switch r.name {
	case "process_num":
		return formatInt(r, 7)
	case "program_name":
		return formatStr(r, "web")
	case "here":
		return formatStr(r, "/h")
	}
	return nil, errUnknownName
}

// The expectations are what Python's % operator makes of the same format
// and names.
func TestExpand(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"%(process_num)02d", "07"},
		{"%(process_num)d", "7"},
		{"%(process_num)s", "7"},
		{"%(process_num)-4d|", "7   |"},
		{"%(process_num)+d", "+7"},
		{"%(process_num)#o", "0o7"},
		{"%(process_num)#x", "0x7"},
		{"%(process_num)X", "7"},
		{"%(process_num).3d", "007"},
		{"%(process_num)ld", "7"},
		{"%(process_num) d", " 7"},
		{"%(process_num)05.3d", "00007"},
		{"%(process_num)#06x", "0x0007"},
		{"%(process_num)#06o", "0o0007"},
		{"%(process_num)+05d", "+0007"},
		{"%(process_num)-+5d|", "+7   |"},
		{"%(program_name)5s|", "  web|"},
		{"%(program_name)-5s|", "web  |"},
		{"%(program_name).2s", "we"},
		{"%(program_name)05s", "  web"},
		{"%%(here)s", "%(here)s"},
		{"100%% %(here)s", "100% /h"},
		{"ünïcode %(here)s", "ünïcode /h"},
	} {
		got, err := expandString(tc.in, testScope)
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"%(program_name)d", `%(program_name)d: %d needs a number, and this name is a string`},
		{"%(nope)s", "%(nope)s: unknown name"},
		{"%(here)", `incomplete format "%(here)"`},
		{"50%", `a lone % in "%": write %% for a literal %`},
		{"%s", `a lone % in "%s": write %% for a literal %`},
		{"%(a(b)s", `unterminated %( in "%(a(b)s"`},
		{"%(here)*s", `'*' in format "%(here)*s": supervisord's names give no width`},
		{"%(here)99999s", `width 99999 in format "%(here)99999s" is too large`},
		{"%(process_num)f", `%(process_num)f: unsupported format character 'f'`},
	} {
		_, err := expandString(tc.in, testScope)
		if err == nil || err.Error() != tc.want {
			t.Errorf("expand(%q) error = %v, want %s", tc.in, err, tc.want)
		}
	}
}
