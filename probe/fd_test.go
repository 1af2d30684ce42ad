package probe

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func TestWatchFD(t *testing.T) {
	tests := []struct {
		name  string
		write string
		close bool
		want  error // nil, or what the error must wrap
	}{
		{"newline", "\n", false, nil},
		{"ready line", "ready\n", false, nil},
		{"text then newline", "starting up", false, nil},
		{"longer than a read", strings.Repeat("x", 10000) + "\n", false, nil},
		{"closed", "", true, io.EOF},
		{"closed after text", "no newline", true, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w := pipe(t)
			if _, err := w.WriteString(tt.write); err != nil {
				t.Fatal(err)
			}
			if tt.name == "text then newline" {
				go w.WriteString("... done\n")
			}
			if tt.close {
				w.Close()
			}
			err := WatchFD(t.Context(), r)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("WatchFD = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestWatchFDClosedMessage(t *testing.T) {
	r, w := pipe(t)
	w.Close()
	err := WatchFD(t.Context(), r)
	if want := "watch fd: closed before a newline"; err == nil || err.Error() != want {
		t.Fatalf("WatchFD = %v, want %q", err, want)
	}
}

func TestWatchFDCancel(t *testing.T) {
	r, _ := pipe(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- WatchFD(ctx, r) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("WatchFD = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WatchFD did not return after cancel")
	}
}

func TestWatchFDDeadline(t *testing.T) {
	r, _ := pipe(t)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := WatchFD(ctx, r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WatchFD = %v, want context.DeadlineExceeded", err)
	}
}

func TestWatchFDCancelledBefore(t *testing.T) {
	r, _ := pipe(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WatchFD(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("WatchFD = %v, want context.Canceled", err)
	}
}

// A regular file has no deadlines, so a Read could not be interrupted.
func TestWatchFDNoDeadline(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "fd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WatchFD(t.Context(), f); !errors.Is(err, os.ErrNoDeadline) {
		t.Fatalf("WatchFD(regular file) = %v, want os.ErrNoDeadline", err)
	}
}
