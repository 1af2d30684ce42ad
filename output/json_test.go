package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// appendJSONText escapes what JSON needs escaped and nothing else.
func TestAppendJSONText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{`a "quote" and a \ backslash`, `a \"quote\" and a \\ backslash`},
		{"\n\r\t", `\n\r\t`},
		{"\x00\x01\x1f\x7f", `\u0000\u0001\u001f` + "\x7f"},
		{"\x1b[31mred\x1b[0m", `\u001b[31mred\u001b[0m`},
		{"héllo, 世界, 🙂", "héllo, 世界, 🙂"},
		{"\u2028", "\u2028"},           // valid JSON as it is
		{"a\xffb", `a\ufffdb`},         // an invalid byte
		{"a\xff\xfe\xc0b", `a\ufffdb`}, // one run, one U+FFFD
		{"\xff\n\xff", `\ufffd\n\ufffd`},
		{"\xe4\xb8", `\ufffd`},     // a rune cut short
		{"\xed\xa0\x80", `\ufffd`}, // a surrogate: invalid in UTF-8
		{"\xef\xbf\xbd\xff", "\ufffd" + `\ufffd`},
	} {
		if got := string(appendJSONText(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendJSONText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A line's ending is "\n" or "\r\n"; a "\r" elsewhere is the line's.
func TestLineBody(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"\n", ""},
		{"\r\n", ""},
		{"a\n", "a"},
		{"a\r\n", "a"},
		{"a\r\r\n", "a\r"},
		{"a\r", "a\r"}, // no newline: the last words, or a piece
		{"a", "a"},
		{"a\n\n", "a\n"},
	} {
		if got := string(lineBody([]byte(tt.in))); got != tt.want {
			t.Errorf("lineBody(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// wantMsg is what a record's msg must read back as for line: the line
// without its ending ("\n" or "\r\n"), invalid UTF-8 as strings.ToValidUTF8
// replaces it.
func wantMsg(line string) string {
	body, ok := strings.CutSuffix(line, "\n")
	if ok {
		body = strings.TrimSuffix(body, "\r")
	}
	return strings.ToValidUTF8(body, "\uFFFD")
}

// FuzzJSONLine: whatever bytes a program writes, the record is one line
// that encoding/json parses, with the time, program and stream given and
// the msg wantMsg says.
func FuzzJSONLine(f *testing.F) {
	for _, s := range []string{
		"", "\n", "\r\n", "hello\n", "a\r", "tab\there\n", `"quoted" \ back` + "\n",
		"\x00\x1f\x7f\n", "\xff\xfe", "héllo 世界\n", "\xe4\xb8\n", "\xed\xa0\x80", "a\nb\n",
	} {
		f.Add([]byte(s))
	}
	stamp := appendJSONTime(nil, testClock)
	head := jsonHead("web", "stderr")
	f.Fuzz(func(t *testing.T, line []byte) {
		out := appendJSONLine(nil, stamp, head, line)
		if i := bytes.IndexByte(out, '\n'); i != len(out)-1 {
			t.Fatalf("%q: the record is not one line: %q", line, out)
		}
		var rec jsonRecord
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("%q: %q does not parse: %v", line, out, err)
		}
		if want := wantMsg(string(line)); rec.Msg != want {
			t.Fatalf("%q: msg %q, want %q", line, rec.Msg, want)
		}
		if rec.Program != "web" || rec.Stream != "stderr" {
			t.Fatalf("%q: program %q, stream %q", line, rec.Program, rec.Stream)
		}
		if tm, err := time.Parse(time.RFC3339Nano, rec.Time); err != nil || !tm.Equal(testClock) {
			t.Fatalf("%q: time %q (%v), want %v", line, rec.Time, err, testClock)
		}
	})
}

// The time has all nine digits, in UTC, whatever the zone and however
// many trailing zeros.
func TestJSONTime(t *testing.T) {
	tm := time.Date(2026, 12, 2, 11, 0, 0, 100000000, time.FixedZone("CET", 3600))
	if got, want := string(appendJSONTime(nil, tm)), "2026-12-02T10:00:00.100000000Z"; got != want {
		t.Errorf("time %q, want %q", got, want)
	}
}

// A program name that JSON must escape still gives a valid record.
func TestJSONHeadEscapes(t *testing.T) {
	out := appendJSONLine(nil, appendJSONTime(nil, testClock), jsonHead(`we"b\`, "stdout"), []byte("x\n"))
	var rec jsonRecord
	if err := json.Unmarshal(out, &rec); err != nil || rec.Program != `we"b\` {
		t.Errorf("%q: %+v, %v", out, rec, err)
	}
}
