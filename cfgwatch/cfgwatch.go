// Package cfgwatch tells tend when its config files or include directories
// change, so that it can reload as it would on SIGHUP.
//
// It watches directories, never the files themselves: an editor that saves
// by writing a new file and renaming it over the old one, `mv new.toml
// tend.toml`, and a Kubernetes ConfigMap update all replace the file's
// inode, and a watch on the old inode would hear nothing more. For each
// config file the directory holding it is watched, and events for the
// file's name count, as do events for "..data": a ConfigMap volume holds
// tend.toml -> ..data/tend.toml and ..data -> ..TIMESTAMP, and an update
// renames a new ..data over the old one without touching tend.toml. When
// the file is a symlink that does not go through ..data, the directory of
// each link on the way to the real file is watched too (resolved once, at
// New). For an include directory every entry counts: the caller reloads,
// and the reload reads the globs.
//
// A burst of events gives one call, debounce after the last of them.
//
// Idle cost: one goroutine parked in a read of the inotify fd, which is
// nonblocking and wrapped in an os.File, so the read waits in the runtime
// poller (epoll) without a thread of its own or any wakeup; and a timer
// only while a debounce is pending. Closing the os.File wakes the parked read, which is
// how Close stops the goroutine; a blocking read would not return on close.
package cfgwatch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// mask is what every directory watch asks for. Entry events: a write ends
// in IN_CLOSE_WRITE, a rename gives IN_MOVED_FROM and IN_MOVED_TO, cp or
// a new symlink IN_CREATE, rm IN_DELETE, chmod or touch IN_ATTRIB
// (IN_MODIFY is left out: it comes once per write(2), and the close after
// gives IN_CLOSE_WRITE anyway). Events on the directory itself:
// IN_DELETE_SELF and IN_MOVE_SELF, since what it held is then gone from
// the watched path. IN_ONLYDIR makes a path that is not a directory an
// error at New rather than a watch on a file.
const mask = unix.IN_CLOSE_WRITE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM |
	unix.IN_CREATE | unix.IN_DELETE | unix.IN_ATTRIB |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// selfGone is the events saying a watched directory no longer is at its
// path (IN_IGNORED, which follows each, is handled apart). The kernel
// sends IN_UNMOUNT, IN_IGNORED and IN_Q_OVERFLOW whatever the mask.
const selfGone = unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_UNMOUNT

// configMapLink is the symlink a Kubernetes ConfigMap or Secret volume
// swaps on each update.
const configMapLink = "..data"

// maxHops bounds how many symlinks New follows from a config file, as the
// kernel's ELOOP limit does for a path.
const maxHops = 40

// readSize holds at least 16 events with the longest names; inotify
// refuses (EINVAL) a read too short for the next event.
const readSize = 16 * (unix.SizeofInotifyEvent + unix.NAME_MAX + 1)

// Watcher watches config files and include directories; see New.
type Watcher struct {
	f        *os.File // the inotify fd, nonblocking, in the runtime poller
	debounce time.Duration
	changed  func()
	done     chan struct{} // closed when the reading goroutine returns

	// watches maps each watch descriptor to what matters in its
	// directory. Only the reading goroutine uses it once New returns.
	watches map[int32]*dirWatch

	// observe, when set (by tests), sees every event and whether it
	// counted, before it arms the timer.
	observe func(wd int32, mask uint32, name string, relevant bool)

	mu     sync.Mutex
	closed bool
	timer  *time.Timer // non-nil only while a debounce is pending
	gen    uint64      // which timer's firing still counts
}

// dirWatch is what matters in one watched directory.
type dirWatch struct {
	path  string
	all   bool            // an include directory: every entry counts
	names map[string]bool // else the entries that count
}

// New watches files (config file paths) and dirs (directories whose
// entries matter, such as the directories of include globs) and calls
// changed once per burst of changes, debounce after the last event of the
// burst. changed runs on a goroutine of its own and must not be nil; a
// slow changed does not lose events, but a burst that ends while it runs
// gives another call.
//
// It returns an error naming the path when a watch cannot be set up: a
// directory in dirs, or the directory holding a file in files, that does
// not exist or is not a directory, or the inotify limits are reached. A
// file that does not exist yet is fine: its creation counts. A watched
// directory removed later is no longer watched, and its removal counts.
func New(files, dirs []string, debounce time.Duration, changed func()) (*Watcher, error) {
	return start(files, dirs, debounce, changed, nil)
}

// start is New, with a hook for tests to see events as they are judged.
func start(files, dirs []string, debounce time.Duration, changed func(),
	observe func(wd int32, mask uint32, name string, relevant bool)) (*Watcher, error) {
	if changed == nil {
		return nil, errors.New("cfgwatch: changed is nil")
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("cfgwatch: inotify_init1: %w", explain(err))
	}
	w := &Watcher{
		debounce: debounce,
		changed:  changed,
		done:     make(chan struct{}),
		watches:  make(map[int32]*dirWatch),
		observe:  observe,
	}
	if err := w.addAll(fd, files, dirs); err != nil {
		unix.Close(fd)
		return nil, err
	}
	w.f = os.NewFile(uintptr(fd), "inotify")
	go w.read()
	return w, nil
}

// addAll sets up the watches for files and dirs on the inotify fd.
func (w *Watcher) addAll(fd int, files, dirs []string) error {
	for _, dir := range dirs {
		if err := w.add(fd, dir, ""); err != nil {
			return fmt.Errorf("cfgwatch: watch include directory %s: %w", dir, err)
		}
	}
	for _, file := range files {
		dir := filepath.Dir(file)
		if err := w.add(fd, dir, filepath.Base(file)); err != nil {
			return fmt.Errorf("cfgwatch: watch directory %s of config file %s: %w", dir, file, err)
		}
		// The links on the way to the real file are a plus: a failure
		// there leaves the file's own directory watched, so it is not
		// an error.
		for _, hop := range hops(file) {
			w.add(fd, filepath.Dir(hop), filepath.Base(hop))
		}
	}
	return nil
}

// add watches dir for entry name (with "..data"), or for every entry when
// name is "". Adding a directory again, by the same or another path, gives
// the kernel's same watch descriptor back, and merges what counts in it.
func (w *Watcher) add(fd int, dir, name string) error {
	wd, err := unix.InotifyAddWatch(fd, dir, mask)
	if err != nil {
		return explain(err)
	}
	d := w.watches[int32(wd)]
	if d == nil {
		d = &dirWatch{path: dir, names: make(map[string]bool)}
		w.watches[int32(wd)] = d
	}
	if name == "" {
		d.all = true
	} else {
		d.names[name] = true
		d.names[configMapLink] = true
	}
	return nil
}

// hops returns the paths that file, a symlink, leads through: each link
// after file itself, and the real file last. It stops at a link into
// "..data", since the events on ..data in that link's directory already
// tell of every update, and the timestamped directory it leads to is
// replaced by each one. It returns nothing when file is not a symlink.
func hops(file string) []string {
	var out []string
	cur := file
	for range maxHops {
		link, err := os.Readlink(cur)
		if err != nil {
			break // not a symlink (or gone): cur is the end
		}
		link = filepath.Clean(link)
		if first, _, _ := strings.Cut(link, string(filepath.Separator)); first == configMapLink {
			break
		}
		if !filepath.IsAbs(link) {
			// Relative to the link's directory as the kernel finds it,
			// which a lexical join gets wrong if that directory is
			// itself reached through a symlink and link has "..".
			dir, err := filepath.EvalSymlinks(filepath.Dir(cur))
			if err != nil {
				break
			}
			link = filepath.Join(dir, link)
		}
		cur = link
		out = append(out, cur)
	}
	return out
}

// explain makes the errors whose plain text misleads say what they mean.
func explain(err error) error {
	switch {
	case errors.Is(err, unix.ENOSPC):
		return fmt.Errorf("inotify watch limit reached (sysctl fs.inotify.max_user_watches): %w", err)
	case errors.Is(err, unix.EMFILE):
		return fmt.Errorf("inotify instance limit reached (sysctl fs.inotify.max_user_instances) or out of file descriptors: %w", err)
	}
	return err
}

// read parses events until the inotify file is closed. Any read error
// ends it: os.ErrClosed from Close, or a fault that retrying would only
// repeat in a spin.
func (w *Watcher) read() {
	defer close(w.done)
	buf := make([]byte, readSize)
	for {
		n, err := w.f.Read(buf)
		if err != nil {
			return
		}
		parse(buf[:n], w.event)
	}
}

// event judges one event and, when it counts, starts or extends the
// debounce.
func (w *Watcher) event(wd int32, mask uint32, name string) {
	relevant := w.relevant(wd, mask, name)
	if w.observe != nil {
		w.observe(wd, mask, name, relevant)
	}
	if relevant {
		w.poke()
	}
}

// relevant reports whether an event counts as a change, and forgets a
// watch the kernel has dropped.
func (w *Watcher) relevant(wd int32, mask uint32, name string) bool {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		return true // events were lost: any of them may have counted
	}
	d := w.watches[wd]
	switch {
	case d == nil:
		return false // a watch already forgotten
	case mask&unix.IN_IGNORED != 0:
		// The watch is gone (directory removed, unmounted, or
		// removed by unwatch); its wd may be reused by a later watch.
		delete(w.watches, wd)
		return false
	case mask&selfGone != 0:
		if mask&unix.IN_MOVE_SELF != 0 {
			// The directory lives on under another name, whose
			// changes are not tend's config.
			w.unwatch(wd)
		}
		return true
	}
	return d.all || d.names[name]
}

// unwatch removes a watch; the kernel answers with IN_IGNORED, which
// forgets it. Control keeps the fd open for the call even if Close runs.
func (w *Watcher) unwatch(wd int32) {
	rc, err := w.f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.InotifyRmWatch(int(fd), uint32(wd))
	})
}

// poke starts a debounce, or restarts the one pending.
func (w *Watcher) poke() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if w.timer != nil && w.timer.Stop() {
		w.timer.Reset(w.debounce)
		return
	}
	// No timer, or one that has fired and whose fire may be waiting for
	// mu: a new generation makes that fire a no-op, and this timer's
	// call covers the events of both.
	w.gen++
	gen := w.gen
	w.timer = time.AfterFunc(w.debounce, func() { w.fire(gen) })
}

// fire ends a debounce: it calls changed unless Close ran or a newer
// timer took over.
func (w *Watcher) fire(gen uint64) {
	w.mu.Lock()
	if w.closed || gen != w.gen {
		w.mu.Unlock()
		return
	}
	w.timer = nil
	w.mu.Unlock()
	w.changed()
}

// Close stops watching and waits for the reading goroutine to end. No
// call of changed starts after Close returns; one that started before
// may still be running, since Close does not wait for it (so changed may
// itself call Close, or block on the goroutine that does). Closing again
// does nothing and returns nil.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
	w.mu.Unlock()
	err := w.f.Close() // wakes the read parked in the poller
	<-w.done
	if err != nil {
		return fmt.Errorf("cfgwatch: close inotify: %w", err)
	}
	return nil
}
