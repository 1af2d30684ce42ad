package supervisor

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"tend/metrics"
)

// self is what the host reads of tend's own process for a scrape: the
// core reads no file.
type self struct {
	rss int64 // resident bytes
	fds int   // open descriptors; -1 when unknown
}

// readSelf reads tend's RSS (/proc/self/statm) and counts its open
// descriptors (/proc/self/fd), once per scrape.
func readSelf() self {
	st := self{fds: -1}
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			st.rss = pages * int64(os.Getpagesize())
		}
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, _ := d.Readdirnames(-1)
		d.Close()
		st.fds = len(names) - 1 // less the one reading it
	}
	return st
}

// The families of a scrape, in order.
var families = []struct{ name, help, typ string }{
	{"tend_program_state", "The program's state (supervisorctl's names): 1 for the one it is in.", "gauge"},
	{"tend_program_up", "1 when the program is RUNNING, or a oneshot that is done.", "gauge"},
	{"tend_program_restarts_total", "Processes started for the program after its first.", "counter"},
	{"tend_program_last_exit_status", "The last exit status (128+N for signal N); absent before the first exit.", "gauge"},
	{"tend_program_uptime_seconds", "How long the current process has run; 0 when none runs.", "gauge"},
	{"tend_program_last_max_rss_bytes", "Peak resident memory of the last run that ended (wait4's rusage).", "gauge"},
	{"tend_program_oom_kills_total", "Processes of the program the kernel's OOM killer killed.", "counter"},
	{"tend_resident_memory_bytes", "tend's own resident memory.", "gauge"},
	{"tend_open_fds", "tend's own open file descriptors.", "gauge"},
}

// metrics renders every program's figures and tend's own in Prometheus'
// text format. They are kept as events happen (exits, starts, OOM kills);
// a scrape only reads them.
func (s *core) metrics(now time.Time, me self) []byte {
	// A program a reload removed, still stopping, is left out when a new
	// one has its name: two series with the same labels make Prometheus
	// refuse the whole scrape.
	live := map[string]bool{}
	for _, p := range s.progs {
		if !p.removed {
			live[p.cfg.Name] = true
		}
	}
	var ps []*program
	for _, p := range s.byName() {
		if !p.removed || !live[p.cfg.Name] {
			ps = append(ps, p)
		}
	}
	var b []byte
	for _, f := range families {
		b = metrics.Family(b, f.name, f.help, f.typ)
		switch f.name {
		case "tend_resident_memory_bytes":
			b = metrics.Sample(b, f.name, float64(me.rss))
			continue
		case "tend_open_fds":
			if me.fds >= 0 {
				b = metrics.Sample(b, f.name, float64(me.fds))
			}
			continue
		}
		for _, p := range ps {
			b = s.programSample(b, f.name, p, now)
		}
	}
	return b
}

// programSample appends p's sample of family name.
func (s *core) programSample(b []byte, name string, p *program, now time.Time) []byte {
	prog := p.cfg.Name
	switch name {
	case "tend_program_state":
		return metrics.Sample(b, name, 1, "program", prog, "state", p.state.String())
	case "tend_program_up":
		up := 0.0
		if p.state == Running || (p.cfg.Type == "oneshot" && p.isReady()) {
			up = 1
		}
		return metrics.Sample(b, name, up, "program", prog)
	case "tend_program_restarts_total":
		return metrics.Sample(b, name, float64(max(0, p.gen-1)), "program", prog)
	case "tend_program_last_exit_status":
		if len(p.runs) == 0 {
			return b
		}
		return metrics.Sample(b, name, float64(p.runs[len(p.runs)-1].code), "program", prog)
	case "tend_program_uptime_seconds":
		up := 0.0
		if p.pid != 0 {
			up = now.Sub(p.spawned).Seconds()
		}
		return metrics.Sample(b, name, up, "program", prog)
	case "tend_program_last_max_rss_bytes":
		if len(p.runs) == 0 {
			return b
		}
		return metrics.Sample(b, name, float64(p.runs[len(p.runs)-1].maxRSS*1024), "program", prog)
	case "tend_program_oom_kills_total":
		return metrics.Sample(b, name, float64(p.oomKills), "program", prog)
	}
	return b
}

// metricsLines answers the metrics request: the exposition's lines.
func (s *core) metricsLines(c replier, now time.Time, me self) {
	text := s.metrics(now, me)
	for _, l := range bytes.Split(bytes.TrimSuffix(text, []byte("\n")), []byte("\n")) {
		if !c.Line(string(l)) {
			return
		}
	}
	c.OK()
}
