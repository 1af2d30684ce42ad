// Package probe holds tend's readiness and health checks that do not start
// a process: a TCP connect, an HTTP GET, the sd_notify socket and the s6
// readiness pipe.
//
// Everything here blocks, so the supervisor runs it on goroutines of its
// own and reports the result to its loop by message. Nothing in this
// package logs, starts a process or waits for one: command checks
// (["cmd", "arg"]) are spawned and reaped by the loop itself, since it is
// the only code that may call wait4.
//
// The package is kept small on purpose. It uses the net package directly
// rather than net/http, which would add megabytes to a binary meant to stay
// under 2.5 MB; only plain http:// URLs are supported.
package probe
