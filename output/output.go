package output

import (
	"bytes"
	"errors"
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

// NewRing is a program's tail ring: its last 1000 lines, up to 1 MiB. It
// outlives its Outputs: a reload that moves the files keeps the ring.
func NewRing() *rotate.Ring { return rotate.NewRing(ringLines, ringBytes) }

// pumpBuffer is the most a pump reads at once; a line longer than this is
// passed on in pieces.
const pumpBuffer = 64 << 10

// pumpStart is a pump's first buffer.
const pumpStart = 4 << 10

// sink is where one output stream of a program goes: tend's own stdout or
// stderr (console), a rotating file, or nowhere.
type sink struct {
	console *Console
	path    string         // a log file's path
	file    *rotate.Stream // its writer, once open; other streams may share the file
	stamps  bool           // an RFC 3339 UTC timestamp before each line
	prefix  []byte         // "web | " on the console; nil for files and main
	json    bool           // output_format = "json": the console gets JSON records
}

// Output is where a program's output streams go: tend's own stdout or
// stderr (a Console), rotating files, or nowhere, and the tail ring. It
// outlives the program's processes, so files stay open across restarts.
// Its log files are opened off the caller's goroutine: a hung disk delays
// the program's output, never the supervisor's loop. With output_format =
// "json" what goes to tend's stdout and stderr is JSON records (json.go),
// which a multiline pattern can make span lines (multiline.go); log files
// and the tail ring always get the lines as the program wrote them.
type Output struct {
	stdout, stderr sink
	ring           *rotate.Ring
	multiline      *regexp.Regexp   // joins lines into records (JSON only)
	now            func() time.Time // the pumps' clock; tests fake it

	name   string
	log    *slog.Logger
	opened chan struct{} // closed once the files are open (or failed to)

	mu      sync.Mutex
	readers int  // pumps writing here
	retired bool // replaced by a reload: close once the pumps are done
	closed  bool
}

// New is program c's output, with ring as its tail ring. Its log files
// are opened through files, which shares each file among the streams that
// name it (rotate.Registry; the config gives them one rotation rule), on a
// goroutine of their own; a file that cannot be opened yet
// (its directory does not exist) is logged, and the writer keeps trying on
// its own, so the program runs anyway.
func New(c *config.Program, ring *rotate.Ring, files *rotate.Registry, stdout, stderr *Console, log *slog.Logger) *Output {
	o := &Output{ring: ring, multiline: c.Multiline, now: time.Now, name: c.Name, log: log, opened: make(chan struct{})}
	var prefix []byte
	if c.LogPrefix {
		prefix = []byte(c.Name + " | ")
	}
	consoles := map[string]*Console{"/dev/stdout": stdout, "/dev/stderr": stderr}
	json := c.OutputFormat == "json"
	o.stdout = newSink(c.Stdout, stdout, consoles, prefix, c.LogTimestamps, json)
	if !c.RedirectStderr {
		o.stderr = newSink(c.Stderr, stderr, consoles, prefix, c.LogTimestamps, json)
	}
	paths := [2]config.Log{c.Stdout, c.Stderr}
	go func() {
		defer close(o.opened)
		for i, s := range []*sink{&o.stdout, &o.stderr} {
			if s.path == "" {
				continue
			}
			w, err := files.Open(s.path, rotate.Options{MaxBytes: paths[i].MaxBytes, Backups: paths[i].Backups})
			switch {
			case errors.Is(err, rotate.ErrLimitsDiffer):
				// A reload's new sizes, with the old output still open
				// (the config gives every sharer of a file the same).
				w.SetLimits(paths[i].MaxBytes, paths[i].Backups)
			case err != nil && w == nil:
				log.Error("cannot log to file; output dropped", "program", c.Name, "err", err)
				continue
			case err != nil:
				log.Error("cannot open log file; will keep trying", "program", c.Name, "err", err)
			}
			s.file = w
		}
	}()
	return o
}

// later runs f once the files are open, on a goroutine of its own.
func (o *Output) later(f func()) {
	go func() {
		<-o.opened
		f()
	}()
}

// newSink is where the stream that l describes goes. json applies to
// tend's stdout and stderr only: files are always written as text.
func newSink(l config.Log, console *Console, consoles map[string]*Console, prefix []byte, stamps, json bool) sink {
	switch l.Path {
	case "":
		return sink{console: console, stamps: stamps, prefix: prefix, json: json}
	case "/dev/stdout", "/dev/stderr":
		// The Docker habit from supervisord: these are symlinks, which
		// O_NOFOLLOW refuses, and tend's own streams are what is meant.
		return sink{console: consoles[l.Path], stamps: stamps, prefix: prefix, json: json}
	case "NONE":
		return sink{}
	}
	return sink{path: l.Path, stamps: stamps} // file: opened by New's goroutine
}

// Close closes the log files, once they are open.
func (o *Output) Close() {
	<-o.opened
	o.close()
}

func (o *Output) close() {
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
func (o *Output) hold() {
	o.mu.Lock()
	o.readers++
	o.mu.Unlock()
}

func (o *Output) release() {
	o.mu.Lock()
	o.readers--
	done := o.retired && o.readers == 0
	o.mu.Unlock()
	if done {
		o.Close() // a pump's goroutine: it may wait for the open
	}
}

// Retire closes the files once no pump writes to them any more: the
// program's old process may still be saying its last words.
func (o *Output) Retire() {
	o.mu.Lock()
	o.retired = true
	done := o.readers == 0
	o.mu.Unlock()
	if done {
		o.later(o.close)
	}
}

// SetLimits applies c's log sizes and backups to the open files.
func (o *Output) SetLimits(c *config.Program) {
	o.later(func() {
		if o.stdout.file != nil {
			o.stdout.file.SetLimits(c.Stdout.MaxBytes, c.Stdout.Backups)
		}
		if o.stderr.file != nil {
			o.stderr.file.SetLimits(c.Stderr.MaxBytes, c.Stderr.Backups)
		}
	})
}

// Pump starts carrying what is written to the pipe r, the process's
// stdout (stream 1) or stderr (2), to where that stream goes, line by
// line, until every process holding the pipe has closed it; wg counts it
// until then. With a pattern, matched is called once, for the first line
// that matches it (the log: ready check). r should be a pipe from os.Pipe:
// with a multiline pattern and JSON output, a pending record is emitted
// after recordPause of quiet through r's read deadline.
func (o *Output) Pump(r *os.File, stream int, pattern *regexp.Regexp, matched func(), wg *sync.WaitGroup) {
	o.pump(r, stream, pattern, matched, wg)
}

// pump is Pump for any source: tests script theirs.
func (o *Output) pump(r source, stream int, pattern *regexp.Regexp, matched func(), wg *sync.WaitGroup) {
	pm := &pump{name: o.name, out: o, stream: stream, ring: o.ring, log: o.log, now: o.now, wg: wg, pattern: pattern, matched: matched}
	wg.Add(1)
	o.hold()
	go pm.run(r)
}

// pump carries one pipe of one process to its sink, line by line, and
// reports the first line that matches the ready pattern. It runs until
// every process holding the pipe has closed it, so a program's last output
// is never lost, and it never blocks on its sink: the console queues or
// drops, a file writes or drops.
type pump struct {
	name    string
	out     *Output
	stream  int  // 1 stdout, 2 stderr
	to      sink // where stream goes, set once the files are open
	ring    *rotate.Ring
	pattern *regexp.Regexp
	matched func()
	log     *slog.Logger
	now     func() time.Time
	wg      *sync.WaitGroup

	text  []byte   // text mode's lines as written, reused
	rec   *records // JSON mode's records; nil in text mode
	armed bool     // r has a read deadline: a record is pending
}

func (pm *pump) run(r source) {
	defer pm.wg.Done()
	defer pm.out.release()
	defer r.Close()
	<-pm.out.opened
	pm.setSink()
	// Most programs say little: the buffer starts small and grows, up to
	// pumpBuffer, only for one that fills it.
	buf := make([]byte, 0, pumpStart)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		paused := pm.armed && errors.Is(err, os.ErrDeadlineExceeded)
		if paused {
			// No line came for recordPause: the pending record is
			// complete as far as anyone can tell. It goes before
			// whatever comes next, so no line is reordered.
			pm.rec.flush(pm.to.console)
			err = nil
		}
		if len(buf) == cap(buf) && cap(buf) < pumpBuffer {
			buf = append(make([]byte, 0, min(2*cap(buf), pumpBuffer)), buf...)
		}
		end := bytes.LastIndexByte(buf, '\n') + 1
		if err != nil || (end == 0 && len(buf) == cap(buf)) {
			end = len(buf) // the last words, or a line longer than the buffer
		}
		if end > 0 {
			pm.emit(buf[:end])
			buf = buf[:copy(buf, buf[end:])]
		}
		if err != nil {
			if pm.rec != nil {
				pm.rec.flush(pm.to.console) // the last record
			}
			if !errors.Is(err, io.EOF) {
				pm.log.Warn("cannot read program output", "program", pm.name, "err", err)
			}
			return
		}
		if n > 0 || paused {
			pm.pause(r)
		}
	}
}

// setSink reads where the pump's stream goes, once the files are open,
// and readies the JSON records if it goes to a console as JSON.
func (pm *pump) setSink() {
	pm.to = pm.out.stdout
	stream := "stdout"
	if pm.stream == 2 {
		pm.to = pm.out.stderr
		stream = "stderr"
	}
	if pm.to.json && pm.to.console != nil {
		pm.rec = newRecords(pm.name, stream, pm.out.multiline)
	}
}

// pause keeps r's read deadline recordPause ahead while a record is
// pending, and clears it once none is, so that no timer runs for nothing.
// Any output restarts the wait, the start of a line too: a program may
// write a continuation line in pieces. A source with no deadline cannot
// wait: its record is emitted at once, so lines join only within a read.
func (pm *pump) pause(r source) {
	switch {
	case pm.rec == nil:
	case pm.rec.pending():
		if err := r.SetReadDeadline(time.Now().Add(recordPause)); err != nil {
			pm.rec.flush(pm.to.console)
			return
		}
		pm.armed = true
	default:
		pm.clearDeadline(r)
	}
}

// clearDeadline clears r's read deadline if pause set one.
func (pm *pump) clearDeadline(r source) {
	if pm.armed {
		r.SetReadDeadline(time.Time{})
		pm.armed = false
	}
}

// emit handles a chunk of whole lines (the last one may lack its newline:
// an over-long line, or the program's last words).
func (pm *pump) emit(chunk []byte) {
	pm.ready(chunk)
	pm.ring.AddLines(chunk) // raw lines, whatever the format
	switch {
	case pm.rec != nil:
		pm.rec.add(chunk, pm.now())
		pm.rec.write(pm.to.console)
	default:
		pm.text = pm.emitText(chunk, pm.text[:0])
	}
}

// ready calls matched for the first line that matches the ready pattern.
func (pm *pump) ready(chunk []byte) {
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
}

// emitText writes chunk's lines as text, each with the sink's timestamp
// and prefix, through out, which it returns for reuse.
func (pm *pump) emitText(chunk, out []byte) []byte {
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
