package config

import (
	"fmt"
	"syscall"
	"time"
)

// MainName is the name of the program given on the command line
// (`tend -c tend.toml -- app args`).
const MainName = "main"

// MainProgram is the command-line program: required, never restarted, up
// as soon as it runs, stopped with SIGTERM, its output passed through.
func MainProgram(argv []string) *Program {
	return &Program{
		Name: MainName, Base: MainName, Command: argv, Type: "longrun",
		Umask: -1, Autostart: true, Autorestart: "never", ExitCodes: []int{0},
		StartSecs: 0, StartRetries: 0, BackoffMax: time.Second,
		StopSignal: syscall.SIGTERM, StopWait: 10 * time.Second,
		StopAsGroup: true, KillAsGroup: true, Priority: 1000, NumProcs: 1,
		Required: true, Ready: Check{Kind: "started"},
	}
}

// CheckMain is the rule for a config run beside a command-line program:
// no program of its own may take the name main.
func CheckMain(cfg *Config) error {
	for _, p := range cfg.Programs {
		if p.Name == MainName {
			return fmt.Errorf("%s: program.main: the name is taken by the command-line program", cfg.File)
		}
	}
	return nil
}

// EventNames are the events an eventlistener may ask for, as supervisord
// names them; PROCESS_STATE stands for every PROCESS_STATE_* event.
var EventNames = []string{
	"PROCESS_STATE", "PROCESS_STATE_STARTING", "PROCESS_STATE_RUNNING", "PROCESS_STATE_BACKOFF",
	"PROCESS_STATE_STOPPING", "PROCESS_STATE_EXITED", "PROCESS_STATE_STOPPED", "PROCESS_STATE_FATAL",
	"TICK_5", "TICK_60", "TICK_3600",
}
