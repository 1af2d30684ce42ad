// Package control is tend's control socket: the line protocol, the server
// and the `tend ctl` client. It carries requests; what they mean is the
// supervisor's business.
//
// One request per connection: the client sends one line; the reply is
// zero or more lines, then a final "OK" or "ERR reason", and the
// connection closes (events streams until the client goes away). The
// server answers after the first newline without waiting for EOF, so any
// nc works, openbsd's without -N included, as does socat.
//
// The invariant is the supervisor's: one goroutine, its loop, owns all
// state. Everything here that blocks runs on the connection's own
// goroutines: each reads its request, with a deadline, and sends the loop
// a *Call on Server.Calls. The loop answers through the Call's methods,
// which never block it: lines go into a bounded buffer that the
// connection's goroutine writes out, and a client too slow to drain it is
// cut off. Requests that are bad, too long or from a refused peer are
// answered here and never reach the loop.
package control
