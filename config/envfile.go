package config

import (
	"path/filepath"

	"tend/envfile"
)

// envFileKey is where an env_file key is, for the errors of its files.
type envFileKey struct {
	f    *file
	path []string
}

// envFiles reads an env_file value: one path or a list of them, made
// absolute from the directory of the file that names them.
func (l *loader) envFiles(f *file, path []string, v any) ([]string, bool) {
	if s, ok := v.(string); ok {
		v = []any{s}
	}
	paths, ok := l.strs(f, path, v)
	if !ok {
		return nil, false
	}
	for i, p := range paths {
		if p == "" {
			l.errorf(f, path, "empty path")
			return nil, false
		}
		if !filepath.IsAbs(p) {
			paths[i] = filepath.Join(filepath.Dir(absPath(f.name)), p)
		}
	}
	return paths, true
}

// readEnvFiles reads every program's env files, [tend]'s first, each file
// once. An error names the key, then the file and line; never a value.
func (l *loader) readEnvFiles(cfg *Config, progs []*Program) {
	read := map[string][]string{}
	bad := map[string]bool{}
	load := func(path string, at *envFileKey) []string {
		if kv, ok := read[path]; ok || bad[path] {
			return kv
		}
		vars, err := envfile.Read(path, l.lookupEnv)
		if err != nil {
			bad[path] = true
			l.errorf(at.f, at.path, "%v", err)
			return nil
		}
		kv := make([]string, 0, len(vars))
		for _, v := range vars {
			kv = append(kv, v.Name+"="+v.Value)
		}
		read[path] = kv
		return kv
	}
	for _, p := range progs {
		t := l.progs[p.Base]
		if t == nil {
			continue
		}
		if !t.secretFiles {
			p.SecretFiles = cfg.SecretFiles
		}
		var env []string
		for _, path := range cfg.EnvFiles {
			env = append(env, load(path, l.tendEnvFile)...)
		}
		for _, path := range p.EnvFiles {
			env = append(env, load(path, t.envFile)...)
		}
		p.EnvFiles = append(append([]string(nil), cfg.EnvFiles...), p.EnvFiles...)
		p.FileEnv = env
	}
}
