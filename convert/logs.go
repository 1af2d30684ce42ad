package convert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"tend/config"
)

// What a program's *_logfile became.
const (
	logNone = iota // no file: tend's own stdout or stderr (supervisord's AUTO and the like)
	logPass        // /dev/stdout and the like: tend's own stdout or stderr
	logFile        // a file
	logNONE        // NONE: discarded
)

// logs converts both streams' log keys.
func (p *prog) logs() error {
	for _, s := range []string{"stdout", "stderr"} {
		if err := p.log(s); err != nil {
			return err
		}
	}
	return nil
}

// log converts one stream's logfile, maxbytes and backups. maxbytes and
// backups mean something only for a file; with /dev/stdout they are 0 by
// the Docker habit (supervisord cannot rotate a pipe), and go unsaid.
func (p *prog) log(s string) error {
	key := s + "_logfile"
	why := fmt.Sprintf("there is no log file: tend writes %s to its own %s", s, s)
	kind := logNone
	f, err := p.field(key, pnTend)
	if err != nil {
		return err
	}
	switch {
	case s == "stderr" && p.redirect:
		why = "redirect_stderr = true sends stderr to stdout's log, in supervisord too"
		if f != nil {
			p.skip(key, f.v, why)
		}
	case f != nil:
		kind = p.logfile(s, f)
	}
	if kind == logNONE {
		why = "unneeded: output is discarded"
	}
	for _, k := range []string{key + "_maxbytes", key + "_backups"} {
		g, err := p.field(k, pnFixed)
		if errors.Is(err, errVaries) {
			v, _ := p.value(k)
			p.skip(k, v, "differs between instances, which tend cannot do")
			continue
		}
		if err != nil {
			return err
		}
		if g == nil {
			continue
		}
		size := strings.HasSuffix(k, "_maxbytes")
		var n int64
		if size {
			n, err = byteSize(g.text)
		} else {
			n, err = pyInt(g.text)
		}
		if err != nil {
			return p.fail(k, g.v, err)
		}
		switch {
		case kind == logFile && (n < 0 || !size && n > math.MaxInt32):
			p.skip(k, g.v, "out of range")
		case kind == logFile && size:
			p.t.set(k, sizeValue(g.text, n), g.notes...)
		case kind == logFile:
			p.t.set(k, strconv.FormatInt(n, 10), g.notes...)
		case kind == logPass && n == 0:
		case kind == logPass:
			p.skip(k, g.v, fmt.Sprintf("tend passes %s through, and rotates only files", s))
		default:
			p.skip(k, g.v, why)
		}
	}
	return nil
}

// logfile converts one *_logfile key and returns what it became.
func (p *prog) logfile(s string, f *field) int {
	key := s + "_logfile"
	own := fmt.Sprintf("tend writes %s to its own %s", s, s)
	// supervisord reads none, off, auto and syslog in any case.
	switch strings.ToLower(f.text) {
	case "none", "off":
		p.t.set(key, quote("NONE"), f.notes...)
		return logNONE
	case "auto":
		p.skip(key, f.v, "tend makes no AUTO log files: "+own)
		return logNone
	case "syslog":
		p.skip(key, f.v, "tend has no syslog: "+own)
		return logNone
	case "":
		p.skip(key, f.v, "empty: "+own)
		return logNone
	}
	if to, ok := passthrough(f.text); ok {
		if to != s {
			p.skip(key, f.v, own)
		}
		return logPass
	}
	if strings.HasPrefix(f.text, "~") {
		p.skip(key, f.v, "supervisord expands ~, tend does not: write the whole path")
		return logNone
	}
	notes := f.notes
	if p.numprocs > 1 && !strings.Contains(f.text, processNumVar) {
		// As in supervisord, every instance writes this one file; tend
		// shares it, whole lines each. The path is kept, as is one that
		// names the other stream's file or another program's.
		notes = append(notes, fmt.Sprintf("with numprocs = %d every instance writes this one file, as in supervisord: for a file each, put %s in the path", p.numprocs, processNumVar))
	}
	p.t.set(key, quote(f.text), notes...)
	return logFile
}

// passthrough reports which of the container's own streams path is, if it
// is one.
func passthrough(path string) (string, bool) {
	switch path {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1":
		return "stdout", true
	case "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2":
		return "stderr", true
	}
	return "", false
}

// sizeValue writes a size as written ("50MB") when tend reads that as the
// same number of bytes, else as an integer.
func sizeValue(text string, n int64) string {
	t := trimPy(text)
	if strings.Trim(t, "0123456789") == "" {
		return strconv.FormatInt(n, 10)
	}
	if m, err := config.ParseSize(t); err == nil && m == n {
		return quote(t)
	}
	return strconv.FormatInt(n, 10)
}
