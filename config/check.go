package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// parseCheck reads a ready or health value for instance n. ready accepts
// "started", "notify", "fd:N", "log:REGEXP", "tcp:HOST:PORT", an http URL, or an array (a command). health accepts "" (none),
// "tcp:HOST:PORT", a URL or an array. ${PROCESS_NUM} is expanded first, so
// that instances can check their own ports.
func parseCheck(v any, health bool, n int) (Check, error) {
	switch v := v.(type) {
	case []any:
		argv := make([]string, 0, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return Check{}, fmt.Errorf("element %d: %w", i, errType("a string", e))
			}
			if containsNUL(s) {
				return Check{}, fmt.Errorf("element %d: %w", i, errNUL)
			}
			argv = append(argv, expandProcessNum(s, n))
		}
		if len(argv) == 0 || argv[0] == "" {
			return Check{}, fmt.Errorf("empty command")
		}
		return Check{Kind: "cmd", Argv: argv}, nil
	case string:
		if containsNUL(v) {
			return Check{}, errNUL
		}
		return parseCheckString(expandProcessNum(v, n), health)
	}
	if health {
		return Check{}, errType(`"", "tcp:HOST:PORT", an http URL or a command array`, v)
	}
	return Check{}, errType(`"started", "notify", "fd:N", "log:REGEXP", "tcp:HOST:PORT", an http URL or a command array`, v)
}

// parseCheckString reads a check written as a string.
func parseCheckString(s string, health bool) (Check, error) {
	kind, arg, _ := strings.Cut(s, ":")
	if health {
		switch kind {
		case "":
			if s == "" {
				return Check{}, nil
			}
		case "started", "notify", "fd", "log":
			return Check{}, fmt.Errorf("%q is a ready check, not a health check: use tcp:HOST:PORT, an http URL or a command array", s)
		}
	}
	switch kind {
	case "started", "notify":
		if s != kind {
			return Check{}, fmt.Errorf("invalid check %q: %q takes no argument", s, kind)
		}
		return Check{Kind: kind}, nil
	case "fd":
		fd, err := strconv.Atoi(arg)
		if err != nil || fd < 3 || fd > 1<<20 {
			return Check{}, fmt.Errorf("invalid check %q: want fd:N with N a descriptor number of at least 3", s)
		}
		return Check{Kind: "fd", FD: fd}, nil
	case "log":
		if arg == "" {
			return Check{}, fmt.Errorf("invalid check %q: want log:REGEXP", s)
		}
		re, err := regexp.Compile(arg)
		if err != nil {
			return Check{}, fmt.Errorf("invalid check %q: %w", s, err)
		}
		return Check{Kind: "log", Pattern: re}, nil
	case "tcp":
		if err := checkAddr(arg); err != nil {
			return Check{}, fmt.Errorf("invalid check %q: %w", s, err)
		}
		return Check{Kind: "tcp", Addr: arg}, nil
	case "https":
		// Plain HTTP only: TLS would double the size of tend's binary,
		// and a check of a local port needs none.
		return Check{}, fmt.Errorf("invalid check %q: https is not supported; use an http:// URL, tcp:HOST:PORT or a command", s)
	case "http":
		u, err := url.Parse(s)
		if err != nil {
			return Check{}, fmt.Errorf("invalid check %q: bad URL", s)
		}
		if u.Host == "" || u.Opaque != "" {
			return Check{}, fmt.Errorf("invalid check %q: the URL has no host", s)
		}
		if p := u.Port(); p != "" {
			if _, err := strconv.ParseUint(p, 10, 16); err != nil {
				return Check{}, fmt.Errorf("invalid check %q: bad port %q", s, p)
			}
		}
		return Check{Kind: "http", URL: s}, nil
	}
	if health {
		return Check{}, fmt.Errorf(`invalid check %q: want "", tcp:HOST:PORT, an http URL or a command array`, s)
	}
	return Check{}, fmt.Errorf(`invalid check %q: want "started", "notify", "fd:N", "log:REGEXP", "tcp:HOST:PORT", an http URL or a command array`, s)
}

// checkAddr validates HOST:PORT with a numeric port.
func checkAddr(addr string) error {
	_, port, split, ok := splitAddr(addr)
	switch {
	case !split:
		return fmt.Errorf("want tcp:HOST:PORT")
	case !ok:
		return fmt.Errorf("port %q is not a number in 1..65535", port)
	}
	return nil
}

// splitAddr splits HOST:PORT (split: s has that shape) and reports
// whether PORT is a number from 1 to 65535. Checks and listen addresses
// both read addresses with it, each saying in its own words what is
// wrong.
func splitAddr(s string) (host, port string, split, ok bool) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", "", false, false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return host, port, true, err == nil && n != 0
}

// ParseTarget reads a probe target as a health check is written:
// tcp:HOST:PORT or an http:// URL. `tend wait` takes its targets with it,
// so that they are the config's own syntax.
func ParseTarget(s string) (Check, error) {
	switch kind, _, _ := strings.Cut(s, ":"); kind {
	case "tcp", "http", "https":
		return parseCheckString(s, true)
	}
	return Check{}, fmt.Errorf("invalid target %q: want tcp:HOST:PORT or an http:// URL", s)
}
