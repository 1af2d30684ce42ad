package config

import (
	"maps"
	"slices"
	"strings"
)

// Waves orders programs into start waves. A program's wave comes after the
// waves of everything it depends on; among the programs whose dependencies
// have all started, those with the lowest priority form the next wave, so
// that priority increases from wave to wave among otherwise free programs,
// and programs of equal priority start together. Names within a wave are
// sorted. Stopping runs the waves in reverse.
//
// Dependencies on programs not in progs are ignored. Load rejects cycles;
// should progs still hold one, its members are placed as if the
// dependencies between them did not exist.
func Waves(progs []*Program) [][]string {
	sorted := slices.Clone(progs)
	slices.SortStableFunc(sorted, func(a, b *Program) int { return strings.Compare(a.Name, b.Name) })
	index := map[string]int{}
	for i, p := range sorted {
		if _, dup := index[p.Name]; !dup {
			index[p.Name] = i
		}
	}
	// waiting[i] counts i's dependencies not yet placed; dependents[j] lists
	// who waits for j.
	waiting := make([]int, len(sorted))
	dependents := make([][]int, len(sorted))
	for i, p := range sorted {
		for _, d := range slices.Compact(slices.Sorted(slices.Values(p.DependsOn))) {
			if j, ok := index[d]; ok && j != i {
				waiting[i]++
				dependents[j] = append(dependents[j], i)
			}
		}
	}
	placed := make([]bool, len(sorted))
	left := len(sorted)
	var waves [][]string
	for left > 0 {
		var free []int
		for i := range sorted {
			if !placed[i] && waiting[i] == 0 {
				free = append(free, i)
			}
		}
		if len(free) == 0 { // a cycle
			for i := range sorted {
				if !placed[i] {
					free = append(free, i)
				}
			}
		}
		lowest := sorted[free[0]].Priority
		for _, i := range free {
			lowest = min(lowest, sorted[i].Priority)
		}
		var wave []string
		for _, i := range free {
			if sorted[i].Priority != lowest {
				continue
			}
			placed[i] = true
			left--
			wave = append(wave, sorted[i].Name)
			for _, j := range dependents[i] {
				waiting[j]--
			}
		}
		waves = append(waves, wave)
	}
	return waves
}

// cycles returns one cycle for each set of programs that depend on each
// other (each strongly connected component of graph that has a cycle),
// as a path from its alphabetically first member back to it: the shortest
// such path, preferring alphabetically earlier steps. Listing every
// elementary cycle could take exponential time; one per component names
// the problem.
func cycles(graph map[string][]string) [][]string {
	var out [][]string
	for _, comp := range components(graph) {
		first := slices.Min(comp)
		member := map[string]bool{}
		for _, n := range comp {
			member[n] = true
		}
		if len(comp) == 1 && !slices.Contains(graph[first], first) {
			continue
		}
		out = append(out, shortestCycle(graph, member, first))
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// shortestCycle finds, by breadth-first search inside member, the shortest
// path from first back to first.
func shortestCycle(graph map[string][]string, member map[string]bool, first string) []string {
	prev := map[string]string{}
	queue := []string{first}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		next := slices.Sorted(slices.Values(graph[n]))
		for _, m := range next {
			if !member[m] {
				continue
			}
			if m == first {
				path := []string{first}
				for at := n; at != first; at = prev[at] {
					path = append(path, at)
				}
				slices.Reverse(path)
				return append([]string{first}, append(path[:len(path)-1], first)...)
			}
			if _, seen := prev[m]; !seen {
				prev[m] = n
				queue = append(queue, m)
			}
		}
	}
	return []string{first, first}
}

// components returns the strongly connected components of graph (Tarjan's
// algorithm), visiting nodes in sorted order.
func components(graph map[string][]string) [][]string {
	var (
		index   = map[string]int{}
		low     = map[string]int{}
		onStack = map[string]bool{}
		stack   []string
		out     [][]string
		visit   func(n string)
	)
	visit = func(n string) {
		index[n] = len(index)
		low[n] = index[n]
		stack = append(stack, n)
		onStack[n] = true
		for _, m := range slices.Sorted(slices.Values(graph[n])) {
			if _, seen := index[m]; !seen {
				visit(m)
				low[n] = min(low[n], low[m])
			} else if onStack[m] {
				low[n] = min(low[n], index[m])
			}
		}
		if low[n] == index[n] {
			var comp []string
			for {
				m := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[m] = false
				comp = append(comp, m)
				if m == n {
					break
				}
			}
			out = append(out, comp)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(graph)) {
		if _, seen := index[n]; !seen {
			visit(n)
		}
	}
	return out
}
