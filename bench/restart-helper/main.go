// Command restart-helper is the program and the client of bench/restart.sh,
// which restarts an HTTP server under load, under tend (with and without
// a listen socket) and under supervisord, and counts the requests that
// fail. Standard library only; it is not part of tend, so net/http is fine.
//
//	restart-helper server
//	    an HTTP server answering GET / with 200 "ok". It takes its
//	    listener from socket activation (LISTEN_FDS=1, LISTEN_PID its own
//	    pid: fd 3) when tend passes one, else it listens on $ADDR itself.
//	    It sleeps $BOOT_MS (300) first, an application's start-up time;
//	    listening itself, it binds after that sleep, as an application
//	    binds once it is initialised. SIGTERM: http.Server.Shutdown, 5 s
//	    at most (in-flight requests finish), then exit 0. With STOP=drain,
//	    it first closes its listener and waits for the connections it has
//	    accepted to be answered, then calls Shutdown (within the same 5 s):
//	    Shutdown alone drops a request read after it began.
//	restart-helper load ADDR [WORKERS]
//	    WORKERS (4) goroutines, each a GET http://ADDR/ at a time on a new
//	    connection, at most one every 2 ms; ADDR must be on loopback.
//	    Until SIGTERM or the end of standard input; then one line on
//	    stdout: "ok=N failed=M refused=R reset=S other=O timeout=T
//	    non200=X" (failed is the sum of the five). On stderr, "load: first
//	    ok" once a request has been answered, so that a script can wait
//	    for it, and the first few failures of each kind, with the time.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fatal(errors.New("usage: restart-helper server | load ADDR [WORKERS]"))
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = server()
	case "load":
		if len(os.Args) < 3 {
			fatal(errors.New("usage: restart-helper load ADDR [WORKERS]"))
		}
		workers := 4
		if len(os.Args) > 3 {
			if workers, err = strconv.Atoi(os.Args[3]); err != nil || workers < 1 {
				fatal(fmt.Errorf("bad WORKERS %q", os.Args[3]))
			}
		}
		err = load(os.Args[2], workers)
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "restart-helper:", err)
	os.Exit(1)
}

// ---------------------------------------------------------------- server

// server runs the HTTP server until SIGTERM, then shuts it down gracefully.
func server() error {
	// Notify before the boot sleep: a SIGTERM during start-up must not
	// kill the process with the default action, it ends it cleanly.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	ln, how, err := activated()
	if err != nil {
		return err
	}
	if !sleepCtx(ctx, time.Duration(envInt("BOOT_MS", 300))*time.Millisecond) {
		if ln != nil {
			ln.Close()
		}
		return nil
	}
	if ln == nil {
		// An empty $ADDR would listen on a random port: a setup that
		// meant to pass a socket and did not must fail loudly instead.
		if os.Getenv("ADDR") == "" {
			return errors.New("no socket passed (LISTEN_FDS) and no $ADDR to listen on")
		}
		if ln, err = net.Listen("tcp", os.Getenv("ADDR")); err != nil {
			return err
		}
	}
	stopHow := "Shutdown"
	if os.Getenv("STOP") == "drain" {
		stopHow = "drain, then Shutdown"
	}
	fmt.Fprintf(os.Stderr, "server: pid %d serving on %s (%s; SIGTERM: %s)\n", os.Getpid(), ln.Addr(), how, stopHow)

	conns := &busyConns{state: map[net.Conn]http.ConnState{}}
	srv := &http.Server{
		Handler:           http.HandlerFunc(hello),
		ReadHeaderTimeout: 5 * time.Second,
		ConnState:         conns.track,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // Serve failed on its own: not a shutdown
	case <-ctx.Done():
	}

	deadline := time.Now().Add(5 * time.Second)
	if os.Getenv("STOP") == "drain" {
		// Stop accepting first, then let every connection accepted so
		// far have its answer, and only then Shutdown. Shutdown alone
		// drops a request it reads after it began (net/http's conn.serve
		// returns when shuttingDown() right after readRequest), so a
		// connection accepted just before the SIGTERM, its request not
		// read yet, is closed unanswered: the client sees EOF.
		ln.Close()
		<-served // Serve has returned: each accepted connection is tracked
		conns.wait(deadline)
	}
	// Shutdown closes the listener (our dup of fd 3 only: tend keeps the
	// socket, so new connections queue for the next process) and waits
	// for the requests under way.
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintln(os.Stderr, "server: shutdown:", err)
	}
	return nil
}

// busyConns follows the server's connections (http.Server.ConnState),
// so that a drain can wait for those that are new or active.
type busyConns struct {
	mu    sync.Mutex
	state map[net.Conn]http.ConnState
}

func (b *busyConns) track(c net.Conn, st http.ConnState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if st == http.StateClosed || st == http.StateHijacked {
		delete(b.state, c)
	} else {
		b.state[c] = st
	}
}

// busy is how many connections are new (accepted, request not read) or
// active (a request under way); idle keep-alive ones do not count.
func (b *busyConns) busy() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, st := range b.state {
		if st == http.StateNew || st == http.StateActive {
			n++
		}
	}
	return n
}

// wait returns once no connection is busy, or at deadline.
func (b *busyConns) wait(deadline time.Time) {
	for b.busy() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
}

func hello(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	io.WriteString(w, "ok")
}

// activated is the listener passed by socket activation (fd 3), or nil
// when there is none or it is meant for another process (LISTEN_PID is
// not ours, as sd_listen_fds checks). how says which, with fd 3's
// O_NONBLOCK flag as it was passed (systemd passes blocking sockets).
func activated() (net.Listener, string, error) {
	if os.Getenv("LISTEN_FDS") == "" {
		return nil, "listening itself on $ADDR", nil
	}
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) {
		return nil, "LISTEN_PID " + os.Getenv("LISTEN_PID") + " is not ours: listening itself on $ADDR", nil
	}
	if n := os.Getenv("LISTEN_FDS"); n != "1" {
		return nil, "", fmt.Errorf("LISTEN_FDS=%s, want 1", n)
	}
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, 3, syscall.F_GETFL, 0)
	if errno != 0 {
		return nil, "", fmt.Errorf("fd 3: %w", errno)
	}
	nonblock := flags&syscall.O_NONBLOCK != 0
	// Not passed on to our own children, as sd_listen_fds(1) does.
	for _, k := range []string{"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"} {
		os.Unsetenv(k)
	}
	f := os.NewFile(3, "listen-fd-3")
	ln, err := net.FileListener(f) // a dup of fd 3, made non-blocking for the poller
	f.Close()
	if err != nil {
		return nil, "", fmt.Errorf("fd 3: %w", err)
	}
	return ln, fmt.Sprintf("fd 3 from LISTEN_FDS, O_NONBLOCK=%v when passed", nonblock), nil
}

// sleepCtx sleeps d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v >= 0 {
		return v
	}
	return def
}

// ---------------------------------------------------------------- load

// The kinds of outcome load counts, in the order it prints them.
const (
	kOK = iota
	kRefused
	kReset
	kOther // EOF and anything not below
	kTimeout
	kNon200
	nKinds
)

var kindNames = [nKinds]string{"ok", "refused", "reset", "other", "timeout", "non200"}

// samples is how many failures of each kind load describes on stderr.
const samples = 5

// load runs the workers until SIGTERM or the end of stdin, then prints
// the counts.
func load(addr string, workers int) error {
	if err := loopback(addr); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		// The end of stdin stops the load too: a script that dies without
		// a word (SIGKILL) leaves no load running behind it.
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	// One connection per request (no keep-alive), so that every request
	// needs the socket to accept a new connection, as many clients do.
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}, // no $HTTP_PROXY
	}
	url := "http://" + addr + "/"
	var counts [nKinds]atomic.Int64
	var firstOK sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker(ctx, client, url, &counts, &firstOK)
		}()
	}
	wg.Wait()

	failed := int64(0)
	for k := kOK + 1; k < nKinds; k++ {
		failed += counts[k].Load()
	}
	fmt.Printf("ok=%d failed=%d", counts[kOK].Load(), failed)
	for k := kOK + 1; k < nKinds; k++ {
		fmt.Printf(" %s=%d", kindNames[k], counts[k].Load())
	}
	fmt.Println()
	return nil
}

// worker sends one request at a time until ctx ends, no more often than
// every 2 ms: a bounded load, whatever the server's speed.
func worker(ctx context.Context, client *http.Client, url string, counts *[nKinds]atomic.Int64, firstOK *sync.Once) {
	const pace = 2 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		k, err := get(ctx, client, url)
		if ctx.Err() != nil && k != kOK {
			return // cut short by the stop itself: not the server's failure
		}
		n := counts[k].Add(1)
		switch {
		case k == kOK:
			firstOK.Do(func() { fmt.Fprintln(os.Stderr, "load: first ok") })
		case n <= samples:
			// What the failures were, not only how many: a few of each
			// kind, with the time, to set beside the restarts.
			fmt.Fprintf(os.Stderr, "load: %s %s: %v\n", start.Format("15:04:05.000000"), kindNames[k], err)
		}
		if d := pace - time.Since(start); d > 0 {
			sleepCtx(ctx, d)
		}
	}
}

// get sends one GET and says how it went, with the error if it failed.
func get(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return kOther, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return classify(err), err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return classify(err), err
	case resp.StatusCode != http.StatusOK:
		return kNon200, errors.New(resp.Status)
	}
	return kOK, nil
}

// classify names a failed request's cause. Refused: nothing listens on
// the port (no socket, or no process holding it); reset: a connection
// accepted, then dropped with an RST (a socket closed with connections
// still in its queue); timeout: no answer within 2 s.
func classify(err error) int {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return kRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return kReset
	case errors.As(err, &ne) && ne.Timeout():
		return kTimeout
	}
	return kOther
}

// loopback refuses an address that is not 127.0.0.1 or ::1: this is a
// load generator, and it is meant for this machine only.
func loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("ADDR %q: %w", addr, err)
	}
	if host != "127.0.0.1" && host != "::1" {
		return fmt.Errorf("ADDR %q: only 127.0.0.1 or [::1] (loopback) is allowed", addr)
	}
	return nil
}
