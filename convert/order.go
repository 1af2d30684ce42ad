package convert

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// supervisord orders process groups by their priority, then the programs
// of a group by theirs (options.py: groups.sort(), then each group's
// programs.sort()); a program in no [group:x] is a group of its own, with
// its own priority. tend has one priority per program. A member of a
// [group:x] that sets no priority takes its group's, which keeps the
// groups' order; one that sets its own keeps it, which keeps the order
// inside the group but may reverse it against another program: checkOrder
// says so where it does.

// supervisordPriority is supervisord's default priority, for programs and
// groups alike (tend's too).
const supervisordPriority = 999

// ordered is one program's place in supervisord's start order and in
// tend's.
type ordered struct {
	t     *table
	name  string   // tend's name
	group string   // the supervisord group, "" for none
	sup   [2]int64 // supervisord's sort key: group priority, own priority
	tend  int64    // the priority written
	own   bool     // a group member with a priority of its own
}

// priority gives a member of a [group:x] that sets no priority of its own
// the group's priority, and records the program's place in both orders.
func (p *prog) priority() error {
	own, hasOwn := int64(supervisordPriority), false
	if e, ok := p.t.entries["priority"]; ok {
		n, err := strconv.ParseInt(e.val, 10, 64)
		if err != nil {
			return fmt.Errorf("priority %q: %w", e.val, err) // ints wrote it: cannot happen
		}
		own, hasOwn = n, true
	}
	o := &ordered{t: p.t, name: p.tname, group: p.group, sup: [2]int64{own, own}, tend: own}
	if p.group != "" {
		g, set := p.c.groupPrio[p.group]
		if !set {
			g = supervisordPriority
		}
		o.sup[0], o.own = g, hasOwn
		if set && !hasOwn {
			o.tend = g
			p.t.set("priority", strconv.FormatInt(g, 10),
				fmt.Sprintf("[group:%s] priority: supervisord starts the group's programs by the group's priority", p.group))
		}
	}
	p.c.order = append(p.c.order, o)
	return nil
}

// checkOrder notes, on each group member with a priority of its own, the
// programs that supervisord started on the other side of it than tend
// will.
func (c *converter) checkOrder() {
	for _, o := range c.order {
		if !o.own {
			continue
		}
		var before, after []string // supervisord started o before them, after them
		for _, q := range c.order {
			s := cmp.Or(cmp.Compare(o.sup[0], q.sup[0]), cmp.Compare(o.sup[1], q.sup[1]))
			t := cmp.Compare(o.tend, q.tend)
			switch {
			case q == o || s == 0 || t == 0 || s == t:
			case s < 0:
				before = append(before, q.name)
			default:
				after = append(after, q.name)
			}
		}
		e := o.t.entries["priority"]
		for _, side := range []struct {
			names   []string
			was, is string
		}{{before, "before", "after"}, {after, "after", "before"}} {
			if len(side.names) == 0 {
				continue
			}
			e.notes = append(e.notes, fmt.Sprintf(
				"supervisord started this program %s %s (it orders [group:%s] by the group's priority, %d, then its programs by theirs); with priority %d, tend starts it %s them",
				side.was, nameList(side.names), o.group, o.sup[0], o.tend, side.is))
		}
	}
}

// nameList joins names for a comment, at most five of them.
func nameList(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}
