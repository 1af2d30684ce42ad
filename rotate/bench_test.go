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
