package output

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"tend/config"
	"tend/rotate"
)

// syncBuffer is what a Console writes to in tests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testClock is the time every test pump reads its chunks at.
var testClock = time.Date(2026, 12, 2, 10, 0, 0, 123456789, time.UTC)

// harness is one program's Output with tend's stdout and stderr captured.
type harness struct {
	t              *testing.T
	o              *Output
	ring           *rotate.Ring
	stdout, stderr *Console
	out, err       *syncBuffer
	pumps          sync.WaitGroup
}

// newHarness is c's Output, its clock at testClock. c needs only what the
// test is about: Name and the output keys.
func newHarness(t *testing.T, c *config.Program) *harness {
	t.Helper()
	h := &harness{t: t, ring: NewRing(), out: &syncBuffer{}, err: &syncBuffer{}}
	h.stdout, h.stderr = NewConsole(h.out), NewConsole(h.err)
	h.o = New(c, h.ring, &rotate.Registry{}, h.stdout, h.stderr, slog.New(slog.DiscardHandler))
	h.o.now = func() time.Time { return testClock }
	t.Cleanup(h.o.Close)
	return h
}

// pipe starts a pump on a new pipe for stream and returns its write end.
func (h *harness) pipe(stream int) *os.File {
	h.t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		h.t.Fatal(err)
	}
	h.o.Pump(r, stream, nil, nil, &h.pumps)
	return w
}

// run writes each of writes to a pipe on stream, one write each, closes
// it, and waits for the pump and the consoles.
func (h *harness) run(stream int, writes ...string) {
	h.t.Helper()
	w := h.pipe(stream)
	for _, s := range writes {
		if _, err := w.WriteString(s); err != nil {
			h.t.Fatal(err)
		}
	}
	w.Close()
	h.wait()
}

// wait waits for the pumps to end and the consoles to write what they got.
func (h *harness) wait() {
	h.pumps.Wait()
	h.stdout.Flush()
	h.stderr.Flush()
}

func program(name string) *config.Program {
	return &config.Program{Name: name, LogPrefix: true, OutputFormat: "text"}
}

// Text mode is as it was: each line prefixed, a last line without its
// newline ended, and the ring given the raw lines.
func TestPumpText(t *testing.T) {
	h := newHarness(t, program("web"))
	h.run(1, "one\ntw", "o\nlast words")
	if got, want := h.out.String(), "web | one\nweb | two\nweb | last words\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got := h.err.String(); got != "" {
		t.Errorf("stderr %q, want nothing", got)
	}
	if got, want := h.ring.Last(10), []string{"one", "two", "last words"}; !equal(got, want) {
		t.Errorf("ring %q, want %q", got, want)
	}
}

// log_timestamps in text mode: an RFC 3339 UTC timestamp, then the prefix.
func TestPumpTextTimestamps(t *testing.T) {
	c := program("web")
	c.LogTimestamps = true
	h := newHarness(t, c)
	h.run(2, "oops\n")
	if got, want := h.err.String(), "2026-12-02T10:00:00Z web | oops\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// A multiline pattern changes nothing in text mode: every line is written
// as it comes, with its prefix.
func TestPumpTextMultiline(t *testing.T) {
	c := program("web")
	c.Multiline = regexp.MustCompile(`^\s`)
	h := newHarness(t, c)
	h.run(1, "Exception\n\tat a\n\tat b\nnext\n")
	want := "web | Exception\nweb | \tat a\nweb | \tat b\nweb | next\n"
	if got := h.out.String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

// jsonRecord is a record as encoding/json reads it back.
type jsonRecord struct {
	Time    string `json:"time"`
	Program string `json:"program"`
	Stream  string `json:"stream"`
	Msg     string `json:"msg"`
}

// parseRecords reads out as JSON lines, each exactly the four fields.
func parseRecords(t *testing.T, out string) []jsonRecord {
	t.Helper()
	var recs []jsonRecord
	for line := range strings.Lines(out) {
		if !strings.HasSuffix(line, "\n") {
			t.Fatalf("record %q does not end its line", line)
		}
		var fields map[string]string
		if err := json.Unmarshal([]byte(line), &fields); err != nil {
			t.Fatalf("record %q: %v", line, err)
		}
		if len(fields) != 4 {
			t.Errorf("record %q: want time, program, stream and msg only", line)
		}
		recs = append(recs, jsonRecord{fields["time"], fields["program"], fields["stream"], fields["msg"]})
	}
	return recs
}

// msgs is the msg of each record.
func msgs(recs []jsonRecord) []string {
	var m []string
	for _, r := range recs {
		m = append(m, r.Msg)
	}
	return m
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// JSON mode: one object per line, with the pump's time, the program, the
// stream and the line without its ending; no prefix, no text timestamp;
// the ring still gets the raw lines.
func TestPumpJSON(t *testing.T) {
	c := program("web")
	c.OutputFormat = "json"
	c.LogTimestamps = true // the object has the time: no text stamp
	h := newHarness(t, c)
	h.run(1, "hello \"world\"\n", "crlf\r\n\ttab\n", "last")
	h.run(2, "oops\n")
	want := `{"time":"2026-12-02T10:00:00.123456789Z","program":"web","stream":"stdout","msg":"hello \"world\""}` + "\n" +
		`{"time":"2026-12-02T10:00:00.123456789Z","program":"web","stream":"stdout","msg":"crlf"}` + "\n" +
		`{"time":"2026-12-02T10:00:00.123456789Z","program":"web","stream":"stdout","msg":"\ttab"}` + "\n" +
		`{"time":"2026-12-02T10:00:00.123456789Z","program":"web","stream":"stdout","msg":"last"}` + "\n"
	if got := h.out.String(); got != want {
		t.Errorf("stdout\n%s\nwant\n%s", got, want)
	}
	recs := parseRecords(t, h.err.String())
	if len(recs) != 1 || recs[0] != (jsonRecord{"2026-12-02T10:00:00.123456789Z", "web", "stderr", "oops"}) {
		t.Errorf("stderr records %+v", recs)
	}
	if got, want := h.ring.Last(10), []string{"hello \"world\"", "crlf\r", "\ttab", "last", "oops"}; !equal(got, want) {
		t.Errorf("ring %q, want %q", got, want)
	}
}

// With redirect_stderr there is one pipe, stdout's: every record says
// "stdout".
func TestPumpJSONRedirectStderr(t *testing.T) {
	c := program("web")
	c.OutputFormat = "json"
	c.RedirectStderr = true
	h := newHarness(t, c)
	h.run(1, "a\n")
	h.run(2, "b\n") // tend gives no such pump; it would go nowhere
	recs := parseRecords(t, h.out.String())
	if len(recs) != 1 || recs[0].Stream != "stdout" || recs[0].Msg != "a" {
		t.Errorf("records %+v", recs)
	}
	if h.err.String() != "" {
		t.Errorf("stderr %q", h.err.String())
	}
}

// Log files are written as text whatever output_format says; /dev/stderr
// is the console, so it gets JSON; NONE gets nothing.
func TestPumpJSONFilesStayText(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "web.log")
	c := program("web")
	c.OutputFormat = "json"
	c.LogTimestamps = true
	c.Stdout = config.Log{Path: path, MaxBytes: 1 << 20}
	c.Stderr = config.Log{Path: "/dev/stdout"}
	h := newHarness(t, c)
	h.run(1, "to the file\n")
	h.run(2, "to the console\n")
	h.o.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "2026-12-02T10:00:00Z to the file\n"; got != want {
		t.Errorf("file %q, want %q", got, want)
	}
	recs := parseRecords(t, h.out.String())
	if len(recs) != 1 || recs[0].Stream != "stderr" || recs[0].Msg != "to the console" {
		t.Errorf("stdout records %+v", recs)
	}

	c.Stdout = config.Log{Path: "NONE"}
	h = newHarness(t, c)
	h.run(1, "nowhere\n")
	if h.out.String() != "" || h.err.String() != "" {
		t.Errorf("NONE wrote %q and %q", h.out.String(), h.err.String())
	}
}

// The ready pattern sees every line in JSON mode too.
func TestPumpJSONReadyPattern(t *testing.T) {
	c := program("web")
	c.OutputFormat = "json"
	c.Multiline = regexp.MustCompile(`^\s`)
	h := newHarness(t, c)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	matched := make(chan struct{}, 2)
	h.o.Pump(r, 1, regexp.MustCompile(`listening`), func() { matched <- struct{}{} }, &h.pumps)
	w.WriteString("starting\n  listening on :80\nlistening again\n")
	w.Close()
	h.wait()
	if len(matched) != 1 {
		t.Errorf("matched %d times, want once", len(matched))
	}
	if got, want := msgs(parseRecords(t, h.out.String())), []string{"starting\n  listening on :80", "listening again"}; !equal(got, want) {
		t.Errorf("msgs %q, want %q", got, want)
	}
}
