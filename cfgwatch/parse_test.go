package cfgwatch

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// encode builds one event as the kernel writes it: the struct, then name
// NUL-padded to size bytes (size 0 for an event with no name).
func encode(wd int32, mask uint32, name string, size int) []byte {
	b := make([]byte, eventLen+size)
	binary.NativeEndian.PutUint32(b[offWd:], uint32(wd))
	binary.NativeEndian.PutUint32(b[offMask:], mask)
	binary.NativeEndian.PutUint32(b[offLen:], uint32(size))
	copy(b[eventLen:], name)
	return b
}

type parsed struct {
	wd   int32
	mask uint32
	name string
}

func parseAll(buf []byte) []parsed {
	var out []parsed
	parse(buf, func(wd int32, mask uint32, name string) {
		out = append(out, parsed{wd, mask, name})
	})
	return out
}

func TestParse(t *testing.T) {
	buf := slices.Concat(
		encode(1, unix.IN_CLOSE_WRITE, "tend.toml", 16),
		encode(2, unix.IN_DELETE_SELF, "", 0),
		encode(-1, unix.IN_Q_OVERFLOW, "", 0),
		encode(1, unix.IN_MOVED_TO, "..data", 7), // exactly name + NUL
	)
	want := []parsed{
		{1, unix.IN_CLOSE_WRITE, "tend.toml"},
		{2, unix.IN_DELETE_SELF, ""},
		{-1, unix.IN_Q_OVERFLOW, ""},
		{1, unix.IN_MOVED_TO, "..data"},
	}
	if got := parseAll(buf); !slices.Equal(got, want) {
		t.Errorf("parse = %v, want %v", got, want)
	}
}

func TestParseTruncated(t *testing.T) {
	whole := encode(1, unix.IN_CREATE, "a.toml", 16)
	for _, tc := range []struct {
		name string
		buf  []byte
		want int // events parsed
	}{
		{"empty", nil, 0},
		{"short header", whole[:eventLen-1], 0},
		{"header only", whole[:eventLen], 0},
		{"short name", slices.Concat(whole, whole[:len(whole)-1]), 1},
		{"huge len", slices.Concat(whole, encode(1, 0, "", 0)[:offLen], []byte{0xff, 0xff, 0xff, 0xff}), 1},
	} {
		if got := parseAll(tc.buf); len(got) != tc.want {
			t.Errorf("%s: %d events %v, want %d", tc.name, len(got), got, tc.want)
		}
	}
}

// FuzzParse checks that parse never panics, reports each event exactly as
// its bytes say, never reaches past buf (cut to cap == len, so a slip
// would panic), and stops only where no whole event is left.
func FuzzParse(f *testing.F) {
	f.Add([]byte{})
	f.Add(encode(1, unix.IN_CLOSE_WRITE, "tend.toml", 16))
	f.Add(slices.Concat(encode(1, unix.IN_MOVED_TO, "..data", 16), encode(2, unix.IN_IGNORED, "", 0)))
	f.Add(encode(3, unix.IN_CREATE, "no-nul-at-all", 13))
	f.Add(slices.Concat(encode(1, 0, "", 0)[:offLen], []byte{0xff, 0xff, 0xff, 0xff}))
	f.Add(bytes.Repeat([]byte{0}, 3*eventLen+1))
	f.Fuzz(func(t *testing.T, data []byte) {
		buf := data[:len(data):len(data)]
		off := 0
		parse(buf, func(wd int32, mask uint32, name string) {
			if off+eventLen > len(buf) {
				t.Fatalf("event at %d past the %d-byte buffer", off, len(buf))
			}
			ev := buf[off:]
			n := uint64(binary.NativeEndian.Uint32(ev[offLen:]))
			if n > math.MaxInt32 || off+eventLen+int(n) > len(buf) {
				t.Fatalf("event at %d with a %d-byte name past the %d-byte buffer", off, n, len(buf))
			}
			if w := int32(binary.NativeEndian.Uint32(ev[offWd:])); wd != w {
				t.Fatalf("event at %d: wd %d, want %d", off, wd, w)
			}
			if m := binary.NativeEndian.Uint32(ev[offMask:]); mask != m {
				t.Fatalf("event at %d: mask %#x, want %#x", off, mask, m)
			}
			field := ev[eventLen : eventLen+int(n)]
			want, _, _ := bytes.Cut(field, []byte{0})
			if name != string(want) {
				t.Fatalf("event at %d: name %q, want %q", off, name, want)
			}
			off += eventLen + int(n)
		})
		if rest := buf[off:]; len(rest) >= eventLen {
			n := uint64(binary.NativeEndian.Uint32(rest[offLen:]))
			if n <= uint64(len(rest)-eventLen) {
				t.Fatalf("stopped at %d before a whole event (%d-byte name, %d bytes left)", off, n, len(rest))
			}
		}
	})
}
