// The machine's load, and the statistics of the report.

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cpuTicks returns the machine's busy and idle ticks, and each process's
// utime+stime.
func cpuTicks() (busy, idle int64, procs map[string]int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, nil, err
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) // cpu user nice system idle iowait irq softirq steal
	for i := 1; i < len(f) && i <= 8; i++ {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		if i == 4 || i == 5 {
			idle += n
		} else {
			busy += n
		}
	}
	procs = map[string]int64{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		st, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(st, ')')
		if i < 0 {
			continue
		}
		g := strings.Fields(string(st[i+1:])) // state ppid ... utime(12th) stime(13th)
		if len(g) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(g[11], 10, 64)
		s, _ := strconv.ParseInt(g[12], 10, 64)
		procs[d.Name()] = u + s
	}
	return busy, idle, procs, nil
}

func cpu() error {
	b0, i0, p0, err := cpuTicks()
	if err != nil {
		return err
	}
	time.Sleep(time.Second)
	b1, i1, p1, err := cpuTicks()
	if err != nil {
		return err
	}
	top, most := "", int64(-1)
	for pid, t := range p1 {
		if t0, ok := p0[pid]; ok && t-t0 > most && pid != strconv.Itoa(os.Getpid()) {
			top, most = pid, t-t0
		}
	}
	cmd, _ := os.ReadFile("/proc/" + top + "/cmdline")
	c := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
	if c == "" { // a kernel thread
		comm, _ := os.ReadFile("/proc/" + top + "/comm")
		c = "[" + strings.TrimSpace(string(comm)) + "]"
	}
	if len(c) > 60 {
		c = c[:60] + "..."
	}
	busy := float64(b1-b0) / float64(max(1, b1-b0+i1-i0))
	fmt.Printf("CPU busy %.0f%% over 1 s; the busiest process %s (%q) %d ticks\n", 100*busy, top, c, most)
	return nil
}

// stats reads "KEY value" lines and prints, per key in first-seen order,
// "KEY n median p90 min max" (nearest-rank percentiles).
func stats(r io.Reader) error {
	vals := map[string][]float64{}
	var keys []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return fmt.Errorf("not a number: %q", sc.Text())
		}
		if _, ok := vals[f[0]]; !ok {
			keys = append(keys, f[0])
		}
		vals[f[0]] = append(vals[f[0]], v)
	}
	for _, k := range keys {
		v := vals[k]
		sort.Float64s(v)
		rank := func(p float64) float64 {
			i := int(p*float64(len(v))+0.999999) - 1
			return v[max(0, min(i, len(v)-1))]
		}
		med := v[len(v)/2]
		if len(v)%2 == 0 {
			med = (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		fmt.Printf("%s %d %.3f %.3f %.3f %.3f\n", k, len(v), med, rank(0.9), v[0], v[len(v)-1])
	}
	return sc.Err()
}
