package metrics

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxHead bounds a request's head, request line and headers with their
// line ends, so that a client cannot make tend buffer without end.
const maxHead = 8 << 10

// badRequest is an error in a request's syntax, which Serve answers with
// 400; a read error (EOF, a deadline) ends the connection unanswered.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// badf is a badRequest from a format. Its callers quote the offending
// text with %.64q: a client's 8 KiB line would make a poor error.
func badf(format string, args ...any) error {
	return badRequest(fmt.Sprintf(format, args...))
}

// ParseRequest reads one request's head (request line and headers, at
// most 8 KiB in all with their line ends, else an error) from r, and
// returns its method and its path without the query. It consumes nothing
// of r past the head's empty line, though r may have buffered more.
//
// It follows RFC 9112 as a server needs it to answer: lines end in CRLF
// or a bare LF; empty lines before the request line are skipped; the
// version must be HTTP/1.x; the target is origin-form ("/p?q") or
// absolute-form ("http://host/p?q", of which only the path is kept); a
// target's bytes must be visible ASCII; header lines must be "name:
// value" with a token name, no line folding, and no control bytes but
// tab. The path is not percent-decoded. Header values are not kept: Serve
// needs none (a Host header is not required).
//
// A read error is returned as it is, io.EOF when r ended before the first
// byte and io.ErrUnexpectedEOF when it ended inside the head.
func ParseRequest(r *bufio.Reader) (method, path string, err error) {
	budget := maxHead
	line, err := readLine(r, &budget)
	for err == nil && line == "" {
		line, err = readLine(r, &budget)
	}
	if err != nil {
		return "", "", err
	}
	method, path, err = parseRequestLine(line)
	if err != nil {
		return "", "", err
	}
	for {
		line, err := readLine(r, &budget)
		if err != nil {
			return "", "", err
		}
		if line == "" {
			return method, path, nil
		}
		if err := checkHeader(line); err != nil {
			return "", "", err
		}
	}
}

// readLine reads one line from r, without its LF or CRLF, taking its
// length from *budget: a line that would overdraw it is an error.
func readLine(r *bufio.Reader, budget *int) (string, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(frag) > *budget {
			return "", badf("request head over %d bytes", maxHead)
		}
		*budget -= len(frag)
		line = append(line, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && *budget < maxHead {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
		line = line[:len(line)-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		return string(line), nil
	}
}

// parseRequestLine splits "METHOD target HTTP/1.x", one space apart.
func parseRequestLine(line string) (method, path string, err error) {
	method, rest, ok1 := strings.Cut(line, " ")
	target, version, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !isToken(method) || strings.Contains(version, " ") {
		return "", "", badf("malformed request line %.64q", line)
	}
	if len(version) != len("HTTP/1.x") || !strings.HasPrefix(version, "HTTP/1.") || !isDigit(version[7]) {
		return "", "", badf("unsupported HTTP version %.64q", version)
	}
	path, err = parseTarget(target)
	if err != nil {
		return "", "", err
	}
	return method, path, nil
}

// parseTarget is the path of a request target, without the query.
func parseTarget(target string) (string, error) {
	for i := 0; i < len(target); i++ {
		// '#' starts a fragment, which a request never carries.
		if c := target[i]; c <= ' ' || c >= 0x7f || c == '#' {
			return "", badf("malformed request target %.64q", target)
		}
	}
	path := target
	if rest, ok := cutScheme(target); ok {
		// RFC 9112 §3.2.2: a server must accept the absolute form,
		// which proxies send; the authority is of no use here.
		if i := strings.IndexAny(rest, "/?"); i >= 0 {
			path = rest[i:]
		} else {
			path = ""
		}
		if path == "" || path[0] == '?' {
			path = "/" + path
		}
	}
	if path == "" || path[0] != '/' {
		return "", badf("malformed request target %.64q", target)
	}
	path, _, _ = strings.Cut(path, "?")
	return path, nil
}

// cutScheme strips "http://" or "https://", in any case, from target.
func cutScheme(target string) (string, bool) {
	for _, scheme := range []string{"http://", "https://"} {
		if len(target) >= len(scheme) && strings.EqualFold(target[:len(scheme)], scheme) {
			return target[len(scheme):], true
		}
	}
	return "", false
}

// checkHeader checks that line is a header field, "name: value".
func checkHeader(line string) error {
	name, value, ok := strings.Cut(line, ":")
	// A name ending in a space, or a line starting with one (obsolete
	// folding), must be refused: RFC 9112 §5.1 and §5.2.
	if !ok || !isToken(name) {
		return badf("malformed header line %.64q", line)
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return badf("malformed header line %.64q", line)
		}
	}
	return nil
}

// isToken reports whether s is an RFC 9110 token: a method or a header
// name.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
