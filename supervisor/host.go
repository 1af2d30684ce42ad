package supervisor

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"tend/cfgwatch"
	"tend/cgroup"
	"tend/config"
	"tend/control"
	"tend/listener"
	"tend/metrics"
	"tend/output"
	"tend/procs"
	"tend/reaper"
	"tend/rotate"
	"tend/signals"
	"tend/spawn"
)

// DefaultGrace is how long processes left behind, once every program has
// stopped, get between SIGTERM and SIGKILL.
const DefaultGrace = 2 * time.Second

// killWait bounds the wait for processes that were sent SIGKILL: one stuck
// in uninterruptible sleep (a dead NFS server) must not keep tend alive.
const killWait = 5 * time.Second

// Options configures Run.
type Options struct {
	// Config holds the programs to run. nil is tini mode: every signal is
	// forwarded to main, which decides, as tini does; with a config,
	// SIGTERM, SIGINT and SIGQUIT shut tend down.
	Config *config.Config
	// Main is the command-line program, named main; nil means none.
	Main []string
	Log  *slog.Logger
	// Stdout and Stderr carry the programs' output to tend's own
	// descriptors; nil means new ones on os.Stdout and os.Stderr. tend's
	// own log should write to Stderr, so that nothing blocks on a stalled
	// log driver.
	Stdout, Stderr *output.Console
	// Calls brings the control socket's requests; nil means no socket.
	Calls <-chan *control.Call
	// Reload reads the config again, for SIGHUP, reload and reread; nil
	// means there is no config file (tini mode).
	Reload func() (*config.Config, error)
	// Version is what `version` answers.
	Version string

	// MainSuccess lists exit statuses of main that tend reports as 0
	// (tini's -e, e.g. 143 for a JVM stopped by SIGTERM).
	MainSuccess []int
	// ForwardGroup sends the signals forwarded to main to its whole
	// process group (tini's -g, dumb-init's default).
	ForwardGroup bool
	// Rewrite forwards a received signal as another (dumb-init's
	// --rewrite S:R); a zero R drops it.
	Rewrite map[syscall.Signal]syscall.Signal
}

// result is a check's outcome, from a goroutine off the loop.
type result struct {
	p      *program
	gen    int
	health bool  // a health check; else a ready check
	ready  bool  // passed; for a ready check, false means failed for good
	err    error // why it failed
}

// host carries out the core's effects and turns what happens (signals,
// exits, check results, requests, the timer) into the core's inputs. It
// owns every file, pipe, goroutine and process handle; the core owns every
// decision. One goroutine runs it, and it is the only code that starts
// processes (spawn.Start) and calls wait4 (reaper.Reap).
type host struct {
	core *core
	log  *slog.Logger

	chld    chan os.Signal // SIGCHLD only: one pending is enough, it coalesces
	sigs    chan os.Signal // every other signal
	results chan result
	quit    chan struct{} // closed when the loop ends, for the goroutines
	calls   <-chan *control.Call
	timer   *time.Timer
	reload  func() (*config.Config, error)

	watch   map[*program]*watch         // ready checks under way
	outs    map[*program]*output.Output // where each program's output goes; none for main
	files   rotate.Registry             // the log files, each open once however many streams share it
	pools   map[*program]*listener.Pool // each eventlistener's queue of events, across its restarts
	socks   map[string]*os.File         // listen sockets, by address; nil until one is opened
	oom     *cgroup.OOM                 // the cgroup's OOM kill count; nil when it cannot be read
	scrapes chan chan<- []byte          // GET /metrics, from metrics_listen's server; nil without it
	edits   chan struct{}               // watch_config's news of a change; nil without it
	serials listener.Serials

	null           *os.File // /dev/null, the config programs' standard input
	stdout, stderr *output.Console
	pumps          sync.WaitGroup // output pumps still reading

	queue []input // inputs the effects of the last one produced
	done  bool
	code  int
}

// Run supervises the programs and returns the status tend exits with.
func Run(o Options) int {
	cfg := o.Config
	if cfg == nil {
		cfg = config.Default(func(string) (string, bool) { return "", false })
	}
	s := newCore(cfg, o.Config == nil, os.Getpid(), o.Log)
	s.version, s.canLoad = o.Version, o.Reload != nil
	s.mainSuccess, s.forwardGroup, s.rewrite = o.MainSuccess, o.ForwardGroup, o.Rewrite
	h := &host{
		core:    s,
		log:     o.Log,
		chld:    make(chan os.Signal, 1),
		sigs:    make(chan os.Signal, 64),
		results: make(chan result, 64),
		quit:    make(chan struct{}),
		timer:   time.NewTimer(time.Hour),
		calls:   o.Calls,
		reload:  o.Reload,
		watch:   make(map[*program]*watch),
		outs:    make(map[*program]*output.Output),
		pools:   make(map[*program]*listener.Pool),
		stdout:  o.Stdout,
		stderr:  o.Stderr,
	}
	if h.stdout == nil {
		h.stdout = output.NewConsole(os.Stdout)
	}
	if h.stderr == nil {
		h.stderr = output.NewConsole(os.Stderr)
	}
	h.stdout.OnDropped(func(n int64) { h.log.Warn("tend's stdout stalled; output dropped", "dropped", n) })
	h.stderr.OnDropped(func(n int64) { h.log.Warn("tend's stderr stalled; output dropped", "dropped", n) })
	defer h.finish()
	h.timer.Stop()
	defer close(h.quit)
	// Handlers go in before any program starts, so that neither an exit
	// nor a signal can slip by.
	signal.Notify(h.chld, unix.SIGCHLD)
	var caught []os.Signal
	for _, sig := range signals.Catchable() {
		if sig != unix.SIGCHLD {
			caught = append(caught, sig)
		}
	}
	signal.Notify(h.sigs, caught...)
	defer signal.Stop(h.sigs)
	defer signal.Stop(h.chld)

	if !s.tini {
		// The count before any program runs: a kill is the OOM killer's
		// when the count rose since.
		if h.oom = cgroup.FindOOM(); h.oom != nil {
			s.oomSeen, _ = h.oom.Kills()
			h.log.Debug("OOM kills counted", "file", h.oom.Path(), "oom_kill", s.oomSeen)
		}
	}
	if s.self != 1 {
		if err := reaper.SetSubreaper(); err != nil {
			h.log.Warn("cannot become a subreaper; orphans will not be reaped by tend", "err", err)
		}
	}

	for _, c := range cfg.Programs {
		s.add(c, false)
	}
	if o.Main != nil {
		s.add(config.MainProgram(o.Main), true)
	}
	if cfg.MetricsListen != "" {
		h.serveMetrics(cfg.MetricsListen)
	}
	if cfg.WatchConfig && cfg.File != "" && o.Reload != nil {
		if w := h.watchConfig(cfg); w != nil {
			defer w.Close()
		}
	}
	s.arrange()
	h.carry(s.begin(time.Now()), time.Now())
	return h.run()
}

// watchDebounce is how long watch_config waits after the last change of
// a burst (an editor's save, a ConfigMap swap) before it reloads.
const watchDebounce = 200 * time.Millisecond

// watchConfig watches the config file and the include globs' directories
// (watch_config), for a reload by difference after each change: one
// goroutine parked on inotify, no timer while nothing changes. What it
// watches is set at start; a directory it cannot watch is logged, and
// SIGHUP and reload still work.
func (h *host) watchConfig(cfg *config.Config) *cfgwatch.Watcher {
	file, err := filepath.Abs(cfg.File)
	if err != nil {
		file = cfg.File
	}
	// An include directory that is not there yet (a glob matching
	// nothing is fine) is left out, rather than the whole watch: the file
	// itself is still watched.
	var dirs []string
	for _, d := range cfg.IncludeDirs {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			dirs = append(dirs, d)
		} else {
			h.log.Info("include directory not watched: it does not exist", "dir", d)
		}
	}
	h.edits = make(chan struct{}, 1)
	w, err := cfgwatch.New([]string{file}, dirs, watchDebounce, func() {
		select {
		case h.edits <- struct{}{}:
		default: // one pending is enough: the reload reads everything
		}
	})
	if err != nil {
		h.log.Warn("cannot watch the config; reload it with SIGHUP or tend ctl reload", "err", err)
		h.edits = nil
		return nil
	}
	h.log.Info("watching the config for changes", "file", file, "include_dirs", strings.Join(dirs, " "))
	return w
}

// serveMetrics serves GET /metrics on addr (metrics_listen), plain HTTP,
// each scrape answered by the loop from the figures it keeps. A port
// that cannot be opened is logged, and tend runs on without it.
func (h *host) serveMetrics(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		h.log.Warn("cannot serve metrics; running on without them", "metrics_listen", addr, "err", err)
		return
	}
	h.log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	h.scrapes = make(chan chan<- []byte)
	go func() {
		<-h.quit
		ln.Close()
	}()
	go metrics.Serve(ln, func() []byte {
		reply := make(chan []byte, 1)
		select {
		case h.scrapes <- reply:
		case <-h.quit:
			return nil
		}
		select {
		case b := <-reply:
			return b
		case <-h.quit:
			return nil
		}
	})
}

func (h *host) run() int {
	for !h.done {
		var in input
		select {
		case <-h.chld:
			in = h.reap()
		case sig := <-h.sigs:
			in = signalled{sig.(syscall.Signal)}
		case r := <-h.results:
			in = checked{r}
		case <-h.timer.C:
			in = tick{}
		case c := <-h.calls:
			call := called{req: c.Req, peer: c.PeerPID, reply: c}
			if c.Req.Cmd == "metrics" {
				call.me = readSelf()
			}
			in = call
		case r := <-h.scrapes: // nil, and never ready, without metrics_listen
			in = scraped{reply: r, me: readSelf()}
		case <-h.edits: // nil without watch_config
			in = edited{}
		}
		now := time.Now()
		h.carry(h.core.handle(in, now), now)
	}
	return h.code
}

// carry does what the core asked, feeds it what that produced (a pid, a
// failed start, a loaded config), in order, and then re-arms the timer to
// the core's next deadline: once per input from outside.
func (h *host) carry(effs []effect, now time.Time) {
	for {
		for _, e := range effs {
			h.do(e, now)
		}
		if len(h.queue) == 0 {
			break
		}
		in := h.queue[0]
		h.queue = h.queue[1:]
		effs = h.core.handle(in, now)
	}
	next := h.core.next()
	if next.IsZero() {
		h.timer.Stop()
		return
	}
	h.timer.Reset(max(0, next.Sub(now)))
}

// answer queues the core's next input, handled after the current effects.
func (h *host) answer(in input) { h.queue = append(h.queue, in) }

// reap collects every exited child. When a program died of SIGKILL, it also
// reads the cgroup's OOM kill count, so that the core can tell whether the
// OOM killer sent it: a read only then, never a poll.
func (h *host) reap() reaped {
	var r reaped
	r.left = reaper.Reap(func(e reaper.Exit) { r.exits = append(r.exits, e) })
	if h.oom == nil {
		return r
	}
	for _, e := range r.exits {
		if e.Status.Signaled() && e.Status.Signal() == syscall.SIGKILL && h.core.byPid[e.Pid] != nil {
			if n, err := h.oom.Kills(); err == nil {
				r.oomKills, r.oomRead = n, true
			}
			break
		}
	}
	return r
}

// do carries out one effect.
func (h *host) do(e effect, now time.Time) {
	switch e.kind {
	case effSpawn:
		h.spawn(e.p)
	case effSignal:
		if err := unix.Kill(e.pid, e.sig); err != nil && !errors.Is(err, unix.ESRCH) {
			h.log.Warn("cannot signal program", "program", e.p.cfg.Name, "pid", e.pid, "signal", signals.Name(e.sig), "err", err)
		}
	case effKillAll:
		h.killAll(e.sig)
	case effReap:
		h.answer(h.reap())
	case effWatch:
		h.startWatch(e.p)
	case effUnwatch:
		h.stopWatch(e.p)
	case effCheck:
		h.startCmd(e.check)
	case effProbe:
		h.probe(e.check)
	case effOutput:
		old := h.outs[e.p]
		h.outs[e.p] = output.New(e.p.cfg, e.p.ring, &h.files, h.stdout, h.stderr, h.log)
		if old != nil {
			old.Retire() // its files close once the old process has gone
		}
	case effRetire:
		if o := h.outs[e.p]; o != nil {
			o.Retire()
			delete(h.outs, e.p)
		}
		if pl := h.pools[e.p]; pl != nil {
			pl.Close()
			delete(h.pools, e.p)
		}
	case effNotify:
		ev := listener.Event{Serial: h.serials.Next(), Name: e.target, Payload: e.text}
		for p, pl := range h.pools {
			if n := pl.Push(ev); n > 0 {
				h.log.Warn("eventlistener too slow; oldest events dropped (buffer_size)", "program", p.cfg.Name, "dropped", n)
			}
		}
	case effLimits:
		if o := h.outs[e.p]; o != nil {
			o.SetLimits(e.p.cfg)
		}
	case effReopen:
		go func() { // off the loop: a hung disk must not stall it
			if err := h.files.Reopen(); err != nil {
				h.log.Warn("cannot reopen log file", "err", err)
			}
		}()
	case effLoad:
		l := loaded{apply: e.apply, reply: e.reply}
		if h.reload == nil {
			l.err = errNoConfig
		} else {
			l.cfg, l.err = h.reload()
		}
		h.answer(l)
	case effTermLog:
		h.writeTermination(e.text)
	case effFollow:
		h.follow(e.p, e.reply, e.lines)
	case effPrune:
		if len(h.socks) > 0 {
			h.pruneSockets()
		}
	case effExit:
		h.done, h.code = true, e.code
	}
}

// defaultTermination is where Kubernetes reads a container's termination
// message (terminationMessagePath's default).
const defaultTermination = "/dev/termination-log"

// writeTermination writes the termination message: to termination_log,
// or to /dev/termination-log when it exists (in a Kubernetes pod). A
// failure is logged; it never keeps tend from exiting.
func (h *host) writeTermination(text string) {
	path, flags := h.core.cfg.TerminationLog, os.O_WRONLY|os.O_CREATE|os.O_TRUNC
	if path == "" {
		path, flags = defaultTermination, os.O_WRONLY|os.O_TRUNC // only if it is there
	}
	f, err := os.OpenFile(path, flags|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		if h.core.cfg.TerminationLog != "" || !errors.Is(err, os.ErrNotExist) {
			h.log.Warn("cannot write the termination message", "path", path, "err", err)
		}
		return
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		h.log.Warn("cannot write the termination message", "path", path, "err", err)
	}
}

// follow sends p's last lines, then each line it writes from now on, to
// reply, until the client goes (tail -f).
func (h *host) follow(p *program, reply replier, lines int) {
	if p.ring == nil {
		return
	}
	stop := p.ring.Follow(lines, reply.Line)
	go func() {
		select {
		case <-reply.Done():
		case <-h.quit:
		}
		stop()
	}()
}

// spawn starts p's process and tells the core how it went.
func (h *host) spawn(p *program) {
	pid, err := h.start(p)
	if err != nil {
		code := 1
		var se *spawn.Error
		if errors.As(err, &se) {
			code = se.ExitCode()
		}
		h.answer(spawnFailed{p: p, code: code, err: err})
		return
	}
	h.answer(spawned{p: p, pid: pid})
}

// finishWait bounds how long tend, about to exit, waits for the last
// output to be carried and written: a log driver that has stopped reading
// must not keep tend from exiting.
const finishWait = 2 * time.Second

// finish waits for the pumps to carry the programs' last output, writes
// out what the consoles hold, and closes the log files.
func (h *host) finish() {
	done := make(chan struct{})
	go func() {
		h.pumps.Wait()
		h.stdout.Flush()
		h.stderr.Flush()
		for _, o := range h.outs {
			o.Close()
		}
		close(done)
	}()
	for name, f := range h.socks {
		closeSocket(name, f)
	}
	select {
	case <-done:
	case <-time.After(finishWait):
	}
}

// probe runs one tcp or http health check off the loop.
func (h *host) probe(c *cmdCheck) {
	go func() {
		ctx, cancel := context.WithDeadline(context.Background(), c.deadline)
		err := probeOnce(ctx, c.kind, c.target)
		cancel()
		h.send(result{p: c.p, gen: c.gen, health: true, ready: err == nil, err: err})
	}()
}

// startCmd runs a command check, or a stop_command, as its program's user,
// in its directory and environment. A check's output goes to tend's; a
// stop_command's is the program's own (its prefix, its log files), and it
// is told the program's pid as $MAINPID, as systemd's ExecStop is.
func (h *host) startCmd(c *cmdCheck) {
	files := []uintptr{h.devNull(), 1, 2}
	var env []string
	var child []*os.File
	if c.stop {
		if c.p.pid != c.mainPid {
			// It ended while the effect waited its turn: nothing to
			// stop, and $MAINPID must never name another process.
			h.answer(checkFailed{c: c, err: errors.New("the program had already exited")})
			return
		}
		env = []string{"MAINPID=" + strconv.Itoa(c.mainPid)}
		if o := h.outs[c.p]; o != nil {
			var err error
			if child, err = h.pipeTo(c.p, o, files); err != nil {
				h.answer(checkFailed{c: c, err: err})
				return
			}
		}
	}
	spec, err := processSpec(c.p.cfg, c.argv, files, c.p != h.core.main, env)
	if err == nil {
		var pid int
		pid, err = spawn.Start(spec)
		for _, f := range child {
			f.Close()
		}
		if err == nil {
			h.answer(checkStarted{c: c, pid: pid})
			return
		}
	}
	h.answer(checkFailed{c: c, err: err})
}

// killAll sends sig to every process left below tend (procs.SignalAll);
// without /proc, to the process group of every program still known.
func (h *host) killAll(sig syscall.Signal) {
	var groups []int
	for pid := range h.core.byPid {
		groups = append(groups, -pid)
	}
	if err := procs.SignalAll(h.core.self, sig, groups); err != nil {
		h.log.Warn("cannot signal every process left", "signal", signals.Name(sig), "err", err)
	}
}
