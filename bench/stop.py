# bench/stop.py: SIGTERM -> PID 1 gone, side by side, interleaved
# (as root): python3 bench/stop.py RUNS 'INIT ARGS...' ...
# Each init command line runs as PID 1 of a new PID namespace (unshare
# --pid --fork --mount-proc) and must start `sleep` somewhere below it;
# once that sleep runs, the clock runs from kill(PID 1, SIGTERM), sent
# from outside, until a pidfd of PID 1 says it has exited. Example:
#   python3 bench/stop.py 30 '/usr/bin/tini -- sleep 100' \
#       '/tmp/tend -c /tmp/one-sleep.toml' '/usr/bin/s6-svscan /tmp/scan'
import os, select, shlex, signal, statistics, subprocess, sys, time


def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def has_sleep(pid):
    for c in children(pid):
        try:
            with open(f"/proc/{c}/comm") as f:
                if f.read().strip() == "sleep":
                    return True
        except FileNotFoundError:
            continue
        if has_sleep(c):
            return True
    return False


def once(cmd):
    u = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"] + shlex.split(cmd),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if u.poll() is not None:
            sys.exit(f"{cmd}: exited before its sleep ran (status {u.returncode})")
        c = children(u.pid)
        if c and has_sleep(c[0]):
            pid1 = c[0]
            break
        time.sleep(0.002)
    time.sleep(0.05)
    fd = os.pidfd_open(pid1)
    p = select.poll()
    p.register(fd, select.POLLIN)
    t0 = time.perf_counter_ns()
    os.kill(pid1, signal.SIGTERM)
    p.poll(10000)
    t1 = time.perf_counter_ns()
    os.close(fd)
    u.wait()
    return (t1 - t0) / 1000


runs = int(sys.argv[1])
cmds = sys.argv[2:]
res = {c: [] for c in cmds}
for r in range(runs):
    for k in range(len(cmds)):
        c = cmds[(k + r) % len(cmds)]
        res[c].append(once(c))
for c in cmds:
    v = sorted(res[c])
    print(f"{c}: median {statistics.median(v):.0f} µs, p10 {v[len(v) // 10]:.0f}, p90 {v[len(v) * 9 // 10]:.0f} (n={runs})")
