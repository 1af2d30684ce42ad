package rotate

import (
	"bytes"
	"path/filepath"
	"testing"
)

// benchWrite writes p b.N times with tend's default limits (50MB, 10
// backups), so rotations are part of the cost.
func benchWrite(b *testing.B, p []byte) {
	w, err := Open(filepath.Join(b.TempDir(), "log"), Options{MaxBytes: 50 << 20, Backups: 10})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		w.Write(p)
	}
	b.StopTimer()
	if n, err := w.TakeDropped(); n != 0 || err != nil {
		b.Fatalf("dropped %d: %v", n, err)
	}
}

// BenchmarkWrite64K: a full 64 KiB pump buffer of 100-byte lines.
func BenchmarkWrite64K(b *testing.B) {
	line := append(bytes.Repeat([]byte("x"), 99), '\n')
	p := bytes.Repeat(line, 655)          // 65500 bytes
	p = append(p, line[len(line)-36:]...) // and a 36-byte line
	if len(p) != 64<<10 {
		b.Fatalf("%d bytes", len(p))
	}
	benchWrite(b, p)
}

// BenchmarkWriteLine100: one 100-byte line per Write.
func BenchmarkWriteLine100(b *testing.B) {
	benchWrite(b, append(bytes.Repeat([]byte("x"), 99), '\n'))
}

// ringChunk is a full 64 KiB pump buffer of 64-byte lines, as a log pump
// hands it to Ring.AddLines.
func ringChunk(b *testing.B) []byte {
	p := bytes.Repeat(append(bytes.Repeat([]byte("x"), 63), '\n'), 1024)
	if len(p) != 64<<10 {
		b.Fatalf("%d bytes", len(p))
	}
	return p
}

// BenchmarkRingAddLines: one 64 KiB chunk of 64-byte lines per AddLines,
// with tend's limits (1000 lines, 1 MiB).
func BenchmarkRingAddLines(b *testing.B) {
	p := ringChunk(b)
	r := NewRing(1000, 1<<20)
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for b.Loop() {
		r.AddLines(p)
	}
}

// BenchmarkRingLast50: `tail NAME` (50 lines) of a full ring.
func BenchmarkRingLast50(b *testing.B) {
	p := ringChunk(b)
	r := NewRing(1000, 1<<20)
	for range 17 { // a little over 1 MiB: the ring has wrapped
		r.AddLines(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := r.Last(50); len(got) != 50 {
			b.Fatalf("Last(50) returned %d lines", len(got))
		}
	}
}

// BenchmarkRingLast1000: the most a `tail` can ask of a full ring of long
// lines, 1000 lines of 1 KiB: the whole buffer is walked under the lock.
func BenchmarkRingLast1000(b *testing.B) {
	p := bytes.Repeat(append(bytes.Repeat([]byte("x"), 1023), '\n'), 64)
	r := NewRing(1000, 1<<20)
	for range 17 {
		r.AddLines(p)
	}
	b.ReportAllocs()
	for b.Loop() {
		if got := r.Last(1000); len(got) != 1000 {
			b.Fatalf("Last(1000) returned %d lines", len(got))
		}
	}
}
