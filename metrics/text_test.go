package metrics

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The tests check what the writer produces with a parser of the text
// format written from the format's description, stricter than
// Prometheus' where that costs nothing: what it accepts, Prometheus reads.

// family is one metric family as parsed: its HELP, TYPE and samples.
type family struct {
	name, help, typ string
	hasHelp         bool
	samples         []sample
}

// sample is one sample line as parsed.
type sample struct {
	name   string
	labels []label
	value  float64
	raw    string // the value as written
}

type label struct{ name, value string }

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	// decimal is a plain float: Prometheus reads more (ParseFloat's hex
	// and "infinity"), but Sample should write nothing else.
	decimal   = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$`)
	timestamp = regexp.MustCompile(`^-?[0-9]+$`)
	types     = map[string]bool{"counter": true, "gauge": true, "untyped": true, "summary": true, "histogram": true}
)

// parseText parses a text exposition. It requires every sample to follow
// a TYPE line for its name, and each family's lines to be contiguous
// (HELP and TYPE first, once each), as the format does. Families are
// matched by their exact name, which holds for counters and gauges (a
// histogram's _bucket samples are not supported).
func parseText(text string) ([]*family, error) {
	if text == "" {
		return nil, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, fmt.Errorf("no newline at the end")
	}
	p := textParser{byName: make(map[string]*family)}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if err := p.line(line); err != nil {
			return nil, fmt.Errorf("line %d %q: %v", i+1, line, err)
		}
	}
	return p.families, nil
}

type textParser struct {
	families []*family
	byName   map[string]*family
	cur      *family // the family whose lines are being read
}

func (p *textParser) line(line string) error {
	switch {
	case line == "":
		return nil // the format ignores empty lines
	case strings.HasPrefix(line, "# HELP "):
		return p.help(line[len("# HELP "):])
	case strings.HasPrefix(line, "# TYPE "):
		return p.typ(line[len("# TYPE "):])
	case strings.HasPrefix(line, "#"):
		return nil // a comment
	}
	return p.sample(line)
}

// enter makes name's family the current one, creating it.
func (p *textParser) enter(name string) (*family, error) {
	if !metricName.MatchString(name) {
		return nil, fmt.Errorf("bad metric name %q", name)
	}
	f := p.byName[name]
	switch {
	case f == nil:
		f = &family{name: name}
		p.byName[name] = f
		p.families = append(p.families, f)
		p.cur = f
	case f != p.cur:
		return nil, fmt.Errorf("family %s is not contiguous", name)
	case len(f.samples) > 0:
		return nil, fmt.Errorf("HELP or TYPE of %s after its samples", name)
	}
	return f, nil
}

func (p *textParser) help(rest string) error {
	name, help, _ := strings.Cut(rest, " ")
	f, err := p.enter(name)
	if err != nil {
		return err
	}
	if f.hasHelp {
		return fmt.Errorf("second HELP for %s", name)
	}
	f.help, err = unescape(help, false)
	f.hasHelp = true
	return err
}

func (p *textParser) typ(rest string) error {
	name, typ, ok := strings.Cut(rest, " ")
	if !ok || !types[typ] {
		return fmt.Errorf("bad TYPE line")
	}
	f, err := p.enter(name)
	if err != nil {
		return err
	}
	if f.typ != "" {
		return fmt.Errorf("second TYPE for %s", name)
	}
	f.typ = typ
	return nil
}

func (p *textParser) sample(line string) error {
	end := strings.IndexAny(line, "{ ")
	if end < 0 {
		return fmt.Errorf("no value")
	}
	s := sample{name: line[:end]}
	if !metricName.MatchString(s.name) {
		return fmt.Errorf("bad metric name %q", s.name)
	}
	f := p.byName[s.name]
	switch {
	case f == nil || f.typ == "":
		return fmt.Errorf("sample of %s has no TYPE before it", s.name)
	case f != p.cur:
		return fmt.Errorf("family %s is not contiguous", s.name)
	}
	rest := line[end:]
	if rest[0] == '{' {
		var err error
		if s.labels, rest, err = parseLabels(rest[1:]); err != nil {
			return err
		}
	}
	value, ts, hasTS := strings.Cut(strings.TrimPrefix(rest, " "), " ")
	if len(rest) == 0 || rest[0] != ' ' || (hasTS && !timestamp.MatchString(ts)) {
		return fmt.Errorf("malformed value or timestamp")
	}
	switch value {
	case "NaN", "+Inf", "-Inf":
	default:
		if !decimal.MatchString(value) {
			return fmt.Errorf("bad value %q", value)
		}
	}
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return err
	}
	s.value, s.raw = v, value
	for _, o := range f.samples {
		if fmt.Sprint(o.labels) == fmt.Sprint(s.labels) {
			return fmt.Errorf("second sample of %s%v", s.name, s.labels)
		}
	}
	f.samples = append(f.samples, s)
	return nil
}

// parseLabels parses `k="v",...}` and returns what follows the brace.
func parseLabels(s string) ([]label, string, error) {
	var labels []label
	seen := make(map[string]bool)
	for {
		if len(labels) == 0 && strings.HasPrefix(s, "}") {
			return labels, s[1:], nil
		}
		name, rest, ok := strings.Cut(s, `="`)
		if !ok || !labelName.MatchString(name) || strings.HasPrefix(name, "__") || seen[name] {
			return nil, "", fmt.Errorf("bad or repeated label name %q", name)
		}
		seen[name] = true
		end := closingQuote(rest)
		if end < 0 {
			return nil, "", fmt.Errorf("label %s: no closing quote", name)
		}
		value, err := unescape(rest[:end], true)
		if err != nil {
			return nil, "", fmt.Errorf("label %s: %v", name, err)
		}
		labels = append(labels, label{name, value})
		s = rest[end+1:]
		switch {
		case strings.HasPrefix(s, ","):
			s = s[1:]
		case strings.HasPrefix(s, "}"):
			return labels, s[1:], nil
		default:
			return nil, "", fmt.Errorf("label %s: no comma or brace after the value", name)
		}
	}
}

// closingQuote is the index of the first unescaped '"' in s, or -1.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// unescape undoes the format's escapes: \\ and \n, and \" in a label
// value (quoted). Any other backslash is an error, as is a bare '"' in a
// label value.
func unescape(s string, quoted bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' && quoted {
			return "", fmt.Errorf("bare quote")
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch {
		case i == len(s):
			return "", fmt.Errorf("backslash at the end")
		case s[i] == '\\':
			b.WriteByte('\\')
		case s[i] == 'n':
			b.WriteByte('\n')
		case s[i] == '"' && quoted:
			b.WriteByte('"')
		default:
			return "", fmt.Errorf(`unknown escape \%c`, s[i])
		}
	}
	return b.String(), nil
}

func TestParserRefuses(t *testing.T) {
	for _, c := range []struct{ text, why string }{
		{"m 1\n", "no TYPE"},
		{"# HELP m x\nm 1\n", "HELP but no TYPE"},
		{"# TYPE m gauge\nm 1", "no final newline"},
		{"# TYPE m gauge\n# TYPE n gauge\nm 1\n", "m's sample in n's family"},
		{"# TYPE m gauge\nm 1\n# TYPE n gauge\nn 1\n# HELP m x\n", "m split"},
		{"# TYPE m gauge\n# TYPE m gauge\n", "two TYPEs"},
		{"# TYPE m gauge\nm 1\n# TYPE m gauge\n", "TYPE after samples"},
		{"# TYPE m ratio\n", "no such type"},
		{"# TYPE 1m gauge\n", "bad metric name"},
		{"# TYPE m gauge\nm{a=\"x\"} 1\nm{a=\"x\"} 2\n", "one series twice"},
		{"# TYPE m gauge\nm{a=\"x\",a=\"y\"} 1\n", "one label twice"},
		{"# TYPE m gauge\nm{a=\"x\",} 1\n", "trailing comma"},
		{"# TYPE m gauge\nm{a=\"x\\t\"} 1\n", "unknown escape"},
		{"# TYPE m gauge\nm{a=\"x\"\"} 1\n", "stray quote"},
		{"# TYPE m gauge\nm{a=\"x} 1\n", "unclosed quote"},
		{"# TYPE m gauge\nm{1a=\"x\"} 1\n", "bad label name"},
		{"# TYPE m gauge\nm{__a=\"x\"} 1\n", "reserved label name"},
		{"# TYPE m gauge\nm{a=\"x\"}1\n", "no space before the value"},
		{"# TYPE m gauge\nm 1e\n", "bad number"},
		{"# TYPE m gauge\nm 0x10\n", "hex number"},
		{"# TYPE m gauge\nm inf\n", "lowercase inf"},
		{"# TYPE m gauge\nm  1\n", "two spaces"},
		{"# TYPE m gauge\nm 1 x\n", "bad timestamp"},
		{"# TYPE m gauge\nm\n", "no value"},
		{"# HELP m a\\tb\n", "unknown escape in HELP"},
	} {
		if _, err := parseText(c.text); err == nil {
			t.Errorf("parseText(%q) = nil error; want one for %s", c.text, c.why)
		}
	}
}

// TestParserAccepts checks the parser on what the format allows and
// Sample never writes: comments, empty lines, timestamps.
func TestParserAccepts(t *testing.T) {
	const text = "# a comment\n\n# TYPE m counter\nm{a=\"\\\\\"} 1.5e+3 1700000000000\n# HELP n \n# TYPE n untyped\nn -Inf\n"
	fams, err := parseText(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(fams) != 2 || fams[0].samples[0].value != 1500 || fams[0].samples[0].labels[0].value != `\` || !fams[1].hasHelp {
		t.Errorf("parsed as %+v", fams)
	}
}

func TestFamilyAndSample(t *testing.T) {
	var b []byte
	b = Family(b, "tend_program_up", "Whether the program is running (1) or not (0).", "gauge")
	b = Sample(b, "tend_program_up", 1, "program", "web")
	b = Sample(b, "tend_program_up", 0, "program", `odd "name"\`+"\n", "instance", "2")
	b = Family(b, "tend_restarts_total", `Restarts, \ and "quotes"`+"\nsecond line", "counter")
	b = Sample(b, "tend_restarts_total", 12345678)
	const want = `# HELP tend_program_up Whether the program is running (1) or not (0).
# TYPE tend_program_up gauge
tend_program_up{program="web"} 1
tend_program_up{program="odd \"name\"\\\n",instance="2"} 0
# HELP tend_restarts_total Restarts, \\ and "quotes"\nsecond line
# TYPE tend_restarts_total counter
tend_restarts_total 12345678
`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	fams, err := parseText(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(fams) != 2 || fams[1].help != `Restarts, \ and "quotes"`+"\nsecond line" ||
		fams[0].samples[1].labels[0].value != `odd "name"\`+"\n" {
		t.Errorf("parsed back as %+v", fams)
	}
}

func TestEmptyHelpAndOddLabels(t *testing.T) {
	b := Family(nil, "m", "", "gauge")
	b = Sample(b, "m", 1, "a", "x", "b")
	const want = "# HELP m \n# TYPE m gauge\nm{a=\"x\",b=\"\"} 1\n"
	if string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
	if _, err := parseText(string(b)); err != nil {
		t.Error(err)
	}
}

func TestInvalidUTF8(t *testing.T) {
	b := Family(nil, "m", "h\xffi", "gauge")
	b = Sample(b, "m", 1, "a", "x\xff\xfey")
	const want = "# HELP m h\uFFFDi\n# TYPE m gauge\nm{a=\"x\uFFFDy\"} 1\n"
	if string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
}

func TestValues(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-1, "-1"},
		{1e6, "1000000"},
		{123456789012, "123456789012"},
		{1<<53 - 1, "9007199254740991"},
		{-(1<<53 - 1), "-9007199254740991"},
		{1 << 53, "9.007199254740992e+15"},
		{1e21, "1e+21"},
		{0.5, "0.5"},
		{0.1, "0.1"},
		{1.5e-7, "1.5e-07"},
		{2.5e6 + 0.5, "2.5000005e+06"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{math.Inf(1), "+Inf"},
		{math.Inf(-1), "-Inf"},
		{math.NaN(), "NaN"},
	} {
		got := string(appendValue(nil, c.v))
		if got != c.want {
			t.Errorf("appendValue(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

// TestSampleAllocs checks that appending to a buffer with room costs no
// allocation, so rendering on every scrape stays cheap.
func TestSampleAllocs(t *testing.T) {
	b := make([]byte, 0, 1024)
	n := testing.AllocsPerRun(100, func() {
		b = Family(b[:0], "tend_program_up", "help", "gauge")
		b = Sample(b, "tend_program_up", 1.5, "program", `we"b`, "instance", "0")
	})
	if n != 0 {
		t.Errorf("%v allocations per Family and Sample", n)
	}
}

func FuzzSample(f *testing.F) {
	f.Add("help", "web", "0", 1.0)
	f.Add("a \\ b\nc", "\"quoted\"\\", "\n", -0.5)
	f.Add("", "", "\xff", math.Inf(1))
	f.Add("\\n", "\\\"", "}", math.NaN())
	f.Add("x", "a,b=\"c\"", "{", 1e300)
	f.Add("x", "", "", math.Copysign(0, -1))
	f.Fuzz(func(t *testing.T, help, v1, v2 string, value float64) {
		b := Family(nil, "fuzz_metric", help, "gauge")
		b = Sample(b, "fuzz_metric", value, "first", v1, "second", v2)
		b = Sample(b, "fuzz_metric", -value, "first", v2, "second", v1, "third", "")
		if n := strings.Count(string(b), "\n"); n != 4 {
			t.Fatalf("%q: %d lines, want 4", b, n)
		}
		fams, err := parseText(string(b))
		if err != nil {
			t.Fatalf("%q: %v", b, err)
		}
		if len(fams) != 1 || len(fams[0].samples) != 2 {
			t.Fatalf("%q: parsed as %+v", b, fams)
		}
		fam := fams[0]
		if fam.help != valid(help) || fam.typ != "gauge" {
			t.Errorf("help %q type %q, want %q gauge", fam.help, fam.typ, valid(help))
		}
		checkSample(t, fam.samples[0], value, valid(v1), valid(v2))
		checkSample(t, fam.samples[1], -value, valid(v2), valid(v1), "")
	})
}

// valid is s as Sample writes it: invalid UTF-8 replaced.
func valid(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// checkSample checks that s has value and the labels first, second and
// third with values.
func checkSample(t *testing.T, s sample, value float64, values ...string) {
	t.Helper()
	same := math.Float64bits(s.value) == math.Float64bits(value) || (math.IsNaN(s.value) && math.IsNaN(value))
	if !same {
		t.Errorf("value %v (%q), want %v", s.value, s.raw, value)
	}
	names := []string{"first", "second", "third"}
	if len(s.labels) != len(values) {
		t.Fatalf("labels %q, want %d", s.labels, len(values))
	}
	for i, l := range s.labels {
		if l.name != names[i] || l.value != values[i] {
			t.Errorf("label %d %s=%q, want %s=%q", i, l.name, l.value, names[i], values[i])
		}
	}
}
