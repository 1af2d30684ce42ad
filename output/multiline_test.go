package output

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// step is one thing a scripted program does: write data, or say nothing
// for a while (pause).
type step struct {
	data  string
	pause bool
}

// script is a source that plays steps to a pump, one per Read, then EOF,
// and records what the pump asks of it: every read deadline, and what the
// console had written by each Read.
type script struct {
	t         *testing.T
	steps     []step
	console   *Console
	out       *syncBuffer
	deadline  time.Time   // as last set
	deadlines []time.Time // every SetReadDeadline, in order
	seen      []string    // the console's output at each Read
}

func (s *script) Read(p []byte) (int, error) {
	s.console.Flush()
	s.seen = append(s.seen, s.out.String())
	for len(s.steps) > 0 {
		st := s.steps[0]
		s.steps = s.steps[1:]
		if !st.pause {
			if len(st.data) > len(p) {
				s.t.Errorf("step of %d bytes, read of %d", len(st.data), len(p))
			}
			return copy(p, st.data), nil
		}
		if !s.deadline.IsZero() {
			return 0, &os.PathError{Op: "read", Path: "|0", Err: os.ErrDeadlineExceeded}
		}
		// No deadline: a pipe's Read waits through the pause for the
		// next step.
	}
	return 0, io.EOF
}

func (s *script) SetReadDeadline(t time.Time) error {
	s.deadline = t
	s.deadlines = append(s.deadlines, t)
	return nil
}

func (s *script) Close() error { return nil }

// play runs a pump for stream on the steps and waits for its end.
func (h *harness) play(stream int, steps ...step) *script {
	s := &script{t: h.t, steps: steps, console: h.stdout, out: h.out}
	if stream == 2 {
		s.console, s.out = h.stderr, h.err
	}
	h.o.pump(s, stream, nil, nil, &h.pumps)
	h.wait()
	return s
}

// newJSON is a harness for a JSON program with the multiline pattern re
// ("" for none).
func newJSON(t *testing.T, re string) *harness {
	c := program("web")
	c.OutputFormat = "json"
	if re != "" {
		c.Multiline = regexp.MustCompile(re)
	}
	return newHarness(t, c)
}

// A stack trace is one record; a pause emits the pending record, and the
// read deadline is set only while one is pending.
func TestMultilineRecords(t *testing.T) {
	h := newJSON(t, `^\s`)
	start := time.Now()
	s := h.play(1,
		step{data: "Exception in main\n\tat a\n"},
		step{data: "\tat b\nnext line\n"},
		step{pause: true},
		step{data: "\tat orphan\n"},
	)
	recs := parseRecords(t, h.out.String())
	want := []string{"Exception in main\n\tat a\n\tat b", "next line", "\tat orphan"}
	if got := msgs(recs); !equal(got, want) {
		t.Fatalf("msgs %q, want %q", got, want)
	}
	// What the console had by each read: nothing while the trace may
	// go on; the trace once the next line began; the next line after
	// the pause.
	lines := func(n int) string {
		var b strings.Builder
		for l := range strings.Lines(h.out.String()) {
			if n == 0 {
				break
			}
			b.WriteString(l)
			n--
		}
		return b.String()
	}
	wantSeen := []string{"", "", lines(1), lines(2), lines(2)}
	if !equal(s.seen, wantSeen) {
		t.Errorf("console at each read %q, want %q", s.seen, wantSeen)
	}
	// Set after each chunk that leaves a record pending, cleared after
	// the pause emptied it.
	var kinds []string
	for _, d := range s.deadlines {
		switch {
		case d.IsZero():
			kinds = append(kinds, "clear")
		case d.Before(start.Add(recordPause)) || d.After(time.Now().Add(recordPause)):
			t.Errorf("deadline %v, not recordPause after a read", d)
		default:
			kinds = append(kinds, "set")
		}
	}
	if got, want := strings.Join(kinds, " "), "set set clear set"; got != want {
		t.Errorf("deadlines %s, want %s", got, want)
	}
}

// Without a multiline pattern, or in text mode, the pipe never gets a
// deadline: no timer, whatever the program does.
func TestNoDeadlineWithoutRecords(t *testing.T) {
	steps := []step{{data: "a\n\tb\n"}, {pause: true}, {data: "c"}, {pause: true}, {data: "\n"}}
	text := program("web")
	text.Multiline = regexp.MustCompile(`^\s`)
	for name, h := range map[string]*harness{
		"json":           newJSON(t, ""),
		"text multiline": newHarness(t, text),
	} {
		s := h.play(1, steps...)
		if len(s.deadlines) != 0 {
			t.Errorf("%s: deadlines %v, want none", name, s.deadlines)
		}
	}
}

// A partial line restarts the wait too: it may be a continuation written
// in pieces.
func TestMultilinePartialLineRestartsPause(t *testing.T) {
	h := newJSON(t, `^\s`)
	s := h.play(1, step{data: "Traceback\n"}, step{data: "  File"}, step{data: " x\n"})
	if got, want := msgs(parseRecords(t, h.out.String())), []string{"Traceback\n  File x"}; !equal(got, want) {
		t.Errorf("msgs %q, want %q", got, want)
	}
	if len(s.deadlines) != 3 {
		t.Errorf("deadlines %v, want one per read", s.deadlines)
	}
}

// At EOF the pending record is emitted, a last line without newline in it.
func TestMultilineEOF(t *testing.T) {
	h := newJSON(t, `^\s`)
	h.run(2, "panic: boom\n\tgoroutine 1\n\tmain.go:3")
	recs := parseRecords(t, h.err.String())
	if len(recs) != 1 || recs[0].Msg != "panic: boom\n\tgoroutine 1\n\tmain.go:3" || recs[0].Stream != "stderr" {
		t.Errorf("records %+v", recs)
	}
}

// On a real pipe that stays open, a pending record is emitted after the
// pause, and the next line after it is a record of its own.
func TestMultilinePausePipe(t *testing.T) {
	h := newJSON(t, `^\s`)
	w := h.pipe(1)
	defer w.Close()
	w.WriteString("boom\n\tat x\n")
	want := `"msg":"boom\n\tat x"}` + "\n"
	for deadline := time.Now().Add(10 * time.Second); !strings.HasSuffix(h.out.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("no record after 10s: %q", h.out.String())
		}
		time.Sleep(10 * time.Millisecond)
		h.stdout.Flush()
	}
	w.WriteString("\tafter\n")
	w.Close()
	h.wait()
	if got, want := msgs(parseRecords(t, h.out.String())), []string{"boom\n\tat x", "\tafter"}; !equal(got, want) {
		t.Errorf("msgs %q, want %q", got, want)
	}
}

// A record's msg holds at most recordMax bytes: the line that would take
// it past starts the next record, and a msg of exactly recordMax is kept
// whole.
func TestMultilineRecordMax(t *testing.T) {
	rs := newRecords("web", "stdout", regexp.MustCompile(`^\s`))
	first := strings.Repeat("x", 1023)       // 1023
	cont := "\t" + strings.Repeat("y", 1022) // 1 + 1023 each joined
	var chunk bytes.Buffer
	chunk.WriteString(first + "\n")
	for range 63 {
		chunk.WriteString(cont + "\n") // 1023 + 63*1024 = 65535 bytes
	}
	chunk.WriteString("\t\n") // + 2: 65537, past recordMax
	chunk.WriteString("\tz\n")
	var out bytes.Buffer
	rs.add(chunk.Bytes(), testClock)
	rs.flush(&out)
	recs := parseRecords(t, out.String())
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if n := len(recs[0].Msg); n != recordMax-1 {
		t.Errorf("first msg %d bytes, want %d", n, recordMax-1)
	}
	if recs[1].Msg != "\t\n\tz" {
		t.Errorf("second msg %q", recs[1].Msg)
	}

	// Exactly recordMax: one more byte in the first line fits.
	rs = newRecords("web", "stdout", regexp.MustCompile(`^\s`))
	out.Reset()
	rs.add([]byte(first+"x\n"+strings.Repeat(cont+"\n", 63)+"\tz\n"), testClock)
	rs.flush(&out)
	recs = parseRecords(t, out.String())
	if len(recs) != 2 || len(recs[0].Msg) != recordMax || recs[1].Msg != "\tz" {
		t.Errorf("%d records, first %d bytes", len(recs), len(recs[0].Msg))
	}
}

// FuzzMultiline: whatever a program writes, in whatever reads, the records
// parse and hold every line once, in order: their msgs joined by "\n" are
// the lines' bodies joined by "\n".
func FuzzMultiline(f *testing.F) {
	f.Add([]byte("Exception\n\tat a\n\tat b\nnext\n"), uint8(7))
	f.Add([]byte("\tleading\n\n \r\nlast"), uint8(1))
	f.Add([]byte("\xff\n \xfe\n"), uint8(3))
	re := regexp.MustCompile(`^\s`)
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		var want []string
		forLines(data, func(line []byte) bool {
			want = append(want, wantMsg(string(line)))
			return true
		})
		rs := newRecords("web", "stdout", re)
		var out bytes.Buffer
		// The pump hands on whole lines: cut at a line end near cut.
		i := 0
		if n := bytes.IndexByte(data[min(int(cut), len(data)):], '\n'); n >= 0 {
			i = min(int(cut), len(data)) + n + 1
		}
		rs.add(data[:i], testClock)
		rs.write(&out)
		rs.add(data[i:], testClock)
		rs.flush(&out)
		var got []string
		for _, r := range parseRecords(t, out.String()) {
			got = append(got, r.Msg)
		}
		if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
			t.Fatalf("%q: records hold %q, want %q", data, g, w)
		}
	})
}
