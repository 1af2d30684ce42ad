// Package config reads tend's TOML configuration.
//
// It is pure: it starts no process, logs nothing and runs no goroutine. It
// parses and validates a file and its includes, reporting every problem at
// once, each as one line "FILE:LINE: KEY: problem"; it expands numprocs into
// instances; it orders programs into start waves (Waves); and it compares two
// configs for a reload (Compare).
package config

import (
	"os"
	"regexp"
	"syscall"
	"time"

	"tend/schedule"
)

// DefaultSocket is the control socket's path when neither the config's
// socket key nor $TEND_SOCKET names one.
const DefaultSocket = "/run/tend.sock"

// maxNumProcs bounds numprocs: each instance is a process and a set of log
// files, and a typo such as numprocs = 10000000 must not exhaust memory
// while the config is only being read.
const maxNumProcs = 1000

// Config is a loaded configuration: the [tend] table and every program.
type Config struct {
	// File is the main file's path as given to Load or Parse ("" for
	// Default).
	File string
	// Socket is the control socket's path; "" disables the socket. It
	// defaults to DefaultSocket; a non-empty $TEND_SOCKET overrides the
	// default but not an explicit socket key.
	Socket string
	// SocketMode is the socket file's mode, from an octal string such as
	// "0600" (the default).
	SocketMode os.FileMode
	// SocketGroup names a group whose members may use the socket too.
	SocketGroup string
	// LogLevel is tend's own log level: debug, info (default), warn, error.
	LogLevel string
	// LogFormat is tend's own log format: text (default) or json.
	LogFormat string
	// ShutdownTimeout bounds the whole shutdown (default 9s); what is left
	// then gets SIGKILL.
	ShutdownTimeout time.Duration
	// EnvFiles are [tend] env_file: .env files (Docker Compose syntax)
	// every program's environment takes, before its own env_file; paths
	// are made absolute from the file that names them.
	EnvFiles []string
	// SecretFiles is [tend] secret_files, the programs' default.
	SecretFiles bool
	// OutputFormat is [tend] output_format, the programs' default: "text"
	// (lines as written, prefixed) or "json" (one JSON object per line).
	OutputFormat string
	// TerminationLog is where tend writes why it exited when a required
	// program ended; "" means /dev/termination-log when it exists.
	TerminationLog string
	// MetricsListen is a HOST:PORT that serves GET /metrics over plain
	// HTTP; "" serves nothing.
	MetricsListen string
	// WatchConfig reloads the config when its files or include
	// directories change (inotify), as SIGHUP would.
	WatchConfig bool
	// IncludeDirs are the directories the include globs look in (those
	// without a wildcard in the directory part), for watch_config.
	IncludeDirs []string
	// Programs lists every program instance, after numprocs expansion,
	// sorted by Name.
	Programs []*Program
}

// Program is one program instance: a [program.NAME] table, or one of its
// numprocs instances.
type Program struct {
	Name       string // instance name: "web", or "web-0".."web-N-1" when numprocs > 1
	Base       string // the NAME of [program.NAME]
	Group      string // the group key; when numprocs > 1 and no group key, Base
	ProcessNum int    // the instance number, 0 when numprocs is 1

	// Command is the argv, never run by a shell. A string in the file is
	// split with shell quoting rules (SplitCommand); ${PROCESS_NUM} is
	// expanded in each element after splitting. It is never empty.
	Command []string
	Type    string // "longrun" (default), "oneshot" or "eventlistener"
	// Events are what an eventlistener is sent (EventNames), over the
	// protocol of supervisord's event listeners on its stdin and stdout.
	Events     []string
	BufferSize int // events an eventlistener's queue holds; default 10
	// Schedule, on a oneshot, runs it at these times (cron syntax, in
	// schedule_timezone) rather than at start; nil for none.
	Schedule *schedule.Schedule
	// Concurrency is what a run due while the last one still goes does:
	// forbid (skip it, the default) or replace (stop the last one first).
	Concurrency schedule.Concurrency
	// StartingDeadline: a run that could not start this long after its
	// time is skipped, not started late; 0 is no limit.
	StartingDeadline time.Duration
	Directory        string   // working directory, ${PROCESS_NUM} expanded; "" = tend's
	User             string   // as written: name, uid, name:group or uid:gid; "" = tend's
	Umask            int      // -1 when unset
	Env              []string // the environment table, expanded, as sorted "K=V"
	ClearEnv         bool     // the program sees only Env
	// EnvFiles are the .env files the program's environment takes, [tend]
	// env_file's then its own, as absolute paths; FileEnv is what they
	// held when the config was loaded, as "K=V", later files winning. Env
	// wins over FileEnv. Their values are never printed.
	EnvFiles []string
	FileEnv  []string
	// SecretFiles turns each NAME_FILE=PATH of the environment into
	// NAME=<the file's content> when the program starts, as the official
	// images' entrypoints do.
	SecretFiles bool

	Autostart    bool          // default true
	Autorestart  string        // "always", "unexpected" (default) or "never"
	ExitCodes    []int         // expected exit statuses, default [0]
	StartSecs    time.Duration // default 1s
	StartRetries int           // default 3
	BackoffMax   time.Duration // default 30s

	StopSignal  syscall.Signal // default SIGTERM
	StopWait    time.Duration  // stopwaitsecs, default 10s
	StopAsGroup bool           // default true
	KillAsGroup bool           // default true

	Priority int // default 999; lower starts first and stops last
	// DependsOn lists instance names, sorted, without duplicates. The
	// instances of one program share the slice: treat it as read-only.
	DependsOn []string
	Required  bool // tend shuts down when this program ends for good
	NumProcs  int  // default 1, at most 1000

	Ready         Check         // default Kind "started"
	ReadyTimeout  time.Duration // default 60s
	ReadyInterval time.Duration // default 1s

	Health         Check         // Kind "" when there is no health check
	HealthInterval time.Duration // default 10s
	HealthTimeout  time.Duration // default 5s
	HealthRetries  int           // default 3

	Stdout, Stderr Log
	RedirectStderr bool // stderr joins stdout
	LogPrefix      bool // default true: prefix lines on tend's output with "NAME | "
	LogTimestamps  bool // prefix each line with an RFC 3339 UTC timestamp
	// OutputFormat is "text" or "json": how lines reach tend's stdout and
	// stderr (files always get text).
	OutputFormat string
	// Multiline, when set, joins a line that matches it to the record
	// before it (a stack trace's continuation lines).
	Multiline *regexp.Regexp

	// StopCommand, when set, is run instead of sending StopSignal; then
	// StopWait and SIGKILL apply as after a signal.
	StopCommand []string
	// StopDelay is how long a stop or shutdown reports the program not
	// ready before it stops it (a drain); 0 for none.
	StopDelay time.Duration
	// ReloadSignal is what `reload NAME` sends; 0 when the program has none.
	ReloadSignal syscall.Signal
	// Listen are sockets tend opens once and passes to each start as fds
	// 3.. (LISTEN_FDS), kept open across restarts.
	Listen []Listen
	// Rolling: restarting the instances of its numprocs group restarts
	// one at a time, each once the one before is ready.
	Rolling bool
}

// Listen is one socket of a program's listen key.
type Listen struct {
	Net  string // "tcp" or "unix"
	Addr string // HOST:PORT, or the socket file's path
}

// String is the socket as written: "tcp:HOST:PORT" or "unix:PATH".
func (l Listen) String() string { return l.Net + ":" + l.Addr }

// Check is a readiness or health check.
type Check struct {
	// Kind is "" (no check), "started", "notify", "fd", "log", "tcp",
	// "http" (plain http:// URLs only) or "cmd".
	Kind    string
	FD      int            // "fd": the descriptor the program writes a newline to, >= 3
	Pattern *regexp.Regexp // "log": a line of output matching it means ready
	Addr    string         // "tcp": HOST:PORT that must accept a connection
	URL     string         // "http": the URL that must answer 2xx
	Argv    []string       // "cmd": the command that must exit 0
}

// Log says where one of a program's output streams goes.
type Log struct {
	// Path is "" for tend's own stdout or stderr, "NONE" to discard, else a
	// file path with ${PROCESS_NUM} expanded.
	Path     string
	MaxBytes int64 // rotate at this size, default 50MB; 0 never rotates
	Backups  int   // rotated files kept, default 10
}

// Default returns the config tend uses with no file: defaults and no
// programs. env looks up $TEND_SOCKET.
func Default(env func(string) (string, bool)) *Config {
	c := &Config{
		Socket:          DefaultSocket,
		SocketMode:      0o600,
		LogLevel:        "info",
		LogFormat:       "text",
		OutputFormat:    "text",
		ShutdownTimeout: 9 * time.Second,
	}
	if env != nil {
		// An empty $TEND_SOCKET counts as unset, as the shell's ${VAR:-}
		// would have it; disabling the socket takes socket = "".
		if s, ok := env("TEND_SOCKET"); ok && s != "" {
			c.Socket = s
		}
	}
	return c
}

// defaultProgram returns a program with every default of SPEC.md.
func defaultProgram(name string) *Program {
	return &Program{
		Name:           name,
		Base:           name,
		Type:           "longrun",
		Umask:          -1,
		BufferSize:     10,
		Autostart:      true,
		Autorestart:    "unexpected",
		ExitCodes:      []int{0},
		StartSecs:      time.Second,
		StartRetries:   3,
		BackoffMax:     30 * time.Second,
		StopSignal:     syscall.SIGTERM,
		StopWait:       10 * time.Second,
		StopAsGroup:    true,
		KillAsGroup:    true,
		Priority:       999,
		NumProcs:       1,
		Ready:          Check{Kind: "started"},
		ReadyTimeout:   60 * time.Second,
		ReadyInterval:  time.Second,
		HealthInterval: 10 * time.Second,
		HealthTimeout:  5 * time.Second,
		HealthRetries:  3,
		Stdout:         Log{MaxBytes: 50 * 1024 * 1024, Backups: 10},
		Stderr:         Log{MaxBytes: 50 * 1024 * 1024, Backups: 10},
		LogPrefix:      true,
		OutputFormat:   "text",
	}
}
