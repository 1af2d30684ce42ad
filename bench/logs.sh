#!/usr/bin/env bash
# bench/logs.sh: tend's log capture (stdout_logfile, rotated at maxbytes with
# backups) side by side with supervisord (stdout_logfile, maxbytes,
# backups), s6-log and svlogd, and a program writing straight into a file
# (the floor), in one run. Run it as root (it mounts a tmpfs):
#
#   bash bench/logs.sh
#
# It prints a markdown table, then the raw numbers, on stdout; progress goes
# to stderr.
#
# Workloads (WORKLOADS="chunk line"):
#   chunk  512 MiB in 64 KiB writes, each 1024 whole lines of 64 bytes
#   line   64 MiB as 671,089 lines of 100 bytes, one write(2) each
# Every line is numbered, so the logs can be checked afterwards.
#
# Contenders (CONTENDERS="tend supervisord s6-log svlogd floor"):
#   tend         [program.w] stdout_logfile, maxbytes "50MB", backups 10;
#                tend -c, a child of this script (a subreaper, not PID 1)
#   supervisord  [program:w] stdout_logfile, maxbytes 50MB, backups 10
#   s6-log       writer | s6-log n10 s52428800 DIR
#   svlogd       writer | svlogd DIR, DIR/config: s52428800, n10 (its
#                default read buffer, -b 1024, is kept)
#   floor        writer >> DIR/out.log (O_APPEND; no rotation)
# For s6-log and svlogd the pipe is a FIFO that the script also holds open
# for writing, so the logger stays up after the writer exits and its CPU
# can be read before it goes, as for tend and supervisord.
#
# The writer is bench/logs-helper/writer.c, compiled static at run time: the
# same binary for every contender. It makes a ready file and blocks on a
# FIFO; then the logger's CPU (utime+stime, /proc/PID/stat, all threads) is
# read, the FIFO opened, and the writer writes. Per trial:
#   wall   from the writer's first write (CLOCK_MONOTONIC) to the moment
#          the log directory holds every byte (logtool wait polls it every
#          1 ms once the writer is done); for the floor, the writer's own
#          time from first write to last
#   cpu    the logger's utime+stime over the same span (not the writer's;
#          10 ms ticks)
#   rss    the logger's peak RSS (VmHWM), at the end of the trial
#   check  the kept files, oldest first (out.log.10 .. out.log.1, out.log;
#          s6-log and svlogd: @... in name order, then current), read as
#          one stream: every line whole, numbers consecutive, none
#          duplicated, ending at the last line written; no file ends inside
#          a line (a line split across files). 11 files of 50 MiB hold all
#          512 MiB, so every line must be there.
# Trials are interleaved: each repetition runs every contender, and the
# order shifts by one each repetition. Medians over REPS.
#
# All logs go to a tmpfs (TMPFS_SIZE, 3g) mounted for the run, so that the
# disk does not dominate.
#
# Knobs (environment): REPS (3), WORKLOADS, CONTENDERS, TMPFS_SIZE (3g),
#   TEND (a tend binary built already), SUPERVISORD, S6_LOG, SVLOGD,
#   EVIDENCE (/tmp/logsbench-evidence.txt: a failed trial's listing of its
#   log directory and the logger's own output are appended there),
#   RAW_SAVE (/tmp/logsbench-raw.txt: a copy of the raw numbers),
#   KEEP=1 (keep the temp dir; the tmpfs in it is unmounted all the same).
set -euo pipefail

REPS=${REPS:-3}
WORKLOADS=${WORKLOADS:-chunk line}
CONTENDERS=${CONTENDERS:-tend supervisord s6-log svlogd floor}
TMPFS_SIZE=${TMPFS_SIZE:-3g}
SUPERVISORD=${SUPERVISORD:-/usr/bin/supervisord}
S6_LOG=${S6_LOG:-/usr/bin/s6-log}
SVLOGD=${SVLOGD:-/usr/bin/svlogd}
EVIDENCE=${EVIDENCE:-/tmp/logsbench-evidence.txt}
RAW_SAVE=${RAW_SAVE:-/tmp/logsbench-raw.txt}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LC_ALL=C
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init logs "mount -t tmpfs"

mnt=$tmp/logs
mounted=""
pipe_fd="" # the script's write end of the FIFO to s6-log or svlogd
cleanup_more() {
	if [[ -n $pipe_fd ]]; then
		exec {pipe_fd}>&- || true
	fi
	if [[ -n $mounted ]]; then
		umount "$mnt" || umount -l "$mnt" || true
	fi
}

for tool in gcc go awk sort mount umount mkfifo; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
for bin in "$SUPERVISORD" "$S6_LOG" "$SVLOGD"; do
	[[ -x $bin ]] || die "$bin not found"
done

# Workload parameters: lines, bytes a line, lines a write.
declare -A w_lines=([chunk]=8388608 [line]=671089)
declare -A w_len=([chunk]=64 [line]=100)
declare -A w_per=([chunk]=1024 [line]=1)
declare -A w_desc=([chunk]="512 MiB, 64 KiB writes (1024 lines of 64 B)" [line]="64 MiB, one 100 B line a write (671,089 writes)")

mkdir "$mnt"
mount -t tmpfs -o size="$TMPFS_SIZE" tmpfs "$mnt"
mounted=1

# ---------------------------------------------------------------- build
W=$tmp/writer
LT=$tmp/logtool
gcc -O2 -static -Wall -Wextra -o "$W" "$here/logs-helper/writer.c"
gcc -O2 -static -Wall -Wextra -o "$LT" "$here/logs-helper/logtool.c"
build_tend
tend_rev=$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(cd "$repo" && git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
	tend_rev+=" (work tree with uncommitted changes)"
fi
clk_tck=$(getconf CLK_TCK)

busy() {
	local load procs
	read -r load </proc/loadavg
	procs=(/proc/[0-9]*)
	echo "load average ${load% *}, ${#procs[@]} processes"
}

# cpu PID: utime+stime of PID (every thread) in clock ticks.
cpu() {
	local s a
	read -r s <"/proc/$1/stat"
	s=${s##*) }
	read -r -a a <<<"$s"
	echo $((a[11] + a[12]))
}

# hwm PID: peak RSS of PID in KiB.
hwm() {
	local k v rest
	while read -r k v rest; do
		if [[ $k == VmHWM: ]]; then
			echo "$v"
			return
		fi
	done <"/proc/$1/status"
	echo 0
}

# files CONTENDER DIR: the kept log files, oldest first.
files() {
	local c=$1 d=$2 i f
	case $c in
	tend | supervisord)
		for ((i = 10; i >= 1; i--)); do
			[[ -e $d/out.log.$i ]] && echo "$d/out.log.$i"
		done
		echo "$d/out.log"
		;;
	s6-log | svlogd)
		for f in "$d"/@*; do
			[[ -e $f ]] && echo "$f"
		done
		echo "$d/current"
		;;
	floor) echo "$d/out.log" ;;
	esac
}

# trial CONTENDER WORKLOAD REP: one run; appends a line to $tmp/raw.
trial() {
	local c=$1 w=$2 rep=$3
	local lines=${w_lines[$w]} len=${w_len[$w]} per=${w_per[$w]}
	local bytes=$((lines * len))
	local dir=$mnt/$c run=$tmp/run
	rm -rf "$dir" "$run"
	mkdir -p "$dir" "$run"
	mkfifo "$run/go"
	local wargs=("$W" "$lines" "$len" "$per" "$run/time" "$run/go" "$run/ready")
	local lpid="" wpid="" q

	case $c in
	tend)
		{
			printf '[program.w]\ncommand = ['
			local sep=""
			for q in "${wargs[@]}"; do
				printf '%s"%s"' "$sep" "$q"
				sep=", "
			done
			printf ']\nautorestart = "never"\nstartsecs = 0\n'
			printf 'stdout_logfile = "%s"\n' "$dir/out.log"
			printf 'stdout_logfile_maxbytes = "50MB"\nstdout_logfile_backups = 10\n'
		} >"$run/tend.toml"
		"$tend" -c "$run/tend.toml" >"$run/logger.out" 2>&1 &
		lpid=$!
		;;
	supervisord)
		cat >"$run/supervisord.conf" <<-EOF
			[supervisord]
			nodaemon=true
			user=root
			logfile=$run/supervisord.log
			pidfile=$run/supervisord.pid
			childlogdir=$run

			[program:w]
			command=${wargs[*]}
			autorestart=false
			startsecs=0
			stdout_logfile=$dir/out.log
			stdout_logfile_maxbytes=50MB
			stdout_logfile_backups=10
			stderr_logfile=$run/w.err
		EOF
		"$SUPERVISORD" -n -c "$run/supervisord.conf" >"$run/logger.out" 2>&1 &
		lpid=$!
		;;
	s6-log | svlogd)
		mkfifo "$run/pipe"
		if [[ $c == s6-log ]]; then
			"$S6_LOG" n10 s52428800 "$dir" <"$run/pipe" >"$run/logger.out" 2>&1 &
		else
			printf 's52428800\nn10\n' >"$dir/config"
			"$SVLOGD" "$dir" <"$run/pipe" >"$run/logger.out" 2>&1 &
		fi
		lpid=$!
		exec {pipe_fd}>"$run/pipe"
		"${wargs[@]}" >"$run/pipe" {pipe_fd}>&- &
		wpid=$!
		;;
	floor)
		"${wargs[@]}" >>"$dir/out.log" &
		wpid=$!
		;;
	esac
	[[ -n $lpid ]] && bg_pids+=("$lpid")
	[[ -n $wpid ]] && bg_pids+=("$wpid")

	local i
	for ((i = 0; i < 1500; i++)); do
		[[ -e $run/ready ]] && break
		if [[ -n $lpid ]] && ! kill -0 "$lpid" 2>/dev/null; then
			cat "$run/logger.out" >&2 || true
			die "$c exited before the writer was ready"
		fi
		pause 0.02
	done
	[[ -e $run/ready ]] || die "$c: writer not ready after 30 s"
	pause 0.3 # let the supervisor finish its part of the start

	local cpu0=0 cpu1=0 rss=0
	[[ -n $lpid ]] && cpu0=$(cpu "$lpid")
	if [[ -n $pipe_fd ]]; then
		"$LT" wait "$dir" "$bytes" "$run/time" 120 >"$run/wait" {pipe_fd}>&- &
	else
		"$LT" wait "$dir" "$bytes" "$run/time" 120 >"$run/wait" &
	fi
	local wtpid=$!
	bg_pids+=("$wtpid")
	: >"$run/go"
	wait "$wtpid" || true
	if [[ -n $lpid ]]; then
		cpu1=$(cpu "$lpid")
		rss=$(hwm "$lpid")
	fi

	# Tear down.
	local lstatus=0
	case $c in
	tend | supervisord)
		kill -TERM "$lpid"
		wait "$lpid" || lstatus=$?
		;;
	s6-log | svlogd)
		exec {pipe_fd}>&-
		pipe_fd=""
		wait "$wpid" || true
		wait "$lpid" || lstatus=$?
		;;
	floor)
		wait "$wpid" || true
		;;
	esac
	bg_pids=()

	local t0 t1w t1 seen status
	read -r t0 t1w <"$run/time" || die "$c: the writer left no times"
	read -r t1 seen status <"$run/wait"
	local wall=$((t1 - t0))
	[[ $c == floor ]] && wall=$((t1w - t0))
	local ck
	mapfile -t fl < <(files "$c" "$dir")
	ck=$("$LT" check "$len" "$lines" "${fl[@]}" || true)
	local drops
	drops=$(grep -c -i 'drop' "$run/logger.out" 2>/dev/null || true)
	echo "$w $c $rep $wall $bytes $((cpu1 - cpu0)) $rss $status $seen $lstatus ${drops:-0} $ck" >>"$tmp/raw"
	log "$w $c rep $rep: $(awk -v n="$wall" -v b="$bytes" 'BEGIN{printf "%.3f s, %.0f MiB/s", n/1e9, b/1048576/(n/1e9)}'), cpu $((cpu1 - cpu0)) ticks, $status; $ck"
	if [[ $status != ok || $ck != PASS* ]]; then
		# Keep the evidence of a failure (the logs themselves go with the tmpfs).
		{
			echo "== $w $c rep $rep: $status seen=$seen of $bytes; $ck"
			ls -l "$dir"
			cat "$run/logger.out"
		} >>"$EVIDENCE" 2>&1 || true
	fi
	rm -rf "$dir"
}

# ---------------------------------------------------------------- run
busy_before=$(busy)
started=$SECONDS
read -r -a cs <<<"$CONTENDERS"
k=${#cs[@]}
: >"$tmp/raw"
for w in $WORKLOADS; do
	log "workload $w: ${w_desc[$w]}; $REPS repetitions, interleaved"
	for ((r = 0; r < REPS; r++)); do
		for ((i = 0; i < k; i++)); do
			trial "${cs[(r + i) % k]}" "$w" $((r + 1))
		done
	done
done
elapsed=$((SECONDS - started))
cp "$tmp/raw" "$RAW_SAVE" || true

# ---------------------------------------------------------------- report
echo "## Logs (issue 4)"
echo
echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); kernel $(uname -r); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); measured in ${elapsed} s"
echo "tend $tend_rev, built: $tend_build"
echo "$($SUPERVISORD --version 2>/dev/null | sed 's/^/supervisord /'); s6-log and svlogd: $(dpkg-query -W -f '${Package} ${Version}' s6 2>/dev/null), $(dpkg-query -W -f '${Package} ${Version}' runit 2>/dev/null)"
echo "machine before: $busy_before; after: $(busy)"
echo "logs on tmpfs (size=$TMPFS_SIZE); $REPS repetitions each, interleaved; medians; CPU is the logger's utime+stime (all threads), not the writer's, in ${clk_tck} Hz ticks"
echo
awk -v tck="$clk_tck" -v reps="$REPS" '
function median(s,   n, a, i, j, t) {
	n = split(s, a, " ")
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
}
{
	key = $1 SUBSEP $2
	if (!(key in wall)) { order[++nk] = key }
	wall[key] = wall[key] " " $4; bytes[key] = $5; cpu[key] = cpu[key] " " $6; rss[key] = rss[key] " " $7
	ok = ($8 == "ok" && $12 == "PASS")
	pass[key] += ok; n[key]++
	if (ok) { lines[key] = $13; sub(/lines=/, "", lines[key]); first[key] = $14; sub(/first=/, "", first[key]) }
	else if (!(key in why)) { why[key] = "rep " $3 ": " ($8 != "ok" ? "got " $9 " of " $5 " bytes; " : "") substr($0, index($0, $12)) }
}
END {
	print "| workload | contender | wall s | MiB/s | vs floor | CPU s | CPU ms/MiB | peak RSS MiB | check |"
	print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	for (i = 1; i <= nk; i++) {
		key = order[i]; split(key, kk, SUBSEP)
		mib = bytes[key] / 1048576
		ws = median(wall[key]) / 1e9; tput[key] = mib / ws
		cs = median(cpu[key]) / tck; cpm[key] = cs * 1000 / mib
	}
	for (i = 1; i <= nk; i++) {
		key = order[i]; split(key, kk, SUBSEP)
		mib = bytes[key] / 1048576
		ws = median(wall[key]) / 1e9
		fl = kk[1] SUBSEP "floor"
		vs = (fl in tput) ? sprintf("%.2f", tput[key] / tput[fl]) : "-"
		if (kk[2] == "floor") { cstr = "-"; mstr = "-"; rstr = "-" }
		else { cstr = sprintf("%.2f", median(cpu[key]) / tck); mstr = sprintf("%.2f", cpm[key]); rstr = sprintf("%.1f", median(rss[key]) / 1024) }
		if (pass[key] == n[key]) chk = sprintf("PASS %s/%s: %d lines, %s..end", pass[key], n[key], lines[key], first[key] == 0 ? "0" : first[key])
		else chk = sprintf("FAIL %d/%d passed; %s", pass[key], n[key], why[key])
		printf "| %s | %s | %.3f | %.0f | %s | %s | %s | %s | %s |\n", kk[1], kk[2], ws, tput[key], vs, cstr, mstr, rstr, chk
	}
	print ""
	print "Ratios (throughput from median wall times; CPU per MiB from median CPU):"
	for (i = 1; i <= nk; i++) {
		key = order[i]; split(key, kk, SUBSEP)
		if (kk[2] != "tend") continue
		line = "- " kk[1] ": tend throughput is"; sep = " "
		for (j = 1; j <= nk; j++) {
			o = order[j]; split(o, oo, SUBSEP)
			if (oo[1] != kk[1] || oo[2] == "tend") continue
			line = line sprintf("%s%.2fx that of %s", sep, tput[key] / tput[o], oo[2]); sep = "; "
			if (oo[2] != "floor" && cpm[o] > 0) line = line sprintf(" (at %.2fx its CPU/MiB)", cpm[key] / cpm[o])
		}
		print line
	}
	c = "chunk" SUBSEP; l = "line" SUBSEP
	if ((c "tend") in tput || (l "tend") in tput) { print ""; print "Targets (issue 4):" }
	if ((c "tend") in tput) {
		t = tput[c "tend"]
		verdict(t >= 1000, sprintf("chunked: tend >= 1000 MiB/s: %.0f MiB/s", t))
		if ((c "supervisord") in tput) {
			verdict(t >= 3 * tput[c "supervisord"], sprintf("chunked: tend >= 3x supervisord: %.2fx", t / tput[c "supervisord"]))
			verdict(cpm[c "tend"] < cpm[c "supervisord"], sprintf("chunked: tend CPU/MiB < supervisord: %.2f vs %.2f ms/MiB", cpm[c "tend"], cpm[c "supervisord"]))
		}
		if ((c "s6-log") in tput) {
			verdict(t >= tput[c "s6-log"], sprintf("chunked: tend >= s6-log: %.2fx", t / tput[c "s6-log"]))
			verdict(cpm[c "tend"] < cpm[c "s6-log"], sprintf("chunked: tend CPU/MiB < s6-log: %.2f vs %.2f ms/MiB", cpm[c "tend"], cpm[c "s6-log"]))
		}
	}
	if ((l "tend") in tput && (l "floor") in tput)
		verdict(tput[l "tend"] >= 0.9 * tput[l "floor"], sprintf("one line per write: tend >= 0.9x floor: %.2fx", tput[l "tend"] / tput[l "floor"]))
	for (i = 1; i <= nk; i++) if (order[i] ~ /tend$/) {
		key = order[i]; split(key, kk, SUBSEP)
		verdict(pass[key] == n[key], sprintf("%s: tend keeps every line, in order, none doubled or split: %d/%d trials", kk[1], pass[key], n[key]))
	}
}
function verdict(ok, what) { printf "- %s: %s\n", ok ? "PASS" : "FAIL", what }' "$tmp/raw"
echo
echo "Raw (workload contender rep wall_ns bytes cpu_ticks peak_rss_kib wait seen_bytes logger_exit drop_lines check):"
echo
echo '```'
cat "$tmp/raw"
echo '```'
