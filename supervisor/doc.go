// Package supervisor is tend's loop: it starts programs, reaps every child,
// handles signals, and shuts everything down.
//
// One goroutine owns all of the supervisor's state. It selects on SIGCHLD,
// the other signals, check results, requests from the control socket, and
// one timer reset to the earliest deadline. A request that waits (start,
// stop, restart, wait) leaves a waiter that is checked after every event;
// replies go into a buffer per client (package control), so no client can
// hold the loop. A reload is the same loop applying a config's difference. It is the
// only code that starts processes (spawn.Start) and the only code that calls
// wait4 (reaper.Reap). A child's pid enters the pid map on the same
// goroutine, before the next reap can run, so no exit status is ever lost.
// Work that blocks runs on other goroutines and talks to the loop by message;
// the loop never blocks on a send.
//
// Before the loop runs, problems end tend (a command that cannot be started
// in tini mode, say); once it runs, only the shutdown path ends it.
package supervisor
