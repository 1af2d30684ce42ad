#!/usr/bin/env bash
# bench/control.sh: tend's control socket and reload (issue 5), in one run,
# reload side by side with supervisord. tend and supervisord each run as
# PID 1 of a new PID namespace (unshare --pid --fork --kill-child
# --mount-proc), so run it as root:
#
#   bash bench/control.sh
#
# It prints a markdown report, then the raw numbers, on stdout; progress
# goes to stderr. The timing is done by bench/control-helper (Go, standard
# library only), built at run time. It measures:
#
#   status  with STATUS_N programs up (STATUS_N-1 `sleep`, one heartbeat,
#           startsecs = 0), ROUNDS rounds, the order shifting each round, of:
#             true    spawn /bin/true and wait for it: the process start floor
#             ctl     spawn `tend ctl --socket SOCK status`, wait for its exit
#             nc      spawn `nc -U SOCK` (netcat-openbsd, no -N) with
#                     "status\n" on its standard input, wait for its exit
#             rtt     from the helper, already running: connect, send
#                     "status\n", read to EOF (blocking system calls), PER
#                     times a round
#           all spawned alike (os/exec: stdin a file, stdout a pipe), and
#           every reply checked (STATUS_N RUNNING lines, then OK; tend ctl
#           exit 0). The ≤ 1 ms target is judged on rtt.
#   burst   CLIENTS connections made at once from the helper (goroutines),
#           then released together, each sending "status\n" and reading to
#           EOF; BURSTS rounds, 1 s apart. Per client: from its write to
#           EOF; total: from the release to the last EOF. Every reply must
#           be complete (STATUS_N RUNNING lines, then OK). Programs not
#           slowed: the heartbeat program (a tend program that writes the
#           clock every 5 ms) has its longest gap in the burst compared with
#           the 1 s before it, and `pid all` is the same before and after.
#   reload  N programs (`/bin/sleep 100000`, startsecs = 0, output NONE),
#           all RUNNING; then TRIALS times per mode, each time one more
#           program's sleep argument changed (the config rewritten and
#           renamed into place before the clock starts), from just before
#           the reload is sent until the changed program is RUNNING with a
#           new pid:
#             tend socket  a `reload` request from the helper; applied = the
#                          helper reads NAME's `->RUNNING pid NEW` line on an
#                          `events` stream opened before
#             tend hup     SIGHUP to tend, otherwise the same
#             tend ctl     spawn `tend ctl --socket SOCK reload`, the same
#             sd ctl       spawn `supervisorctl reread`, then `supervisorctl
#                          update`; applied = the helper reads supervisord's
#                          "success: NAME entered RUNNING state" line (after
#                          its "spawned: 'NAME' with pid NEW") from the log
#             sd rpc       the XML-RPC calls `update` makes (reloadConfig,
#                          stopProcessGroup, removeProcessGroup,
#                          addProcessGroup) from the helper: supervisord's own
#                          cost, without Python starting twice
#           Restarts: every program's pid before and after (tend: `pid all`;
#           supervisord: `supervisorctl status`), compared 0.5 s (tend) or
#           1 s (supervisord) after the change was applied; and the starts
#           in that window (tend: `->STARTING` events; supervisord:
#           "spawned:" log lines). The trials start on a freshly started
#           tend, and each trial's line records tend's minor page faults and
#           RSS after it (a reload that lands on fresh heap pages is about
#           3x slower here: BENCHMARKS.md). After the trials, for
#           reference: 10 `status` and 10 `reread` round trips.
#
# Knobs (environment): STATUS_N (20), ROUNDS (200), PER (5), CLIENTS (200),
# BURSTS (5), N (500), TRIALS (5), NICE (-20: the whole run at this
# priority), SD_WAIT (900: seconds for supervisord to have N programs
# RUNNING), WAIT_OTHERS (3600: seconds to wait for other bench scripts to
# end), KEEP=1 (keep the temp dir), TEND (a tend binary built already; else
# it is built from this checkout with release flags). A quick smoke:
# N=50 TRIALS=1 ROUNDS=20 BURSTS=1 bash bench/control.sh
set -euo pipefail

STATUS_N=${STATUS_N:-20}
ROUNDS=${ROUNDS:-200}
PER=${PER:-5}
CLIENTS=${CLIENTS:-200}
BURSTS=${BURSTS:-5}
N=${N:-500}
TRIALS=${TRIALS:-5}
NICE=${NICE:--20}
SD_WAIT=${SD_WAIT:-900}
WAIT_OTHERS=${WAIT_OTHERS:-3600}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init control "unshare --pid"

((PER >= 1 && STATUS_N >= 2 && N >= 2 && TRIALS >= 1)) || die "PER, TRIALS >= 1; STATUS_N, N >= 2"
for tool in unshare go nc supervisord supervisorctl; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[[ $(readlink -f "$(command -v nc)") == *openbsd* ]] || log "nc is not netcat-openbsd: $(readlink -f "$(command -v nc)")"

# Other benchmark scripts on the machine (bench/pid1.sh makes 20,000
# processes): wait until there are none. This script's own subshells share
# its command line, so anything whose parent is this script is skipped.
others() {
	local p l pp out=""
	for p in $(pgrep -f 'bench/[a-z0-9_-]*\.sh' || true); do
		((p == $$)) && continue
		pp=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null) || continue
		[[ $pp == "$$" ]] && continue
		l=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
		out+="${out:+, }$l"
	done
	echo "${out:-none}"
}
waited=$SECONDS
while [[ $(others) != none ]]; do
	((SECONDS - waited < WAIT_OTHERS)) || die "other bench scripts still running after $WAIT_OTHERS s: $(others)"
	log "waiting for other bench scripts to end: $(others)"
	pause 30
done

busy() {
	local procs
	procs=(/proc/[0-9]*)
	echo "$(uptime | sed 's/^ *//'); ${#procs[@]} processes; $("$H" cpu)"
}

# ---------------------------------------------------------------- build
build_tend
H=$tmp/ctlhelper
log "building bench/control-helper"
(cd "$repo" && CGO_ENABLED=0 go build -o "$H" ./bench/control-helper)

renice -n "$NICE" -p $$ >/dev/null || log "cannot renice to $NICE; running at $(nice)"
export TZ=UTC
busy_before="$(busy); other bench scripts: $(others)"
started=$SECONDS

# ---------------------------------------------------------------- helpers
# start_ns LOG CMD...: run CMD as PID 1 of a new PID namespace, output to
# LOG; sets upid (unshare) and ipid (PID 1, as seen from here).
start_ns() {
	local out=$1
	shift
	unshare --pid --fork --kill-child --mount-proc "$@" >"$out" 2>&1 &
	upid=$!
	bg_pids+=("$upid")
	ipid=$(pid1 "$upid")
}
# stop_ns: end the namespace of start_ns, and wait until it is empty: once
# its PID 1 is killed the kernel kills the rest, and PID 1 is gone only when
# they are (zap_pid_ns_processes), so the next phase starts without 500
# processes still exiting.
stop_ns() {
	local deadline=$((SECONDS + 10))
	kill -KILL "$upid" 2>/dev/null || true
	wait "$upid" 2>/dev/null || true
	while [[ -e /proc/$ipid ]] && ((SECONDS < deadline)); do nap; done
	bg_pids=()
}
# mem PID: its minor page faults so far and its RSS.
mem() {
	echo "minflt=$(awk '{print $10}' "/proc/$1/stat") rss_kB=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status")"
}
# running_tend SOCK: how many programs `tend ctl status` lists as RUNNING.
running_tend() {
	"$tend" ctl --socket "$1" status 2>/dev/null | grep -c ' RUNNING ' || true
}
# running_sd CONF: how many programs `supervisorctl status` lists as RUNNING.
running_sd() {
	supervisorctl -c "$1" status 2>/dev/null | grep -c ' RUNNING ' || true
}

# arg[i] is program pI's sleep argument; change K bumps the K-th program of
# the trial sequence (211 is prime, so the first N are all different).
declare -a arg
reset_args() {
	local i
	for ((i = 0; i < N; i++)); do arg[i]=100000; done
}
changed_index() { echo $(((($1) * 211 + 7) % N)); }
# tend_conf FILE SOCK: N sleep programs.
tend_conf() {
	local i
	{
		printf '[tend]\nsocket = "%s"\nshutdown_timeout = "5s"\n\n' "$2"
		for ((i = 0; i < N; i++)); do
			printf '[program.p%d]\ncommand = ["/bin/sleep", "%d"]\nstartsecs = 0\nstdout_logfile = "NONE"\nstderr_logfile = "NONE"\n\n' "$i" "${arg[i]}"
		done
	} >"$1"
}
# sd_conf FILE SOCK: the same N programs for supervisord.
sd_conf() {
	local i
	{
		printf '[supervisord]\nnodaemon=true\nuser=root\nlogfile=/dev/null\nlogfile_maxbytes=0\n'
		printf 'pidfile=%s/sd.pid\nchildlogdir=%s\nminfds=4096\n\n' "$tmp" "$tmp"
		printf '[unix_http_server]\nfile=%s\n\n' "$2"
		printf '[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n'
		printf '[supervisorctl]\nserverurl=unix://%s\n\n' "$2"
		for ((i = 0; i < N; i++)); do
			printf '[program:p%d]\ncommand=/bin/sleep %d\nstartsecs=0\nautorestart=true\nstdout_logfile=NONE\nstderr_logfile=NONE\n\n' "$i" "${arg[i]}"
		done
	} >"$1"
}

# ---------------------------------------------------------------- 1, 2. status
ssock=$tmp/status.sock
{
	printf '[tend]\nsocket = "%s"\nshutdown_timeout = "5s"\n\n' "$ssock"
	printf '[program.beat]\ncommand = ["%s", "beat", "%s/beat"]\nstartsecs = 0\n\n' "$H" "$tmp"
	for ((i = 1; i < STATUS_N; i++)); do
		printf '[program.s%d]\ncommand = ["/bin/sleep", "100000"]\nstartsecs = 0\nstdout_logfile = "NONE"\nstderr_logfile = "NONE"\n\n' "$i"
	done
} >"$tmp/status.toml"
log "status: tend with $STATUS_N programs"
start_ns "$tmp/log.status" "$tend" -c "$tmp/status.toml"
deadline=$((SECONDS + 60))
until (($(running_tend "$ssock") == STATUS_N)); do
	((SECONDS < deadline)) || die "tend: $STATUS_N programs not RUNNING after 60 s"
	nap
done
pause 1
log "status: $ROUNDS rounds of /bin/true, tend ctl, nc, $PER round trips"
"$H" mix "$ssock" "$tend" "$ROUNDS" "$PER" "$STATUS_N" >"$tmp/mix.raw"
log "burst: $BURSTS rounds of $CLIENTS clients at once"
echo 'pid all' | nc -U "$ssock" >"$tmp/pids.before"
"$H" burst "$ssock" "$CLIENTS" "$BURSTS" "$STATUS_N" "$tmp/beat" >"$tmp/burst.raw"
echo 'pid all' | nc -U "$ssock" >"$tmp/pids.after"
if cmp -s "$tmp/pids.before" "$tmp/pids.after" && grep -qx OK "$tmp/pids.after"; then
	burst_pids="same $(($(wc -l <"$tmp/pids.after") - 1)) pids before and after"
else
	burst_pids="CHANGED: before $(tr '\n' ' ' <"$tmp/pids.before"); after $(tr '\n' ' ' <"$tmp/pids.after")"
fi
status_threads=$(awk '$1 == "Threads:" {print $2}' "/proc/$ipid/status")
status_rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$ipid/status")
stop_ns

# ---------------------------------------------------------------- 3. reload, tend
rsock=$tmp/reload.sock
reset_args
tend_conf "$tmp/reload.toml" "$rsock"
log "reload: tend with $N programs"
t0=$SECONDS
start_ns "$tmp/log.reload" "$tend" -c "$tmp/reload.toml"
tpid=$ipid
deadline=$((SECONDS + 300))
until (($(running_tend "$rsock") == N)); do
	((SECONDS < deadline)) || die "tend: $N programs not RUNNING after 300 s"
	pause 0.2
done
tend_up=$((SECONDS - t0))
tend_mem0=$(mem "$tpid")
log "  all $N RUNNING after about $tend_up s"
pause 2
k=0
: >"$tmp/tend.reload"
for ((t = 0; t < TRIALS; t++)); do
	for mode in socket hup ctl; do
		i=$(changed_index $k)
		k=$((k + 1))
		arg[i]=$((100000 + k))
		tend_conf "$tmp/reload.new" "$rsock"
		case $mode in
		hup) extra=$tpid ;;
		ctl) extra=$tend ;;
		*) extra="" ;;
		esac
		out=$("$H" tend-reload "$rsock" "$tmp/reload.toml" "$tmp/reload.new" "p$i" "$N" "$mode" $extra)
		# tend's memory after the trial: see the reread note below.
		echo "$(mem "$tpid") $out" >>"$tmp/tend.reload"
		log "  tend $mode p$i: $(tail -1 "$tmp/tend.reload" | grep -o 'ok_ms=[^ ]* applied_ms=[^ ]*.*starting_events=[0-9]*')"
		pause 1
	done
done
tend_rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$tpid/status")
# For reference, with N programs: status, and reread (load the config and
# compare it, change nothing), from the helper. After the trials: each
# reread leaves about 4.5 MB of garbage for 500 programs, and until tend's
# heap has grown to its GC goal that lands on fresh pages, whose faults
# make a reload about 3x slower; the trials start on a fresh tend.
"$H" rtt "$rsock" 10 status | sed 's/^/status.n /' >"$tmp/tend.rtt"
"$H" rtt "$rsock" 10 reread | sed 's/^/reread.n /' >>"$tmp/tend.rtt"
tend_threads=$(awk '$1 == "Threads:" {print $2}' "/proc/$tpid/status")
tend_final=$(running_tend "$rsock")
stop_ns

# ---------------------------------------------------------------- 3. reload, supervisord
dsock=$tmp/sd.sock
reset_args
sd_conf "$tmp/sd.conf" "$dsock"
log "reload: supervisord with $N programs (takes a while)"
t0=$SECONDS
start_ns "$tmp/log.sd" supervisord -c "$tmp/sd.conf"
deadline=$((SECONDS + SD_WAIT))
until (($(running_sd "$tmp/sd.conf") == N)); do
	((SECONDS < deadline)) || die "supervisord: $N programs not RUNNING after $SD_WAIT s"
	pause 2
done
sd_up=$((SECONDS - t0))
log "  all $N RUNNING after about $sd_up s"
pause 2
k=0
: >"$tmp/sd.reload"
for ((t = 0; t < TRIALS; t++)); do
	for mode in ctl rpc; do
		i=$(changed_index $k)
		k=$((k + 1))
		arg[i]=$((100000 + k))
		sd_conf "$tmp/sd.new" "$dsock"
		"$H" sd-reload "$tmp/sd.conf" "$tmp/log.sd" "$tmp/sd.new" "p$i" "$N" "$mode" "$dsock" >>"$tmp/sd.reload"
		log "  supervisord $mode p$i: $(tail -1 "$tmp/sd.reload" | grep -o 'cmd_ms=[^ ]* applied_ms=[^ ]*.*spawns=[0-9]*')"
		pause 1
	done
done
sd_final=$(running_sd "$tmp/sd.conf")
stop_ns

elapsed=$((SECONDS - started))
busy_after="$(busy); other bench scripts: $(others)"
log "measured in ${elapsed} s; writing the report"

# ---------------------------------------------------------------- report
# fields WHO MODE A B: "WHO.MODE.A value" and "WHO.MODE.B value" for each
# line of key=value pairs on stdin (the first pair of each name counts).
fields() {
	awk -v who="$1" -v mk="$2" -v a="$3" -v b="$4" '{
		delete f
		for (i = 1; i <= NF; i++) {
			j = index($i, "=")
			if (j && !(substr($i, 1, j - 1) in f)) f[substr($i, 1, j - 1)] = substr($i, j + 1)
		}
		sub(/_ms$/, "", a); sub(/_ms$/, "", b)
		print who "." f[mk] "." a, f[a "_ms"]
		print who "." f[mk] "." b, f[b "_ms"]
	}'
}
# Samples as "KEY value" for the helper's stats.
{
	cat "$tmp/mix.raw" "$tmp/tend.rtt"
	grep -E '^(connect|total|client|beatidle|beatburst) ' "$tmp/burst.raw"
	fields tend mode ok_ms applied_ms <"$tmp/tend.reload"
	fields sd mode cmd_ms applied_ms <"$tmp/sd.reload"
} >"$tmp/samples"
declare -A cnt med p90 lo hi
while read -r key n m p a z; do
	cnt[$key]=$n med[$key]=$m p90[$key]=$p lo[$key]=$a hi[$key]=$z
done < <("$H" stats <"$tmp/samples")
# sorted KEY: the samples of KEY, sorted; beyond 40 of them, percentiles.
sorted() {
	awk -v k="$1" '$1 == k {print $2}' "$tmp/samples" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR <= 40) { for (i = 1; i <= NR; i++) printf "%s ", v[i]; exit }
			n = split("0 1 5 10 25 50 75 90 95 99 100", p, " ")
			printf "%d samples, percentiles (nearest rank):", NR
			for (i = 1; i <= n; i++) {
				r = int(p[i] * NR / 100 + 0.999999); if (r < 1) r = 1
				printf " p%s %s", p[i], v[r]
			}
		}'
}

# Checks.
rtt=${med[rtt]}
pass() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }
v_rtt=$(pass "$rtt <= 1000")
allok=$(awk '$1 == "allok" && $2 == '"$CLIENTS"' {k++} END {print k + 0}' "$tmp/burst.raw")
v_burst=$( ((allok == BURSTS)) && echo PASS || echo FAIL)
v_burstpids=$([[ $burst_pids == same* ]] && echo PASS || echo FAIL)
tapp=${med[tend.socket.applied]}
sapp=${med[sd.ctl.applied]}
ratio=$(awk "BEGIN {printf \"%.0f\", $sapp / $tapp}")
v_reload=$(pass "$tapp <= 50")
v_ratio=$(pass "$sapp >= 20 * $tapp")
tend_trials=$(wc -l <"$tmp/tend.reload")
tend_one=$(grep -c 'pids_changed=1 .*starting_events=1 ' "$tmp/tend.reload" || true)
v_restarts=$( ((tend_one == tend_trials)) && echo PASS || echo FAIL)
sd_trials=$(wc -l <"$tmp/sd.reload")
sd_one=$(grep -c 'pids_changed=1 .*spawns=1 ' "$tmp/sd.reload" || true)

header="date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); kernel $(uname -r); ulimit -u $(ulimit -u), -n $(ulimit -n); measured in ${elapsed} s"
rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo "no commit")
dirty=$(cd "$repo" && git status --porcelain -- . ':!bench' 2>/dev/null | wc -l)
header+=$'\n'"tend: $tend_build; checkout at commit $rev, $dirty files changed outside bench/ ($("$tend" version 2>/dev/null || echo "no version")); helper: go build ./bench/control-helper ($(go version | cut -d' ' -f3))"
header+=$'\n'"supervisord $(supervisord --version) ($(python3 --version 2>&1)); nc $(readlink -f "$(command -v nc)")"
header+=$'\n'"machine before: $busy_before"
header+=$'\n'"machine after: $busy_after"
header+=$'\n'"runs: status $STATUS_N programs, $ROUNDS rounds, $PER round trips a round; burst $CLIENTS clients x $BURSTS; reload $N programs, $TRIALS trials per mode; nice $NICE"

ms() { awk "BEGIN {printf \"%.3f\", $1 / 1000}"; }
row() { # LABEL KEY (µs samples, shown in ms)
	printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "${cnt[$2]}" "$(ms "${med[$2]}")" "$(ms "${p90[$2]}")" "$(ms "${lo[$2]}")" "$(ms "${hi[$2]}")"
}
rrow() { # LABEL KEY (ms samples)
	printf '| %s | %s | %.1f | %.1f | %.1f |\n' "$1" "${cnt[$2]}" "${med[$2]}" "${lo[$2]}" "${hi[$2]}"
}

echo "### status round trip, $STATUS_N programs RUNNING (ms)"
echo
echo "| how | samples | median | p90 | min | max |"
echo "|---|---:|---:|---:|---:|---:|"
row "socket round trip from a running client (connect, \`status\`, read to EOF) ¹" rtt
row "\`tend ctl status\`, whole process" ctl
row "\`nc -U SOCK\` with \"status\" on its standard input, whole process" nc
row "/bin/true, spawned the same way: the process start floor" true
echo
echo "- ¹ The ≤ 1 ms target is judged on this row: it is tend's own cost. The two client rows include starting a process, which on this VM costs the /bin/true row before any byte is sent; their median minus the floor is $(awk "BEGIN {printf \"%.2f\", (${med[ctl]} - ${med[true]}) / 1000}") ms (tend ctl) and $(awk "BEGIN {printf \"%.2f\", (${med[nc]} - ${med[true]}) / 1000}") ms (nc)."
echo
echo "### $CLIENTS clients at once, each \`status\` ($BURSTS rounds)"
echo
echo "| measure | samples | median | p90 | min | max |"
echo "|---|---:|---:|---:|---:|---:|"
row "all $CLIENTS connected (ms, before any sends)" connect
row "all $CLIENTS replies complete, from the release (ms)" total
row "one client, its write to EOF (ms)" client
row "heartbeat's longest gap in the idle second before (ms)" beatidle
row "heartbeat's longest gap during the burst (ms)" beatburst
echo
echo "### reload, $N programs, one changed (ms)"
echo
echo "| how | trials | median | min | max |"
echo "|---|---:|---:|---:|---:|"
rrow "tend, \`reload\` request: until the changed program is RUNNING with a new pid" tend.socket.applied
rrow "tend, \`reload\` request: until its reply's OK" tend.socket.ok
rrow "tend, SIGHUP: until RUNNING with a new pid" tend.hup.applied
rrow "tend, \`tend ctl reload\` (a process): until RUNNING with a new pid" tend.ctl.applied
rrow "tend, \`tend ctl reload\`: until it exits" tend.ctl.ok
rrow "supervisord, \`supervisorctl reread && supervisorctl update\`: until RUNNING with a new pid" sd.ctl.applied
rrow "supervisord, the same: until update exits" sd.ctl.cmd
rrow "supervisord, update's XML-RPC calls from a running client: until RUNNING with a new pid" sd.rpc.applied
echo
echo "- For reference, round trips from the helper to tend with the $N programs, after the trials: \`status\` $(ms "${med[status.n]}") ms median, \`reread\` (load the config and compare it; no change) $(ms "${med[reread.n]}") ms median, over ${cnt[reread.n]} each."
echo "- Programs restarted per reload (pids changed among all $N): tend $tend_one of $tend_trials trials exactly 1 (with 1 \`->STARTING\` event); supervisord $sd_one of $sd_trials trials exactly 1 (with 1 \"spawned\" log line)."
echo "- Time until all $N were RUNNING, polled with the status commands: tend about $tend_up s, supervisord about $sd_up s."
echo
echo "### Targets"
echo
echo "- $v_rtt: \`status\` round trip ≤ 1 ms median: $(ms "$rtt") ms (socket round trip from a running client; \`tend ctl status\` $(ms "${med[ctl]}") ms and nc $(ms "${med[nc]}") ms as whole processes, beside a /bin/true floor of $(ms "${med[true]}") ms)"
echo "- $v_burst: $CLIENTS clients at once all get a full reply ending in OK: $allok of $BURSTS rounds"
echo "- $v_burstpids: no program restarted across the bursts: $burst_pids"
echo "- $v_reload: tend reload ≤ 50 ms: $tapp ms median"
echo "- $v_ratio: tend reload ≥ 20× faster than supervisorctl reread + update: ${ratio}× ($sapp vs $tapp ms)"
echo "- $v_restarts: tend restarts exactly 1 program per reload: $tend_one of $tend_trials trials"
echo
echo "Raw numbers:"
echo
echo '```'
echo "$header"
for key in rtt ctl nc true; do echo "status $key µs, sorted: $(sorted "$key")"; done
echo "tend with $STATUS_N programs after the bursts: RSS $status_rss kB, $status_threads threads"
for key in connect total beatidle beatburst; do echo "burst $key µs, by round: $(awk -v k="$key" '$1 == k {printf "%s ", $2}' "$tmp/burst.raw")"; done
echo "burst client µs: $(sorted client)"
echo "burst pids: $burst_pids"
for key in status.n reread.n; do echo "tend with $N programs, $key µs, sorted: $(sorted "$key")"; done
echo "== tend reload trials (tend once all $N were RUNNING: $tend_mem0; $tend_rss kB RSS after the trials, $tend_threads threads; $tend_final RUNNING at the end; each line starts with tend's faults and RSS after the trial)"
sed -E 's/ events=.*//' "$tmp/tend.reload"
echo "events of the first trial:$(head -1 "$tmp/tend.reload" | grep -o ' events=.*')"
echo "== supervisord reload trials ($sd_final RUNNING at the end)"
sed -E 's/ log=.*//' "$tmp/sd.reload"
echo "log of the first trial:$(head -1 "$tmp/sd.reload" | grep -o ' log=.*')"
echo '```'
