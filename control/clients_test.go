package control

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// need skips the test, naming what is missing, or fails it under CI=true,
// where every client must be installed.
func need(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true: %s", why)
	}
	t.Skip(why)
}

// realClients are the command lines SPEC promises to work with: each
// sends its stdin and prints the reply.
func realClients(t *testing.T, path string) map[string][]string {
	clients := map[string][]string{}
	// netcat-openbsd is nc.openbsd on Debian; plain nc may be another.
	if nc, err := exec.LookPath("nc.openbsd"); err == nil {
		clients["nc"] = []string{nc, "-U", path}
	} else if nc, err := exec.LookPath("nc"); err == nil {
		out, _ := exec.Command(nc, "-h").CombinedOutput() // -h exits 1 on some versions
		if bytes.Contains(out, []byte("OpenBSD")) {
			clients["nc"] = []string{nc, "-U", path}
		}
	}
	if socat, err := exec.LookPath("socat"); err == nil {
		clients["socat"] = []string{socat, "-", "UNIX-CONNECT:" + path}
	}
	if bb, err := exec.LookPath("busybox"); err == nil {
		out, _ := exec.Command(bb, "nc", "--help").CombinedOutput() // --help exits 1
		if bytes.Contains(out, []byte("-U")) {
			clients["busybox nc"] = []string{bb, "nc", "-U", path}
		} else {
			clients["busybox nc"] = nil // installed, but built without Unix sockets
		}
	}
	return clients
}

func TestRealClients(t *testing.T) {
	s := testServer(t, Options{}, defaults)
	runLoop(t, s)
	clients := realClients(t, s.path)
	for _, name := range []string{"nc", "socat", "busybox nc"} {
		t.Run(strings.ReplaceAll(name, " ", "_"), func(t *testing.T) {
			argv, ok := clients[name]
			switch {
			case !ok && name == "nc":
				need(t, "netcat-openbsd (nc -U) is not installed")
			case !ok:
				need(t, name+" is not installed")
			case argv == nil:
				// Debian's busybox has no -U: there is nothing to test,
				// in CI or not.
				t.Skip("busybox nc here has no -U (Unix sockets)")
			}
			// As `echo status | CLIENT`: stdin ends after the request.
			ctx, cancel := context.WithTimeout(context.Background(), safety)
			defer cancel()
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			cmd.Stdin = strings.NewReader("status\n")
			out, err := cmd.CombinedOutput()
			if err != nil || string(out) != statusReply {
				t.Errorf("echo status | %s: %q, %v", name, out, err)
			}

			// As typed at a terminal: stdin stays open, and the client
			// must still see the reply end.
			cmd = exec.CommandContext(ctx, argv[0], argv[1:]...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			cmd.Stdout, cmd.Stderr = &buf, &buf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if _, err := io.WriteString(stdin, "status\r\n"); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			stdin.Close()
			if err != nil || buf.String() != statusReply {
				t.Errorf("%s with stdin open: %q, %v", name, buf.String(), err)
			}
		})
	}
}
