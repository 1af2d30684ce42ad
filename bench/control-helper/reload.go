// The reload measures: tend's and supervisord's, each until the changed
// program runs again with a new pid, and the pids of every program.

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// tendPids parses `pid all` (NAME PID lines, then OK).
func tendPids(sock string) (map[string]int, error) {
	reply, err := roundTrip(sock, "pid all", nil)
	if err != nil {
		return nil, err
	}
	s := string(reply)
	if !strings.HasSuffix(s, "\nOK\n") {
		return nil, fmt.Errorf("pid all: %q", tailOf(s))
	}
	pids := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(s, "OK\n"), "\n") {
		if f := strings.Fields(l); len(f) == 2 {
			pids[f[0]], _ = strconv.Atoi(f[1])
		}
	}
	return pids, nil
}

// changedPids counts the programs whose pid differs, or that are missing.
func changedPids(before, after map[string]int) (int, []string) {
	var names []string
	for n, p := range before {
		if q, ok := after[n]; !ok || q != p || q == 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return len(names), names
}

type line struct {
	at   time.Time
	text string
}

// lines reads r line by line into a channel, each stamped when read.
func lines(r io.Reader) chan line {
	ch := make(chan line, 100000)
	go func() {
		defer close(ch)
		br := bufio.NewReader(r)
		for {
			s, err := br.ReadString('\n')
			if s != "" {
				ch <- line{time.Now(), strings.TrimSuffix(s, "\n")}
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

func tendReload(sock, conf, newConf, name string, nprogs int, mode, extra string) error {
	before, err := tendPids(sock)
	if err != nil {
		return err
	}
	if len(before) != nprogs || before[name] == 0 {
		return fmt.Errorf("before: %d pids, %s pid %d; want %d programs running", len(before), name, before[name], nprogs)
	}
	ev, err := net.Dial("unix", sock)
	if err != nil {
		return err
	}
	defer ev.Close()
	if _, err := ev.Write([]byte("events\n")); err != nil {
		return err
	}
	events := lines(ev)
	// Nothing acknowledges a subscription: give the loop time to take it.
	time.Sleep(300 * time.Millisecond)
	if err := os.Rename(newConf, conf); err != nil {
		return err
	}

	var reply []byte
	t0 := time.Now()
	switch mode {
	case "socket":
		reply, err = roundTrip(sock, "reload", nil)
	case "hup":
		err = syscall.Kill(atoi(extra), syscall.SIGHUP)
	case "ctl":
		_, reply, err = spawn([]string{extra, "ctl", "--socket", sock, "reload"}, nil)
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	okAt := time.Since(t0)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}

	// The changed program RUNNING again, with a new pid.
	var applied time.Duration
	newPid, starting := 0, []string{}
	var seen []string
	deadline := time.After(30 * time.Second)
	for applied == 0 {
		select {
		case l, ok := <-events:
			if !ok {
				return fmt.Errorf("events stream ended; seen %q", seen)
			}
			seen = append(seen, l.text)
			f := strings.Fields(l.text) // time name FROM->TO pid N ...
			if len(f) >= 3 && strings.HasSuffix(f[2], "->STARTING") {
				starting = append(starting, f[1])
			}
			if len(f) >= 5 && f[1] == name && strings.HasSuffix(f[2], "->RUNNING") && f[3] == "pid" {
				if p, _ := strconv.Atoi(f[4]); p != 0 && p != before[name] {
					newPid, applied = p, l.at.Sub(t0)
				}
			}
		case <-deadline:
			return fmt.Errorf("%s not RUNNING with a new pid after 30 s; events %q", name, seen)
		}
	}
	// Let anything else the reload set off show, then compare every pid.
	settle := time.After(500 * time.Millisecond)
wait:
	for {
		select {
		case l := <-events:
			seen = append(seen, l.text)
			if f := strings.Fields(l.text); len(f) >= 3 && strings.HasSuffix(f[2], "->STARTING") {
				starting = append(starting, f[1])
			}
		case <-settle:
			break wait
		}
	}
	after, err := tendPids(sock)
	if err != nil {
		return err
	}
	n, names := changedPids(before, after)
	if after[name] != newPid {
		return fmt.Errorf("pid %s is %d, the RUNNING event said %d", name, after[name], newPid)
	}
	fmt.Printf("mode=%s name=%s ok_ms=%s applied_ms=%s oldpid=%d newpid=%d pids_changed=%d changed=%s starting_events=%d starting=%s programs=%d reply=%q events=%q\n",
		mode, name, ms(okAt), ms(applied), before[name], newPid, n, strings.Join(names, ","),
		len(starting), strings.Join(starting, ","), len(after), strings.TrimSpace(string(reply)), strings.Join(seen, " | "))
	return nil
}

var sdStatus = regexp.MustCompile(`(?m)^(\S+)\s+RUNNING\s+pid (\d+),`)

// sdPids is every RUNNING program's pid, by `supervisorctl status`.
func sdPids(conf string) (map[string]int, error) {
	out, err := exec.Command("supervisorctl", "-c", conf, "status").Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) { // exit 3 when not all RUNNING
		return nil, err
	}
	pids := map[string]int{}
	for _, m := range sdStatus.FindAllStringSubmatch(string(out), -1) {
		pids[m[1]], _ = strconv.Atoi(m[2])
	}
	return pids, nil
}

// rpc makes one XML-RPC call to supervisord, with string arguments.
func rpc(c *http.Client, method string, args ...string) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>` + method + `</methodName><params>`)
	for _, a := range args {
		b.WriteString(`<param><value><string>` + a + `</string></value></param>`)
	}
	b.WriteString(`</params></methodCall>`)
	resp, err := c.Post("http://localhost/RPC2", "text/xml", strings.NewReader(b.String()))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if resp.StatusCode != 200 || bytes.Contains(body, []byte("<fault>")) {
		return fmt.Errorf("%s: %s: %s", method, resp.Status, tailOf(string(body)))
	}
	return nil
}

func sdReload(conf, logFile, newConf, name string, nprogs int, mode, sock string) error {
	before, err := sdPids(conf)
	if err != nil {
		return err
	}
	if len(before) != nprogs {
		return fmt.Errorf("before: %d RUNNING, want %d", len(before), nprogs)
	}
	lf, err := os.Open(logFile)
	if err != nil {
		return err
	}
	defer lf.Close()
	if _, err := lf.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	if err := os.Rename(newConf, conf); err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}

	// Watch the log from here on: "spawned: 'NAME' with pid N", then
	// "success: NAME entered RUNNING state".
	type result struct {
		at   time.Time
		pid  int
		logs []string
		err  error
	}
	done := make(chan result, 1)
	stop := make(chan struct{})
	go func() {
		var r result
		var pending string
		buf := make([]byte, 64<<10)
		for {
			n, err := lf.Read(buf)
			if n > 0 {
				pending += string(buf[:n])
				for {
					i := strings.IndexByte(pending, '\n')
					if i < 0 {
						break
					}
					l := pending[:i]
					pending = pending[i+1:]
					r.logs = append(r.logs, l)
					if j := strings.Index(l, "spawned: '"+name+"' with pid "); j >= 0 {
						r.pid, _ = strconv.Atoi(strings.Fields(l[j+len("spawned: '"+name+"' with pid "):])[0])
					}
					if strings.Contains(l, "success: "+name+" entered RUNNING state") && r.pid != 0 {
						r.at = time.Now()
						done <- r
						return
					}
				}
				continue
			}
			if err != nil && err != io.EOF {
				r.err = err
				done <- r
				return
			}
			select {
			case <-stop:
				r.err = errors.New("stopped")
				done <- r
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	var out []byte
	t0 := time.Now()
	switch mode {
	case "ctl":
		var o1, o2 []byte
		_, o1, err = spawn([]string{"supervisorctl", "-c", conf, "reread"}, nil)
		if err == nil {
			_, o2, err = spawn([]string{"supervisorctl", "-c", conf, "update"}, nil)
		}
		out = append(o1, o2...)
	case "rpc":
		// What `supervisorctl update` does for one changed group.
		err = rpc(client, "supervisor.reloadConfig")
		for _, m := range []string{"supervisor.stopProcessGroup", "supervisor.removeProcessGroup", "supervisor.addProcessGroup"} {
			if err == nil {
				err = rpc(client, m, name)
			}
		}
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	cmdDone := time.Since(t0)
	if err != nil {
		close(stop)
		return fmt.Errorf("reload: %w", err)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(60 * time.Second):
		close(stop)
		r = <-done
		return fmt.Errorf("%s not RUNNING again after 60 s; log %q", name, r.logs)
	}
	if r.err != nil {
		return r.err
	}
	applied := r.at.Sub(t0)
	time.Sleep(time.Second)
	after, err := sdPids(conf)
	if err != nil {
		return err
	}
	n, names := changedPids(before, after)
	if after[name] != r.pid {
		return fmt.Errorf("supervisorctl says %s pid %d, the log said %d", name, after[name], r.pid)
	}
	// Spawns logged after t0, up to now.
	spawns := 0
	rest, _ := io.ReadAll(lf)
	logs := append(r.logs, strings.Split(string(rest), "\n")...)
	for _, l := range logs {
		if strings.Contains(l, "spawned: '") {
			spawns++
		}
	}
	fmt.Printf("mode=%s name=%s cmd_ms=%s applied_ms=%s oldpid=%d newpid=%d pids_changed=%d changed=%s spawns=%d programs=%d reply=%q log=%q\n",
		mode, name, ms(cmdDone), ms(applied), before[name], r.pid, n, strings.Join(names, ","), spawns, len(after),
		strings.TrimSpace(string(out)), strings.Join(r.logs, " | "))
	return nil
}
