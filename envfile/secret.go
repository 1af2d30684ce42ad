package envfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Secrets turns every NAME_FILE=/path in env ("NAME=value" entries) into
// NAME=<the file's content, less one trailing newline>, as the official
// images' entrypoints (postgres, mysql, ...) do for Docker and Kubernetes
// secrets, and returns the new environment and the names it set, for
// Redact. The NAME_FILE entry is replaced where it stood, and an empty
// NAME entry beside it is dropped.
//
// An empty NAME_FILE is left as it is, as those entrypoints ignore it. A
// name given twice counts once, the last time, as a program's environment
// does. It is an error when NAME is set (not empty) beside NAME_FILE, as
// in those entrypoints, when a file cannot be read, and when it holds a
// NUL byte, which an environment cannot carry. Errors name the variable
// and the path, never the content: `secret DB_PASSWORD_FILE: read
// "/run/secrets/db": permission denied`.
func Secrets(env []string, read func(path string) ([]byte, error)) ([]string, map[string]bool, error) {
	env = dedupe(env)
	set := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set[k] = v
		}
	}
	// First the names that files will set, so that an empty NAME beside
	// NAME_FILE gives way to it.
	names := map[string]bool{}
	for _, kv := range env {
		key, path, _ := strings.Cut(kv, "=")
		if name, ok := secretName(key, path); ok {
			if set[name] != "" {
				return nil, nil, fmt.Errorf("secret %s: %s is set too; set one or the other", key, name)
			}
			names[name] = true
		}
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		key, path, _ := strings.Cut(kv, "=")
		name, ok := secretName(key, path)
		if !ok {
			if !names[key] {
				out = append(out, kv)
			}
			continue
		}
		data, err := read(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, nil, fmt.Errorf("secret %s: read %q: %w", key, path, err)
		}
		if bytes.IndexByte(data, 0) >= 0 {
			return nil, nil, fmt.Errorf("secret %s: %q holds a NUL byte, which an environment cannot carry", key, path)
		}
		value := string(data)
		if v, ok := strings.CutSuffix(value, "\n"); ok {
			value = strings.TrimSuffix(v, "\r")
		}
		out = append(out, name+"="+value)
	}
	return out, names, nil
}

// secretName returns NAME for a NAME_FILE entry with a path.
func secretName(key, path string) (string, bool) {
	name, ok := strings.CutSuffix(key, "_FILE")
	return name, ok && validName(name) && path != ""
}

// dedupe keeps the last entry of each name, where it stands.
func dedupe(env []string) []string {
	last := map[string]int{}
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = i
	}
	if len(last) == len(env) {
		return env
	}
	out := make([]string, 0, len(last))
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if last[k] == i {
			out = append(out, kv)
		}
	}
	return out
}
