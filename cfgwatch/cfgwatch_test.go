package cfgwatch

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// wait is how long a test waits for an event or a call that must come.
const wait = 10 * time.Second

// entry is one thing a recorder saw: an event as the Watcher judged it,
// or a call of changed.
type entry struct {
	call     bool
	name     string
	mask     uint32
	relevant bool
	at       time.Time
}

// recorder runs a Watcher whose events and calls go, in order, to log.
// Events are logged before they arm the timer, so a call is logged after
// every event it covers.
type recorder struct {
	w        *Watcher
	debounce time.Duration
	log      chan entry
}

func watch(t *testing.T, files, dirs []string, debounce time.Duration) *recorder {
	t.Helper()
	r := &recorder{debounce: debounce, log: make(chan entry, 10000)}
	w, err := start(files, dirs, debounce,
		func() { r.log <- entry{call: true, at: time.Now()} },
		func(wd int32, mask uint32, name string, relevant bool) {
			r.log <- entry{name: name, mask: mask, relevant: relevant, at: time.Now()}
		})
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	t.Cleanup(func() {
		// Drain, so that a full log cannot block the reader that
		// Close waits for.
		stop := make(chan struct{})
		go func() {
			for {
				select {
				case <-r.log:
				case <-stop:
					return
				}
			}
		}()
		w.Close()
		close(stop)
	})
	return r
}

// next returns the next entry, failing the test after wait.
func (r *recorder) next(t *testing.T) entry {
	t.Helper()
	select {
	case e := <-r.log:
		return e
	case <-time.After(wait):
		t.Fatalf("nothing happened in %v", wait)
		return entry{}
	}
}

// untilCall returns the events logged before the next call. It checks the
// call came at least debounce after the last relevant event, and that no
// debounce is pending after it.
func (r *recorder) untilCall(t *testing.T) []entry {
	t.Helper()
	var evs []entry
	var last time.Time
	for {
		e := r.next(t)
		if e.call {
			if last.IsZero() {
				t.Fatalf("a call with no relevant event before it (events %v)", names(evs, false))
			}
			if gap := e.at.Sub(last); gap < r.debounce {
				t.Errorf("call %v after the last relevant event, before the %v debounce", gap, r.debounce)
			}
			r.settled(t)
			return evs
		}
		if e.relevant {
			last = e.at
		}
		evs = append(evs, e)
	}
}

// untilEvent returns the entries up to and including the first event for
// name, failing if a call comes first.
func (r *recorder) untilEvent(t *testing.T, name string) []entry {
	t.Helper()
	var evs []entry
	for {
		e := r.next(t)
		if e.call {
			t.Fatalf("a call before any event for %q (events %v)", name, names(evs, false))
		}
		evs = append(evs, e)
		if e.name == name {
			return evs
		}
	}
}

// untilIgnored returns once an IN_IGNORED is seen, in evs (logged before a
// call) or after; it fails if another call comes first.
func (r *recorder) untilIgnored(t *testing.T, evs []entry) {
	t.Helper()
	for _, e := range evs {
		if e.mask&unix.IN_IGNORED != 0 {
			return
		}
	}
	for e := r.next(t); e.mask&unix.IN_IGNORED == 0; e = r.next(t) {
		if e.call {
			t.Fatal("another call before IN_IGNORED")
		}
	}
}

// settled fails unless no debounce is pending: with no events after the
// call, no other call can follow.
func (r *recorder) settled(t *testing.T) {
	t.Helper()
	r.w.mu.Lock()
	defer r.w.mu.Unlock()
	if r.w.timer != nil {
		t.Error("a debounce is still pending after the call")
	}
}

// names lists the names of the events, only the relevant ones if asked.
func names(evs []entry, relevant bool) []string {
	var out []string
	for _, e := range evs {
		if !e.call && (e.relevant || !relevant) {
			out = append(out, e.name)
		}
	}
	return out
}

// counted fails unless the events that counted were all for want.
func counted(t *testing.T, evs []entry, want ...string) {
	t.Helper()
	rel := names(evs, true)
	if len(rel) == 0 {
		t.Fatalf("no relevant event (events %v)", names(evs, false))
	}
	for _, n := range rel {
		if !contains(want, n) {
			t.Errorf("event for %q counted (relevant %v, want only %v)", n, rel, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// configDir makes a directory holding tend.toml.
func configDir(t *testing.T) (dir, file string) {
	dir = t.TempDir()
	file = filepath.Join(dir, "tend.toml")
	writeFile(t, file, "[program.a]\n")
	return dir, file
}

func TestWrite(t *testing.T) {
	_, file := configDir(t)
	r := watch(t, []string{file}, nil, 50*time.Millisecond)
	writeFile(t, file, "[program.b]\n")
	counted(t, r.untilCall(t), "tend.toml")
}

func TestMissingFileCreated(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tend.toml")
	r := watch(t, []string{file}, nil, 50*time.Millisecond)
	writeFile(t, file, "[program.a]\n")
	counted(t, r.untilCall(t), "tend.toml")
}

// TestRenameOver saves as an editor does: a new file, renamed over.
func TestRenameOver(t *testing.T) {
	dir, file := configDir(t)
	r := watch(t, []string{file}, nil, 50*time.Millisecond)
	tmp := filepath.Join(dir, ".tend.toml.tmp")
	writeFile(t, tmp, "[program.b]\n")
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	evs := r.untilCall(t)
	counted(t, evs, "tend.toml")
	if !contains(names(evs, false), ".tend.toml.tmp") {
		t.Errorf("no event seen for the temporary file (events %v)", names(evs, false))
	}
}

// configMapUpdate does what the kubelet does to a ConfigMap volume: a new
// timestamped directory, ..data_tmp pointing to it renamed over ..data,
// and the old directory removed. With old "", it lays the volume out.
func configMapUpdate(t *testing.T, dir, old, stamp, data string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir(filepath.Join(dir, stamp), 0o755))
	writeFile(t, filepath.Join(dir, stamp, "tend.toml"), data)
	must(os.Symlink(stamp, filepath.Join(dir, "..data_tmp")))
	must(os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	if old == "" {
		must(os.Symlink(filepath.Join("..data", "tend.toml"), filepath.Join(dir, "tend.toml")))
	} else {
		must(os.RemoveAll(filepath.Join(dir, old)))
	}
}

func TestConfigMap(t *testing.T) {
	dir := t.TempDir()
	configMapUpdate(t, dir, "", "..2026_12_02_10_00_00.123", "[program.a]\n")
	file := filepath.Join(dir, "tend.toml")
	r := watch(t, []string{file}, nil, 50*time.Millisecond)

	configMapUpdate(t, dir, "..2026_12_02_10_00_00.123", "..2026_12_02_10_05_00.456", "[program.b]\n")
	evs := r.untilCall(t)
	counted(t, evs, "..data")
	if got, err := os.ReadFile(file); err != nil || string(got) != "[program.b]\n" {
		t.Fatalf("the update did not take: %q, %v", got, err)
	}
	// The old directory's removal comes last; see it go by uncounted
	// before the next update, so that it cannot be mistaken for that one.
	if !contains(names(evs, false), "..2026_12_02_10_00_00.123") {
		r.untilEvent(t, "..2026_12_02_10_00_00.123")
	}

	configMapUpdate(t, dir, "..2026_12_02_10_05_00.456", "..2026_12_02_10_10_00.789", "[program.c]\n")
	counted(t, r.untilCall(t), "..data")

	r.w.Close()
	if len(r.w.watches) != 1 {
		t.Errorf("watching %d directories, want only %s (%v)", len(r.w.watches), dir, r.w.watches)
	}
}

// TestSymlinkTarget: a config file that is a symlink to a file elsewhere
// counts writes to that file.
func TestSymlinkTarget(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"etc", "other"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	real := filepath.Join(root, "other", "real.toml")
	writeFile(t, real, "[program.a]\n")
	file := filepath.Join(root, "etc", "tend.toml")
	if err := os.Symlink(filepath.Join("..", "other", "real.toml"), file); err != nil {
		t.Fatal(err)
	}
	r := watch(t, []string{file}, nil, 50*time.Millisecond)
	writeFile(t, real, "[program.b]\n")
	counted(t, r.untilCall(t), "real.toml")
}

// TestBurst: 20 writes in a row give one call, after the last.
func TestBurst(t *testing.T) {
	_, file := configDir(t)
	// Longer than tend's 200ms, so that a loaded machine does not split
	// the burst.
	r := watch(t, []string{file}, nil, 500*time.Millisecond)
	for i := range 20 {
		writeFile(t, file, strings.Repeat("#\n", i))
	}
	// The kernel merges a repeated event still unread, so the writes
	// cannot be counted; but events come in order, so once this one is
	// seen, every write has been.
	writeFile(t, file+".sentinel", "")
	evs := r.untilCall(t)
	counted(t, evs, "tend.toml")
	// untilCall checked that no debounce is pending: the call was the only
	// one.
	if !contains(names(evs, false), "tend.toml.sentinel") {
		t.Errorf("the call came before the last write was seen (events %v)", names(evs, false))
	}
}

// TestUnrelated: another name in the config file's directory does not
// count; the write after it gives exactly one call.
func TestUnrelated(t *testing.T) {
	dir, file := configDir(t)
	r := watch(t, []string{file}, nil, 50*time.Millisecond)
	for _, n := range []string{".tend.toml.swp", "tend.toml~", "4913", "other.toml"} {
		writeFile(t, filepath.Join(dir, n), "x")
		for _, e := range r.untilEvent(t, n) {
			if e.relevant {
				t.Errorf("event for %q counted", e.name)
			}
		}
	}
	writeFile(t, file, "[program.b]\n")
	counted(t, r.untilCall(t), "tend.toml")
}

// TestIncludeDir: any entry added to or removed from an include directory
// counts.
func TestIncludeDir(t *testing.T) {
	_, file := configDir(t)
	inc := t.TempDir()
	r := watch(t, []string{file}, []string{inc}, 50*time.Millisecond)
	add := filepath.Join(inc, "a.toml")
	writeFile(t, add, "[program.c]\n")
	counted(t, r.untilCall(t), "a.toml")
	if err := os.Remove(add); err != nil {
		t.Fatal(err)
	}
	counted(t, r.untilCall(t), "a.toml")
}

// TestSameDir: a config file in its own include directory.
func TestSameDir(t *testing.T) {
	dir, file := configDir(t)
	r := watch(t, []string{file}, []string{dir}, 50*time.Millisecond)
	writeFile(t, filepath.Join(dir, "b.toml"), "[program.b]\n")
	counted(t, r.untilCall(t), "b.toml")
	r.w.Close()
	if len(r.w.watches) != 1 {
		t.Errorf("%d watches for one directory", len(r.w.watches))
	}
}

// TestDirRemoved: an include directory removed counts, is no longer
// watched, and the rest goes on.
func TestDirRemoved(t *testing.T) {
	_, file := configDir(t)
	inc := filepath.Join(t.TempDir(), "conf.d")
	if err := os.Mkdir(inc, 0o755); err != nil {
		t.Fatal(err)
	}
	r := watch(t, []string{file}, []string{inc}, 50*time.Millisecond)
	if err := os.Remove(inc); err != nil {
		t.Fatal(err)
	}
	r.untilIgnored(t, r.untilCall(t))
	writeFile(t, file, "[program.b]\n")
	counted(t, r.untilCall(t), "tend.toml")
	r.w.Close()
	if len(r.w.watches) != 1 {
		t.Errorf("%d watches left, want 1 (%v)", len(r.w.watches), r.w.watches)
	}
}

// TestDirMoved: an include directory renamed away counts, and what
// happens in it after does not.
func TestDirMoved(t *testing.T) {
	_, file := configDir(t)
	parent := t.TempDir()
	inc := filepath.Join(parent, "conf.d")
	if err := os.Mkdir(inc, 0o755); err != nil {
		t.Fatal(err)
	}
	r := watch(t, []string{file}, []string{inc}, 50*time.Millisecond)
	moved := filepath.Join(parent, "old.d")
	if err := os.Rename(inc, moved); err != nil {
		t.Fatal(err)
	}
	// unwatch answers the move with IN_IGNORED.
	r.untilIgnored(t, r.untilCall(t))
	writeFile(t, filepath.Join(moved, "a.toml"), "x")
	writeFile(t, file, "[program.b]\n")
	counted(t, r.untilCall(t), "tend.toml")
}

// TestClose: no call after Close, even with a debounce pending, and Close
// returns promptly.
func TestClose(t *testing.T) {
	dir, file := configDir(t)
	r := watch(t, []string{file}, nil, time.Second)
	// A witness with a longer debounce: by its call, r's timer, had it
	// survived Close, would have fired long before.
	calls := make(chan struct{}, 10)
	witness, err := New([]string{file}, nil, 2*time.Second, func() { calls <- struct{}{} })
	if err != nil {
		t.Fatal(err)
	}
	defer witness.Close()

	writeFile(t, file, "[program.b]\n")
	// Once the event after it is seen, the write's has armed the timer.
	writeFile(t, filepath.Join(dir, "after"), "")
	r.untilEvent(t, "after")
	r.w.mu.Lock()
	pending := r.w.timer != nil
	r.w.mu.Unlock()
	if !pending {
		t.Fatal("no debounce pending before Close")
	}
	began := time.Now()
	if err := r.w.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(began); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	writeFile(t, file, "[program.c]\n")
	select {
	case <-calls:
	case <-time.After(wait):
		t.Fatal("no call for the witness")
	}
	for {
		select {
		case e := <-r.log:
			if e.call {
				t.Fatal("changed called after Close")
			}
			continue
		default:
		}
		break
	}
	if err := r.w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestCloseIdle: Close unblocks the read parked in the poller.
func TestCloseIdle(t *testing.T) {
	_, file := configDir(t)
	w, err := New([]string{file}, nil, time.Millisecond, func() {})
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan error, 1)
	go func() { closed <- w.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Close did not return")
	}
}

// TestCloseFromChanged: changed may call Close.
func TestCloseFromChanged(t *testing.T) {
	_, file := configDir(t)
	var w atomic.Pointer[Watcher]
	done := make(chan error, 1)
	ww, err := New([]string{file}, nil, time.Millisecond, func() { done <- w.Load().Close() })
	if err != nil {
		t.Fatal(err)
	}
	w.Store(ww)
	writeFile(t, file, "[program.b]\n")
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Close from changed did not return")
	}
}

func TestNewErrors(t *testing.T) {
	tmp := t.TempDir()
	missing := filepath.Join(tmp, "missing")
	regular := filepath.Join(tmp, "regular")
	writeFile(t, regular, "")
	for _, tc := range []struct {
		name        string
		files, dirs []string
		want        []string // in the error
	}{
		{"missing include dir", nil, []string{missing}, []string{missing, "no such file"}},
		{"missing config dir", []string{filepath.Join(missing, "tend.toml")}, nil, []string{missing, "tend.toml", "no such file"}},
		{"include dir a file", nil, []string{regular}, []string{regular, "not a directory"}},
		{"second dir missing", nil, []string{tmp, missing}, []string{missing}},
	} {
		w, err := New(tc.files, tc.dirs, time.Millisecond, func() {})
		if err == nil {
			w.Close()
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, s)
			}
		}
	}
	if _, err := New(nil, []string{tmp}, time.Millisecond, nil); err == nil {
		t.Error("nil changed: no error")
	}
}
