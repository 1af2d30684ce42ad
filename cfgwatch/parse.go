package cfgwatch

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The fields of struct inotify_event, as the kernel lays them out. The
// offsets come from unix.InotifyEvent rather than a raw pointer cast, so
// that parse never makes an unaligned or out-of-bounds load whatever the
// bytes are: every read below is a bounds-checked slice access.
const (
	offWd    = unsafe.Offsetof(unix.InotifyEvent{}.Wd)
	offMask  = unsafe.Offsetof(unix.InotifyEvent{}.Mask)
	offLen   = unsafe.Offsetof(unix.InotifyEvent{}.Len)
	eventLen = unix.SizeofInotifyEvent
)

// parse calls f for each whole event in buf, as read(2) on an inotify fd
// returns them: a struct inotify_event, then Len bytes of name padded with
// NULs (Len is 0 for an event on the watched directory itself). The name
// ends at its first NUL. A truncated event at the end, which the kernel
// never produces, ends parsing rather than being guessed at.
func parse(buf []byte, f func(wd int32, mask uint32, name string)) {
	for len(buf) >= eventLen {
		wd := int32(binary.NativeEndian.Uint32(buf[offWd:]))
		mask := binary.NativeEndian.Uint32(buf[offMask:])
		n := binary.NativeEndian.Uint32(buf[offLen:])
		buf = buf[eventLen:]
		// Compared as uint64: int(n) could be negative on 32-bit.
		if uint64(n) > uint64(len(buf)) {
			return
		}
		name := buf[:n]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		f(wd, mask, string(name))
		buf = buf[n:]
	}
}
