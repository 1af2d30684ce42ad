package probe

import (
	"context"
	"fmt"
	"net"
)

// TCP succeeds when a TCP connection to addr ("host:port") is accepted
// before ctx ends. It closes the connection at once, without sending
// anything. Errors look like `tcp "127.0.0.1:5432": dial tcp 127.0.0.1:5432:
// connect: connection refused`.
func TCP(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("tcp %q: %w", addr, err)
	}
	// The check has succeeded once the handshake is done; an error from
	// Close says nothing about the program.
	_ = c.Close()
	return nil
}
