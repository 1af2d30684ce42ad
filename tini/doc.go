// Package tini runs one program as tini does: tend's mode with no config
// (`tend -- PROGRAM ARGS...`). It starts the program, passes on every
// signal tend receives, reaps every child (orphans included), stops what
// the program left behind, and returns the program's exit status.
//
// It is kept apart from the supervisor so that tini mode costs what tini
// costs: it imports neither config, control, supervisor nor rotate, starts
// no goroutine before the program runs, and does not use os/signal on
// linux/amd64 (BENCHMARKS.md, "tini mode, lean path"):
//
//   - signal.Notify of every signal costs about 2 ms at start on the
//     benchmark machine: the runtime hands each signal, one at a time, to
//     a thread of its own (runtime.ensureSigM), two thread switches each.
//   - a signal delivered through os/signal wakes three threads (the one
//     the kernel picked, the os/signal goroutine's, the loop's) where
//     tini wakes one.
//
// Instead a few lines of assembly (forward_amd64.s) are the handler of
// every forwarded signal: they send it on to the program from whichever
// thread the kernel interrupted, with no Go code, no goroutine and no
// other thread involved. Faults the kernel raises in tend itself (SIGSEGV,
// SIGBUS, ...) still go to the Go runtime's handler. Other architectures
// use os/signal (forward_other.go).
//
// One goroutine reaps: a blocking wait4(-1) in a loop. SIGCHLD is set to
// its default (discarded), so no handler runs for each exit; a zombie wakes
// the reaper through the kernel's wait queue, and zombies already there
// are collected without sleeping, so a storm of exits costs one wait4 each
// and no signal at all.
package tini
