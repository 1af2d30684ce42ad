// The status and burst measures: round trips to tend's socket, timed from
// here, and process starts timed the same way for comparison.

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// roundTrip sends one request line on a new connection and reads the reply
// to EOF, with plain blocking system calls (no Go netpoller in the way).
func roundTrip(sock, req string, buf []byte) ([]byte, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: sock}); err != nil {
		return nil, fmt.Errorf("connect %q: %w", sock, err)
	}
	if _, err := syscall.Write(fd, []byte(req+"\n")); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, cap(buf)+1)
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return buf, fmt.Errorf("read: %w", err)
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// checkStatus reports whether reply is a status reply of n RUNNING
// programs ending in OK (withOK) or, as tend ctl prints it, without.
func checkStatus(reply []byte, n int, withOK bool) error {
	s := string(reply)
	if withOK {
		if !strings.HasSuffix(s, "\nOK\n") {
			return fmt.Errorf("reply does not end in OK: %q", tailOf(s))
		}
		s = strings.TrimSuffix(s, "OK\n")
	}
	if k := strings.Count(s, " RUNNING "); k != n || strings.Count(s, "\n") != n {
		return fmt.Errorf("%d RUNNING in %d lines, want %d: %q", k, strings.Count(s, "\n"), n, tailOf(s))
	}
	return nil
}

func tailOf(s string) string {
	if len(s) > 200 {
		return "..." + s[len(s)-200:]
	}
	return s
}

// spawn runs argv with stdin from a file and stdout captured, and returns
// its wall time.
func spawn(argv []string, stdin *os.File) (time.Duration, []byte, error) {
	var out bytes.Buffer
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, os.Stderr
	t := time.Now()
	err := cmd.Run()
	d := time.Since(t)
	if err != nil {
		return d, out.Bytes(), fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	return d, out.Bytes(), nil
}

func mix(sock, tend string, rounds, per, nprogs int) error {
	in, err := os.CreateTemp("", "ctlreq")
	if err != nil {
		return err
	}
	defer os.Remove(in.Name())
	if _, err := in.WriteString("status\n"); err != nil {
		return err
	}
	buf := make([]byte, 0, 64<<10)
	kinds := []string{"true", "ctl", "nc", "rtt"}
	for r := 0; r < rounds; r++ {
		for k := range kinds {
			kind := kinds[(r+k)%len(kinds)]
			if _, err := in.Seek(0, io.SeekStart); err != nil {
				return err
			}
			var d time.Duration
			var out []byte
			switch kind {
			case "true":
				d, _, err = spawn([]string{"/bin/true"}, in)
			case "ctl":
				d, out, err = spawn([]string{tend, "ctl", "--socket", sock, "status"}, in)
				if err == nil {
					err = checkStatus(out, nprogs, false)
				}
			case "nc":
				d, out, err = spawn([]string{"nc", "-U", sock}, in)
				if err == nil {
					err = checkStatus(out, nprogs, true)
				}
			case "rtt":
				for i := 0; i < per && err == nil; i++ {
					t := time.Now()
					buf, err = roundTrip(sock, "status", buf)
					d = time.Since(t)
					if err == nil {
						err = checkStatus(buf, nprogs, true)
					}
					if err == nil && i < per-1 {
						fmt.Printf("rtt %s\n", us(d))
					}
				}
			}
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", kind, r, err)
			}
			fmt.Printf("%s %s\n", kind, us(d))
		}
	}
	return nil
}

func rtt(sock string, count int, req string) error {
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < count; i++ {
		t := time.Now()
		reply, err := roundTrip(sock, req, buf)
		d := time.Since(t)
		if err != nil {
			return err
		}
		if !bytes.HasSuffix(reply, []byte("\nOK\n")) {
			return fmt.Errorf("%s: %q", req, tailOf(string(reply)))
		}
		buf = reply
		fmt.Println(us(d))
	}
	return nil
}

func burst(sock string, clients, rounds, nprogs int, beatFile string) error {
	for r := 0; r < rounds; r++ {
		idle := time.Now()
		time.Sleep(time.Second)
		start := time.Now()
		conns := make([]*net.UnixConn, clients)
		var wg sync.WaitGroup
		errs := make([]error, clients)
		for i := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conns[i], errs[i] = net.DialUnix("unix", nil, &net.UnixAddr{Name: sock, Net: "unix"})
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("round %d: connect: %w", r, err)
		}
		connected := time.Now()
		lat := make([]time.Duration, clients)
		ends := make([]time.Time, clients)
		release := make(chan struct{})
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				<-release
				t := time.Now()
				if _, err := c.Write([]byte("status\n")); err != nil {
					errs[i] = err
					return
				}
				reply, err := io.ReadAll(c)
				ends[i] = time.Now()
				lat[i] = ends[i].Sub(t)
				if err == nil {
					err = checkStatus(reply, nprogs, true)
				}
				errs[i] = err
			}()
		}
		go0 := time.Now()
		close(release)
		wg.Wait()
		last := slices.MaxFunc(ends, func(a, b time.Time) int { return a.Compare(b) })
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		if ok != clients {
			return fmt.Errorf("round %d: %d of %d replies complete: %w", r, ok, clients, errors.Join(errs...))
		}
		fmt.Printf("connect %s\ntotal %s\nallok %d\n", us(connected.Sub(start)), us(last.Sub(go0)), ok)
		for _, d := range lat {
			fmt.Printf("client %s\n", us(d))
		}
		time.Sleep(50 * time.Millisecond) // one more beat after the burst
		gi, gb, err := beatGaps(beatFile, idle, start, last)
		if err != nil {
			return err
		}
		fmt.Printf("beatidle %s\nbeatburst %s\n", us(gi), us(gb))
	}
	return nil
}

// beatGaps returns the heartbeat's longest gap touching [idle, start) and
// touching [start, end].
func beatGaps(file string, idle, start, end time.Time) (time.Duration, time.Duration, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, 0, err
	}
	var ts []int64
	for _, l := range strings.Fields(string(b)) {
		if n, err := strconv.ParseInt(l, 10, 64); err == nil {
			ts = append(ts, n)
		}
	}
	gap := func(from, to time.Time) time.Duration {
		a, z := from.UnixNano(), to.UnixNano()
		var g int64
		for i := 1; i < len(ts); i++ {
			if ts[i] > a && ts[i-1] < z {
				g = max(g, ts[i]-ts[i-1])
			}
		}
		return time.Duration(g)
	}
	if len(ts) < 2 || ts[len(ts)-1] < end.UnixNano() {
		return 0, 0, fmt.Errorf("heartbeat %s has no beat after the burst", file)
	}
	return gap(idle, start), gap(start, end), nil
}
