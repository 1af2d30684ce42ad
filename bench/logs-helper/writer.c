/*
 * writer: the program whose output every contender of bench/logs.sh logs.
 * The same static binary runs under tend, supervisord, s6-log, svlogd and
 * straight into a file (the floor).
 *
 *   writer LINES LINE_LEN LINES_PER_WRITE TIMEFILE GOFIFO READYFILE
 *
 * Writes LINES numbered lines of LINE_LEN bytes each to standard output,
 * LINES_PER_WRITE lines per write(2). A line is a 10-digit zero-padded
 * number (0, 1, ...), a space, filler ('a' + column % 26) and '\n', so
 * a checker can tell a line that is lost, doubled, reordered or cut.
 *
 * Start gate: it creates READYFILE, then blocks opening GOFIFO until the
 * harness opens it for writing, so that the logger's CPU can be read with
 * the writer started and idle. CLOCK_MONOTONIC is read just before the
 * first write and just after the last; both go to TIMEFILE ("t0 t1" in ns),
 * which appears (by rename) only after the last write.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DIGITS 10

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "writer: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: writer LINES LINE_LEN LINES_PER_WRITE TIMEFILE GOFIFO READYFILE\n");
		return 2;
	}
	long long lines = atoll(argv[1]);
	int len = atoi(argv[2]);
	int per = atoi(argv[3]);
	if (lines <= 0 || len < DIGITS + 2 || per <= 0) {
		fprintf(stderr, "writer: bad arguments\n");
		return 2;
	}
	size_t bufsz = (size_t)len * per;
	char *buf = malloc(bufsz);
	if (!buf)
		die("malloc");
	for (int l = 0; l < per; l++) {
		char *p = buf + (size_t)l * len;
		memset(p, '0', DIGITS);
		p[DIGITS] = ' ';
		for (int c = DIGITS + 1; c < len - 1; c++)
			p[c] = 'a' + c % 26;
		p[len - 1] = '\n';
	}
	char num[DIGITS];
	memset(num, '0', DIGITS);

	int fd = open(argv[6], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("create ready file");
	close(fd);
	fd = open(argv[5], O_RDONLY);
	if (fd < 0)
		die("open go fifo");
	close(fd);

	long long t0 = now_ns();
	long long left = lines;
	while (left > 0) {
		int n = left < per ? (int)left : per;
		for (int l = 0; l < n; l++) {
			memcpy(buf + (size_t)l * len, num, DIGITS);
			for (int d = DIGITS - 1; d >= 0; d--) { /* num++ */
				if (num[d] != '9') {
					num[d]++;
					break;
				}
				num[d] = '0';
			}
		}
		size_t want = (size_t)n * len, done = 0;
		while (done < want) {
			ssize_t w = write(1, buf + done, want - done);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				die("write");
			}
			done += (size_t)w;
		}
		left -= n;
	}
	long long t1 = now_ns();

	/* Written aside, then renamed: TIMEFILE appears whole or not at all. */
	char out[64], tmp[4096];
	int k = snprintf(out, sizeof out, "%lld %lld\n", t0, t1);
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[4]);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open time file");
	if (write(fd, out, (size_t)k) != k)
		die("write time file");
	close(fd);
	if (rename(tmp, argv[4]) < 0)
		die("rename time file");
	return 0;
}
