# shellcheck shell=bash
# bench/lib.sh: what the bench scripts share. A script sources it early,
# then calls `bench_init NAME WHY` before anything that can fail:
#
#   here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
#   source "$here/lib.sh"
#   bench_init pid1 "unshare --pid"
#
# It sets `repo` (this checkout) on sourcing; bench_init defines the rest.
# A script whose exit needs more than cleanup does (put pid_max back,
# unmount a tmpfs) defines `cleanup_more`, which cleanup calls after the
# background processes are gone and before $tmp is removed.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# log MSG...: "HH:MM:SS NAME.sh: MSG" on stderr. die MSG...: log it, exit 1.
log() { printf '%(%T)T %s.sh: %s\n' -1 "$bench" "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# bench_init NAME WHY: name the script for log (NAME.sh), die unless root
# (WHY: what needs root), make $tmp (/tmp/NAMEbench.XXXXXX), and have
# cleanup run on exit, on SIGINT (exit 130) and on SIGTERM (exit 143).
bench_init() {
	bench=$1
	[[ $(id -u) == 0 ]] || die "must run as root ($2)"
	tmp=$(mktemp -d "/tmp/${bench}bench.XXXXXX")
	bg_pids=()   # processes started in the background: killed on exit
	pause_pid="" # the sleep of a pause under way
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# cleanup: end a pause under way, SIGKILL every process in bg_pids and wait
# for it, run cleanup_more if the script has one, then remove $tmp (KEEP=1
# keeps it).
cleanup() {
	local p
	if [[ -n $pause_pid ]]; then
		kill "$pause_pid" 2>/dev/null || true
	fi
	for p in "${bg_pids[@]}"; do
		# unshare ignores SIGTERM; with --kill-child, its SIGKILL takes
		# the namespace (PID 1 and every program) down with it. A
		# watcher takes its unshare down (PR_SET_PDEATHSIG).
		kill -KILL "$p" 2>/dev/null || true
	done
	for p in "${bg_pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	if declare -F cleanup_more >/dev/null; then
		cleanup_more
	fi
	if [[ ${KEEP:-} == 1 ]]; then
		log "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}

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
# cleanup kills $pause_pid.
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

# pid1 UNSHARE: PID 1 of the namespace (the child of unshare), waiting up to
# 10 s for it.
pid1() {
	local c="" deadline=$((SECONDS + 10))
	while [[ -z $c ]]; do
		((SECONDS < deadline)) || die "no PID 1 under unshare $1"
		c=$(children "$1")
		[[ -n $c ]] || nap
	done
	echo "$c"
}

# switches PID [LABEL]: "LABELTID voluntary nonvoluntary" for each thread
# of PID, its context switches so far.
switches() {
	local t key v vol nonvol
	for t in /proc/"$1"/task/*; do
		vol=0 nonvol=0
		while read -r key v; do
			case $key in
			voluntary_ctxt_switches:) vol=$v ;;
			nonvoluntary_ctxt_switches:) nonvol=$v ;;
			esac
		done <"$t/status"
		echo "${2:-}${t##*/} $vol $nonvol"
	done
}
