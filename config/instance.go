package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// finish expands every program into its instances and checks what needs
// all of them: unique names, known dependencies, no cycle, no log file
// written by two streams. It returns the instances sorted by name.
func (l *loader) finish() []*Program {
	var all []*Program
	byName := map[string]*Program{}
	owner := map[*Program]*tmpl{}
	for _, base := range slices.Sorted(maps.Keys(l.progs)) {
		t := l.progs[base]
		for _, p := range l.instances(t) {
			all = append(all, p)
			owner[p] = t
		}
	}
	for _, p := range all {
		if q, dup := byName[p.Name]; dup {
			// Only an instance and a program named like one can collide:
			// report it on the program that has the name as written.
			named, inst := p, q
			if p.NumProcs > 1 {
				named, inst = q, p
			}
			t := owner[named]
			l.errorf(t.f, t.path, "name %q is also an instance of %s (numprocs = %d)", named.Name, keyString([]string{"program", inst.Base}), inst.NumProcs)
			continue
		}
		byName[p.Name] = p
	}
	l.checkCycles(l.dependencies(all))
	l.logCollisions(all, owner)
	slices.SortFunc(all, func(a, b *Program) int { return strings.Compare(a.Name, b.Name) })
	return all
}

// instances returns t's numprocs instances, ${PROCESS_NUM} expanded.
func (l *loader) instances(t *tmpl) []*Program {
	n := max(t.p.NumProcs, 1)
	out := make([]*Program, 0, n)
	for i := range n {
		p := new(Program)
		*p = *t.p
		p.ExitCodes = slices.Clone(t.p.ExitCodes)
		if n > 1 {
			p.Name = t.p.Base + "-" + strconv.Itoa(i)
			p.ProcessNum = i
			if !t.hasGroup {
				p.Group = t.p.Base
			}
		}
		p.Command = make([]string, len(t.command))
		for j, arg := range t.command {
			p.Command[j] = expandProcessNum(arg, i)
		}
		p.Directory = expandProcessNum(p.Directory, i)
		p.Stdout.Path = expandProcessNum(p.Stdout.Path, i)
		p.Stderr.Path = expandProcessNum(p.Stderr.Path, i)
		p.Env = l.expandEnv(t, i)
		p.Ready = l.check(t, "ready", t.ready, i, p.Ready)
		p.Health = l.check(t, "health", t.health, i, p.Health)
		out = append(out, p)
	}
	return out
}

// check reads t's ready or health value for instance n, or returns def
// when it is unset. A bad check is reported for the first instance that has
// one only: the message quotes the expanded value, which differs between
// instances.
func (l *loader) check(t *tmpl, key string, v any, n int, def Check) Check {
	if v == nil {
		return def
	}
	c, err := parseCheck(v, key == "health", n)
	if err != nil && !t.badCheck[key] {
		l.fail(t.f, join(t.path, []string{key}), err)
		t.badCheck[key] = true
	}
	return c
}

// expandEnv expands t's environment table for instance n, as sorted
// "K=V". A value may name ${PROCESS_NUM}, tend's environment, and the
// table's other variables (URL = "http://$HOST:$PORT" with PORT in the same
// table); a variable naming itself (PATH = "/app/bin:$PATH") means tend's.
func (l *loader) expandEnv(t *tmpl, n int) []string {
	if len(t.env) == 0 {
		return nil
	}
	const (
		todo = iota
		busy
		done
	)
	state := map[string]int{}
	val := map[string]string{}
	var resolve func(k string) string
	resolve = func(k string) string {
		switch state[k] {
		case done:
			return val[k]
		case busy:
			return "" // a cycle: reported by the caller below
		}
		state[k] = busy
		var cycle string
		lookup := func(name string) (string, bool) {
			switch {
			case name == "PROCESS_NUM":
				return strconv.Itoa(n), true
			case name == k:
				return l.lookupEnv(name)
			}
			if _, ok := t.env[name]; ok {
				if state[name] == busy {
					cycle = name
					return "", true
				}
				return resolve(name), true
			}
			return l.lookupEnv(name)
		}
		s, err := Expand(t.env[k], lookup)
		kp := join(t.path, []string{"environment", k})
		switch {
		case err != nil:
			l.fail(t.f, kp, err)
		case cycle != "":
			l.errorf(t.f, kp, "refers to itself through %s", cycle)
		}
		state[k], val[k] = done, s
		return s
	}
	out := make([]string, 0, len(t.env))
	for _, k := range slices.Sorted(maps.Keys(t.env)) {
		out = append(out, k+"="+resolve(k))
	}
	return out
}

// lookupEnv looks name up in tend's environment.
func (l *loader) lookupEnv(name string) (string, bool) {
	if l.env == nil {
		return "", false
	}
	return l.env(name)
}

// dependencies resolves each program's depends_on into instance names: a
// program with numprocs > 1 stands for all its instances. It returns the
// dependency graph between [program.NAME] names.
func (l *loader) dependencies(all []*Program) map[string][]string {
	baseOf := map[string]string{}
	for _, p := range all {
		baseOf[p.Name] = p.Base
	}
	resolved := map[string][]string{}
	graph := map[string][]string{}
	for _, base := range slices.Sorted(maps.Keys(l.progs)) {
		t := l.progs[base]
		var deps, bases []string
		for _, d := range t.depends {
			switch dt, ok := l.progs[d]; {
			case ok && dt.p.NumProcs > 1:
				for i := range dt.p.NumProcs {
					deps = append(deps, d+"-"+strconv.Itoa(i))
				}
				bases = append(bases, d)
			case baseOf[d] != "":
				deps = append(deps, d)
				bases = append(bases, baseOf[d])
			default:
				l.errorf(t.f, join(t.path, []string{"depends_on"}), "unknown program %q", d)
			}
		}
		slices.Sort(deps)
		resolved[base] = slices.Compact(deps)
		slices.Sort(bases)
		graph[base] = slices.Compact(bases)
	}
	for _, p := range all {
		// Shared by the instances of one program, not copied: with
		// numprocs, copies would grow as the square of the instances.
		p.DependsOn = resolved[p.Base]
	}
	return graph
}

// checkCycles reports each dependency cycle between programs once, on the
// depends_on of its alphabetically first member.
func (l *loader) checkCycles(graph map[string][]string) {
	for _, c := range cycles(graph) {
		t := l.progs[c[0]]
		l.errorf(t.f, join(t.path, []string{"depends_on"}), "dependency cycle %s", joinArrow(c))
	}
}

// joinArrow writes a cycle as "a -> b -> a".
func joinArrow(c []string) string {
	s := ""
	for i, n := range c {
		if i > 0 {
			s += " -> "
		}
		s += n
	}
	return s
}

// logCollisions reports a log file that several streams share (stdout
// and stderr of one program, several programs, or the instances of one,
// as supervisord allows) with different rotation settings: one file is
// rotated once, by one rule.
func (l *loader) logCollisions(all []*Program, owner map[*Program]*tmpl) {
	type writer struct {
		p   *Program
		key string
		log Log
	}
	seen := map[string]writer{}
	for _, p := range all {
		streams := []struct {
			key string
			log Log
		}{{"stdout_logfile", p.Stdout}, {"stderr_logfile", p.Stderr}}
		if p.RedirectStderr {
			streams = streams[:1]
		}
		for _, s := range streams {
			if s.log.Path == "" || s.log.Path == "NONE" || s.log.Path == "/dev/stdout" || s.log.Path == "/dev/stderr" {
				continue
			}
			clean := filepath.Clean(s.log.Path)
			w, taken := seen[clean]
			if !taken {
				seen[clean] = writer{p, s.key, s.log}
				continue
			}
			if w.log.MaxBytes != s.log.MaxBytes || w.log.Backups != s.log.Backups {
				t := owner[p]
				l.errorf(t.f, join(t.path, []string{s.key}), "%s is also the %s of program %s, with other maxbytes or backups: a shared file rotates by one rule; give both the same",
					quote(s.log.Path), w.key, w.p.Name)
			}
		}
	}
}

// quote is %q.
func quote(s string) string { return fmt.Sprintf("%q", s) }
