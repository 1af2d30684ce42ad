package output

import (
	"bytes"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"tend/config"
)

// benchLine is a 100-byte log line, quotes included, as a web server
// writes them.
var benchLine = []byte(`INFO request method=GET path="/api/v1/items?id=42" status=200 duration=3.2ms user="bob" pad=xxxxxxx` + "\n")

// benchPump is a pump for c's stdout, set up as run sets it up, writing to
// a Console that discards; emit is what the benchmarks time.
func benchPump(b *testing.B, c *config.Program) *pump {
	if len(benchLine) != 100 {
		b.Fatalf("line of %d bytes", len(benchLine))
	}
	o := New(c, NewRing(), nil, NewConsole(io.Discard), NewConsole(io.Discard), slog.New(slog.DiscardHandler))
	b.Cleanup(o.Close)
	<-o.opened
	pm := &pump{name: o.name, out: o, stream: 1, ring: o.ring, log: o.log, now: time.Now}
	pm.setSink()
	return pm
}

// benchEmit times emit on a full pump buffer of 100-byte lines (655 of
// them) and reports the cost per line. Each round waits for the Console,
// so that what is timed is written, not dropped past its budget.
func benchEmit(b *testing.B, pm *pump) {
	chunk := bytes.Repeat(benchLine, pumpBuffer/len(benchLine))
	lines := bytes.Count(chunk, []byte("\n"))
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		pm.emit(chunk)
		pm.to.console.Flush()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

// BenchmarkPumpText: text mode, each line with "web | ", as tend's
// default writes to its stdout.
func BenchmarkPumpText(b *testing.B) {
	benchEmit(b, benchPump(b, program("web")))
}

// BenchmarkPumpJSON: output_format = "json", one record per line.
func BenchmarkPumpJSON(b *testing.B) {
	c := program("web")
	c.OutputFormat = "json"
	benchEmit(b, benchPump(b, c))
}

// BenchmarkPumpJSONMultiline: JSON with multiline = "^\\s", no line
// continuing another: the pattern's cost on every line.
func BenchmarkPumpJSONMultiline(b *testing.B) {
	c := program("web")
	c.OutputFormat = "json"
	c.Multiline = regexp.MustCompile(`^\s`)
	benchEmit(b, benchPump(b, c))
}
