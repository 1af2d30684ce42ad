#!/usr/bin/env bash
# bench/restart.sh: restarts of an HTTP server under load (issue 13): how
# many requests fail while a program restarts, under tend with a `listen`
# socket, under tend without one, and under supervisord. Each supervisor
# runs as PID 1 of a new PID namespace (unshare --pid --fork --kill-child
# --mount-proc, as the other bench scripts), so that killing it takes every
# server it started with it; so run it as root:
#
#   bash bench/restart.sh
#
# It needs go, git, unshare, awk, sort, and supervisord and supervisorctl
# (Debian: `apt-get install -y supervisor`); it installs nothing itself.
# The server and the load are bench/restart-helper (Go, built here with
# `go build`):
#
#   server  GET / answers 200 "ok"; it sleeps BOOT_MS before it serves (an
#           application's start-up), takes its socket from LISTEN_FDS (fd 3)
#           when tend passes one, else binds $ADDR itself after the sleep;
#           SIGTERM: http.Server.Shutdown (in-flight requests finish), exit 0;
#           with STOP=drain it first closes its listener and answers every
#           connection it has accepted, then Shutdown (Shutdown alone drops
#           a request it reads after it began: the client sees EOF).
#   load    WORKERS goroutines, each a GET at a time on a new connection
#           (no keep-alive, 2 s timeout), at most one per 2 ms per worker,
#           to 127.0.0.1:PORT; at the end, ok and failed counts, failures
#           by kind (refused, reset, other, timeout, non-200).
#
# Four setups, one after the other, each on a free port:
#
#   tend + listen   program web with listen = ["tcp:127.0.0.1:PORT"]:
#                   tend holds the socket across restarts. startsecs = 1,
#                   not a `ready = "tcp:..."` check: with listen a tcp
#                   check passes at once, since tend's socket accepts
#                   connections whether or not a process serves them.
#   tend + listen, server drains first
#                   the same, the server with STOP=drain.
#   tend, no listen the server binds $ADDR itself; startsecs = 1.
#   supervisord     [program:web] with ADDR in its environment,
#                   startsecs=1, stopsignal=TERM.
#
# For each: start the supervisor, wait until web is RUNNING (BOOT_MS must be
# below startsecs, so that RUNNING means serving, unless the machine is so
# busy that the boot takes longer), start the load, wait for its
# first ok, then RESTARTS restarts one after the other, each timed from
# just before the restart command to its return (`tend ctl --socket S
# restart web`, `supervisorctl -c CONF restart web`: both return once web
# is RUNNING again, i.e. startsecs after the new start; the time includes
# starting the client itself, a Python interpreter for supervisorctl).
# Then the load stops and its counts are the setup's row.
#
# It prints a markdown table, then the raw numbers, on stdout; progress
# goes to stderr; the raw numbers include the load's first few failures of
# each kind, with their time. Knobs (environment): RESTARTS (20), WORKERS
# (4), BOOT_MS (300), SETUPS ("tend_listen tend_listen_drain tend_nolisten
# supervisord": which, in this order), NICE (-20: the whole run at this
# priority), KEEP=1 (keep the temp dir with the configs and logs), TEND (a
# tend binary built already; else it is built from this checkout with
# release flags).
set -euo pipefail

RESTARTS=${RESTARTS:-20}
WORKERS=${WORKERS:-4}
BOOT_MS=${BOOT_MS:-300}
NICE=${NICE:--20}
STARTSECS=1
UP_SECS=20 # a supervisor whose web is not RUNNING by then has failed

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_init restart "unshare --pid: each supervisor is PID 1 of its own namespace"

for tool in go git unshare awk sort supervisord supervisorctl; do
	command -v "$tool" >/dev/null || case $tool in
	supervisord | supervisorctl) die "$tool not found (apt-get install -y supervisor provides it)" ;;
	*) die "$tool not found" ;;
	esac
done
((BOOT_MS < STARTSECS * 1000)) || die "BOOT_MS ($BOOT_MS) must be below startsecs ($STARTSECS s), so that RUNNING means serving"
((RESTARTS > 0 && WORKERS > 0)) || die "RESTARTS and WORKERS must be positive"

# ---------------------------------------------------------------- build
H=$tmp/restart-helper
log "building restart-helper"
(cd "$repo" && CGO_ENABLED=0 go build -o "$H" ./bench/restart-helper)
build_tend

renice -n "$NICE" -p $$ >/dev/null || log "cannot renice to $NICE; running at $(nice)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$SECONDS

# ---------------------------------------------------------------- ports
# port_used PORT: some TCP socket of this network namespace (listening,
# connected or in TIME_WAIT) has PORT as its local port.
port_used() {
	local hex f
	printf -v hex '%04X' "$1"
	for f in /proc/net/tcp /proc/net/tcp6; do
		[[ -r $f ]] || continue
		awk -v h="$hex" 'NR > 1 { split($2, a, ":"); if (a[2] == h) found = 1 } END { exit !found }' "$f" && return 0
	done
	return 1
}
# free_port: a port in 20000-39999 that no socket uses.
free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 20000))
		port_used "$p" || {
			echo "$p"
			return 0
		}
	done
	die "no free port found in 20000-39999"
}

# ---------------------------------------------------------------- configs
# conf_tend NAME PORT LISTEN STOP: a tend config for setup NAME; LISTEN 1
# passes the socket, 0 has the server bind it; STOP is the server's (see
# restart-helper). In the listen setups ADDR is unset, so that a server
# that did not get its socket fails instead of binding.
conf_tend() {
	local name=$1 port=$2 env="BOOT_MS = \"$BOOT_MS\", STOP = \"$4\"" listen=""
	if (($3)); then
		listen="listen = [\"tcp:127.0.0.1:$port\"]"
	else
		env+=", ADDR = \"127.0.0.1:$port\""
	fi
	cat >"$tmp/$name.toml" <<-EOF
		[tend]
		socket = "$tmp/$name.sock"

		[program.web]
		command = ["$H", "server"]
		environment = { $env }
		$listen
		startsecs = $STARTSECS
		stopsignal = "TERM"
		stopwaitsecs = 10
	EOF
}
# conf_sd NAME PORT: a supervisord config, the server binding ADDR.
conf_sd() {
	local name=$1 port=$2
	cat >"$tmp/$name.conf" <<-EOF
		[supervisord]
		nodaemon=true
		user=root
		logfile=$tmp/$name.log
		pidfile=$tmp/$name.pid
		childlogdir=$tmp

		[unix_http_server]
		file=$tmp/$name.sock

		[rpcinterface:supervisor]
		supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

		[supervisorctl]
		serverurl=unix://$tmp/$name.sock

		[program:web]
		command=$H server
		environment=ADDR="127.0.0.1:$port",BOOT_MS="$BOOT_MS",STOP="shutdown"
		startsecs=$STARTSECS
		stopsignal=TERM
		stopwaitsecs=10
		autorestart=true
		redirect_stderr=true
		stdout_logfile=$tmp/$name.web.log
	EOF
}

# ---------------------------------------------------------------- setups
read -r -a setups <<<"${SETUPS:-tend_listen tend_listen_drain tend_nolisten supervisord}"
declare -A label=(
	[tend_listen]="tend + listen"
	[tend_listen_drain]="tend + listen, server drains first"
	[tend_nolisten]="tend, no listen"
	[supervisord]="supervisord"
)
for s in "${setups[@]}"; do
	[[ -n ${label[$s]:-} ]] || die "SETUPS: unknown setup $s (${!label[*]})"
done

# prepare NAME PORT: write NAME's config; set sup (the supervisor's
# command line), restart_cmd and status_cmd (exit 0 once web is RUNNING),
# and server_log (where the server's own lines end up).
prepare() {
	local name=$1 port=$2
	case $name in
	tend_*)
		case $name in
		tend_listen) conf_tend "$name" "$port" 1 shutdown ;;
		tend_listen_drain) conf_tend "$name" "$port" 1 drain ;;
		tend_nolisten) conf_tend "$name" "$port" 0 shutdown ;;
		esac
		sup=("$tend" --log-level info -c "$tmp/$name.toml")
		restart_cmd=("$tend" ctl --socket "$tmp/$name.sock" restart web)
		status_cmd=("$tend" ctl --socket "$tmp/$name.sock" status web)
		server_log=$tmp/log.$name
		;;
	supervisord)
		conf_sd "$name" "$port"
		sup=(supervisord -c "$tmp/$name.conf")
		restart_cmd=(supervisorctl -c "$tmp/$name.conf" restart web)
		status_cmd=(supervisorctl -c "$tmp/$name.conf" status web)
		server_log=$tmp/$name.web.log
		;;
	esac
}

# start_sup NAME: the supervisor as PID 1 of a new PID namespace, its
# output in $tmp/log.NAME; sets sup_pid (unshare's pid).
start_sup() {
	unshare --pid --fork --kill-child --mount-proc "${sup[@]}" >"$tmp/log.$1" 2>&1 &
	sup_pid=$!
	bg_pids+=("$!")
}

# stop_sup: SIGKILL unshare; --kill-child takes the namespace (the
# supervisor and the server) down with it.
stop_sup() {
	kill -KILL "$sup_pid" 2>/dev/null || true
	wait "$sup_pid" 2>/dev/null || true
}

# wait_running NAME: until status_cmd says web is RUNNING.
wait_running() {
	local deadline=$((SECONDS + UP_SECS))
	until "${status_cmd[@]}" >/dev/null 2>&1; do
		((SECONDS < deadline)) || die "$1: web not RUNNING after $UP_SECS s (see $tmp/log.$1; KEEP=1 keeps it)"
		nap
	done
}

# start_load NAME PORT: the load in the background, reading a FIFO whose
# write end this script holds (load_w): closing it stops the load, and so
# does this script's death, however it dies. Sets load_pid.
start_load() {
	local fifo=$tmp/load.$1.in
	mkfifo "$fifo"
	"$H" load "127.0.0.1:$2" "$WORKERS" <"$fifo" >"$tmp/load.$1.out" 2>"$tmp/load.$1.err" &
	load_pid=$!
	bg_pids+=("$!")
	exec {load_w}>"$fifo" # the load's open of the FIFO returns now
}

# wait_first_ok NAME: until the load has had a request answered.
wait_first_ok() {
	local deadline=$((SECONDS + 10))
	until grep -q '^load: first ok' "$tmp/load.$1.err"; do
		((SECONDS < deadline)) || die "$1: no request answered in 10 s ($(cat "$tmp/load.$1.err"))"
		kill -0 "$load_pid" 2>/dev/null || die "$1: the load exited: $(cat "$tmp/load.$1.err")"
		nap
	done
}

# stop_load NAME: end of input and SIGTERM (either stops it), then its
# one line of counts into $tmp/r.load.NAME.
stop_load() {
	exec {load_w}>&-
	kill -TERM "$load_pid" 2>/dev/null || true
	wait "$load_pid" || die "$1: the load failed: $(cat "$tmp/load.$1.err")"
	cp "$tmp/load.$1.out" "$tmp/r.load.$1"
}

# restarts NAME: RESTARTS restarts one after another, the ms of each
# restart command into $tmp/r.ms.NAME. EPOCHREALTIME: no date process in
# the timed span.
restarts() {
	local i t0 t1
	: >"$tmp/r.ms.$1"
	for ((i = 0; i < RESTARTS; i++)); do
		t0=$EPOCHREALTIME
		"${restart_cmd[@]}" >>"$tmp/restart.$1.out" 2>&1 || die "$1: restart $i failed: $(tail -3 "$tmp/restart.$1.out")"
		t1=$EPOCHREALTIME
		echo "$((${t1/./} - ${t0/./}))" >>"$tmp/r.ms.$1" # µs
	done
}

# run NAME: one setup, start to finish.
run() {
	local name=$1 port
	port=$(free_port)
	prepare "$name" "$port"
	log "${label[$name]}: port $port, $RESTARTS restarts under $WORKERS workers"
	start_sup "$name"
	wait_running "$name"
	start_load "$name" "$port"
	wait_first_ok "$name"
	pause 0.5 # some ok requests before the first restart
	restarts "$name"
	stop_load "$name"
	stop_sup
	bg_pids=() # both gone: nothing for cleanup to kill
	# Each start of the server says how it got its socket: the count
	# checks that every restart made a new process.
	grep -c 'server: pid' "$server_log" >"$tmp/r.starts.$name" || true
	grep -o 'server: pid .*' "$server_log" | sed 's/^server: pid [0-9]* //' | sort | uniq -c >"$tmp/r.how.$name" || true
	# The load's first few failures of each kind, with their time.
	grep -v '^load: first ok' "$tmp/load.$name.err" >"$tmp/r.fail.$name" || true
	log "  $(cat "$tmp/r.load.$name"); restart ms median $(sort -n "$tmp/r.ms.$name" | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1000}')"
}

for s in "${setups[@]}"; do
	run "$s"
done

elapsed=$((SECONDS - started))
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
log "measured in $elapsed s; writing the report"

# ---------------------------------------------------------------- report
rev=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "no commit")
dirty=$(git -C "$repo" status --porcelain -- . ':!bench' 2>/dev/null | wc -l)
header="date $(date -u +%Y-%m-%dT%H:%M:%SZ); nproc $(nproc); kernel $(uname -r); measured in ${elapsed} s"
header+=$'\n'"command: RESTARTS=$RESTARTS WORKERS=$WORKERS BOOT_MS=$BOOT_MS NICE=$NICE bash bench/restart.sh"
header+=$'\n'"tend: $tend_build; commit $rev, $dirty files changed outside bench/"
header+=$'\n'"supervisord $(supervisord --version) ($(python3 --version 2>&1)); $(go version)"
header+=$'\n'"load average (1, 5, 15 min) before: $load_before; after: $load_after"

for s in "${setups[@]}"; do
	sort -n "$tmp/r.ms.$s" >"$tmp/r.sorted.$s"
done
labels=""
for s in "${setups[@]}"; do
	labels+="${labels:+|}${label[$s]}"
done
awk -v names="${setups[*]}" -v labels="$labels" \
	-v restarts="$RESTARTS" -v header="$header" '
function base(f) { sub(/.*\/r\./, "", f); return f } # kind.name
{
	k = base(FILENAME)
	v[k, ++cnt[k]] = $0
	if (k ~ /^load\./) for (i = 1; i <= NF; i++) { split($i, kv, "="); f[k, kv[1]] = kv[2] }
}
function median(k,    n) {
	n = cnt[k]
	if (n == 0) return "nan"
	return (n % 2 ? v[k, (n + 1) / 2] : (v[k, n / 2] + v[k, n / 2 + 1]) / 2) / 1000
}
END {
	n = split(names, nm, " "); split(labels, lb, "|")
	print "| setup | restarts | requests ok | failed | refused | reset | other | median restart ms |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		s = nm[i]; l = "load." s
		printf "| %s | %d | %d | %d | %d | %d | %d | %.1f |\n", lb[i], cnt["ms." s], f[l, "ok"], f[l, "failed"], \
			f[l, "refused"], f[l, "reset"], f[l, "other"], median("sorted." s)
	}
	print ""
	print "- failed = refused + reset + other + timeout + non-200; timeout and non-200 are in the raw lines below."
	print ""
	print "Raw numbers:"
	print ""
	print "```"
	print header
	for (i = 1; i <= n; i++) {
		s = nm[i]
		print "== " lb[i]
		print "load: " v["load." s, 1]
		line = ""
		for (m = 1; m <= cnt["sorted." s]; m++) line = line sprintf(" %.1f", v["sorted." s, m] / 1000)
		print "restart ms, sorted:" line
		line = ""
		for (m = 1; m <= cnt["ms." s]; m++) line = line sprintf(" %.1f", v["ms." s, m] / 1000)
		print "restart ms, in order:" line
		printf "server starts that got to serve: %d (1 + %d restarts expected; a start stopped while it boots does not count)\n", v["starts." s, 1], restarts
		for (m = 1; m <= cnt["how." s]; m++) print "  " v["how." s, m]
		if (cnt["fail." s]) print "first failures of each kind (time the request began):"
		for (m = 1; m <= cnt["fail." s]; m++) print "  " v["fail." s, m]
	}
	print "```"
}' "$tmp"/r.load.* "$tmp"/r.ms.* "$tmp"/r.sorted.* "$tmp"/r.starts.* "$tmp"/r.how.* "$tmp"/r.fail.*
