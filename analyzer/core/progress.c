/* progress.c - the progress line of `analyze` (see progress.h). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "progress.h"

static struct {
	bool on;
	int nfiles, cur;
	long long *size;         /* per file; -1 unknown */
	uint64_t total;          /* 0 = unknown */
	uint64_t base;           /* bytes of the files before the current one */
	uint64_t pos;            /* in the current file, at the last tick */
	double start, next;      /* monotonic seconds */
} g;

static atomic_int shown;     /* a line is on the terminal */

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long long input_size(const char *file)
{
	struct stat st;
	int r = strcmp(file, "-") ? stat(file, &st) : fstat(STDIN_FILENO, &st);
	return r == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

void progress_start(const char *const *files, int nfiles)
{
	memset(&g, 0, sizeof g);
	g.size = calloc(nfiles > 0 ? (size_t)nfiles : 1, sizeof *g.size);
	if (!g.size) return;
	bool known = true;
	for (int i = 0; i < nfiles; i++) {
		g.size[i] = input_size(files[i]);
		if (g.size[i] < 0) known = false;
		else g.total += (uint64_t)g.size[i];
	}
	if (!known) g.total = 0;
	g.nfiles = nfiles;
	g.start = mono();
	g.next = g.start + 1.0 / PROGRESS_HZ;
	g.on = true;
}

void progress_file(int i)
{
	if (!g.on || i == g.cur || i < 0 || i >= g.nfiles) return;
	/* the files before i are done: count them whole when their size is
	 * known (the last tick saw only part of the tail), else (a pipe) as
	 * far as the last tick saw */
	for (int j = g.cur; j < i; j++)
		if (g.size[j] >= 0) g.base += (uint64_t)g.size[j];
		else if (j == g.cur) g.base += g.pos;
	g.cur = i;
	g.pos = 0;
}

/* "12.3 MiB" */
static void fmt_bytes(char *b, size_t sz, uint64_t v)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double x = (double)v;
	int u = 0;
	while (x >= 1024 && u < 4) { x /= 1024; u++; }
	if (u == 0) snprintf(b, sz, "%llu B", (unsigned long long)v);
	else snprintf(b, sz, "%.1f %s", x, unit[u]);
}

/* "1.23M" */
static void fmt_count(char *b, size_t sz, double v)
{
	if (v >= 1e9) snprintf(b, sz, "%.2fG", v / 1e9);
	else if (v >= 1e6) snprintf(b, sz, "%.2fM", v / 1e6);
	else if (v >= 1e4) snprintf(b, sz, "%.1fk", v / 1e3);
	else snprintf(b, sz, "%.0f", v);
}

/* "0:07", "1:02:03" */
static void fmt_eta(char *b, size_t sz, double s)
{
	unsigned long t = s > 359999 ? 359999 : (unsigned long)(s + 0.5);
	if (t >= 3600) snprintf(b, sz, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else snprintf(b, sz, "%lu:%02lu", t / 60, t % 60);
}

char *progress_format(char *buf, unsigned sz, uint64_t done, uint64_t total,
                      uint64_t packets, double elapsed_s)
{
	char d[32], t[32], n[32], r[32], eta[32];
	if (total && done > total) done = total;
	double secs = elapsed_s > 1e-3 ? elapsed_s : 1e-3;
	fmt_bytes(d, sizeof d, done);
	fmt_count(n, sizeof n, (double)packets);
	fmt_count(r, sizeof r, (double)packets / secs);
	if (!total) {
		snprintf(buf, sz, "tamperscope: read %s, %s packets, %s pkt/s", d, n, r);
		return buf;
	}
	fmt_bytes(t, sizeof t, total);
	double rate = (double)done / secs;
	if (rate > 0) fmt_eta(eta, sizeof eta, (double)(total - done) / rate);
	else snprintf(eta, sizeof eta, "?");
	snprintf(buf, sz, "tamperscope: %3u%% %s of %s, %s packets, %s pkt/s, ETA %s",
	         (unsigned)(done * 100 / total), d, t, n, r, eta);
	return buf;
}

void progress_tick(long long pos, uint64_t packets)
{
	if (!g.on) return;
	double now = mono();
	if (now < g.next) return;
	g.next = now + 1.0 / PROGRESS_HZ;
	char line[160];
	if (pos > 0) g.pos = (uint64_t)pos;
	uint64_t done = g.base + g.pos;
	progress_format(line, sizeof line, done, g.total, packets, now - g.start);
	/* one write: the text, then erase what a longer earlier line left */
	fprintf(stderr, "\r%s\033[K", line);
	atomic_store(&shown, 1);
}

void progress_clear(void)
{
	if (atomic_exchange(&shown, 0)) fputs("\r\033[K", stderr);
}

void progress_stop(void)
{
	progress_clear();
	free(g.size);
	memset(&g, 0, sizeof g);
}
