package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
)

// Load reads the config file at path, and the files its include globs
// match. env looks up variables for ${VAR} expansion in environment tables,
// and $TEND_SOCKET (os.LookupEnv will do). On failure it returns a nil
// *Config and an *Error listing every problem.
func Load(path string, env func(string) (string, bool)) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Problems: []Problem{{File: path, Msg: "cannot read: " + cause(err)}}}
	}
	return Parse(path, data, env)
}

// Parse is Load from bytes. name is the file's path, used in messages and to
// resolve relative include globs (relative to the file's directory).
func Parse(name string, data []byte, env func(string) (string, bool)) (*Config, error) {
	return parse(name, data, env, filepath.Glob)
}

// parse is Parse with the function that expands include globs, which
// tests replace.
func parse(name string, data []byte, env func(string) (string, bool), glob func(string) ([]string, error)) (*Config, error) {
	l := &loader{env: env, glob: glob, progs: map[string]*tmpl{}}
	cfg := Default(env)
	cfg.File = name
	if f, top, ok := l.decode(name, data); ok {
		var include []string
		var includeKey []string
		for _, k := range slices.Sorted(maps.Keys(top)) {
			switch k {
			case "tend":
				include, includeKey = l.tend(f, cfg, top[k])
			case "program":
				l.programs(f, top[k])
			default:
				l.errorf(f, []string{k}, "unknown key")
			}
		}
		l.include(f, includeKey, include)
	}
	progs := l.finish()
	l.readEnvFiles(cfg, progs)
	l.inherit(cfg, progs)
	l.checkSockets(progs)
	if err := l.probs.err(); err != nil {
		return nil, err
	}
	cfg.Programs = progs
	cfg.IncludeDirs = l.includeDirs
	return cfg, nil
}

// file is one file being read.
type file struct {
	name string
	loc  *locator
}

// where returns "FILE:LINE" for path in f, or "FILE" when the line is
// unknown.
func (f *file) where(path []string) string {
	if line := f.loc.line(path); line > 0 {
		return fmt.Sprintf("%s:%d", f.name, line)
	}
	return f.name
}

// loader holds what Parse has read so far and the problems it found.
type loader struct {
	env   func(string) (string, bool)
	glob  func(string) ([]string, error)
	probs problems
	progs map[string]*tmpl // by [program.NAME] name

	tendEnvFile *envFileKey // where [tend] env_file is, for its errors
	includeDirs []string    // the directories of the include globs
}

// errorf records a problem with the key at path in f.
func (l *loader) errorf(f *file, path []string, format string, args ...any) {
	l.probs.add(Problem{File: f.name, Line: f.loc.line(path), Key: keyString(path), Msg: fmt.Sprintf(format, args...)})
}

// fail records err as a problem with the key at path in f.
func (l *loader) fail(f *file, path []string, err error) {
	l.errorf(f, path, "%s", err.Error())
}

// decode parses one file's TOML. A syntax error is recorded and ends the
// reading of that file: the parser cannot go on past it.
func (l *loader) decode(name string, data []byte) (*file, map[string]any, bool) {
	l.probs.fileOrder(name)
	var top map[string]any
	if _, err := toml.Decode(string(data), &top); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			l.probs.add(Problem{File: name, Line: errorLine(data, pe.Position), Msg: pe.Message})
		} else {
			l.probs.add(Problem{File: name, Msg: err.Error()})
		}
		return nil, nil, false
	}
	return &file{name: name, loc: locate(string(data))}, top, true
}

// errorLine returns the line of a syntax error. The parser counts an
// unexpected newline as the start of the next line ("[program.web" then a
// newline is reported on line 2); counting from the offending byte's offset
// puts it on the line the user must fix.
func errorLine(data []byte, pos toml.Position) int {
	if pos.Start <= 0 || pos.Start > len(data) {
		return pos.Line
	}
	return 1 + bytes.Count(data[:pos.Start], []byte("\n"))
}

// table returns v as a table, recording a problem if it is not one.
func (l *loader) table(f *file, path []string, v any) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		l.fail(f, path, errType("a table", v))
	}
	return t, ok
}

// tend reads the [tend] table into cfg and returns the include globs and
// the include key's path.
func (l *loader) tend(f *file, cfg *Config, v any) ([]string, []string) {
	t, ok := l.table(f, []string{"tend"}, v)
	if !ok {
		return nil, nil
	}
	var include, includeKey []string
	for _, k := range slices.Sorted(maps.Keys(t)) {
		path := []string{"tend", k}
		v := t[k]
		switch k {
		case "socket":
			if s, ok := l.str(f, path, v); ok {
				cfg.Socket = s
			}
		case "socket_mode":
			if m, err := parseOctal(v); err != nil {
				l.fail(f, path, err)
			} else {
				cfg.SocketMode = os.FileMode(m)
			}
		case "socket_group":
			if s, ok := l.str(f, path, v); ok {
				if s != "" && !idOrName(s) {
					l.errorf(f, path, "invalid group %q", s)
				}
				cfg.SocketGroup = s
			}
		case "log_level":
			if s, ok := l.oneOf(f, path, v, "debug", "info", "warn", "error"); ok {
				cfg.LogLevel = s
			}
		case "log_format":
			if s, ok := l.oneOf(f, path, v, "text", "json"); ok {
				cfg.LogFormat = s
			}
		case "shutdown_timeout":
			if d, ok := l.duration(f, path, v, false); ok {
				cfg.ShutdownTimeout = d
			}
		case "include":
			if globs, ok := l.strs(f, path, v); ok {
				include, includeKey = globs, path
			}
		case "env_file":
			if paths, ok := l.envFiles(f, path, v); ok {
				cfg.EnvFiles, l.tendEnvFile = paths, &envFileKey{f, path}
			}
		case "secret_files":
			l.setBool(f, path, v, &cfg.SecretFiles)
		case "output_format":
			if s, ok := l.oneOf(f, path, v, "text", "json"); ok {
				cfg.OutputFormat = s
			}
		case "termination_log":
			if s, ok := l.str(f, path, v); ok {
				if s != "" && !filepath.IsAbs(s) {
					l.errorf(f, path, "%q is not an absolute path", s)
				}
				cfg.TerminationLog = s
			}
		case "metrics_listen":
			if s, ok := l.str(f, path, v); ok {
				if s != "" {
					if err := checkHostPort(s); err != nil {
						l.fail(f, path, err)
					}
				}
				cfg.MetricsListen = s
			}
		case "watch_config":
			l.setBool(f, path, v, &cfg.WatchConfig)
		default:
			l.errorf(f, path, "unknown key")
		}
	}
	return include, includeKey
}

// include reads the files that globs match, relative to main's directory,
// each glob's matches in sorted order. A glob matching nothing is fine; a
// file matched twice is read once; the main file is never read again.
func (l *loader) include(main *file, key, globs []string) {
	seen := map[string]bool{absPath(main.name): true}
	for _, g := range globs {
		pattern := g
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(filepath.Dir(main.name), pattern)
		}
		names, err := l.glob(pattern)
		if err != nil {
			l.errorf(main, key, "bad glob %q: %v", g, err)
			continue
		}
		if dir := filepath.Dir(pattern); !strings.ContainsAny(dir, "*?[\\") && !slices.Contains(l.includeDirs, dir) {
			l.includeDirs = append(l.includeDirs, dir)
		}
		slices.Sort(names)
		for _, name := range names {
			if seen[absPath(name)] {
				continue
			}
			seen[absPath(name)] = true
			data, err := readRegular(name)
			if err != nil {
				l.errorf(main, key, "cannot read %q: %s", name, cause(err))
				continue
			}
			l.included(name, data)
		}
	}
}

// included reads one included file: it may hold [program.*] tables only.
func (l *loader) included(name string, data []byte) {
	f, top, ok := l.decode(name, data)
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k != "program" {
			l.errorf(f, []string{k}, "not allowed in an included file, which may hold [program.*] tables only")
			continue
		}
		l.programs(f, top[k])
	}
}

// readRegular reads a regular file: a glob such as /etc/tend.d/* must not
// have tend read a FIFO or a device forever. O_NONBLOCK keeps the open of a
// FIFO from waiting for a writer; regular files ignore it.
func readRegular(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return nil, errors.New("is a directory")
		}
		return nil, errors.New("not a regular file")
	}
	return io.ReadAll(f)
}

// absPath returns p made absolute and clean, or p cleaned if that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// cause returns a file error's reason without the path, which the message
// around it already names.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
