// Command tend is a PID 1 for containers: it reaps zombies, forwards
// signals, and supervises programs. See README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"tend/cmdline"
	"tend/config"
	"tend/control"
	"tend/convert"
	"tend/output"
	"tend/spawn"
	"tend/supervisor"
	"tend/tini"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage:
  tend [-c FILE] [--socket PATH] [--log-level LEVEL] [--log-format text|json] [-- PROGRAM [ARG...]]
       [-e CODE]... [-g | --single-child] [-r S:R]... [-p SIGNAL] [-s] [-v]... [-w]
  tend ctl [-c FILE | --socket PATH] COMMAND [ARG...]
  tend check [-c FILE]
  tend convert [FILE]
  tend wait [--timeout 60s] TARGET... [-- PROGRAM [ARG...]]
  tend version
`

func main() {
	spawn.ExecShim() // a program's first step to LISTEN_PID, when it is one
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version":
			fmt.Printf("tend %s\n", versionString())
			return 0
		case "help", "-h", "--help":
			fmt.Print(usage)
			return 0
		case "check":
			return check(args[1:], stderr)
		case "ctl":
			return ctl(args[1:], os.Stdout, stderr)
		case "convert":
			return convertConf(args[1:], os.Stdin, os.Stdout, stderr)
		case "wait":
			return waitCommand(args[1:], os.Stdout, stderr)
		}
	}

	f, err := cmdline.Parse(args, os.LookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 2
	}
	switch {
	case f.Help:
		fmt.Print(usage + flagHelp)
		return 0
	case f.Version:
		fmt.Printf("tend %s\n", versionString())
		return 0
	}
	if f.ParentDeath != 0 {
		// tini's -p: tend hears of its parent's death as this signal, and
		// treats it as any other (in tini mode: passes it on).
		if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(f.ParentDeath), 0, 0, 0); err != nil {
			fmt.Fprintf(stderr, "tend: -p: %v\n", err)
			return 2
		}
	}
	argv := f.Argv
	path := configPath(f.Config)
	_, envSocket := os.LookupEnv("TEND_SOCKET")
	if path == "" && len(argv) > 0 && !f.SocketSet && !envSocket {
		return runTini(f, stderr)
	}
	var cfg *config.Config
	var reload func() (*config.Config, error)
	if path != "" {
		c, err := config.Load(path, os.LookupEnv)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		cfg = c
		reload = func() (*config.Config, error) { return config.Load(path, os.LookupEnv) }
	}
	if cfg == nil && len(argv) == 0 {
		fmt.Fprintf(stderr, "tend: no program to run and no config (-c FILE, $TEND_CONFIG or %s)\n%s", defaultConfig, usage)
		return 2
	}
	if cfg != nil && len(argv) > 0 {
		if err := config.CheckMain(cfg); err != nil {
			fmt.Fprintf(stderr, "tend: %v\n", err)
			return 2
		}
	}

	// With no config tend is tini: its log stays quiet unless something
	// goes wrong, so that the container's log is the program's own.
	level, format := "warn", "text"
	if cfg != nil {
		level, format = cfg.LogLevel, cfg.LogFormat
	}
	if v := verbosityLevel(f.Verbosity); v != "" {
		level = v
	}
	if f.LogLevel != "" {
		level = f.LogLevel
	}
	if f.LogFormat != "" {
		format = f.LogFormat
	}
	// tend's log and the programs' output share stderr through a console
	// that never blocks, so a stalled log driver cannot stall the loop.
	errConsole := output.NewConsole(os.Stderr)
	log, err := newLogger(errConsole, level, format)
	if err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 2
	}
	var main []string
	if len(argv) > 0 {
		main = argv
	}
	if cfg == nil {
		// tini mode with a control socket runs one program and does
		// little at once: one P keeps a forwarded signal on one thread,
		// about half the latency of two (BENCHMARKS.md).
		runtime.GOMAXPROCS(1)
	}
	opts := supervisor.Options{
		Config: cfg, Main: main, Log: log, Stderr: errConsole, Reload: reload, Version: versionString(),
		MainSuccess: f.Success, ForwardGroup: f.Group, Rewrite: f.Rewrite,
	}
	srv, err := listen(cfg, f.Socket, f.SocketSet, log)
	if err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 2
	}
	if srv != nil {
		opts.Calls = srv.Calls()
		defer srv.Close()
	}
	return supervisor.Run(opts)
}

// flagHelp describes the flags tini and dumb-init users bring.
const flagHelp = `
tini and dumb-init flags:
  -e CODE         report the program's exit status CODE as 0 (repeatable)
  -g              send signals to the program's process group
  --single-child  send signals to the program only (the default)
  -r, --rewrite S:R  send signal S on as R; R 0 drops S (repeatable)
  -p SIGNAL       get SIGNAL when tend's parent dies
  -s              be a subreaper (tend is one whenever it is not PID 1)
  -v              log more (-vv: debug); $TINI_VERBOSITY likewise
  -w              log every zombie reaped
  -h, --help      this text;  --version, -V  tend's version
`

// runTini is tini mode: one program, no config, no socket.
func runTini(f *cmdline.Flags, stderr io.Writer) int {
	level, format := "warn", "text"
	if f.Verbosity >= 0 {
		level = verbosityLevel(f.Verbosity)
	}
	if f.LogLevel != "" {
		level = f.LogLevel
	}
	if f.LogFormat != "" {
		format = f.LogFormat
	}
	log, err := newLogger(os.Stderr, level, format)
	if err != nil {
		fmt.Fprintf(stderr, "tend: %v\n", err)
		return 2
	}
	return tini.Run(tini.Options{
		Argv: f.Argv, Log: log, Success: f.Success, Group: f.Group,
		Rewrite: f.Rewrite, WarnReap: f.WarnReap,
	})
}

// verbosityLevel maps tini's verbosity to a log level: 0 errors only, 1
// (tini's default) warnings, 2 info, 3 and more debug. -1 (not given) is
// "".
func verbosityLevel(v int) string {
	switch {
	case v < 0:
		return ""
	case v == 0:
		return "error"
	case v == 1:
		return "warn"
	case v == 2:
		return "info"
	}
	return "debug"
}

// isSet reports whether the command line gave the flag, even as "".
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func versionString() string {
	return fmt.Sprintf("%s (%s)", version, runtime.Version())
}

// socketPath is where the control socket is: --socket, else the config's
// socket key, else $TEND_SOCKET, else /run/tend.sock (config.Load has
// applied those three); with no config, $TEND_SOCKET. "" means none: in
// tini mode tend makes a socket only when asked for one.
func socketPath(cfg *config.Config, flagValue string, flagSet bool) string {
	switch {
	case flagSet:
		return flagValue
	case cfg != nil:
		return cfg.Socket
	}
	return os.Getenv("TEND_SOCKET")
}

// listen creates the control socket. A live socket at the path (another
// tend) is an error: tend refuses to start. Any other failure is logged
// once, and tend runs on without a socket.
func listen(cfg *config.Config, flagValue string, flagSet bool, log *slog.Logger) (*control.Server, error) {
	path := socketPath(cfg, flagValue, flagSet)
	if path == "" {
		return nil, nil
	}
	o := control.Options{Path: path, Log: log}
	if cfg != nil {
		o.Mode, o.Group = cfg.SocketMode, cfg.SocketGroup
	}
	srv, err := control.Listen(o)
	if errors.Is(err, control.ErrInUse) {
		return nil, err
	}
	if err != nil {
		log.Warn("no control socket; running without one", "err", err)
		return nil, nil
	}
	return srv, nil
}

// ctl is `tend ctl [-c FILE | --socket PATH] COMMAND [ARG...]`: it sends
// one request and prints the reply without its final OK. Exit 0 on OK, 1
// on ERR, 2 when it cannot connect, and 3 from status when a program it
// lists is neither RUNNING nor a oneshot that is done.
func ctl(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tend ctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("c", "", "config file")
	socket := fs.String("socket", "", "control socket path")
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fmt.Fprintf(stderr, "tend ctl: usage: tend ctl [-c FILE | --socket PATH] COMMAND [ARG...]; try tend ctl help\n")
		return 2
	}
	path := *socket
	if !isSet(fs, "socket") {
		path = ctlSocket(*file, stderr)
	}
	if path == "" {
		fmt.Fprintf(stderr, "tend ctl: the control socket is disabled (socket = \"\" in the config)\n")
		return 2
	}
	req := strings.Join(fs.Args(), " ")
	var out io.Writer = stdout
	var st *statusCheck
	if strings.EqualFold(fs.Arg(0), "status") {
		st = &statusCheck{w: stdout}
		out = st
	}
	err := control.Do(path, req, out)
	var re *control.ReplyError
	var ce *control.ConnectError
	switch {
	case err == nil && st != nil && st.down:
		return 3
	case err == nil:
		return 0
	case errors.As(err, &re):
		fmt.Fprintf(stderr, "tend ctl: %s\n", re.Reason)
		return 1
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "tend ctl: %v\n", ce)
		return 2
	}
	fmt.Fprintf(stderr, "tend ctl: %v\n", err)
	return 1
}

// ctlSocket finds the socket as tend does: the config's socket key (-c,
// $TEND_CONFIG or /etc/tend.toml), else $TEND_SOCKET, else the default.
// Only the socket key is read. A config that cannot be read is passed
// over with a note: the socket may still answer.
func ctlSocket(file string, stderr io.Writer) string {
	if path := configPath(file); path != "" {
		s, err := config.SocketOf(path, os.LookupEnv)
		if err == nil {
			return s
		}
		fmt.Fprintf(stderr, "tend ctl: %v; trying $TEND_SOCKET or %s (--socket PATH chooses)\n", err, config.DefaultSocket)
	}
	if s := os.Getenv("TEND_SOCKET"); s != "" {
		return s
	}
	return config.DefaultSocket
}

// statusCheck passes status lines through and notes any program that is
// not up: neither RUNNING, nor EXITED with "done", nor a scheduled
// program waiting for its first run.
type statusCheck struct {
	w    io.Writer
	down bool
}

func (s *statusCheck) Write(b []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) < 2:
		case f[1] == "RUNNING":
		case f[1] == "EXITED" && len(f) > 2 && strings.TrimSuffix(f[2], ",") == "done":
		case f[1] == "STOPPED" && len(f) > 2 && f[2] == "scheduled,":
		default:
			s.down = true
		}
	}
	return s.w.Write(b)
}

// configPath finds the config file: -c, else $TEND_CONFIG, else
// /etc/tend.toml if it exists, else "" (no config).
func configPath(flag string) string {
	if flag != "" {
		return flag
	}
	if p := os.Getenv("TEND_CONFIG"); p != "" {
		return p
	}
	if _, err := os.Stat(defaultConfig); err == nil {
		return defaultConfig
	}
	return ""
}

const defaultConfig = "/etc/tend.toml"

// check is `tend check [-c FILE]`: exit 0 for a config that loads, else 1
// with every problem, one a line.
func check(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tend check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("c", "", "config file")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tend check: usage: tend check [-c FILE]\n")
		return 2
	}
	path := configPath(*file)
	if path == "" {
		fmt.Fprintf(stderr, "tend check: no config: give -c FILE, set $TEND_CONFIG, or create %s\n", defaultConfig)
		return 2
	}
	cfg, err := config.Load(path, os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Printf("%s: ok, %d programs\n", path, len(cfg.Programs))
	return 0
}

// newLogger builds tend's own log on w.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// convertConf is `tend convert [FILE]`: a supervisord config (stdin when
// no FILE) as tend TOML on stdout. Exit 0, 1 when it cannot be read or
// parsed, 2 for a bad command line.
func convertConf(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 1 || (len(args) == 1 && strings.HasPrefix(args[0], "-") && args[0] != "-") {
		fmt.Fprintf(stderr, "tend convert: usage: tend convert [FILE] (stdin when no FILE)\n")
		return 2
	}
	src, name := stdin, "<stdin>"
	here, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "tend convert: %v\n", err)
		return 1
	}
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			fmt.Fprintf(stderr, "tend convert: %v\n", err)
			return 1
		}
		defer f.Close()
		src, name = f, args[0]
		if abs, err := filepath.Abs(filepath.Dir(args[0])); err == nil {
			here = abs
		}
	}
	out, err := convert.Convert(src, name, convert.Options{Here: here})
	if err != nil {
		fmt.Fprintf(stderr, "tend convert: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "tend convert: %v\n", err)
		return 1
	}
	return 0
}
