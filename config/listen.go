package config

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
)

// maxUnixPath is the longest path a unix socket address holds (sun_path,
// less its terminating NUL).
const maxUnixPath = 107

// listen reads a program's listen key: "tcp:HOST:PORT" or "unix:PATH"
// ("unix:@NAME" for an abstract socket), each at most once.
func (l *loader) listen(f *file, path []string, addrs []string) []Listen {
	var out []Listen
	seen := map[string]bool{}
	for _, a := range addrs {
		s, err := ParseListen(a)
		if err != nil {
			l.fail(f, path, err)
			continue
		}
		if seen[s.String()] {
			l.errorf(f, path, "%q is listed twice", a)
			continue
		}
		seen[s.String()] = true
		out = append(out, s)
	}
	return out
}

// ParseListen reads one listen address.
func ParseListen(a string) (Listen, error) {
	network, addr, ok := strings.Cut(a, ":")
	switch {
	case !ok || addr == "":
		return Listen{}, fmt.Errorf("listen address %q: want tcp:HOST:PORT or unix:PATH", a)
	case network == "tcp":
		if err := checkHostPort(addr); err != nil {
			return Listen{}, fmt.Errorf("listen address %q: %v", a, err)
		}
		// tend opens the socket on its loop: a host name would be a DNS
		// lookup there, which may hang.
		if host, _, _ := net.SplitHostPort(addr); host != "" && net.ParseIP(host) == nil {
			return Listen{}, fmt.Errorf("listen address %q: the host must be an IP address, or empty for every address (\"127.0.0.1\", not \"localhost\")", a)
		}
	case network == "unix":
		switch {
		case containsNUL(addr):
			return Listen{}, fmt.Errorf("listen address %q: %v", a, errNUL)
		case len(addr) > maxUnixPath:
			return Listen{}, fmt.Errorf("listen address %q: a socket path is at most %d bytes", a, maxUnixPath)
		case addr[0] != '@' && !filepath.IsAbs(addr):
			return Listen{}, fmt.Errorf("listen address %q: the socket path must be absolute", a)
		}
	default:
		return Listen{}, fmt.Errorf("listen address %q: unknown network %q: want tcp or unix", a, network)
	}
	return Listen{Net: network, Addr: addr}, nil
}

// checkHostPort checks HOST:PORT, with a port from 1 to 65535 (a host
// name is resolved only when the socket is opened).
func checkHostPort(s string) error {
	host, port, split, ok := splitAddr(s)
	switch {
	case !split:
		return fmt.Errorf("%q: want HOST:PORT (\"[::]:8080\" for IPv6)", s)
	case containsNUL(host):
		return errNUL
	case !ok:
		return fmt.Errorf("%q: port %q is not a number from 1 to 65535", s, port)
	}
	return nil
}

// inherit gives each program the [tend] defaults it does not set itself.
func (l *loader) inherit(cfg *Config, progs []*Program) {
	for _, p := range progs {
		if t := l.progs[p.Base]; t != nil && !t.outputFormat {
			p.OutputFormat = cfg.OutputFormat
		}
	}
}

// checkSockets refuses a listen address that two [program.NAME] tables
// name: one socket is handed to one program (its numprocs instances share
// it, and the kernel spreads the connections among them).
func (l *loader) checkSockets(progs []*Program) {
	owner := map[string]string{}
	for _, p := range progs {
		t := l.progs[p.Base]
		if n := len(p.Listen); n > 0 && p.Ready.Kind == "fd" && p.Ready.FD < 3+n && p.ProcessNum == 0 {
			l.errorf(t.f, join(t.path, []string{"ready"}), "fd:%d is taken: the listen sockets are fds 3 to %d; use fd:%d", p.Ready.FD, 2+n, 3+n)
		}
		for _, s := range p.Listen {
			switch prev, ok := owner[s.String()]; {
			case !ok:
				owner[s.String()] = p.Base
			case prev != p.Base:
				l.errorf(t.f, join(t.path, []string{"listen"}), "%q is also program %q's: a socket goes to one program", s.String(), prev)
				owner[s.String()] = p.Base // once per pair
			}
		}
	}
}
