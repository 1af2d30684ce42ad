package supervisor

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sync"
	"time"

	"tend/config"
	"tend/rotate"
)

// The tail ring keeps this much of each program's recent output.
const (
	ringLines = 1000
	ringBytes = 1 << 20
)

// pumpBuffer is the most a pump reads at once; a line longer than this is
// passed on in pieces.
const pumpBuffer = 64 << 10

// pumpStart is a pump's first buffer.
const pumpStart = 4 << 10

// sink is where one output stream of a program goes: tend's own stdout or
// stderr (console), a rotating file, or nowhere.
type sink struct {
	console *Console
	file    *rotate.Writer
	stamps  bool   // an RFC 3339 UTC timestamp before each line
	prefix  []byte // "web | " on the console; nil for files and main
}

// output is what a program's output streams go to; it outlives the
// program's processes, so files stay open across restarts.
type output struct {
	stdout, stderr sink
	ring           *rotate.Ring

	mu      sync.Mutex
	readers int  // pumps writing here
	retired bool // replaced by a reload: close once the pumps are done
	closed  bool
}

// newOutput opens p's log files. A file that cannot be opened yet (its
// directory does not exist) is an error to log, but the writer keeps
// trying on its own, so the program runs anyway.
func newOutput(c *config.Program, ring *rotate.Ring, stdout, stderr *Console, log *slog.Logger) *output {
	o := &output{ring: ring}
	var prefix []byte
	if c.LogPrefix {
		prefix = []byte(c.Name + " | ")
	}
	consoles := map[string]*Console{"/dev/stdout": stdout, "/dev/stderr": stderr}
	o.stdout = newSink(c.Name, c.Stdout, stdout, consoles, prefix, c.LogTimestamps, log)
	if !c.RedirectStderr {
		o.stderr = newSink(c.Name, c.Stderr, stderr, consoles, prefix, c.LogTimestamps, log)
	}
	return o
}

func newSink(name string, l config.Log, console *Console, consoles map[string]*Console, prefix []byte, stamps bool, log *slog.Logger) sink {
	switch l.Path {
	case "":
		return sink{console: console, stamps: stamps, prefix: prefix}
	case "/dev/stdout", "/dev/stderr":
		// The Docker habit from supervisord: these are symlinks, which
		// O_NOFOLLOW refuses, and tend's own streams are what is meant.
		return sink{console: consoles[l.Path], stamps: stamps, prefix: prefix}
	case "NONE":
		return sink{}
	}
	w, err := rotate.Open(l.Path, rotate.Options{MaxBytes: l.MaxBytes, Backups: l.Backups})
	if err != nil {
		log.Error("cannot open log file; will keep trying", "program", name, "err", err)
	}
	return sink{file: w, stamps: stamps}
}

// reopen reopens the log files (SIGUSR2, for an outside logrotate). It
// waits for a write in progress, so the loop runs it on a goroutine of its
// own: a hung disk must not stall the loop.
func (o *output) reopen(log *slog.Logger, name string) {
	for _, s := range []sink{o.stdout, o.stderr} {
		if s.file != nil {
			if err := s.file.Reopen(); err != nil {
				log.Warn("cannot reopen log file", "program", name, "err", err)
			}
		}
	}
}

// close closes the log files.
func (o *output) close() {
	o.mu.Lock()
	already := o.closed
	o.closed = true
	o.mu.Unlock()
	if already {
		return
	}
	for _, s := range []sink{o.stdout, o.stderr} {
		if s.file != nil {
			s.file.Close()
		}
	}
}

// hold counts a pump that writes here; release, its end.
func (o *output) hold() {
	o.mu.Lock()
	o.readers++
	o.mu.Unlock()
}

func (o *output) release() {
	o.mu.Lock()
	o.readers--
	done := o.retired && o.readers == 0
	o.mu.Unlock()
	if done {
		o.close()
	}
}

// retire closes the files once no pump writes to them any more: the
// program's old process may still be saying its last words.
func (o *output) retire() {
	o.mu.Lock()
	o.retired = true
	done := o.readers == 0
	o.mu.Unlock()
	if done {
		o.close()
	}
}

// setLimits applies new log sizes and backups to open files.
func (o *output) setLimits(c *config.Program) {
	if o.stdout.file != nil {
		o.stdout.file.SetLimits(c.Stdout.MaxBytes, c.Stdout.Backups)
	}
	if o.stderr.file != nil {
		o.stderr.file.SetLimits(c.Stderr.MaxBytes, c.Stderr.Backups)
	}
}

// pump carries one pipe of one process to its sink, line by line, and
// reports the first line that matches the ready pattern. It runs until
// every process holding the pipe has closed it, so a program's last output
// is never lost, and it never blocks on its sink: the console queues or
// drops, a file writes or drops.
type pump struct {
	name    string
	out     *output
	to      sink
	ring    *rotate.Ring
	pattern *regexp.Regexp
	matched func()
	log     *slog.Logger
	now     func() time.Time
	wg      *sync.WaitGroup
}

func (pm *pump) run(r *os.File) {
	defer pm.wg.Done()
	defer pm.out.release()
	defer r.Close()
	// Most programs say little: the buffer starts small and grows, up to
	// pumpBuffer, only for one that fills it.
	buf := make([]byte, 0, pumpStart)
	var out []byte
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) == cap(buf) && cap(buf) < pumpBuffer {
			buf = append(make([]byte, 0, min(2*cap(buf), pumpBuffer)), buf...)
		}
		end := bytes.LastIndexByte(buf, '\n') + 1
		if err != nil || (end == 0 && len(buf) == cap(buf)) {
			end = len(buf) // the last words, or a line longer than the buffer
		}
		if end > 0 {
			out = pm.emit(buf[:end], out[:0])
			buf = buf[:copy(buf, buf[end:])]
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				pm.log.Warn("cannot read program output", "program", pm.name, "err", err)
			}
			return
		}
	}
}

// emit handles a chunk of whole lines (the last one may lack its newline:
// an over-long line, or the program's last words).
func (pm *pump) emit(chunk, out []byte) []byte {
	if pm.pattern != nil {
		forLines(chunk, func(line []byte) bool {
			if pm.pattern.Match(line) {
				pm.matched()
				pm.pattern = nil
				return false
			}
			return true
		})
	}
	pm.ring.AddLines(chunk)
	to := pm.to
	switch {
	case to.file == nil && to.console == nil:
		return out
	case to.file != nil && !to.stamps:
		to.file.Write(chunk) // whole lines at once: rotate cuts at line ends
	default:
		var stamp []byte
		if to.stamps {
			stamp = pm.now().UTC().AppendFormat(nil, time.RFC3339)
			stamp = append(stamp, ' ')
		}
		forLines(chunk, func(line []byte) bool {
			out = append(out, stamp...)
			out = append(out, to.prefix...)
			out = append(out, line...)
			if line[len(line)-1] != '\n' && to.console != nil {
				out = append(out, '\n') // keep the next prefix at a line start
			}
			return true
		})
		if to.file != nil {
			to.file.Write(out)
		} else {
			to.console.Write(out)
		}
	}
	if to.file != nil {
		if n, err := to.file.TakeDropped(); n > 0 || err != nil {
			pm.log.Warn("log file write failed; output dropped", "program", pm.name, "dropped", n, "err", err)
		}
	}
	return out
}

// forLines calls f with each line of chunk, newline included, until f
// returns false.
func forLines(chunk []byte, f func(line []byte) bool) {
	for len(chunk) > 0 {
		i := bytes.IndexByte(chunk, '\n') + 1
		if i == 0 {
			i = len(chunk)
		}
		if !f(chunk[:i]) {
			return
		}
		chunk = chunk[i:]
	}
}

// pipeOutput gives p's next process pipes for stdout and stderr (one pipe
// for both with redirect_stderr) and starts their pumps. The log: ready
// check watches both.
func (h *host) pipeOutput(p *program, o *output, w *watch, files []uintptr) error {
	gen := p.gen + 1 // the process gets the next generation when it starts
	var matched func()
	if p.cfg.Ready.Kind == "log" {
		matched = func() { h.send(result{p: p, gen: gen, ready: true}) }
	}
	streams := []sink{o.stdout, o.stderr}
	for i := 1; i <= 2; i++ {
		if i == 2 && p.cfg.RedirectStderr {
			files[2] = files[1]
			break
		}
		r, wr, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("output pipe: %w", err)
		}
		w.child = append(w.child, wr)
		files[i] = wr.Fd()
		pm := &pump{name: p.cfg.Name, out: o, to: streams[i-1], ring: o.ring, log: h.log, now: time.Now, wg: &h.pumps, matched: matched}
		if matched != nil {
			pm.pattern = p.cfg.Ready.Pattern
		}
		h.pumps.Add(1)
		o.hold()
		go pm.run(r)
	}
	return nil
}
