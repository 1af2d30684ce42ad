// Package metrics writes Prometheus' text exposition format (version
// 0.0.4) and serves it on GET /metrics with a minimal HTTP/1.x server of
// its own, since tend does not link net/http and a scrape needs none of it.
//
// The writer appends to a []byte: the caller renders its families in one
// pass over its own state, with no registry in between. Names, label names
// and types are the caller's constants and are not checked here; label
// values and help texts are escaped as the format requires.
package metrics

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Family appends the HELP and TYPE lines that start the metric family
// name: "# HELP name help\n# TYPE name typ\n", where typ is "gauge" or
// "counter". Backslashes and newlines in help are escaped as \\ and \n.
// All of the family's samples must follow it, before the next Family.
func Family(b []byte, name, help, typ string) []byte {
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendEscaped(b, help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}

// Sample appends one sample line, `name{k="v",...} value\n`, or
// `name value\n` without labels. labels are label names and values in
// turn; a name left without a value gets "", which Prometheus treats as
// the label being absent, so a caller's slip still yields a valid line.
// Values have backslashes, double quotes and newlines escaped. value is
// written as an integer when it is one below 2^53, where every integer is
// exact; otherwise in Go's shortest form that parses back to the same
// float64, with +Inf, -Inf and NaN spelled as Prometheus reads them.
func Sample(b []byte, name string, value float64, labels ...string) []byte {
	b = append(b, name...)
	if len(labels) > 0 {
		b = append(b, '{')
		for i := 0; i < len(labels); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, labels[i]...)
			b = append(b, `="`...)
			if i+1 < len(labels) {
				b = appendEscaped(b, labels[i+1], true)
			}
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendValue(b, value)
	return append(b, '\n')
}

// appendEscaped appends s with backslashes and newlines escaped, and
// double quotes too when quoted (label values; help texts keep theirs).
// Invalid UTF-8 becomes U+FFFD: Prometheus refuses a label value that is
// not UTF-8 and fails the whole scrape with it.
func appendEscaped(b []byte, s string, quoted bool) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '\\':
			esc = `\\`
		case '\n':
			esc = `\n`
		case '"':
			if !quoted {
				continue
			}
			esc = `\"`
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// exactInt bounds the floats written as integers: below 2^53 every
// integer is a float64, so the digits are the count itself. Above it
// the shortest form says only as many digits as the float holds.
const exactInt = 1 << 53

// appendValue appends v as Prometheus parses it (Go's ParseFloat).
func appendValue(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case v == math.Trunc(v) && math.Abs(v) < exactInt && !(v == 0 && math.Signbit(v)):
		// -0 is left to AppendFloat, which keeps its sign.
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
