package config

import (
	"reflect"
	"regexp"
	"slices"
)

// Diff is what a reload changes, per program instance name.
//
// Changed programs need a new process: their command, environment (what
// their env files hold included), secret_files, clear_env, an
// eventlistener's events, user, directory, umask or type differ; or where their output
// goes (stdout_logfile, stderr_logfile, redirect_stderr) or how it is
// written (log_prefix, log_timestamps, output_format, multiline) differs,
// or its listen sockets do; or the name now belongs to
// another [program.NAME] table or instance number.
//
// Updated programs keep their process and take the new settings: log sizes
// and backups, autostart, autorestart, exitcodes, startsecs, startretries,
// backoff_max, the stop settings (stopsignal, stopwaitsecs, stopasgroup,
// killasgroup, stop_command, stop_delay, used the next time it stops),
// reload_signal, rolling, priority, depends_on, group,
// required, numprocs (of the instances that remain), the ready and
// health checks with their timings, and a oneshot's schedule with its
// time zone, concurrency and starting_deadline.
//
// A program that differs in both ways is only in Changed. Settings of the
// [tend] table are not compared.
type Diff struct {
	Added   []string // in the new config only
	Removed []string // in the old config only
	Changed []string // need a restart
	Updated []string // apply without a restart
}

// Compare returns what changes from old to new. Either may be nil, meaning
// no programs. Every list is sorted.
func Compare(old, new *Config) Diff {
	before, after := byName(old), byName(new)
	var d Diff
	for name, p := range after {
		q, ok := before[name]
		switch {
		case !ok:
			d.Added = append(d.Added, name)
		case needsRestart(q, p):
			d.Changed = append(d.Changed, name)
		case !reflect.DeepEqual(settings(q), settings(p)):
			d.Updated = append(d.Updated, name)
		}
	}
	for name := range before {
		if _, ok := after[name]; !ok {
			d.Removed = append(d.Removed, name)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Removed)
	slices.Sort(d.Changed)
	slices.Sort(d.Updated)
	return d
}

// Empty reports whether the reload would change nothing.
func (d Diff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0 && len(d.Updated) == 0
}

// byName indexes c's programs.
func byName(c *Config) map[string]*Program {
	m := map[string]*Program{}
	if c != nil {
		for _, p := range c.Programs {
			m[p.Name] = p
		}
	}
	return m
}

// execSettings is what a running process was started with.
type execSettings struct {
	Base           string
	ProcessNum     int
	Command        []string
	Type           string
	Directory      string
	User           string
	Umask          int
	Env            []string
	FileEnv        []string
	SecretFiles    bool
	Events         []string
	ClearEnv       bool
	Stdout, Stderr string
	RedirectStderr bool
	LogPrefix      bool
	LogTimestamps  bool
	OutputFormat   string
	Multiline      string
	Listen         []Listen
}

// needsRestart reports whether a and b differ in how the process is
// started or where its output goes.
func needsRestart(a, b *Program) bool {
	return !reflect.DeepEqual(execOf(a), execOf(b))
}

func execOf(p *Program) execSettings {
	return execSettings{
		Base: p.Base, ProcessNum: p.ProcessNum,
		Command: p.Command, Type: p.Type, Directory: p.Directory,
		User: p.User, Umask: p.Umask, Env: nilIfEmpty(p.Env), ClearEnv: p.ClearEnv,
		FileEnv: nilIfEmpty(p.FileEnv), SecretFiles: p.SecretFiles, Events: nilIfEmpty(p.Events),
		Stdout: p.Stdout.Path, Stderr: p.Stderr.Path, RedirectStderr: p.RedirectStderr,
		LogPrefix: p.LogPrefix, LogTimestamps: p.LogTimestamps,
		OutputFormat: p.OutputFormat, Multiline: patternOf(p.Multiline), Listen: nilIfEmptyListen(p.Listen),
	}
}

func patternOf(re *regexp.Regexp) string {
	if re == nil {
		return ""
	}
	return re.String()
}

func nilIfEmptyListen(s []Listen) []Listen {
	if len(s) == 0 {
		return nil
	}
	return s
}

// settings returns p with its check patterns replaced by their source, so
// that reflect.DeepEqual compares what the user wrote.
func settings(p *Program) any {
	type checkView struct {
		Check
		Pattern string
	}
	view := func(c Check) checkView {
		v := checkView{Check: c}
		if c.Pattern != nil {
			v.Pattern = c.Pattern.String()
		}
		v.Check.Pattern = nil
		v.Check.Argv = nilIfEmpty(c.Argv)
		return v
	}
	q := *p
	var sched string // a schedule compares by what it says, not by its pointers
	if p.Schedule != nil {
		sched = p.Schedule.String() + " in " + p.Schedule.Location().String()
	}
	q.Schedule = nil
	q.Multiline, q.Listen = nil, nil // compared by execOf
	q.StopCommand = nilIfEmpty(q.StopCommand)
	ready, health := view(p.Ready), view(p.Health)
	q.Ready, q.Health = Check{}, Check{}
	q.Env, q.Command = nilIfEmpty(q.Env), nilIfEmpty(q.Command)
	q.ExitCodes, q.DependsOn = nilIfEmptyInts(q.ExitCodes), nilIfEmpty(q.DependsOn)
	return struct {
		P             Program
		Ready, Health checkView
		Schedule      string
	}{q, ready, health, sched}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyInts(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return s
}
