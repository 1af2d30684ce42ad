package config

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want time.Duration
		err  string
	}{
		{int64(0), 0, ""},
		{int64(10), 10 * time.Second, ""},
		{10, 10 * time.Second, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"1m30s", 90 * time.Second, ""},
		{" 2h ", 2 * time.Hour, ""},
		{"0", 0, ""},
		{int64(-1), 0, "negative duration -1"},
		{"-1s", 0, `negative duration "-1s"`},
		{int64(math.MaxInt64), 0, "duration 9223372036854775807 seconds is too long"},
		{"10", 0, `invalid duration "10": a string needs a unit (write 10 or "10s")`},
		{"soon", 0, `invalid duration "soon"`},
		{"", 0, `invalid duration ""`},
		{"9999999999h", 0, `invalid duration "9999999999h"`},
		{true, 0, `expected a duration (integer seconds or a string like "1m30s"), got boolean`},
		{1.5, 0, `expected a duration (integer seconds or a string like "1m30s"), got float`},
		{[]any{}, 0, `expected a duration (integer seconds or a string like "1m30s"), got array`},
		{nil, 0, `expected a duration (integer seconds or a string like "1m30s"), got <nil>`},
	} {
		got, err := ParseDuration(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseDuration(%#v) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDuration(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int64
		err  string
	}{
		{int64(0), 0, ""},
		{int64(1234), 1234, ""},
		{7, 7, ""},
		{"512", 512, ""},
		{"512B", 512, ""},
		{"50MB", 50 << 20, ""},
		{"50mb", 50 << 20, ""},
		{"10 KB", 10 << 10, ""},
		{"10kib", 10 << 10, ""},
		{"1GiB", 1 << 30, ""},
		{"2GB", 2 << 30, ""},
		{" 3 MiB ", 3 << 20, ""},
		{"0", 0, ""},
		{"8589934592GB", 0, `size "8589934592GB" is too large`},
		{"9223372036854775808", 0, `size "9223372036854775808" is too large`},
		{"99999999999999999999999", 0, `size "99999999999999999999999" is too large`},
		{int64(-1), 0, "negative size -1"},
		{"-1MB", 0, `negative size "-1MB"`},
		{"MB", 0, `invalid size "MB"`},
		{"", 0, `invalid size ""`},
		{"1.5GB", 0, `invalid size "1.5GB": unknown unit ".5GB" (use B, KB, MB, GB, KiB, MiB or GiB)`},
		{"5TB", 0, `invalid size "5TB": unknown unit "TB" (use B, KB, MB, GB, KiB, MiB or GiB)`},
		{"5 M", 0, `invalid size "5 M": unknown unit " M" (use B, KB, MB, GB, KiB, MiB or GiB)`},
		{true, 0, `expected a size (integer bytes or a string like "50MB"), got boolean`},
	} {
		got, err := ParseSize(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("ParseSize(%#v) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSize(%#v) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// The largest size that fits.
	if got, err := ParseSize("8589934591GiB"); err != nil || got != 8589934591<<30 {
		t.Errorf("ParseSize(max GiB) = %d, %v", got, err)
	}
}

func TestCheckUser(t *testing.T) {
	for in, ok := range map[string]bool{
		"app": true, "0": true, "1000:1000": true, "app:staff": true, "www-data": true,
		"_svc": true, "machine$": true, "4294967295": true, "app:0": true,
		"": false, ":": false, "app:": false, ":g": false, "a b": false, "-x": false,
		"4294967296": false, "a:b:c": false, "app$x": false, strings.Repeat("a", 300): false,
	} {
		if err := checkUser(in); (err == nil) != ok {
			t.Errorf("checkUser(%q) = %v, want ok %v", in, err, ok)
		}
	}
}
