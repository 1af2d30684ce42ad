package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// maxStatusLine bounds what HTTP reads before the first newline, so that a
// server sending an endless line cannot make tend buffer it.
const maxStatusLine = 4096

// HTTP sends "GET <path> HTTP/1.1" with the headers Host, "User-Agent:
// tend" and "Connection: close" to the http:// URL rawURL, and succeeds when
// the status line says 2xx before ctx ends. Redirects are not followed: a
// 3xx fails, since tend's contract is 2xx (Kubernetes' probes, which would
// count it a success, differ here).
//
// rawURL is parsed here, not by net/url: the scheme must be http (any
// case), the host is a name or address (IPv6 literals in brackets, a zone
// as %25), the port defaults to 80, the path to "/", the query is kept, a
// fragment is dropped, and spaces and non-ASCII bytes are percent-encoded.
// User information ("user:pass@") is refused rather than ignored, since no
// credentials are sent.
//
// Only the status line is read, at most 4096 bytes before its newline; the
// connection is then closed. Errors look like `http "http://x/": status
// 503` or `http "http://x/": dial tcp ...: connect: connection refused`;
// when ctx ends first, the cause is ctx's error (context.DeadlineExceeded).
func HTTP(ctx context.Context, rawURL string) error {
	if err := get(ctx, rawURL); err != nil {
		return fmt.Errorf("http %q: %w", rawURL, err)
	}
	return nil
}

// get does the work of HTTP; its errors lack the URL.
func get(ctx context.Context, rawURL string) error {
	u, err := parseURL(rawURL)
	if err != nil {
		return err
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", u.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	// A deadline in the past wakes the write or read below when ctx ends,
	// whether by its deadline or by cancellation.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := "GET " + u.target + " HTTP/1.1\r\nHost: " + u.host +
		"\r\nUser-Agent: tend\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return fmt.Errorf("send request: %w", ctxErr(ctx, err))
	}
	line, err := bufio.NewReaderSize(c, maxStatusLine+1).ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return fmt.Errorf("read status line: longer than %d bytes", maxStatusLine)
	case errors.Is(err, io.EOF) && len(line) > 0:
		return fmt.Errorf("read status line: %w", io.ErrUnexpectedEOF)
	case err != nil:
		return fmt.Errorf("read status line: %w", ctxErr(ctx, err))
	}
	code, err := parseStatusLine(line)
	if err != nil {
		return err
	}
	if code < 200 || code > 299 {
		return fmt.Errorf("status %d", code)
	}
	return nil
}

// ctxErr reports that ctx ended rather than the i/o timeout it caused:
// only the AfterFunc in get sets a deadline, once ctx is done.
func ctxErr(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// parseStatusLine returns the code of an HTTP/1.x status line such as
// "HTTP/1.1 200 OK\r\n" (RFC 9112, section 4).
func parseStatusLine(line []byte) (int, error) {
	s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	rest, ok := strings.CutPrefix(s, "HTTP/1.")
	if ok && len(rest) >= 5 && isDigit(rest[0]) && rest[1] == ' ' &&
		isDigit(rest[2]) && isDigit(rest[3]) && isDigit(rest[4]) &&
		(len(rest) == 5 || rest[5] == ' ') {
		code, _ := strconv.Atoi(rest[2:5]) // three digits: cannot fail
		return code, nil
	}
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return 0, fmt.Errorf("malformed status line %q", s)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// httpURL is a parsed http:// URL.
type httpURL struct {
	addr   string // host:port to dial, IPv6 without brackets in JoinHostPort form
	host   string // the Host header: the authority as written, less an empty port
	target string // the request target: path and query, never empty
}

// parseURL parses an http:// URL. It accepts what net/url accepts for the
// URLs a check would use, and refuses what would make a bad request line.
func parseURL(raw string) (httpURL, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return httpURL{}, errors.New("not an http:// URL")
	}
	switch strings.ToLower(scheme) {
	case "http":
	case "https":
		return httpURL{}, errors.New("https is not supported")
	default:
		return httpURL{}, fmt.Errorf("unsupported scheme %q", scheme)
	}
	rest, _, _ = strings.Cut(rest, "#") // the fragment is never sent
	authority, target := rest, "/"
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, target = rest[:i], rest[i:]
		if target[0] == '?' {
			target = "/" + target
		}
	}
	if strings.Contains(authority, "@") {
		return httpURL{}, errors.New("user information in URLs is not supported")
	}
	host, port, err := splitAuthority(authority)
	if err != nil {
		return httpURL{}, err
	}
	target, err = escapeTarget(target)
	if err != nil {
		return httpURL{}, err
	}
	// "host:" means the default port; say it as "host".
	return httpURL{addr: net.JoinHostPort(host, port), host: strings.TrimSuffix(authority, ":"), target: target}, nil
}

// splitAuthority splits "host[:port]" or "[v6][:port]" into a host to dial
// and a port, 80 when absent or empty (RFC 3986, section 6.2.3).
func splitAuthority(a string) (host, port string, err error) {
	if a == "" {
		return "", "", errors.New("missing host")
	}
	if a[0] == '[' {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "", "", errors.New("missing ']' in host")
		}
		host, port = a[1:end], a[end+1:]
		if port != "" && port[0] != ':' {
			return "", "", fmt.Errorf("unexpected %q after ']'", port)
		}
		port = strings.TrimPrefix(port, ":")
		// A zone is written %25 in a URL (RFC 6874): fe80::1%25eth0.
		addr, zone, hasZone := strings.Cut(host, "%25")
		if net.ParseIP(addr) == nil || !strings.Contains(addr, ":") {
			return "", "", fmt.Errorf("bad IPv6 address %q", host)
		}
		if hasZone && (zone == "" || !validHost(zone)) {
			return "", "", fmt.Errorf("bad zone in %q", host)
		}
		if hasZone {
			host = addr + "%" + zone
		}
	} else {
		host, port = a, ""
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			host, port = a[:i], a[i+1:]
		}
		if host == "" {
			return "", "", errors.New("missing host")
		}
		if !validHost(host) {
			return "", "", fmt.Errorf("bad host %q", host)
		}
	}
	if port == "" {
		return host, "80", nil
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return "", "", fmt.Errorf("bad port %q", port)
	}
	return host, port, nil
}

// validHost allows the characters of DNS names and IPv4 addresses, and
// '_' and '~' which net/url allows too. Anything else (a space, a colon, a
// CR) could not be dialled and could break the request's Host line.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			c == '.' || c == '-' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// escapeTarget percent-encodes spaces and non-ASCII bytes, as net/url's
// RequestURI would, and refuses control characters and broken escapes,
// which net/url refuses too.
func escapeTarget(t string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("control character %q in URL", c)
		case c == '%':
			if i+2 >= len(t) || !isHex(t[i+1]) || !isHex(t[i+2]) {
				return "", fmt.Errorf("bad escape %q in URL", t[i:min(i+3, len(t))])
			}
			b.WriteByte(c)
		case c == ' ' || c >= 0x80:
			const hex = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
