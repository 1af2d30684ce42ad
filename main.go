// Command tend is a PID 1 for containers: it reaps zombies, forwards
// signals, and supervises programs. See README.md.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"tend/config"
	"tend/supervisor"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage:
  tend [-c FILE] [--socket PATH] [--log-level LEVEL] [--log-format text|json] [-- PROGRAM [ARG...]]
  tend ctl [-c FILE | --socket PATH] COMMAND [ARG...]
  tend check [-c FILE]
  tend convert [FILE]
  tend version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version", "--version":
			fmt.Printf("tend %s (%s)\n", version, runtime.Version())
			return 0
		case "help", "-h", "--help":
			fmt.Print(usage)
			return 0
		case "check":
			return check(args[1:], stderr)
		}
	}

	fs := flag.NewFlagSet("tend", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configFile := fs.String("c", "", "config file")
	socket := fs.String("socket", "", "control socket path")
	logLevel := fs.String("log-level", "", "debug, info, warn or error")
	logFormat := fs.String("log-format", "", "text or json")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "tend: %v\n%s", err, usage)
		return 2
	}
	_ = socket // the control socket comes with issue 5
	argv := fs.Args()

	var cfg *config.Config
	if path := configPath(*configFile); path != "" {
		c, err := config.Load(path, os.LookupEnv)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		cfg = c
	}
	if cfg == nil && len(argv) == 0 {
		fmt.Fprintf(stderr, "tend: no program to run and no config (-c FILE, $TEND_CONFIG or %s)\n%s", defaultConfig, usage)
		return 2
	}
	if cfg != nil && len(argv) > 0 {
		for _, p := range cfg.Programs {
			if p.Name == "main" {
				fmt.Fprintf(stderr, "tend: %s: program.main: the name is taken by the command-line program\n", cfg.File)
				return 2
			}
		}
	}

	// With no config tend is tini: its log stays quiet unless something
	// goes wrong, so that the container's log is the program's own.
	level, format := "warn", "text"
	if cfg != nil {
		level, format = cfg.LogLevel, cfg.LogFormat
	}
	if *logLevel != "" {
		level = *logLevel
	}
	if *logFormat != "" {
		format = *logFormat
	}
	// tend's log and the programs' output share stderr through a console
	// that never blocks, so a stalled log driver cannot stall the loop.
	errConsole := supervisor.NewConsole(os.Stderr)
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
		// tini mode runs one program and does nothing at once: one P keeps
		// a forwarded signal on one thread, about half the latency of two
		// (BENCHMARKS.md).
		runtime.GOMAXPROCS(1)
	}
	return supervisor.Run(supervisor.Options{Config: cfg, Main: main, Log: log, Stderr: errConsole})
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
