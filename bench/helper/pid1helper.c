/*
 * pid1helper: the programs bench/pid1.sh runs under each init.
 * bench/pid1.sh compiles it at run time, static, with -O2.
 *
 *   pid1helper launch INIT [ARG...]
 *       Read CLOCK_MONOTONIC, put it in the environment as BENCH_T0 (ns),
 *       and execve INIT, so that INIT is PID 1 of the namespace that
 *       `unshare --pid --fork --mount-proc` made for this launcher.
 *   pid1helper start
 *       The program under the init: read CLOCK_MONOTONIC first thing in
 *       main and print now - BENCH_T0 in nanoseconds; then what PID 1 has
 *       spent so far: CPU time (ns), minor page faults, threads.
 *   pid1helper orphans N
 *       Start N processes whose parent is PID 1, not the helper (see
 *       orphans below), each asleep on one futex. Wake them all at once,
 *       so that all exit together, and print the milliseconds until every
 *       one of them has been reaped (kill(pid, 0) fails with ESRCH only
 *       once the zombie is gone); then "init ctxt C cpu_ns T threads N":
 *       the init's context switches and CPU time over that span. The
 *       orphans share the helper's process group, as a program's children
 *       do; with BENCH_ORPHAN_OWN_PGRP=1 each makes a group of its own.
 *   pid1helper stop N INIT [ARG...]
 *       N times: in a new PID namespace, start INIT [ARG...] pid1helper
 *       hold as its PID 1; once the program says it is up (a byte on fd 3),
 *       read CLOCK_MONOTONIC, send SIGTERM to the init, and wait for it
 *       to be gone. Print each span in nanoseconds, one a line. The
 *       program keeps SIGTERM's default action, so it dies of it when the
 *       init passes it on: nothing stubborn is left for the init to stop.
 *   pid1helper hold
 *       Write a byte on fd 3, close it, and sleep until a signal ends it.
 *   pid1helper fwd N GAP_US WARMUP
 *       Install a SIGUSR1 handler and fork a sender. WARMUP + N times, the
 *       sender sleeps GAP_US, reads CLOCK_MONOTONIC and sends
 *       kill(1, SIGUSR1); the init forwards it and the handler reads the
 *       clock. Print the last N latencies, one a line, in nanoseconds;
 *       then "lost K" for signals that never arrived within 1 s, and
 *       "init ctxt C cpu_ns T threads N": PID 1's context switches and
 *       CPU time over those N.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static inline int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "pid1helper: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* launch: everything but the clock read and the digits is done first. */
static int launch(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pid1helper launch INIT [ARG...]\n");
		return 2;
	}
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof *env);
	static char var[] = "BENCH_T0=00000000000000000000";
	char *digits = var + strlen("BENCH_T0=");
	if (!env)
		die("calloc");
	size_t j = 0;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "BENCH_T0=", 9) != 0)
			env[j++] = environ[i];
	env[j++] = var;
	env[j] = NULL;

	int64_t t0 = now_ns();
	for (int k = 19; k >= 0; k--) {
		digits[k] = '0' + (char)(t0 % 10);
		t0 /= 10;
	}
	execve(argv[2], argv + 2, env);
	die("execve");
	return 2;
}

/* usage is what /proc says one process has done so far, over all threads. */
struct usage {
	long long ctxt;   /* voluntary + involuntary context switches */
	long long cpu_ns; /* time on CPU, from schedstat */
	int threads;
};

/* usage_of reads /proc/PID/task/TID/status and schedstat for every thread. */
static struct usage usage_of(pid_t pid)
{
	char path[320], line[256];
	struct usage u = {0, 0, 0};
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return u;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "/proc/%d/task/%s/status", pid, e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		u.threads++;
		long long v;
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %lld", &v) == 1)
				u.ctxt += v;
		fclose(f);
		snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", pid, e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%lld", &v) == 1)
			u.cpu_ns += v;
		fclose(f);
	}
	closedir(d);
	return u;
}

/*
 * state reads fields 3 and 4 of /proc/PID/stat, the state and the parent;
 * it returns 0 when the process is gone.
 */
static char state(pid_t pid, int *ppid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	/* The command name is in parentheses and may hold ')' itself. */
	char *p = strrchr(buf, ')');
	char st;
	if (!p || sscanf(p + 1, " %c %d", &st, ppid) != 2)
		return 0;
	return st;
}

/* minflt reads PID's minor page faults, field 10 of /proc/PID/stat. */
static long long minflt(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = 0;
	char *p = strrchr(buf, ')');
	long long v;
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %lld", &v) != 1)
		return -1;
	return v;
}

/*
 * start prints "NS CPU_NS MINFLT THREADS": the start time, then what PID 1
 * has spent so far (CPU time, minor page faults, threads), read just after.
 */
static int start(int64_t t1)
{
	const char *s = getenv("BENCH_T0");
	if (!s) {
		fprintf(stderr, "pid1helper: BENCH_T0 not set\n");
		return 2;
	}
	long long ns = (long long)(t1 - strtoll(s, NULL, 10));
	struct usage u = usage_of(1);
	printf("%lld %lld %lld %d\n", ns, u.cpu_ns, minflt(1), u.threads);
	return 0;
}

/*
 * Orphans are made with clone(CLONE_PARENT | CLONE_VM), not fork():
 *
 * - fork() costs about half a millisecond on the VM this was written on
 *   (page-table copies and TLB flushes under a paravirtual MMU); the 40,000
 *   forks of the intermediate-process design, five times per init, would
 *   not fit the script's time budget.
 * - CLONE_PARENT makes the init, not the helper, the new process's parent:
 *   to the init it is the same as an orphan reparented to it, a child it
 *   never started, reaped with wait4(-1) like any other. Only the init
 *   itself may not use CLONE_PARENT, and the helper is not the init.
 * - CLONE_VM, CLONE_FS, CLONE_FILES and CLONE_SIGHAND without
 *   CLONE_THREAD still make a separate process (its own thread group, exit
 *   signal SIGCHLD); sharing the helper's memory, files and handlers makes
 *   its start and exit cheap, and lets all of them sleep on one futex.
 *   Orphans run nothing but raw system calls, on stacks of their own.
 */
#define STACK_SIZE (16 * 1024)

static int go;      /* the futex every orphan sleeps on */
static int waiting; /* orphans about to sleep on it */

static int own_pgrp; /* BENCH_ORPHAN_OWN_PGRP=1: each orphan leads a group */

static int orphan(void *arg)
{
	(void)arg;
	if (own_pgrp)
		syscall(SYS_setpgid, 0, 0);
	__atomic_add_fetch(&waiting, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&go, __ATOMIC_ACQUIRE) == 0)
		syscall(SYS_futex, &go, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	syscall(SYS_exit, 0);
	return 0;
}

static int orphans(int n)
{
	pid_t *pids = calloc((size_t)n, sizeof *pids);
	char *stacks = mmap(NULL, (size_t)n * STACK_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!pids || stacks == MAP_FAILED)
		die("mmap");
	pid_t init = getppid();
	const char *e = getenv("BENCH_ORPHAN_OWN_PGRP");
	own_pgrp = e && strcmp(e, "1") == 0;

	int64_t tc = now_ns();
	for (int i = 0; i < n; i++) {
		char *stack = stacks + (size_t)(i + 1) * STACK_SIZE;
		pids[i] = clone(orphan, stack,
				CLONE_PARENT | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | SIGCHLD,
				NULL);
		if (pids[i] < 0)
			die("clone");
	}
	/* Each orphan counts itself just before it sleeps; then let all settle. */
	while (__atomic_load_n(&waiting, __ATOMIC_ACQUIRE) < n)
		usleep(1000);
	usleep(100000);
	int64_t tr = now_ns();
	int idx[] = {0, n / 2, n - 1};
	for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++) {
		int ppid = 0;
		char st = state(pids[idx[k]], &ppid);
		if (st != 'S' || ppid != init) {
			fprintf(stderr, "pid1helper: orphan %d: state %c, parent %d, not asleep under the init %d\n",
				pids[idx[k]], st ? st : '?', ppid, init);
			return 2;
		}
	}

	struct usage u0 = usage_of(init);
	int64_t t0 = now_ns();
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	if (syscall(SYS_futex, &go, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0) < 0)
		die("futex wake");
	/*
	 * kill(pid, 0) fails with ESRCH only once the zombie has been reaped;
	 * polling every millisecond keeps the helper off the CPUs the init and
	 * the exiting orphans need, at 1 ms of resolution.
	 */
	for (int i = 0; i < n; i++)
		while (kill(pids[i], 0) == 0)
			usleep(1000);
	int64_t t1 = now_ns();
	struct usage u1 = usage_of(init);
	printf("%.1f\n", (double)(t1 - t0) / 1e6);
	printf("init ctxt %lld cpu_ns %lld threads %d\n", u1.ctxt - u0.ctxt,
	       u1.cpu_ns - u0.cpu_ns, u1.threads);
	if (getenv("BENCH_VERBOSE"))
		fprintf(stderr, "orphans: start %.0f ms, settle %.0f ms, reap %.0f ms (from %.6f to %.6f s)\n",
			(double)(tr - tc) / 1e6, (double)(t0 - tr) / 1e6, (double)(t1 - t0) / 1e6,
			(double)t0 / 1e9, (double)t1 / 1e9);
	return 0;
}

struct shared {
	volatile int64_t t1;
};

static struct shared *shm;
static int ack[2];

static void on_usr1(int sig)
{
	(void)sig;
	shm->t1 = now_ns();
	int e = errno;
	if (write(ack[1], "x", 1) < 0) {
		/* nothing to do in a handler; the sender times out */
	}
	errno = e;
}

/*
 * fwd prints one forwarding latency per line (ns), then "lost K" and
 * "ctxt C threads T": PID 1's context switches over the measured signals.
 */
static int fwd(int n, int gap_us, int warmup)
{
	shm = mmap(NULL, sizeof *shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		die("mmap");
	if (pipe2(ack, O_CLOEXEC))
		die("pipe");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL))
		die("sigaction");

	pid_t sender = fork();
	if (sender < 0)
		die("fork");
	if (sender == 0) {
		/* dumb-init forwards to the whole process group, sender included. */
		signal(SIGUSR1, SIG_IGN);
		close(ack[1]);
		int64_t *lat = calloc((size_t)n, sizeof *lat);
		if (!lat)
			die("calloc");
		int lost = 0, k = 0;
		struct usage u0 = {0, 0, 0};
		struct pollfd pfd = {.fd = ack[0], .events = POLLIN};
		for (int i = 0; i < warmup + n; i++) {
			if (i == warmup)
				u0 = usage_of(1);
			usleep((useconds_t)gap_us);
			int64_t t0 = now_ns();
			if (kill(1, SIGUSR1))
				die("kill 1");
			int r;
			while ((r = poll(&pfd, 1, 1000)) < 0 && errno == EINTR)
				;
			if (r == 0) {
				lost++;
				continue;
			}
			char c;
			if (read(ack[0], &c, 1) != 1)
				die("read ack");
			if (i >= warmup)
				lat[k++] = shm->t1 - t0;
		}
		struct usage u1 = usage_of(1);
		for (int i = 0; i < k; i++)
			printf("%lld\n", (long long)lat[i]);
		printf("lost %d\n", lost);
		printf("init ctxt %lld cpu_ns %lld threads %d\n", u1.ctxt - u0.ctxt,
		       u1.cpu_ns - u0.cpu_ns, u1.threads);
		fflush(stdout);
		_exit(0);
	}
	close(ack[0]);
	int status;
	while (waitpid(sender, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* stop_once runs one init in a new PID namespace and times its SIGTERM. */
static long long stop_once(char **init)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC))
		die("pipe");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (dup2(p[1], 3) < 0)
			die("dup2");
		execv(init[0], init);
		die("execv");
	}
	close(p[1]);
	char c;
	if (read(p[0], &c, 1) != 1)
		die("read ready");
	close(p[0]);
	int64_t t0 = now_ns();
	if (kill(pid, SIGTERM))
		die("kill");
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return (long long)(now_ns() - t0);
}

/* stop: N runs, each in a child that made a new PID namespace first. */
static int stop(int n, int argc, char **argv)
{
	/* INIT ARGS... then this helper's hold, then NULL. */
	char **init = calloc((size_t)argc + 3, sizeof *init);
	static char self[PATH_MAX];
	if (!init || readlink("/proc/self/exe", self, sizeof self - 1) < 0)
		die("setup");
	for (int i = 0; i < argc; i++)
		init[i] = argv[i];
	init[argc] = self;
	init[argc + 1] = "hold";
	for (int i = 0; i < n; i++) {
		int out[2];
		if (pipe(out))
			die("pipe");
		pid_t c = fork();
		if (c < 0)
			die("fork");
		if (c == 0) {
			close(out[0]);
			if (unshare(CLONE_NEWPID))
				die("unshare");
			long long ns = stop_once(init);
			if (write(out[1], &ns, sizeof ns) != sizeof ns)
				die("write");
			_exit(0);
		}
		close(out[1]);
		long long ns;
		if (read(out[0], &ns, sizeof ns) != sizeof ns)
			die("read span");
		close(out[0]);
		while (waitpid(c, NULL, 0) < 0)
			if (errno != EINTR)
				die("waitpid");
		printf("%lld\n", ns);
	}
	return 0;
}

static int hold(void)
{
	if (write(3, "x", 1) != 1)
		die("write fd 3");
	close(3);
	for (;;)
		pause();
	return 0;
}

int main(int argc, char **argv)
{
	int64_t t = now_ns(); /* first thing: the start benchmark's end mark */
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return start(t);
	if (argc >= 2 && strcmp(argv[1], "launch") == 0)
		return launch(argc, argv);
	if (argc == 3 && strcmp(argv[1], "orphans") == 0)
		return orphans(atoi(argv[2]));
	if (argc >= 4 && strcmp(argv[1], "stop") == 0)
		return stop(atoi(argv[2]), argc - 3, argv + 3);
	if (argc == 2 && strcmp(argv[1], "hold") == 0)
		return hold();
	if (argc == 5 && strcmp(argv[1], "fwd") == 0)
		return fwd(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: pid1helper start | launch INIT [ARG...] | orphans N | fwd N GAP_US WARMUP | stop N INIT [ARG...] | hold\n");
	return 2;
}
