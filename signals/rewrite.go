package signals

import (
	"fmt"
	"strings"
	"syscall"
)

// ParseRewrite reads dumb-init's --rewrite S:R: signal S is to be sent on
// as R. Each side is a number or a name ("15:3", "TERM:QUIT"); R may be 0,
// which means S is dropped.
func ParseRewrite(s string) (from, to syscall.Signal, err error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("%q: want S:R, as in 15:3 (0 for R drops S)", s)
	}
	if from, err = Parse(a); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", s, err)
	}
	if strings.TrimSpace(b) == "0" {
		return from, 0, nil
	}
	if to, err = Parse(b); err != nil {
		return 0, 0, fmt.Errorf("%q: %w", s, err)
	}
	return from, to, nil
}
