#!/usr/bin/env bash
# bench/supervise.sh: tend in supervisor mode side by side with supervisord
# and s6 (s6-svscan + s6-supervise), in one run. Each supervisor runs as
# PID 1 of a new PID namespace (unshare --pid --fork --kill-child
# --mount-proc), so run it as root:
#
#   bash bench/supervise.sh
#
# It prints a markdown table, then the raw numbers, on stdout; progress goes
# to stderr. It measures:
#
#   start   ms from just before the supervisor is exec'd (a launcher inside
#           the namespace reads CLOCK_MONOTONIC and execve()s it, so it is
#           PID 1) until N programs are all up, N = 20 and 200, each program
#           a static C `pause()`:
#             tend         the N-th `to=RUNNING` line of its log, read from
#                          a pipe (startsecs = 0)
#             supervisord  the N-th "entered RUNNING state" line of its log
#                          (nodaemon, so the log is on stdout; startsecs=0,
#                          stdout/stderr_logfile=NONE, a unix_http_server)
#             s6           the latest spawn stamp s6-supervise wrote in the N
#                          supervise/status files (s6 has no startsecs: up is
#                          spawned), a fresh scandir each time
#           START_REPS runs per supervisor and N (+START_WARMUP warm-up),
#           interleaved, the order shifting each round.
#   memory  RSS and PSS (smaps_rollup) with MEM_N programs up and idle, one
#           supervisor at a time: tend; supervisord (python); s6-svscan plus
#           its MEM_N s6-supervise, summed.
#   idle    context switches (voluntary + nonvoluntary, all threads) over
#           IDLE_SECS with IDLE_N idle programs, the three side by side;
#           for s6, s6-svscan plus all its s6-supervise.
#   crash   ms from a program's exit to the start of the next instance: the
#           program appends CLOCK_MONOTONIC to a file when it starts and just
#           before it exits 1. tend and supervisord: startsecs = 1,
#           autorestart = unexpected; tend also backoff_max = "1s", so that a
#           stable run restarts at once (after a shorter one tend waits 1 s
#           in BACKOFF). tend counts a run from RUNNING, i.e. after
#           startsecs, so two variants: runs of CRASH_MS (1.5 s: 0.5 s
#           RUNNING, not stable for tend) and of CRASH_MS_STABLE (2.5 s).
#           s6 always restarts (s6 2.11 waits 1 s after every death). The
#           three side by side, CRASH_SAMPLES gaps each per variant.
#
# Knobs (environment): START_REPS (6), START_WARMUP (1), START_NS ("20 200"),
# MEM_N (20), IDLE_N (10), IDLE_SECS (20), CRASH_SAMPLES (6), CRASH_MS (1500),
# CRASH_MS_STABLE (2500),
# NICE (-20: the whole run at this priority), KEEP=1 (keep the temp dir with
# the configs and logs), TEND (a tend binary built
# already; else it is built from this checkout with release flags).
set -euo pipefail

START_REPS=${START_REPS:-6}
START_WARMUP=${START_WARMUP:-1}
START_NS=${START_NS:-20 200}
MEM_N=${MEM_N:-20}
IDLE_N=${IDLE_N:-10}
IDLE_SECS=${IDLE_SECS:-20}
CRASH_SAMPLES=${CRASH_SAMPLES:-6}
CRASH_MS=${CRASH_MS:-1500}
CRASH_MS_STABLE=${CRASH_MS_STABLE:-2500}
CRASH_MS_BRIEF=$CRASH_MS
NICE=${NICE:--20}
WATCH_SECS=60 # a start that takes longer is a timeout

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init supervise "unshare --pid"

for tool in unshare gcc go awk sort supervisord supervisorctl s6-svscan s6-supervise s6-svstat; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

# ---------------------------------------------------------------- build
src=$here/supervise-helper/supervise.c
H=$tmp/tool P=$tmp/pause C=$tmp/crash
gcc -O2 -static -Wall -Wextra -DTOOL -o "$H" "$src"
gcc -O2 -static -Wall -Wextra -DPAUSE -o "$P" "$src"
gcc -O2 -static -Wall -Wextra -DCRASH -o "$C" "$src"
build_tend

renice -n "$NICE" -p $$ >/dev/null || log "cannot renice to $NICE; running at $(nice)"
export TZ=UTC # supervisord's log time stamps, read as UTC

busy() {
	local load procs
	read -r load </proc/loadavg
	procs=(/proc/[0-9]*)
	echo "load average ${load% *}, ${#procs[@]} processes"
}
# Other benchmark scripts on the machine (bench/pid1.sh makes 20,000 processes).
others() {
	local p l out=""
	for p in $(pgrep -f 'bench/[a-z0-9_-]*\.sh' || true); do
		((p == $$)) && continue
		l=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
		[[ $l == *supervise.sh* ]] && continue
		out+="${out:+, }$l"
	done
	echo "${out:-none}"
}
busy_before="$(busy); other bench scripts: $(others)"
started=$SECONDS

# ---------------------------------------------------------------- configs
# conf_tend NAME N CMD [EXTRA]: a tend config with programs p0..p(N-1).
conf_tend() {
	local f=$tmp/$1.toml n=$2 cmd=$3 extra=${4:-} i
	for ((i = 0; i < n; i++)); do
		printf '[program.p%d]\ncommand = ["%s"]\n%b\n' "$i" "$cmd" "$extra"
	done >"$f"
}
# conf_sd NAME N CMD [EXTRA]: a supervisord config, likewise.
conf_sd() {
	local f=$tmp/$1.conf n=$2 cmd=$3 extra=${4:-} i
	{
		printf '[supervisord]\nnodaemon=true\nuser=root\nlogfile=/dev/null\nlogfile_maxbytes=0\n'
		printf 'pidfile=%s/%s.pid\nchildlogdir=%s\n\n' "$tmp" "$1" "$tmp"
		printf '[unix_http_server]\nfile=%s/%s.sock\n\n' "$tmp" "$1"
		printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n'
		printf '[supervisorctl]\nserverurl=unix://%s/%s.sock\n\n' "$tmp" "$1"
		for ((i = 0; i < n; i++)); do
			printf '[program:p%d]\ncommand=%s\nstdout_logfile=NONE\nstderr_logfile=NONE\n%b\n' "$i" "$cmd" "$extra"
		done
	} >"$f"
}
# conf_s6 NAME N RUN: a template scandir with services s0..s(N-1), each
# ./run a symlink to RUN (no shell in between).
conf_s6() {
	local d=$tmp/$1.tpl n=$2 run=$3 i
	mkdir -p "$d"
	for ((i = 0; i < n; i++)); do
		mkdir "$d/s$i"
		ln -s "$run" "$d/s$i/run"
	done
}
for n in $START_NS $MEM_N $IDLE_N; do
	[[ -e $tmp/up$n.toml ]] && continue
	conf_tend "up$n" "$n" "$P" 'startsecs = 0\n'
	conf_sd "up$n" "$n" "$P" 'startsecs=0\n'
	conf_s6 "up$n" "$n" "$P"
done
mkdir -p "$tmp/crash.tend" "$tmp/crash.supervisord"
conf_tend crash 1 "$C" "startsecs = 1\nautorestart = \"unexpected\"\nbackoff_max = \"1s\"\ndirectory = \"$tmp/crash.tend\"\n"
conf_sd crash 1 "$C" "startsecs=1\nautorestart=unexpected\nexitcodes=0\ndirectory=$tmp/crash.supervisord\n"
conf_s6 crash 1 "$C"
export CRASH_MS

names=(tend supervisord s6)

# argv_NAME CONF: the command line of supervisor NAME for config CONF
# (for s6, a fresh copy of the template scandir, made here).
cmdline() {
	local n=$1 conf=$2
	case $n in
	tend) cmd=("$tend" --log-level info -c "$tmp/$conf.toml") ;;
	supervisord)
		rm -f "$tmp/$conf.sock" "$tmp/$conf.pid"
		cmd=(supervisord -c "$tmp/$conf.conf")
		;;
	s6)
		rm -rf "$tmp/$conf.scan"
		cp -a "$tmp/$conf.tpl" "$tmp/$conf.scan"
		cmd=(s6-svscan "$tmp/$conf.scan")
		;;
	esac
}
pattern() {
	case $1 in
	tend) echo "to=RUNNING" ;;
	supervisord) echo "entered RUNNING state" ;;
	esac
}

# ---------------------------------------------------------------- 1. start
nsup=${#names[@]}
log "start: $START_REPS runs per supervisor and N in ($START_NS) (+$START_WARMUP warm-up), interleaved"
for ((r = 0; r < START_WARMUP + START_REPS; r++)); do
	for n in $START_NS; do
		for ((i = 0; i < nsup; i++)); do
			s=${names[(r + i) % nsup]}
			cmdline "$s" "up$n"
			ns=(unshare --pid --fork --kill-child --mount-proc "$H" launch "${cmd[@]}")
			if [[ $s == s6 ]]; then
				"$H" watch-s6 "$n" "$tmp/up$n.scan" "$WATCH_SECS" -- "${ns[@]}" >"$tmp/out" &
			else
				"$H" watch "$n" "$(pattern "$s")" "$WATCH_SECS" -- "${ns[@]}" >"$tmp/out" &
			fi
			bg_pids=("$!")
			wait "$!" || true
			bg_pids=()
			status=error ms="" own=""
			read -r status ms own <"$tmp/out" || true
			if [[ $status != ok ]]; then
				log "  start $s N=$n run $r: $status $ms"
				if ((r >= START_WARMUP)); then echo "$status $ms" >>"$tmp/r.startfail.$s.$n"; fi
				continue
			fi
			((r >= START_WARMUP)) || continue
			echo "$ms" >>"$tmp/start.$s.$n"
			echo "$own" >>"$tmp/r.startown.$s.$n"
			log "  start $s N=$n: $ms ms (own stamp / poller: $own ms)"
		done
		# The floor: N serial posix_spawn of the same program, no supervisor.
		read -r status ms <<<"$("$H" floor "$n" "$P")"
		if ((r >= START_WARMUP)); then echo "$ms" >>"$tmp/start.floor.$n"; fi
	done
done
for s in "${names[@]}" floor; do
	for n in $START_NS; do
		[[ -e $tmp/start.$s.$n ]] && sort -g "$tmp/start.$s.$n" >"$tmp/r.start.$s.$n"
	done
done

# ---------------------------------------------------------------- helpers
# count PAT FILE: lines of FILE with PAT.
count() {
	local l k=0
	while IFS= read -r l; do
		[[ $l == *"$1"* ]] && k=$((k + 1))
	done <"$2"
	echo $k
}
# allup NAME N CONF: the programs of that run are all up.
allup() {
	case $1 in
	s6) "$H" s6up "$2" "$tmp/$3.scan" ;;
	*) (($(count "$(pattern "$1")" "$tmp/log.$1") >= $2)) ;;
	esac
}
# procs NAME PID1: the processes that make up supervisor NAME.
procs() {
	local c comm
	echo "$2"
	[[ $1 == s6 ]] || return 0
	for c in $(children "$2"); do
		read -r comm <"/proc/$c/comm" 2>/dev/null || continue
		[[ $comm == s6-supervise ]] && echo "$c"
	done
	return 0
}
# start_bg NAME CONF: start supervisor NAME in the background, log to
# $tmp/log.NAME; sets upid[NAME] and ipid[NAME].
declare -A upid ipid
start_bg() {
	cmdline "$1" "$2"
	unshare --pid --fork --kill-child --mount-proc "${cmd[@]}" >"$tmp/log.$1" 2>&1 &
	upid[$1]=$!
	bg_pids+=("$!")
	ipid[$1]=$(pid1 "${upid[$1]}")
}
# wait_up NAME N CONF
wait_up() {
	local deadline=$((SECONDS + 60))
	until allup "$1" "$2" "$3"; do
		((SECONDS < deadline)) || die "$1: $2 programs not all up after 60 s"
		nap
	done
}
stop_bg() {
	kill -KILL "${upid[$1]}" 2>/dev/null || true
	wait "${upid[$1]}" 2>/dev/null || true
}
# smaps NAME: sum of smaps_rollup fields over the processes of NAME,
# and how many processes.
smaps() {
	local p key v
	declare -A sum=()
	local k=0
	for p in $(procs "$1" "${ipid[$1]}"); do
		k=$((k + 1))
		while read -r key v _; do
			sum[$key]=$((${sum[$key]:-0} + v))
		done <"/proc/$p/smaps_rollup"
	done
	echo "procs $k rss ${sum[Rss:]} pss ${sum[Pss:]} pss_anon ${sum[Pss_Anon:]} pss_file ${sum[Pss_File:]} private ${sum[Private_Clean:]}+${sum[Private_Dirty:]} shared ${sum[Shared_Clean:]}+${sum[Shared_Dirty:]}"
}
# snap NAME: "PID/TID voluntary nonvoluntary" for each thread of NAME's processes.
snap() {
	local p
	for p in $(procs "$1" "${ipid[$1]}"); do
		switches "$p" "$p/"
	done
}

# ---------------------------------------------------------------- 2. memory
log "memory: $MEM_N programs, one supervisor at a time"
for s in "${names[@]}"; do
	start_bg "$s" "up$MEM_N"
	wait_up "$s" "$MEM_N" "up$MEM_N"
	pause 2
	smaps "$s" >"$tmp/r.mem.$s"
	threads=$(awk '$1 == "Threads:" {print $2}' "/proc/${ipid[$s]}/status")
	echo "threads $threads" >>"$tmp/r.mem.$s"
	log "  memory $s: $(head -1 "$tmp/r.mem.$s")"
	# Cross-check with each one's own status tool, after the snapshot.
	case $s in
	tend) up="$(count to=RUNNING "$tmp/log.tend") RUNNING lines in tend's log" ;;
	supervisord) up="$(supervisorctl -c "$tmp/up$MEM_N.conf" status | grep -c ' RUNNING ') RUNNING in supervisorctl status" ;;
	s6) up="$(for ((i = 0; i < MEM_N; i++)); do s6-svstat -o up "$tmp/up$MEM_N.scan/s$i"; done | grep -c true) up in s6-svstat" ;;
	esac
	# Other copies of the same program on the machine share its pages, and
	# lower its PSS: say how many there were.
	case $s in
	tend) same=$(($(pgrep -xc tend || true))) ;;
	supervisord) same=$(($(pgrep -fc 'bin/supervisord' || true))) ;;
	s6) same=$(($(pgrep -xc s6-svscan || true))) ;;
	esac
	echo "check $up; $((same - 1)) other $s processes on the machine" >>"$tmp/r.mem.$s"
	stop_bg "$s"
done
bg_pids=()

# ---------------------------------------------------------------- 3. idle
log "idle: the three side by side, $IDLE_N programs each, $IDLE_SECS s"
for s in "${names[@]}"; do
	start_bg "$s" "up$IDLE_N"
done
for s in "${names[@]}"; do
	wait_up "$s" "$IDLE_N" "up$IDLE_N"
done
pause 2
for s in "${names[@]}"; do snap "$s" >"$tmp/ctxt0.$s"; done
pause "$IDLE_SECS"
for s in "${names[@]}"; do snap "$s" >"$tmp/ctxt1.$s"; done
for s in "${names[@]}"; do
	smaps "$s" >"$tmp/r.idlemem.$s"
	# Threads at both ends of the window; one born since counts from 0.
	join -a 2 -e 0 -o 2.1,1.2,1.3,2.2,2.3 <(sort "$tmp/ctxt0.$s") <(sort "$tmp/ctxt1.$s") >"$tmp/r.ctxt.$s"
	stop_bg "$s"
done
bg_pids=()

# ---------------------------------------------------------------- 4. crash
# Two variants, each with the three side by side: "brief", runs of CRASH_MS
# (1.5 s: tend counts a run from RUNNING, so with startsecs 1 that is 0.5 s,
# shorter than backoff_max, and tend waits in BACKOFF); "stable", runs of
# CRASH_MS_STABLE (2.5 s: 1.5 s RUNNING, a stable run for tend).
for variant in brief stable; do
	if [[ $variant == brief ]]; then ms=$CRASH_MS_BRIEF; else ms=$CRASH_MS_STABLE; fi
	export CRASH_MS=$ms
	log "crash ($variant): $CRASH_SAMPLES restarts per supervisor after $ms ms runs, the three side by side"
	declare -A times=()
	for s in "${names[@]}"; do
		case $s in
		s6) times[$s]=$tmp/crash.scan/s0/crash.times ;;
		*) times[$s]=$tmp/crash.$s/crash.times ;;
		esac
		rm -f "${times[$s]}"
		start_bg "$s" crash
	done
	deadline=$((SECONDS + (CRASH_SAMPLES + 1) * (ms + 4000) / 1000 + 5))
	for s in "${names[@]}"; do
		until [[ -e ${times[$s]} ]] && (($(count start "${times[$s]}") > CRASH_SAMPLES)); do
			((SECONDS < deadline)) || {
				log "  crash $s: only $(count start "${times[$s]}" 2>/dev/null || echo 0) starts by the deadline"
				break
			}
			nap
		done
	done
	for s in "${names[@]}"; do
		stop_bg "$s"
		# gap i: exit of run i to start of run i+1, in ms
		awk '$1 == "exit" {e = $2} $1 == "start" && e != "" {printf "%.3f\n", ($2 - e) / 1e6; e = ""}' "${times[$s]}" |
			head -n "$CRASH_SAMPLES" >"$tmp/gaps.$variant.$s"
		sort -g "$tmp/gaps.$variant.$s" >"$tmp/r.crash$variant.$s"
		log "  crash $s: gaps (ms) $(tr "\n" " " <"$tmp/gaps.$variant.$s")"
	done
	# How tend restarted: through BACKOFF, or at once (STOPPED/EXITED -> STARTING
	# is not logged then; count the starts instead).
	echo "tend log: $(count 'msg="program started"' "$tmp/log.tend") starts, $(count 'to=BACKOFF' "$tmp/log.tend") exits to BACKOFF" >"$tmp/r.crashnote$variant.tend"
	bg_pids=()
done

elapsed=$((SECONDS - started))
busy_after="$(busy); other bench scripts: $(others)"
log "measured in ${elapsed} s; writing the report"

# ---------------------------------------------------------------- report
header="date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); kernel $(uname -r); measured in ${elapsed} s"
rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo "no commit")
dirty=$(cd "$repo" && git status --porcelain -- . ':!bench' 2>/dev/null | wc -l)
header+=$'\n'"tend: $tend_build; commit $rev, $dirty files changed outside bench/ ($("$tend" version 2>/dev/null || echo "no version"))"
header+=$'\n'"supervisord $(supervisord --version) ($(python3 --version 2>&1)); s6 $(dpkg-query -W -f '${Version}' s6 2>/dev/null || echo '?')"
header+=$'\n'"machine before: $busy_before; after: $busy_after"
header+=$'\n'"runs: start $START_REPS per supervisor and N (+$START_WARMUP warm-up); memory $MEM_N programs; idle $IDLE_N programs, $IDLE_SECS s; crash $CRASH_SAMPLES gaps after runs of ${CRASH_MS_BRIEF} ms and of ${CRASH_MS_STABLE} ms; nice $NICE"

awk -v names="${names[*]}" -v header="$header" -v idle="$IDLE_SECS" -v starts="$START_NS" \
	-v memn="$MEM_N" -v idlen="$IDLE_N" -v cmsb="$CRASH_MS_BRIEF" -v cmss="$CRASH_MS_STABLE" '
function base(f) { sub(/.*\/r\./, "", f); return f }
{
	key = base(FILENAME)    # kind.name[.n]
	v[key, ++cnt[key]] = $0
	if (key ~ /^(mem|idlemem)\./) for (i = 1; i < NF; i += 2) f[key, $i] = $(i + 1)
	if (key ~ /^ctxt\./) f[key, "sum"] += ($4 - $2) + ($5 - $3)
}
function median(key,    n) {
	n = cnt[key]
	if (n == 0) return "nan"
	if (n % 2) return v[key, (n + 1) / 2] + 0
	return (v[key, n / 2] + v[key, n / 2 + 1]) / 2
}
function fig(what, s, n) {
	if (what == "start") return median("start." s "." n)
	if (what == "rss") return f["mem." s, "rss"] / 1024
	if (what == "pss") return f["mem." s, "pss"] / 1024
	if (what == "wake") return f["ctxt." s, "sum"] / idle
	if (what == "crashbrief") return median("crashbrief." s)
	if (what == "crashstable") return median("crashstable." s)
}
function ratio(a, b) { return (b + 0 > 0 && a != "nan" && b != "nan") ? sprintf("%.3f", a / b) : "–" }
function row(label, what, fmt, n, verdict,    a, b, c) {
	a = fig(what, "tend", n); b = fig(what, "supervisord", n); c = fig(what, "s6", n)
	printf "| %s | " fmt " | " fmt " | " fmt " | %s | %s | %s |\n", label, a, b, c, ratio(a, b), ratio(a, c), verdict
}
function pf(ok) { return ok ? "**pass**" : "**FAIL**" }
END {
	ni = split(names, nm, " ")
	ns = split(starts, sn, " ")
	print "| measure | tend | supervisord | s6 | tend ÷ supervisord | tend ÷ s6 | target |"
	print "|---|---:|---:|---:|---:|---:|---|"
	for (j = 1; j <= ns; j++) {
		n = sn[j]; verdict = ""
		if (n == 200) {
			a = fig("start", "tend", n); b = fig("start", "supervisord", n)
			verdict = pf(a != "nan" && b != "nan" && a * 20 <= b) " (≤ 1/20 of supervisord)"
		}
		row("start to " n " programs all up, median of " cnt["start.tend." n] " (ms)", "start", "%.1f", n, verdict)
	}
	row("RSS, " memn " programs idle (MiB) ¹", "rss", "%.2f", 0, pf(fig("rss", "tend") <= 6) " (tend ≤ 6 MiB)")
	row("PSS, " memn " programs idle (MiB) ¹", "pss", "%.2f", 0, pf(fig("pss", "tend") <= fig("pss", "s6")) " (tend ≤ s6 total)")
	row("wakeups per second, " idlen " programs idle, " idle " s ²", "wake", "%.2f", 0, pf(fig("wake", "tend") <= 0.1) " (≤ 0.1/s)")
	row("crash to restart, " cmsb " ms runs (startsecs 1), median of " cnt["crashbrief.tend"] " (ms) ³", "crashbrief", "%.1f", 0, "")
	row("crash to restart, " cmss " ms runs (startsecs 1), median of " cnt["crashstable.tend"] " (ms) ³", "crashstable", "%.1f", 0, "")
	print ""
	line = ""
	for (j = 1; j <= ns; j++) line = line sprintf("%s%.1f ms for %d", (j > 1 ? ", " : ""), median("start.floor." sn[j]), sn[j])
	print "- Start: startsecs = 0 for tend and supervisord; s6 is up when s6-supervise has spawned the program. The floor, programs started one after the other with posix_spawn and no supervisor (each returns once its exec is done): " line " (median)."
	print "- ¹ s6: s6-svscan plus its " memn " s6-supervise, summed (" f["mem.s6", "procs"] " processes). The programs themselves are not counted."
	print "- ² Context switches, voluntary + nonvoluntary, of every thread; s6: s6-svscan plus all its s6-supervise."
	print "- ³ From the CLOCK_MONOTONIC the program reads just before _exit(1) to the one the next instance reads first. tend: backoff_max = \"1s\"; tend counts a run from RUNNING (after startsecs), so a " cmsb " ms run is " (cmsb - 1000) " ms, shorter than backoff_max, and waits 1 s in BACKOFF; a " cmss " ms run is stable and restarts at once. supervisord: autorestart = unexpected. s6 restarts every time, and 2.11 waits about 1 s after each death."
	print ""
	print "Raw numbers:"
	print ""
	print "```"
	print header
	for (i = 1; i <= ni; i++) {
		s = nm[i]
		print "== " s
		for (j = 1; j <= ns; j++) {
			n = sn[j]; k = "start." s "." n; line = ""
			for (m = 1; m <= cnt[k]; m++) line = line " " v[k, m]
			printf "start N=%d ms, sorted:%s\n", n, line
			k = "startown." s "." n; line = ""
			for (m = 1; m <= cnt[k]; m++) line = line " " v[k, m]
			printf "  %s, in run order:%s\n", (s == "s6" ? "when the poller (10 ms) saw them up" : "by the supervisor'"'"'s own log time stamp (ms resolution)"), line
			k = "start.floor." n; line = ""
			if (i == 1) { for (m = 1; m <= cnt[k]; m++) line = line " " v[k, m]; printf "  floor (serial posix_spawn, no supervisor) N=%d ms, sorted:%s\n", n, line }
			k = "startfail." s "." n
			for (m = 1; m <= cnt[k]; m++) print "  FAILED run: " v[k, m]
		}
		k = "mem." s
		printf "memory, %d programs (kB): %s\n", memn, v[k, 1]
		printf "  %s; %s\n", v[k, 2], v[k, 3]
		printf "memory, %d programs, after the idle window (kB): %s\n", idlen, v["idlemem." s, 1]
		printf "idle context switches over %d s: %d (per thread, pid/tid: vol+nonvol before -> after):", idle, f["ctxt." s, "sum"]
		for (m = 1; m <= cnt["ctxt." s]; m++) {
			split(v["ctxt." s, m], c, " ")
			if (m <= 25) printf " %s %d+%d->%d+%d;", c[1], c[2], c[3], c[4], c[5]
		}
		if (cnt["ctxt." s] > 25) printf " ... (%d threads)", cnt["ctxt." s]
		print ""
		for (j = 1; j <= 2; j++) {
			k = (j == 1 ? "brief" : "stable"); line = ""
			for (m = 1; m <= cnt["crash" k "." s]; m++) line = line " " v["crash" k "." s, m]
			printf "crash to restart ms, %d ms runs, sorted:%s\n", (j == 1 ? cmsb : cmss), line
			if (cnt["crashnote" k "." s]) print "  " v["crashnote" k "." s, 1]
		}
	}
	print "```"
}' "$tmp"/r.*
