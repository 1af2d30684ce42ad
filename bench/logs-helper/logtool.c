/*
 * logtool: the measuring side of bench/logs.sh (never the program logged).
 *
 *   logtool wait DIR BYTES TIMEFILE TIMEOUT_S
 *     Waits until TIMEFILE exists (the writer has made its last write),
 *     then until the regular files in DIR (less s6-log's and svlogd's
 *     lock, state and config) hold BYTES in all, polling every POLL_US.
 *     Prints "T1_NS BYTES_SEEN ok" (T1 on CLOCK_MONOTONIC, as the
 *     writer's clock) or "T1_NS BYTES_SEEN timeout". Exit 0 / 1.
 *
 *   logtool check LINE_LEN TOTAL_LINES FILE...
 *     Reads the FILEs in the order given (oldest first) as one stream of
 *     the writer's lines and checks that every line is whole (LINE_LEN
 *     bytes, its number and filler intact), that the numbers go up by one
 *     (nothing lost in between, duplicated or reordered), that the last is
 *     TOTAL_LINES-1 (the end of the sequence) and that no file ends inside
 *     a line (a line split across two files). Prints
 *     "PASS lines=N first=F last=L files=K" or "FAIL reason". Exit 0 / 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DIGITS 10
#define POLL_US 1000

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void nap(void)
{
	struct timespec ts = {0, POLL_US * 1000L};
	nanosleep(&ts, NULL);
}

static long long dir_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	long long sum = 0;
	ino_t seen[256];
	int nseen = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' || !strcmp(n, "lock") || !strcmp(n, "state") || !strcmp(n, "config"))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		int dup = 0; /* a file seen under its old and new name mid-rename */
		for (int i = 0; i < nseen; i++)
			dup |= seen[i] == st.st_ino;
		if (dup)
			continue;
		if (nseen < 256)
			seen[nseen++] = st.st_ino;
		sum += st.st_size;
	}
	closedir(d);
	return sum;
}

static int do_wait(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: logtool wait DIR BYTES TIMEFILE TIMEOUT_S\n");
		return 2;
	}
	const char *dir = argv[2], *timefile = argv[4];
	long long want = atoll(argv[3]);
	long long deadline = now_ns() + atoll(argv[5]) * 1000000000LL;
	while (access(timefile, F_OK) < 0) {
		if (now_ns() > deadline) {
			printf("%lld %lld timeout\n", now_ns(), dir_bytes(dir));
			return 1;
		}
		nap();
	}
	for (;;) {
		long long have = dir_bytes(dir);
		long long t = now_ns();
		if (have == want) {
			printf("%lld %lld ok\n", t, have);
			return 0;
		}
		if (t > deadline) {
			printf("%lld %lld timeout\n", t, have);
			return 1;
		}
		nap();
	}
}

static int do_check(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: logtool check LINE_LEN TOTAL_LINES FILE...\n");
		return 2;
	}
	int len = atoi(argv[2]);
	long long total = atoll(argv[3]);
	char *filler = malloc((size_t)len);
	for (int c = DIGITS + 1; c < len - 1; c++)
		filler[c] = 'a' + c % 26;
	size_t cap = 4 << 20;
	char *buf = malloc(cap + (size_t)len);
	long long count = 0, first = -1, prev = -1;
	int files = 0;
	for (int f = 4; f < argc; f++) {
		int fd = open(argv[f], O_RDONLY);
		if (fd < 0) {
			printf("FAIL open %s: %s\n", argv[f], strerror(errno));
			return 1;
		}
		files++;
		size_t have = 0; /* bytes in buf, a partial line at the front */
		long long off = 0; /* file offset of buf[0] */
		for (;;) {
			ssize_t r = read(fd, buf + have, cap - have);
			if (r < 0) {
				printf("FAIL read %s: %s\n", argv[f], strerror(errno));
				return 1;
			}
			if (r == 0)
				break;
			have += (size_t)r;
			size_t p = 0;
			while (have - p >= (size_t)len) {
				char *l = buf + p;
				char *nl = memchr(l, '\n', (size_t)len);
				if (nl != l + len - 1) {
					printf("FAIL %s offset %lld: line %s (after line %lld)\n", argv[f], off + (long long)p,
					       nl ? "too short: cut, or the rest of a line split across files" : "too long", prev);
					return 1;
				}
				long long v = 0;
				for (int d = 0; d < DIGITS; d++) {
					if (l[d] < '0' || l[d] > '9') {
						printf("FAIL %s offset %lld: mangled number (after line %lld)\n", argv[f], off + (long long)p, prev);
						return 1;
					}
					v = v * 10 + (l[d] - '0');
				}
				if (l[DIGITS] != ' ' || memcmp(l + DIGITS + 1, filler + DIGITS + 1, (size_t)len - DIGITS - 2)) {
					printf("FAIL %s offset %lld: mangled line %lld\n", argv[f], off + (long long)p, v);
					return 1;
				}
				if (prev >= 0 && v != prev + 1) {
					printf("FAIL %s offset %lld: line %lld follows line %lld (%s)\n", argv[f], off + (long long)p, v, prev,
					       v <= prev ? "duplicated or reordered" : "lost lines");
					return 1;
				}
				if (first < 0)
					first = v;
				prev = v;
				count++;
				p += (size_t)len;
			}
			memmove(buf, buf + p, have - p);
			have -= p;
			off += (long long)p;
		}
		close(fd);
		if (have > 0) {
			printf("FAIL %s ends inside a line (%zu bytes after line %lld): a line split across files or cut\n", argv[f], have, prev);
			return 1;
		}
	}
	if (count == 0) {
		printf("FAIL no lines\n");
		return 1;
	}
	if (prev != total - 1) {
		printf("FAIL last line is %lld, want %lld (the end is missing)\n", prev, total - 1);
		return 1;
	}
	printf("PASS lines=%lld first=%lld last=%lld files=%d\n", count, first, prev, files);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "wait"))
		return do_wait(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return do_check(argc, argv);
	fprintf(stderr, "usage: logtool wait|check ...\n");
	return 2;
}
