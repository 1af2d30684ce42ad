package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Peer is the process at the other end of a connection, as the kernel
// recorded it when the process connected (SO_PEERCRED, socket(7)).
type Peer struct {
	PID int // 0 when the process is outside tend's PID namespace
	UID int // effective uid
	GID int // effective gid
}

// peerOf reads the peer's credentials from the connection.
func peerOf(conn *net.UnixConn) (Peer, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return Peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var cerr error
	if err := rc.Control(func(fd uintptr) {
		cred, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Peer{}, fmt.Errorf("read peer credentials: %w", err)
	}
	if cerr != nil {
		return Peer{}, fmt.Errorf("read peer credentials: %w", cerr)
	}
	return Peer{PID: int(cred.Pid), UID: int(cred.Uid), GID: int(cred.Gid)}, nil
}

// defaultAllowed returns the check SPEC's "Access" asks for: a peer is
// accepted when its uid is 0 or tend's own, or when it is a member of
// group (gid < 0: no group).
func defaultAllowed(group int) func(Peer) bool {
	self := os.Geteuid()
	return func(p Peer) bool {
		if p.UID == 0 || p.UID == self {
			return true
		}
		if group < 0 {
			return false
		}
		if p.GID == group {
			return true
		}
		groups, err := procGroups(p)
		return err == nil && slices.Contains(groups, group)
	}
}

// procGroups reads the supplementary groups of the peer's process from
// /proc/PID/status. The pid may have been reused since the peer
// connected, so the process found must still have the peer's effective
// uid; SO_PEERGROUPS would avoid the race but needs a raw getsockopt that
// golang.org/x/sys does not wrap.
func procGroups(p Peer) ([]int, error) {
	if p.PID <= 0 {
		return nil, errors.New("read peer groups: peer outside tend's pid namespace")
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/status")
	if err != nil {
		return nil, fmt.Errorf("read peer groups: %w", err)
	}
	uid, groups, err := parseStatus(string(b))
	if err != nil {
		return nil, fmt.Errorf("read peer groups: /proc/%d/status: %w", p.PID, err)
	}
	if uid != p.UID {
		return nil, fmt.Errorf("read peer groups: pid %d now runs as uid %d, not %d", p.PID, uid, p.UID)
	}
	return groups, nil
}

// parseStatus reads the effective uid (the second field of "Uid:") and the
// supplementary groups ("Groups:") from the text of /proc/PID/status
// (proc(5)).
func parseStatus(text string) (euid int, groups []int, err error) {
	euid = -1
	seenGroups := false
	for line := range strings.Lines(text) {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		switch key {
		case "Uid":
			if len(fields) < 2 {
				return 0, nil, fmt.Errorf("bad Uid line %q", strings.TrimSpace(line))
			}
			if euid, err = strconv.Atoi(fields[1]); err != nil {
				return 0, nil, fmt.Errorf("bad Uid line %q", strings.TrimSpace(line))
			}
		case "Groups":
			seenGroups = true
			for _, f := range fields {
				g, err := strconv.Atoi(f)
				if err != nil {
					return 0, nil, fmt.Errorf("bad Groups line %q", strings.TrimSpace(line))
				}
				groups = append(groups, g)
			}
		}
	}
	if euid < 0 || !seenGroups {
		return 0, nil, errors.New("no Uid or Groups line")
	}
	return euid, groups, nil
}

// lookupGroup reads socket_group: a gid, or a group name looked up in
// /etc/group.
func lookupGroup(name string) (int, error) {
	if gid, err := strconv.Atoi(name); err == nil {
		if gid < 0 {
			return 0, fmt.Errorf("socket_group %q: negative gid", name)
		}
		return gid, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("socket_group %q: %w", name, err)
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return 0, fmt.Errorf("socket_group %q: bad gid %q", name, g.Gid)
	}
	return gid, nil
}
