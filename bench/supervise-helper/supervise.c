/* bench/supervise-helper/supervise.c: the helpers of bench/supervise.sh.
 *
 * One source, three programs (compiled static at run time):
 *
 *   -DTOOL   the tool the script drives:
 *     launch CMD...       prints "T0 MONO_NS REAL_NS" on stderr, then execs
 *                         CMD (so that CMD keeps this pid: PID 1 of the new
 *                         namespace when run under unshare --fork)
 *     watch N PAT SECS -- CMD...
 *                         runs CMD with stdout and stderr on a pipe, reads
 *                         its lines, and counts those containing PAT; prints
 *                         "ok MS OWN_MS" where MS is CLOCK_MONOTONIC from T0
 *                         (printed by a launch inside CMD) to the read of the
 *                         N-th such line, and OWN_MS the time stamp written
 *                         on that line by the supervisor itself ("time=...Z"
 *                         of tend, "YYYY-MM-DD HH:MM:SS,mmm" of supervisord,
 *                         both UTC) minus T0's CLOCK_REALTIME, or -1.
 *                         Then kills CMD (SIGKILL) and reaps it.
 *                         After SECS without the N-th line: "timeout COUNT".
 *     watch-s6 N SCANDIR SECS -- CMD...
 *                         likewise, for s6: service directories
 *                         SCANDIR/s0 .. s(N-1); a service is up when
 *                         supervise/status holds a pid. Prints "ok MS SEEN_MS":
 *                         MS from T0 to the latest spawn stamp that
 *                         s6-supervise wrote in those status files (TAI64N,
 *                         converted to CLOCK_REALTIME), SEEN_MS when this
 *                         poller (every 10 ms) saw them all up.
 *     s6up N SCANDIR      exits 0 when those N services are all up, else 1
 *     floor N PROG        prints "ok MS": the time to posix_spawn N copies of
 *                         PROG one after the other (each returns once its
 *                         exec is done), then kills them
 *   -DPAUSE  pauses until a signal ends it (the supervised program)
 *   -DCRASH  appends "start NS" (CLOCK_MONOTONIC) to $CRASH_FILE (default
 *            ./crash.times), sleeps $CRASH_MS (default 1500) ms, appends
 *            "exit NS" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

__attribute__((unused)) static int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if defined(PAUSE)
int main(void)
{
	for (;;)
		pause();
}
#elif defined(CRASH)
static void note(const char *file, const char *what)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%s %lld\n", what, (long long)now_ns(CLOCK_MONOTONIC));
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		_exit(2);
	if (write(fd, buf, n) != n)
		_exit(2);
	close(fd);
}

int main(void)
{
	const char *file = getenv("CRASH_FILE");
	const char *ms = getenv("CRASH_MS");
	long d = ms ? atol(ms) : 1500;
	if (!file)
		file = "crash.times";
	note(file, "start");
	struct timespec ts = {d / 1000, (d % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	note(file, "exit");
	_exit(1);
}
#elif defined(TOOL)
static pid_t child;

static void die(const char *m)
{
	perror(m);
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

/* run CMD with stdout+stderr on a pipe; returns the read end. */
static int start(char **cmd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		/* If this watcher dies, unshare dies, and with --kill-child
		 * the whole namespace. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[1]);
	return p[0];
}

static void finish(void)
{
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

/* own time stamp of a log line, CLOCK_REALTIME ns, or -1 */
static int64_t own_stamp(const char *l)
{
	struct tm tm;
	int ms = 0;
	const char *p;
	memset(&tm, 0, sizeof tm);
	if ((p = strstr(l, "time=")) != NULL) {
		/* time=2026-11-24T01:10:48.424Z */
		if (sscanf(p + 5, "%d-%d-%dT%d:%d:%d.%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
			return -1;
	} else if (sscanf(l, "%d-%d-%d %d:%d:%d,%3d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000000000 + (int64_t)ms * 1000000;
}

static int64_t t0m = -1, t0r = -1;

static void t0_from(const char *l)
{
	long long m, r;
	if (t0m < 0 && sscanf(l, "T0 %lld %lld", &m, &r) == 2) {
		t0m = m;
		t0r = r;
	}
}

static int watch(int n, const char *pat, int secs, char **cmd)
{
	int fd = start(cmd);
	char buf[1 << 16];
	size_t have = 0;
	int count = 0;
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + (int64_t)secs * 1000000000;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		int64_t left = deadline - now_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			break;
		fd_set rs;
		FD_ZERO(&rs);
		FD_SET(fd, &rs);
		struct timeval tv = {left / 1000000000, (left % 1000000000) / 1000};
		int r = select(fd + 1, &rs, NULL, NULL, &tv);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("select");
		if (r == 0)
			break;
		ssize_t k = read(fd, buf + have, sizeof buf - 1 - have);
		int64_t t = now_ns(CLOCK_MONOTONIC);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0)
			break; /* the supervisor is gone */
		have += k;
		buf[have] = 0;
		char *l = buf, *nl;
		while ((nl = memchr(l, '\n', buf + have - l)) != NULL) {
			*nl = 0;
			t0_from(l);
			if (strstr(l, pat) && ++count == n) {
				int64_t own = own_stamp(l);
				finish();
				if (t0m < 0) {
					printf("error no-T0\n");
					return 1;
				}
				printf("ok %.3f %.3f\n", (t - t0m) / 1e6, own < 0 ? -1.0 : (own - t0r) / 1e6);
				return 0;
			}
			l = nl + 1;
		}
		memmove(buf, l, buf + have - l);
		have = buf + have - l;
		if (have == sizeof buf - 1)
			have = 0; /* a line too long: drop it */
	}
	finish();
	printf("timeout %d\n", count);
	return 1;
}

/* TAI64N stamp -> CLOCK_REALTIME ns. skalibs writes TAI (2^62 + UTC + 10 +
 * leap seconds); the offset is found by the caller. */
static int64_t tai_ns(const unsigned char *s, int64_t off)
{
	uint64_t sec = 0;
	uint32_t ns = 0;
	for (int i = 0; i < 8; i++)
		sec = sec << 8 | s[i];
	for (int i = 8; i < 12; i++)
		ns = ns << 8 | s[i];
	sec -= (uint64_t)1 << 62;
	return ((int64_t)sec - off) * 1000000000 + ns;
}

static int watch_s6(int n, const char *dir, int secs, char **cmd)
{
	int fd = start(cmd);
	unsigned char (*st)[35] = calloc(n, 35);
	char *up = calloc(n, 1);
	int count = 0;
	char line[256];
	size_t have = 0;
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + (int64_t)secs * 1000000000;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (count < n && now_ns(CLOCK_MONOTONIC) < deadline) {
		/* s6-svscan writes nothing; read T0 from launch. */
		ssize_t k;
		while (have < sizeof line - 1 && (k = read(fd, line + have, sizeof line - 1 - have)) > 0) {
			have += k;
			line[have] = 0;
			char *nl;
			while ((nl = strchr(line, '\n')) != NULL) {
				*nl = 0;
				t0_from(line);
				memmove(line, nl + 1, strlen(nl + 1) + 1);
				have = strlen(line);
			}
		}
		if (have == sizeof line - 1)
			have = 0;
		for (int i = 0; i < n; i++) {
			if (up[i])
				continue;
			char path[4096];
			snprintf(path, sizeof path, "%s/s%d/supervise/status", dir, i);
			int f = open(path, O_RDONLY | O_CLOEXEC);
			if (f < 0)
				continue;
			ssize_t r = read(f, st[i], 35);
			close(f);
			if (r < 35)
				continue;
			uint64_t pid = 0;
			for (int j = 24; j < 32; j++)
				pid = pid << 8 | st[i][j];
			if (pid) {
				up[i] = 1;
				count++;
			}
		}
		if (count < n) {
			struct timespec ts = {0, 10000000};
			nanosleep(&ts, NULL);
		}
	}
	int64_t seen = now_ns(CLOCK_MONOTONIC);
	finish();
	if (count < n) {
		printf("timeout %d\n", count);
		return 1;
	}
	if (t0m < 0) {
		printf("error no-T0\n");
		return 1;
	}
	/* 37 s (10 + 27 leap seconds, skalibs' default) or 10 s (no leap
	 * table): the one that puts every stamp between T0 and now. */
	int64_t seen_r = t0r + (seen - t0m);
	static const int64_t offs[] = {37, 10};
	for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++) {
		int64_t last = -1, first = INT64_MAX;
		for (int i = 0; i < n; i++) {
			int64_t t = tai_ns(st[i], offs[o]);
			if (t > last)
				last = t;
			if (t < first)
				first = t;
		}
		if (first >= t0r - 50000000 && last <= seen_r + 50000000) {
			printf("ok %.3f %.3f\n", (last - t0r) / 1e6, (seen - t0m) / 1e6);
			return 0;
		}
	}
	printf("error s6-stamps-out-of-range\n");
	return 1;
}

/* exit 0 when services DIR/s0 .. s(N-1) are all up */
static int s6up(int n, const char *dir)
{
	for (int i = 0; i < n; i++) {
		char path[4096];
		unsigned char st[35];
		snprintf(path, sizeof path, "%s/s%d/supervise/status", dir, i);
		int f = open(path, O_RDONLY | O_CLOEXEC);
		if (f < 0)
			return 1;
		ssize_t r = read(f, st, 35);
		close(f);
		if (r < 35)
			return 1;
		uint64_t pid = 0;
		for (int j = 24; j < 32; j++)
			pid = pid << 8 | st[j];
		if (!pid)
			return 1;
	}
	return 0;
}

/* the floor: start N copies of PROG one after the other with posix_spawn
 * (vfork + exec: it returns once the exec is done), as a supervisor that
 * did nothing else would. */
static int floor_(int n, char *prog)
{
	pid_t *p = calloc(n, sizeof *p);
	char *argv[] = {prog, NULL};
	int64_t a = now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++)
		if (posix_spawn(&p[i], prog, NULL, NULL, argv, environ) != 0)
			die("posix_spawn");
	int64_t b = now_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < n; i++) {
		kill(p[i], SIGKILL);
		waitpid(p[i], NULL, 0);
	}
	printf("ok %.3f\n", (b - a) / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "floor") == 0)
		return floor_(atoi(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "s6up") == 0)
		return s6up(atoi(argv[2]), argv[3]);
	if (argc >= 3 && strcmp(argv[1], "launch") == 0) {
		fprintf(stderr, "T0 %lld %lld\n", (long long)now_ns(CLOCK_MONOTONIC),
			(long long)now_ns(CLOCK_REALTIME));
		fflush(stderr);
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		return 127;
	}
	if (argc >= 7 && (strcmp(argv[1], "watch") == 0 || strcmp(argv[1], "watch-s6") == 0) &&
	    strcmp(argv[5], "--") == 0) {
		int n = atoi(argv[2]), secs = atoi(argv[4]);
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (argv[1][5] == '-')
			return watch_s6(n, argv[3], secs, argv + 6);
		return watch(n, argv[3], secs, argv + 6);
	}
	fprintf(stderr, "usage: launch CMD... | watch N PAT SECS -- CMD... | watch-s6 N SCANDIR SECS -- CMD...\n");
	return 2;
}
#else
#error "compile with -DTOOL, -DPAUSE or -DCRASH"
#endif
