# bench/stop.py: SIGTERM -> PID 1 gone, for several inits, interleaved
# (python3 bench/stop.py RUNS INIT...; as root). Each runs as PID 1
# of a new PID namespace over `sleep 100`; the clock runs from kill(PID 1,
# SIGTERM), sent from outside, until a pidfd of PID 1 says it has exited.
import os, select, signal, statistics, subprocess, sys, time

def children(pid):
    out = []
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/children") as f:
                out += [int(x) for x in f.read().split()]
    except FileNotFoundError:
        pass
    return out

def once(init):
    u = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", init, "--", "sleep", "100"])
    pid1 = None
    while True:
        if u.poll() is not None:
            sys.exit(f"{init} exited before its program ran (status {u.returncode})")
        c = children(u.pid)
        if c:
            pid1 = c[0]
            if children(pid1):
                break
        time.sleep(0.002)
    time.sleep(0.05)
    fd = os.pidfd_open(pid1)
    p = select.poll(); p.register(fd, select.POLLIN)
    t0 = time.perf_counter_ns()
    os.kill(pid1, signal.SIGTERM)
    p.poll(5000)
    t1 = time.perf_counter_ns()
    os.close(fd)
    u.wait()
    return (t1 - t0) / 1000

inits = sys.argv[2:]
runs = int(sys.argv[1])
res = {i: [] for i in inits}
for r in range(runs):
    for k in range(len(inits)):
        i = inits[(k + r) % len(inits)]
        res[i].append(once(i))
for i in inits:
    print(f"{i}: median {statistics.median(res[i]):.0f} µs, p10 {sorted(res[i])[len(res[i])//10]:.0f}, p90 {sorted(res[i])[len(res[i])*9//10]:.0f} (n={runs})")
