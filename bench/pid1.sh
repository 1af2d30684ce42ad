#!/usr/bin/env bash
# bench/pid1.sh: tend as PID 1 (tini mode) side by side with tini, dumb-init
# and catatonit, in one run. Every init runs as the real PID 1 of a new PID
# namespace (unshare --pid --fork --mount-proc), so run it as root:
#
#   bash bench/pid1.sh
#
# It prints a markdown table, then the raw numbers, on stdout; progress goes
# to stderr. Per init it measures:
#
#   start  from just before the init is exec'd to the first instruction of
#          the program's main: a launcher inside the new namespace reads
#          CLOCK_MONOTONIC and execve()s the init, so the init is PID 1
#   reap   ms from waking ORPHANS orphans at once until all are reaped
#   stop   µs from kill(PID 1, SIGTERM), sent from outside the namespace,
#          until PID 1 is gone; the program dies of the forwarded SIGTERM
#   fwd    µs from kill(1, SIGUSR1), sent by another process in the
#          namespace, to the program's handler running
#   idle   RSS and PSS (smaps_rollup) and context switches per second of
#          PID 1 with one `sleep` child; the four inits run side by side
#   size   bytes of the binary, and of the shared libraries it loads
#
# The programs run under the inits are bench/helper/pid1helper.c, compiled
# static at run time. tend is built from this checkout with release flags
# (TEND=/path/to/tend uses a binary built already).
#
# Knobs (environment):
#   START_RUNS (200), START_WARMUP (5), STOP_RUNS (100)
#   ORPHANS (20000), ORPHAN_REPS (5)
#   ORPHAN_PGRP  "shared" (default): the orphans share the program's process
#                group, as a program's children do; "own": each makes a
#                group of its own, which spares the kernel's orphaned-
#                process-group check on every exit (see BENCHMARKS.md)
#   FWD_SAMPLES (1000), FWD_ROUNDS (4), FWD_WARMUP (20 a round),
#   FWD_GAP_US (1000)
#   IDLE_SECS (20)
#   TEND_ENV     "VAR=VALUE ..." set for tend alone (TEND_ENV=GOMAXPROCS=1)
#   NICE (-20)   the whole run, inits included, at this priority, so that
#                other work on the machine disturbs it less; all four inits
#                get the same
#   TINI, DUMB_INIT, CATATONIT: the other inits' paths
#   KEEP=1       keep the temp dir (the helper and tend built)
#
# Process creation can be slow (on the VM this was written on, fork costs
# half a millisecond and starting a small program 20 ms or more), so the
# script avoids starting processes in its loops: bash builtins read /proc,
# and one awk writes the report.
set -euo pipefail

START_RUNS=${START_RUNS:-200}
START_WARMUP=${START_WARMUP:-5}
STOP_RUNS=${STOP_RUNS:-100}
ORPHANS=${ORPHANS:-20000}
ORPHAN_REPS=${ORPHAN_REPS:-5}
FWD_SAMPLES=${FWD_SAMPLES:-1000}
FWD_WARMUP=${FWD_WARMUP:-20}
FWD_ROUNDS=${FWD_ROUNDS:-4}
FWD_GAP_US=${FWD_GAP_US:-1000}
IDLE_SECS=${IDLE_SECS:-20}
NICE=${NICE:--20}
ORPHAN_PGRP=${ORPHAN_PGRP:-shared}
case $ORPHAN_PGRP in
shared) ;;
own) export BENCH_ORPHAN_OWN_PGRP=1 ;;
*) echo "pid1.sh: ORPHAN_PGRP: want shared or own" >&2; exit 2 ;;
esac

TINI=${TINI:-/usr/bin/tini}
DUMB_INIT=${DUMB_INIT:-/usr/bin/dumb-init}
CATATONIT=${CATATONIT:-/usr/bin/catatonit}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init pid1 "unshare --pid"

old_pid_max="" # set when pid_max was raised, to put it back
cleanup_more() {
	if [[ -n $old_pid_max ]]; then
		echo "$old_pid_max" >/proc/sys/kernel/pid_max
	fi
}

for tool in unshare gcc go awk sort join timeout ldd renice; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
for bin in "$TINI" "$DUMB_INIT" "$CATATONIT"; do
	[[ -x $bin ]] || die "$bin not found"
done

# ---------------------------------------------------------------- build
H=$tmp/pid1helper
gcc -O2 -static -Wall -Wextra -o "$H" "$here/helper/pid1helper.c"
build_tend

names=(tend tini dumb-init catatonit)
# Each init's command line, up to where the program goes.
cmd_tend=("$tend" --)
cmd_tini=("$TINI" --)
cmd_dumb_init=("$DUMB_INIT")
cmd_catatonit=("$CATATONIT" --)
# pre_NAME: what goes before unshare for that init; env runs before the
# namespace is made, so it is outside every measurement.
pre_tend=()
if [[ -n ${TEND_ENV:-} ]]; then
	read -r -a pre_tend <<<"env $TEND_ENV"
fi
pre_tini=() pre_dumb_init=() pre_catatonit=()
declare -A bin=([tend]=$tend [tini]=$TINI [dumb-init]=$DUMB_INIT [catatonit]=$CATATONIT)

# ns NAME PROGRAM [ARG...]: run PROGRAM under init NAME as PID 1 of a new
# PID namespace. With LAUNCH=1 the helper's launcher execs the init.
ns() {
	local -n init="cmd_${1//-/_}" pre="pre_${1//-/_}"
	shift
	if [[ ${LAUNCH:-} == 1 ]]; then
		"${pre[@]}" unshare --pid --fork --kill-child --mount-proc "$H" launch "${init[@]}" "$@"
	else
		"${pre[@]}" unshare --pid --fork --kill-child --mount-proc "${init[@]}" "$@"
	fi
}

# Room for ORPHANS more processes than the machine runs already, however
# many that is by then: the largest pid_max Linux allows, put back on exit.
read -r pid_max </proc/sys/kernel/pid_max
if ((pid_max < 4194304)); then
	old_pid_max=$pid_max
	echo 4194304 >/proc/sys/kernel/pid_max
fi
ulimit -u unlimited 2>/dev/null || ulimit -u "$(ulimit -Hu)"

renice -n "$NICE" -p $$ >/dev/null || log "cannot renice to $NICE; running at $(nice)"

# What else the machine is doing: other work there shows in every figure.
busy() {
	local load procs
	read -r load </proc/loadavg
	procs=(/proc/[0-9]*)
	echo "load average ${load% *}, ${#procs[@]} processes"
}
busy_before=$(busy)

started=$SECONDS
k=${#names[@]}

# ---------------------------------------------------------------- 1. start
# Rounds are interleaved, and the order shifts by one init each round, so
# that drift in the machine's speed falls on all four alike.
log "start: $START_RUNS runs per init (+$START_WARMUP warm-up), interleaved"
for ((r = 0; r < START_WARMUP + START_RUNS; r++)); do
	for ((i = 0; i < k; i++)); do
		n=${names[(r + i) % k]}
		read -r t cpu flt thr <<<"$(LAUNCH=1 ns "$n" "$H" start)"
		if ((r >= START_WARMUP)); then
			echo "$t" >>"$tmp/start.$n"
			echo "$cpu" >>"$tmp/startcpu.$n"
			echo "$flt" >>"$tmp/startflt.$n"
			echo "$thr" >>"$tmp/startthr.$n"
		fi
	done
	# The floor: the launcher execs the program itself, with no init.
	read -r t _ <<<"$(unshare --pid --fork --kill-child --mount-proc "$H" launch "$H" start)"
	if ((r >= START_WARMUP)); then
		echo "$t" >>"$tmp/start.none"
	fi
done

# ---------------------------------------------------------------- 2. stop
# In rounds of 10 per init, interleaved; the helper makes each namespace.
log "stop: $STOP_RUNS SIGTERMs per init, in rounds of 10, interleaved"
for ((r = 0; r < STOP_RUNS / 10; r++)); do
	for ((i = 0; i < k; i++)); do
		n=${names[(r + i) % k]}
		initv="cmd_${n//-/_}[@]" prev="pre_${n//-/_}[@]"
		timeout --kill-after=5 120 "${!prev}" "$H" stop 10 "${!initv}" >>"$tmp/stop.$n"
	done
done

# ---------------------------------------------------------------- 3. reap
log "reap: $ORPHANS orphans, $ORPHAN_REPS repetitions per init, interleaved"
for ((r = 0; r < ORPHAN_REPS; r++)); do
	for ((i = 0; i < k; i++)); do
		n=${names[(r + i) % k]}
		initv="cmd_${n//-/_}[@]" prev="pre_${n//-/_}[@]"
		# A hang must not stall the run: unshare --kill-child takes the
		# namespace down when timeout kills it.
		out=$(timeout --kill-after=5 120 "${!prev}" unshare --pid --fork --kill-child --mount-proc \
			"${!initv}" "$H" orphans "$ORPHANS")
		# "MS\ninit ctxt C cpu_ns T threads N"
		read -r ms _ _ ctx _ cpu _ _ <<<"${out//$'\n'/ }"
		echo "$ms" >>"$tmp/reap.$n"
		echo "$ms" >>"$tmp/r.reaporder.$n"
		echo "$cpu" >>"$tmp/reapcpu.$n"
		echo "$cpu" >>"$tmp/r.reapcpuorder.$n"
		log "  reap $n: $ms ms (PID 1: $((cpu / 1000000)) ms on CPU, $ctx context switches)"
	done
done

# ---------------------------------------------------------------- 4. forward
# In FWD_ROUNDS interleaved rounds, each a new namespace with its own warm-up.
log "forward: $FWD_SAMPLES SIGUSR1 per init in $FWD_ROUNDS rounds (+$FWD_WARMUP warm-up each), $FWD_GAP_US µs apart"
declare -A fwd_lost fwd_ctxt fwd_cpu fwd_threads
for ((r = 0; r < FWD_ROUNDS; r++)); do
	for ((i = 0; i < k; i++)); do
		n=${names[(r + i) % k]}
		ns "$n" "$H" fwd $((FWD_SAMPLES / FWD_ROUNDS)) "$FWD_GAP_US" "$FWD_WARMUP" >"$tmp/fwd.raw"
		while read -r a b c d e f g; do
			case $a in
			lost) fwd_lost[$n]=$((${fwd_lost[$n]:-0} + b)) ;;
			# init ctxt C cpu_ns T threads N
			init)
				fwd_ctxt[$n]=$((${fwd_ctxt[$n]:-0} + c))
				fwd_cpu[$n]=$((${fwd_cpu[$n]:-0} + e))
				fwd_threads[$n]=$g
				;;
			*) echo "$a" >>"$tmp/fwd.$n" ;;
			esac
		done <"$tmp/fwd.raw"
	done
done
for n in "${names[@]}"; do
	echo "lost ${fwd_lost[$n]:-0}" >"$tmp/r.fwdmeta.$n"
	echo "init ctxt ${fwd_ctxt[$n]:-0} cpu_ns ${fwd_cpu[$n]:-0} threads ${fwd_threads[$n]:-0}" >>"$tmp/r.fwdmeta.$n"
done

# ---------------------------------------------------------------- 2+6. idle
log "idle: the four inits side by side, each with one sleep child, ${IDLE_SECS} s"
declare -A upid ipid
for n in "${names[@]}"; do
	# unshare itself, not a subshell, must be $!, so that killing it
	# (--kill-child) takes the namespace down.
	initv="cmd_${n//-/_}[@]" prev="pre_${n//-/_}[@]"
	"${!prev}" unshare --pid --fork --kill-child --mount-proc "${!initv}" sleep 100000 &
	upid[$n]=$!
	bg_pids+=("$!")
done



# settled PID: PID has a child that is running sleep.
settled() {
	local c comm
	for c in $(children "$1"); do
		comm=""
		read -r comm <"/proc/$c/comm" 2>/dev/null || true
		[[ $comm == sleep ]] && return 0
	done
	return 1
}

deadline=$((SECONDS + 30))
for n in "${names[@]}"; do
	c=""
	while [[ -z $c ]]; do
		((SECONDS < deadline)) || die "idle: $n did not start"
		c=$(children "${upid[$n]}")
		[[ -n $c ]] || nap
	done
	ipid[$n]=$c
	until settled "$c"; do
		((SECONDS < deadline)) || die "idle: $n has no sleep child"
		nap
	done
done
log "idle: all four settled"
pause 1

# copy FILE OUT: cp without starting a process.
copy() {
	local -a lines
	mapfile -t lines <"$1"
	printf '%s\n' "${lines[@]}" >"$2"
}

for n in "${names[@]}"; do
	p=${ipid[$n]}
	copy /proc/"$p"/smaps_rollup "$tmp/r.smaps.$n"
	copy /proc/"$p"/status "$tmp/r.status.$n"
	switches "$p" >"$tmp/ctxt0.$n"
done
pause "$IDLE_SECS"
for n in "${names[@]}"; do
	p=${ipid[$n]}
	switches "$p" >"$tmp/ctxt1.$n"
	copy /proc/"$p"/smaps_rollup "$tmp/r.smapsend.$n"
done

log "idle: measured; stopping the four"
for n in "${names[@]}"; do
	kill -TERM "${ipid[$n]}" 2>/dev/null || true
done
deadline=$((SECONDS + 10))
for n in "${names[@]}"; do
	while kill -0 "${upid[$n]}" 2>/dev/null && ((SECONDS < deadline)); do
		nap
	done
	kill -KILL "${upid[$n]}" 2>/dev/null || true
	wait "${upid[$n]}" 2>/dev/null || true
done
bg_pids=()

# ---------------------------------------------------------------- 5. size
for n in "${names[@]}"; do
	b=${bin[$n]}
	stat -L -c %s "$b" >"$tmp/r.size.$n"
	: >"$tmp/r.libs.$n"
	if ldd "$b" >/dev/null 2>&1; then
		ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' |
			while read -r lib; do
				echo "$lib $(stat -L -c %s "$lib")"
			done >"$tmp/r.libs.$n"
	fi
done

elapsed=$((SECONDS - started))
busy_after=$(busy)
log "measured in ${elapsed} s; writing the report"

# ---------------------------------------------------------------- report
sort -g "$tmp/start.none" >"$tmp/r.start.none"
for n in "${names[@]}"; do
	sort -g "$tmp/start.$n" >"$tmp/r.start.$n"
	sort -g "$tmp/startcpu.$n" >"$tmp/r.startcpu.$n"
	sort -g "$tmp/startflt.$n" >"$tmp/r.startflt.$n"
	sort -g "$tmp/startthr.$n" >"$tmp/r.startthr.$n"
	sort -g "$tmp/stop.$n" >"$tmp/r.stop.$n"
	sort -g "$tmp/reap.$n" >"$tmp/r.reap.$n"
	sort -g "$tmp/reapcpu.$n" >"$tmp/r.reapcpu.$n"
	sort -g "$tmp/fwd.$n" >"$tmp/r.fwd.$n"
	# Threads at both ends of the idle window; one born since counts from 0.
	join -a 2 -e 0 -o 2.1,1.2,1.3,2.2,2.3 <(sort "$tmp/ctxt0.$n") <(sort "$tmp/ctxt1.$n") >"$tmp/r.ctxt.$n"
done

header="date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); kernel $(uname -r); measured in ${elapsed} s"
rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo "no commit")
dirty=$(cd "$repo" && git status --porcelain -- . ':!bench' 2>/dev/null | wc -l)
header+=$'\n'"tend: $tend_build; environment: ${TEND_ENV:-as given}; commit $rev, $dirty files changed outside bench/ ($("$tend" version 2>/dev/null || echo "no version"))"
header+=$'\n'"tini: $("$TINI" --version 2>&1 | head -1); dumb-init: $("$DUMB_INIT" --version 2>&1 | head -1); catatonit: $("$CATATONIT" --version 2>&1 | head -1) (catatonit names itself tini)"
header+=$'\n'"machine before: $busy_before; after: $busy_after"
header+=$'\n'"runs: start $START_RUNS per init (+$START_WARMUP warm-up), and as many with no init; stop $STOP_RUNS per init; reap $ORPHANS orphans x $ORPHAN_REPS per init, process group $ORPHAN_PGRP; forward $FWD_SAMPLES per init in $FWD_ROUNDS rounds (+$FWD_WARMUP warm-up each, $FWD_GAP_US µs apart); idle $IDLE_SECS s"
if [[ -x /usr/bin/tini-static ]]; then
	header+=$'\n'"not run: /usr/bin/tini-static, $(stat -c %s /usr/bin/tini-static) bytes, static"
fi

awk -v names="${names[*]}" -v header="$header" -v idle="$IDLE_SECS" -v fwdn="$FWD_SAMPLES" \
	-v orphans="$ORPHANS" '
function base(f) { sub(/.*\/r\./, "", f); return f }
{
	split(base(FILENAME), kn, ".")
	kind = kn[1]; init = base(FILENAME); sub(/^[^.]*\./, "", init)
	key = kind SUBSEP init
	v[key, ++cnt[key]] = $0
	if (kind == "smaps" || kind == "smapsend" || kind == "status") f[key, $1] = $2
	if (kind == "fwdmeta" && $1 == "lost") f[key, "lost"] = $2
	if (kind == "fwdmeta" && $1 == "init") for (i = 2; i < NF; i += 2) f[key, $i] = $(i + 1)
	if (kind == "ctxt") f[key, "sum"] += ($4 - $2) + ($5 - $3)
	if (kind == "libs") f[key, "sum"] += $2
}
# pct: the p-th percentile, nearest rank, of sorted series kind/init.
function pct(kind, init, p,    n, i) {
	n = cnt[kind, init]
	if (n == 0) return "nan"
	i = int(p * n); if (i < p * n) i++; if (i < 1) i = 1
	return v[kind, init, i] + 0
}
function fig(what, init) {
	if (what == "start50") return pct("start", init, 0.5) / 1000
	if (what == "start90") return pct("start", init, 0.9) / 1000
	if (what == "startcpu") return pct("startcpu", init, 0.5) / 1000
	if (what == "startflt") return pct("startflt", init, 0.5)
	if (what == "startthr") return pct("startthr", init, 0.5)
	if (what == "stop50") return pct("stop", init, 0.5) / 1000
	if (what == "stop90") return pct("stop", init, 0.9) / 1000
	if (what == "reap50") return pct("reap", init, 0.5)
	if (what == "reapmin") return pct("reap", init, 0)
	if (what == "reapcpu50") return pct("reapcpu", init, 0.5) / 1e6
	if (what == "fwdcpu") return f["fwdmeta", init, "cpu_ns"] / fwdn / 1000
	if (what == "fwd50") return pct("fwd", init, 0.5) / 1000
	if (what == "fwd90") return pct("fwd", init, 0.9) / 1000
	if (what == "fwdcs") return f["fwdmeta", init, "ctxt"] / fwdn
	if (what == "rss") return f["smaps", init, "Rss:"]
	if (what == "pss") return f["smaps", init, "Pss:"]
	if (what == "threads") return f["status", init, "Threads:"]
	if (what == "wake") return f["ctxt", init, "sum"] / idle
	if (what == "size") return v["size", init, 1]
	if (what == "libs") return f["libs", init, "sum"] + 0
}
function row(label, what, fmt, target,    i, a, b, t, ratio, verdict, line) {
	a = fig(what, "tend"); b = fig(what, "tini")
	ratio = (b + 0 > 0) ? sprintf("%.2f×", a / b) : "–"
	verdict = ""
	split(target, t, ":")
	if (t[1] == "ratio") verdict = ((a <= t[2] * b) ? "**pass**" : "**FAIL**") " (≤ " t[2] "× tini)"
	if (t[1] == "max") verdict = ((a <= t[2] + 0) ? "**pass**" : "**FAIL**") " (≤ " t[3] ")"
	line = "| " label
	for (i = 1; i <= ni; i++) line = line " | " sprintf(fmt, fig(what, nm[i]))
	print line " | " ratio " | " verdict " |"
}
function series(kind, init, scale,    i, s) {
	s = ""
	for (i = 1; i <= cnt[kind, init]; i++) s = s sprintf(" %g", v[kind, init, i] / scale)
	return s
}
END {
	ni = split(names, nm, " ")
	printf "| measure"; for (i = 1; i <= ni; i++) printf " | %s", nm[i]; print " | tend ÷ tini | target |"
	printf "|---"; for (i = 1; i <= ni; i++) printf "|---:"; print "|---:|---|"
	row("start, median (µs)", "start50", "%.0f", "ratio:1.2")
	row("start, p90 (µs)", "start90", "%.0f", "")
	row("PID 1 CPU time, all threads, when the program starts, median (µs) ¹", "startcpu", "%.0f", "")
	row("PID 1 minor page faults when the program starts, median ¹", "startflt", "%.0f", "")
	row("PID 1 threads when the program starts", "startthr", "%d", "")
	row("SIGTERM -> PID 1 gone, median (µs)", "stop50", "%.0f", "ratio:1.3")
	row("SIGTERM -> PID 1 gone, p90 (µs)", "stop90", "%.0f", "")
	row("reap " orphans " orphans, median of runs (ms)", "reap50", "%.0f", "")
	row("reap, fastest run (ms)", "reapmin", "%.0f", "")
	row("PID 1 CPU time while reaping, median (ms)", "reapcpu50", "%.0f", "ratio:2.0")
	row("SIGUSR1 forwarding, median (µs)", "fwd50", "%.1f", "ratio:1.5")
	row("SIGUSR1 forwarding, p90 (µs)", "fwd90", "%.1f", "")
	row("PID 1 context switches per forwarded signal", "fwdcs", "%.2f", "")
	row("PID 1 CPU time per forwarded signal (µs)", "fwdcpu", "%.1f", "")
	row("idle RSS (KiB)", "rss", "%d", "max:2560:2.5 MiB")
	row("idle PSS (KiB)", "pss", "%d", "")
	row("idle threads", "threads", "%d", "")
	row("idle wakeups per second (" idle " s)", "wake", "%.2f", "max:0.1:0.1/s")
	row("binary size (bytes)", "size", "%d", "max:3500000:3,500,000 B")
	row("shared libraries it loads (bytes)", "libs", "%d", "")
	print ""
	printf "¹ Counted from the launcher'"'"'s start: it is the same process as PID 1 before its execve. "
	printf "With no init at all (the launcher execs the program itself) the start time is "
	printf "%.0f µs median, %.0f µs p90.\n", pct("start", "none", 0.5) / 1000, pct("start", "none", 0.9) / 1000
	print ""
	print "Raw numbers:"
	print ""
	print "```"
	print header
	for (i = 1; i <= ni; i++) {
		n = nm[i]
		print "== " n
		printf "start µs: min %g p10 %g p50 %g p90 %g p99 %g max %g (n=%d)\n", pct("start", n, 0) / 1000,
			pct("start", n, 0.1) / 1000, pct("start", n, 0.5) / 1000, pct("start", n, 0.9) / 1000,
			pct("start", n, 0.99) / 1000, pct("start", n, 1) / 1000, cnt["start", n]
		printf "stop µs: min %g p10 %g p50 %g p90 %g max %g (n=%d)\n", pct("stop", n, 0) / 1000,
			pct("stop", n, 0.1) / 1000, pct("stop", n, 0.5) / 1000, pct("stop", n, 0.9) / 1000,
			pct("stop", n, 1) / 1000, cnt["stop", n]
		print "reap ms, in run order:" series("reaporder", n, 1)
		print "PID 1 CPU ms while reaping, in run order:" series("reapcpuorder", n, 1e6)
		printf "forward µs: min %g p10 %g p50 %g p90 %g p99 %g max %g (n=%d, lost %d); PID 1 over them: %d context switches, %.1f ms CPU, %d threads\n",
			pct("fwd", n, 0) / 1000, pct("fwd", n, 0.1) / 1000, pct("fwd", n, 0.5) / 1000,
			pct("fwd", n, 0.9) / 1000, pct("fwd", n, 0.99) / 1000, pct("fwd", n, 1) / 1000,
			cnt["fwd", n], f["fwdmeta", n, "lost"], f["fwdmeta", n, "ctxt"], f["fwdmeta", n, "cpu_ns"] / 1e6,
			f["fwdmeta", n, "threads"]
		printf "idle smaps_rollup kB after 1 s: Rss %d Pss %d Pss_Anon %d Pss_File %d Private_Clean %d Private_Dirty %d Shared_Clean %d; Rss %d after %d s\n",
			f["smaps", n, "Rss:"], f["smaps", n, "Pss:"], f["smaps", n, "Pss_Anon:"], f["smaps", n, "Pss_File:"],
			f["smaps", n, "Private_Clean:"], f["smaps", n, "Private_Dirty:"], f["smaps", n, "Shared_Clean:"],
			f["smapsend", n, "Rss:"], idle + 1
		print "idle context switches per thread over " idle " s (tid: voluntary+nonvoluntary before -> after):"
		for (j = 1; j <= cnt["ctxt", n]; j++) {
			split(v["ctxt", n, j], c, " ")
			printf "  %s: %d+%d -> %d+%d\n", c[1], c[2], c[3], c[4], c[5]
		}
		s = ""
		for (j = 1; j <= cnt["libs", n]; j++) s = s " " v["libs", n, j]
		printf "size: %d bytes, %s\n", v["size", n, 1], (s == "" ? "static" : "dynamic; loads (path bytes):" s)
	}
	print "```"
}' "$tmp"/r.*
