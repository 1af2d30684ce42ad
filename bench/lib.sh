# bench/lib.sh: what the bench scripts share. Source it after setting
# `repo` and `tmp` and defining `log` and `die`.

# build_tend sets $tend to the binary under test and $tend_build to how it
# was made: $TEND if given, else a release build of this checkout.
build_tend() {
	if [[ -n ${TEND:-} ]]; then
		tend=$TEND
		tend_build="prebuilt $TEND"
	else
		tend=$tmp/tend
		tend_build="cd $repo && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o \$TMP/tend ."
		log "building tend"
		(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$tend" .)
	fi
	[[ -x $tend ]] || die "$tend not built"
}

# pause N: sleep N seconds in a way a signal can cut short (bash runs a
# trap only once its foreground command is done; wait returns at once).
# The script's cleanup kills $pause_pid.
pause() {
	sleep "$1" &
	pause_pid=$!
	wait $pause_pid || true
	pause_pid=""
}

# nap: sleep 10 ms without starting a process (read times out on a pipe
# that never has anything in it).
exec {nap_fd}<> <(:)
nap() { read -r -t 0.01 -u "$nap_fd" _ || true; }

# children PID: the children of every thread of PID.
children() {
	local f line
	for f in /proc/"$1"/task/*/children; do
		line=""
		read -r line <"$f" 2>/dev/null || true
		[[ -n $line ]] && echo "$line"
	done
	return 0
}
