package tini

import (
	"log/slog"
	"syscall"

	"tend/procs"
	"tend/signals"
)

// killAll sends sig to every process below tend (procs.SignalAll); should
// /proc be unreadable, to the program's process group.
func killAll(self, main int, sig syscall.Signal, log *slog.Logger) {
	if err := procs.SignalAll(self, sig, []int{-main}); err != nil {
		log.Warn("cannot signal every process left", "signal", signals.Name(sig), "err", err)
	}
}
