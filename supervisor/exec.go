package supervisor

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"tend/config"
	"tend/envfile"
	"tend/listener"
	"tend/output"
	"tend/probe"
	"tend/spawn"
)

// processSpec is what spawn needs to run argv as program c runs: in its
// directory, with its umask, user and groups, and environment, in a
// session of its own. files become its descriptors. The environment is
// tend's own (none with clear_env), then HOME, USER and LOGNAME from
// /etc/passwd for c's user, then, for a program of the config (supervised),
// supervisord's SUPERVISOR_* variables, then what c's env files held, then
// c's environment table, which wins over all of those, then tendEnv, what tend itself must tell the
// process (NOTIFY_SOCKET). With secret_files, each NAME_FILE=PATH of it
// then becomes NAME=<the file's content>. The program and its command
// checks share it.
func processSpec(c *config.Program, argv []string, files []uintptr, supervised bool, tendEnv []string) (spawn.Spec, error) {
	spec := spawn.Spec{Argv: argv, Dir: c.Directory, Files: files, Umask: c.Umask, Setsid: true}
	var env []string
	if !c.ClearEnv {
		env = os.Environ()
	}
	if c.User != "" {
		cred, userEnv, err := credential(c.User)
		if err != nil {
			return spec, err
		}
		spec.Credential = cred
		env = append(env, userEnv...)
	}
	if supervised && !c.ClearEnv {
		group := c.Group
		if group == "" {
			group = c.Base
		}
		env = append(env, "SUPERVISOR_ENABLED=1", "SUPERVISOR_PROCESS_NAME="+c.Name, "SUPERVISOR_GROUP_NAME="+group)
	}
	env = append(env, c.FileEnv...)
	env = append(env, c.Env...)
	env = append(env, tendEnv...)
	spec.Env = dedupEnv(env)
	if c.SecretFiles {
		env, err := secrets(spec.Env, c)
		if err != nil {
			return spec, err // names the variable and the path, never the content
		}
		spec.Env = env
	}
	return spec, nil
}

// dedupEnv keeps the last of each key, in first-seen order.
func dedupEnv(env []string) []string {
	last := make(map[string]int, len(env))
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = i
	}
	out := env[:0:0]
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if last[k] == i {
			out = append(out, kv)
		}
	}
	return out
}

// credential resolves user = "name", "uid", "name:group" or "uid:gid".
// Numeric ids need no /etc/passwd; a uid with no entry gets gid 0, as
// Docker's --user does. Supplementary groups come from /etc/group. It also
// returns HOME, USER and LOGNAME for a user found in /etc/passwd.
func credential(spec string) (*syscall.Credential, []string, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	cred := &syscall.Credential{}
	var env []string
	u, err := lookupUser(name)
	switch {
	case err == nil:
		uid, _ := strconv.Atoi(u.Uid) // the passwd parser guarantees digits
		gid, _ := strconv.Atoi(u.Gid)
		cred.Uid, cred.Gid = uint32(uid), uint32(gid)
		if ids, err := u.GroupIds(); err == nil {
			for _, g := range ids {
				if n, err := strconv.Atoi(g); err == nil {
					cred.Groups = append(cred.Groups, uint32(n))
				}
			}
		}
		env = []string{"HOME=" + u.HomeDir, "USER=" + u.Username, "LOGNAME=" + u.Username}
	case isNumber(name):
		uid, _ := strconv.ParseUint(name, 10, 32)
		cred.Uid = uint32(uid)
		cred.Groups = []uint32{}
	default:
		return nil, nil, fmt.Errorf("user %q: %w", name, err)
	}
	if hasGroup {
		if isNumber(group) {
			gid, _ := strconv.ParseUint(group, 10, 32)
			cred.Gid = uint32(gid)
		} else {
			g, err := user.LookupGroup(group)
			if err != nil {
				return nil, nil, fmt.Errorf("group %q: %w", group, err)
			}
			gid, _ := strconv.Atoi(g.Gid)
			cred.Gid = uint32(gid)
		}
	}
	if cred.Groups == nil {
		cred.Groups = []uint32{}
	}
	return cred, env, nil
}

func lookupUser(name string) (*user.User, error) {
	if isNumber(name) {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// notifySeq numbers notify sockets, so that a stale datagram from an
// earlier process cannot reach a new socket.
var notifySeq int

// start prepares p's ready check and output pipes and starts its process.
func (h *host) start(p *program) (int, error) {
	c := p.cfg
	var tendEnv []string
	files := []uintptr{0, 1, 2}
	isMain := p == h.core.main
	if !isMain {
		files[0] = h.devNull()
	}
	w := &watch{}
	w.ctx, w.cancel = context.WithCancel(context.Background())
	h.watch[p] = w
	if len(c.Listen) > 0 {
		socks, err := h.sockets(c)
		if err != nil {
			return 0, err
		}
		for _, f := range socks {
			files = append(files, f.Fd()) // 3.., before a ready fd (config keeps it above them)
		}
		tendEnv = append(tendEnv, listenEnv(c)...)
	}
	switch c.Ready.Kind {
	case "notify":
		notifySeq++
		n, err := probe.ListenNotify(fmt.Sprintf("@tend/%d/%s/%d", h.core.self, c.Name, notifySeq))
		if err != nil {
			return 0, fmt.Errorf("notify socket: %w", err)
		}
		w.notify = n
		tendEnv = append(tendEnv, "NOTIFY_SOCKET="+n.Path())
	case "fd":
		r, wr, err := os.Pipe()
		if err != nil {
			return 0, fmt.Errorf("ready pipe: %w", err)
		}
		w.fdRead = r
		w.child = append(w.child, wr)
		for len(files) < c.Ready.FD {
			files = append(files, ^uintptr(0)) // closed in the child
		}
		files = append(files, wr.Fd())
	}
	listens := c.Type == "eventlistener"
	if listens {
		if err := h.listen(p, w, files); err != nil {
			return 0, err
		}
	}
	if o := h.outs[p]; o != nil {
		if err := h.pipeOutput(p, o, w, files, listens); err != nil {
			return 0, err
		}
	}
	spec, err := processSpec(c, c.Command, files, !isMain, tendEnv)
	if err != nil {
		return 0, err
	}
	if isMain && spawn.ForegroundTTY() {
		spec.Foreground, spec.Ctty = true, 0
	}
	spec.ListenPID = len(c.Listen) > 0
	pid, err := spawn.Start(spec)
	for _, f := range w.child {
		f.Close()
	}
	w.child = nil
	return pid, err
}

// devNull is the standard input of the config's programs.
func (h *host) devNull() uintptr {
	if h.null == nil {
		f, err := os.Open(os.DevNull)
		if err != nil {
			h.log.Warn("cannot open /dev/null; programs share tend's standard input", "err", err)
			return 0
		}
		h.null = f
	}
	return h.null.Fd()
}

// listen gives an eventlistener's next process its stdin and stdout as
// the two ends of supervisord's listener protocol, served by its pool (one
// per program, kept across restarts) until the process closes its stdout
// or its watch ends.
func (h *host) listen(p *program, w *watch, files []uintptr) error {
	pl := h.pools[p]
	if pl == nil {
		pl = listener.New(p.cfg.Name, p.cfg.Events, p.cfg.BufferSize, &h.serials)
		h.pools[p] = pl
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("listener pipe: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return fmt.Errorf("listener pipe: %w", err)
	}
	w.child = append(w.child, inR, outW)
	files[0], files[1] = inR.Fd(), outW.Fd()
	name, log, done := p.cfg.Name, h.log, w.ctx.Done()
	go func() {
		defer inW.Close()
		defer outR.Close()
		if err := pl.Serve(outR, inW, done); err != nil {
			log.Warn("eventlistener stopped following the protocol; it gets no more events until it restarts", "program", name, "err", err)
		}
	}()
	return nil
}

// pipeOutput gives p's next process pipes for stdout and stderr (one pipe
// for both with redirect_stderr), whose pumps carry its output to o. The
// log: ready check watches both.
func (h *host) pipeOutput(p *program, o *output.Output, w *watch, files []uintptr, noStdout bool) error {
	gen := p.gen + 1 // the process gets the next generation when it starts
	var matched func()
	var pattern *regexp.Regexp
	if p.cfg.Ready.Kind == "log" {
		pattern = p.cfg.Ready.Pattern
		matched = func() { h.send(result{p: p, gen: gen, ready: true}) }
	}
	child, err := h.pipes(p, o, files, noStdout, pattern, matched)
	w.child = append(w.child, child...)
	return err
}

// pipeTo gives a process that speaks for p (its stop_command) pipes to
// p's output. The caller closes the returned write ends once it has
// started the process.
func (h *host) pipeTo(p *program, o *output.Output, files []uintptr) ([]*os.File, error) {
	child, err := h.pipes(p, o, files, false, nil, nil)
	if err != nil {
		for _, f := range child {
			f.Close()
		}
	}
	return child, err
}

// pipes makes files[1] and files[2] pipes (one for both with
// redirect_stderr; none for stdout with noStdout) pumped to o, and returns
// their write ends.
func (h *host) pipes(p *program, o *output.Output, files []uintptr, noStdout bool, pattern *regexp.Regexp, matched func()) ([]*os.File, error) {
	var child []*os.File
	for i := 1; i <= 2; i++ {
		if i == 1 && noStdout {
			continue // an eventlistener's stdout is the protocol's
		}
		if i == 2 && p.cfg.RedirectStderr {
			files[2] = files[1]
			break
		}
		r, wr, err := os.Pipe()
		if err != nil {
			return child, fmt.Errorf("output pipe: %w", err)
		}
		child = append(child, wr)
		files[i] = wr.Fd()
		o.Pump(r, i, pattern, matched, &h.pumps)
	}
	return child, nil
}

// secrets applies secret_files to env: each NAME_FILE=PATH that c sets
// itself (its env files or environment table), or whose PATH is under
// /run/secrets (Docker's and Compose's secrets), becomes NAME=<the file's
// content>, read at each start, so that a rotated secret reaches the next
// process. Other *_FILE variables tend inherited (SSL_CERT_FILE,
// TF_CLI_CONFIG_FILE) are no secrets of the program's: left as they are.
func secrets(env []string, c *config.Program) ([]string, error) {
	own := map[string]bool{}
	for _, kv := range slices.Concat(c.FileEnv, c.Env) {
		k, _, _ := strings.Cut(kv, "=")
		own[k] = true
	}
	var these, others []string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(k, "_FILE") && !own[k] && !strings.HasPrefix(v, "/run/secrets/") {
			others = append(others, kv)
		} else {
			these = append(these, kv)
		}
	}
	out, _, err := envfile.Secrets(these, os.ReadFile)
	return append(out, others...), err
}
