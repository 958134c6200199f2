/* util.c - allocation that dies, time/address formatting, name cleaning. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "heap.h"
#include "progress.h"
#include "util.h"

static void oom(size_t n)
{
	progress_clear();
	fprintf(stderr, "%s: out of memory (%zu bytes)\n", TS_NAME, n);
	exit(4);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) oom(n);
	heap_follow();
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p) oom(n * sz);
	heap_follow();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) oom(n);
	heap_follow();
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

/* 9999-12-31T23:59:59.999999Z: RFC 3339 (and the schema) have 4-digit
 * years; a pcapng timestamp can lie far beyond that. */
#define TS_MAX_US 253402300799999999ULL

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * civil_from_days); the report formats thousands of times, and
 * gmtime_r + snprintf cost several thousand instructions each. */
static void civil(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468;
	uint64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

static char *digits(char *p, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) { p[i] = (char)('0' + v % 10); v /= 10; }
	return p + n;
}

void fmt_time(uint64_t ts_us, char *buf, size_t sz)
{
	if (ts_us > TS_MAX_US) ts_us = TS_MAX_US;
	uint64_t sec = ts_us / 1000000;
	unsigned y, mo, d, sod = (unsigned)(sec % 86400);
	civil(sec / 86400, &y, &mo, &d);
	char t[32], *p = t;
	p = digits(p, y, 4); *p++ = '-';
	p = digits(p, mo, 2); *p++ = '-';
	p = digits(p, d, 2); *p++ = 'T';
	p = digits(p, sod / 3600, 2); *p++ = ':';
	p = digits(p, sod / 60 % 60, 2); *p++ = ':';
	p = digits(p, sod % 60, 2); *p++ = '.';
	p = digits(p, (unsigned)(ts_us % 1000000), 6); *p++ = 'Z';
	*p = 0;
	if (sz > (size_t)(p - t)) memcpy(buf, t, (size_t)(p - t) + 1);
	else if (sz) { memcpy(buf, t, sz - 1); buf[sz - 1] = 0; }
}

json_t *json_time(uint64_t ts_us)
{
	char b[40];
	if (!ts_us) return json_null();
	fmt_time(ts_us, b, sizeof b);
	return json_string(b);
}

/* Each octet's decimal digits (up to 3) and, last, their count. */
#define OCT_D(v, k) ((v) < 10 ? (k) == 0 ? '0' + (v) % 10 : 0 : \
                     (v) < 100 ? (k) == 0 ? '0' + (v) / 10 : (k) == 1 ? '0' + (v) % 10 : 0 : \
                     (k) == 0 ? '0' + (v) / 100 : (k) == 1 ? '0' + (v) / 10 % 10 : '0' + (v) % 10)
#define OCT(v) { OCT_D(v, 0), OCT_D(v, 1), OCT_D(v, 2), (v) < 10 ? 1 : (v) < 100 ? 2 : 3 }
#define OCT4(v) OCT(v), OCT(v + 1), OCT(v + 2), OCT(v + 3)
#define OCT16(v) OCT4(v), OCT4(v + 4), OCT4(v + 8), OCT4(v + 12)
#define OCT64(v) OCT16(v), OCT16(v + 16), OCT16(v + 32), OCT16(v + 48)
static const char octet_text[256][4] = { OCT64(0), OCT64(64), OCT64(128), OCT64(192) };

/* Dotted quad without printf: this runs once per flow.  Written
 * straight into t (>= 16 bytes), NUL-terminated; returns its length.
 * Each octet copies 4 bytes, the ones past its digits written over next. */
static size_t ip4_str(const uint8_t *a, char *t)
{
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		const char *d = octet_text[a[i]];
		memcpy(t + o, d, 4);
		o += (size_t)d[3];
		t[o++] = '.';
	}
	t[--o] = 0;
	return o;
}

/* IPv6 text as glibc's inet_ntop() writes it (RFC 5952 compression of the
 * longest run of two or more zero groups, the first on a tie; an
 * IPv4-compatible or -mapped address ends in a dotted quad), without its
 * sprintf per group: a capture with many IPv6 flows names each of them.
 * t >= 46 bytes. */
static void ip6_str(const uint8_t *a, char *t)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, bestlen = 0, cur = -1, curlen = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		if (!w[i]) {
			if (cur < 0) { cur = i; curlen = 0; }
			if (++curlen > bestlen) { best = cur; bestlen = curlen; }
		} else {
			cur = -1;
		}
	}
	if (bestlen < 2) best = -1;
	char *o = t;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best) *o++ = ':';
			continue;
		}
		if (i) *o++ = ':';
		if (i == 6 && best == 0 && (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			ip4_str(a + 12, o);
			return;
		}
		bool lead = true;
		for (int k = 12; k >= 0; k -= 4) {
			unsigned d = (w[i] >> k) & 15;
			if (d || !lead || k == 0) { *o++ = hex[d]; lead = false; }
		}
	}
	if (best >= 0 && best + bestlen == 8) *o++ = ':';
	*o = 0;
}

void addr_str(const struct ts_addr *a, char *buf, size_t sz)
{
	if (a->family == 4 && sz >= 16) {
		ip4_str(a->a, buf);
	} else if (a->family == 4) {
		char t[16];
		size_t n = ip4_str(a->a, t);
		if (n >= sz) n = sz ? sz - 1 : 0;
		if (sz) { memcpy(buf, t, n); buf[n] = 0; }
	} else if (a->family == 6) {
		char t[48];
		ip6_str(a->a, t);
		size_t n = strlen(t);
		if (n >= sz) n = sz ? sz - 1 : 0;
		if (sz) { memcpy(buf, t, n); buf[n] = 0; }
	} else {
		snprintf(buf, sz, "?");
	}
}

int addr_parse(const char *s, struct ts_addr *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, a->a) == 1) { a->family = 4; return 0; }
	if (inet_pton(AF_INET6, s, a->a) == 1) { a->family = 6; return 0; }
	return -1;
}

static bool name_byte_ok(uint8_t b)
{
	if (b <= 0x20 || b >= 0x7f) return false;
	return !strchr("\\\"<>&'", b);
}

size_t name_clean(const uint8_t *src, size_t len, char *dst, size_t dstsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	if (!dstsz) return 0;
	while (len && src[len - 1] == '.') len--;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = src[i];
		if (name_byte_ok(b)) {
			if (o + 1 >= dstsz) break;
			dst[o++] = (char)((b >= 'A' && b <= 'Z') ? b + 32 : b);
		} else {
			if (o + 4 >= dstsz) break;
			dst[o++] = '\\'; dst[o++] = 'x';
			dst[o++] = hex[b >> 4]; dst[o++] = hex[b & 15];
		}
	}
	dst[o] = 0;
	return o;
}

FILE *data_open(const char *name, char *path, size_t pathsz)
{
	char exe[4096], buf[4096 + 64];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = NULL;
	if (l > 0) {
		exe[l] = 0;
		slash = strrchr(exe, '/');
	}
	if (slash) *slash = 0;
	for (int pass = 0; pass < 4; pass++) {
		if (pass == 0 && slash) snprintf(buf, sizeof buf, "%s/data/%s", exe, name);
		else if (pass == 1 && slash) snprintf(buf, sizeof buf, "%s/../share/tamperscope/%s", exe, name);
		else if (pass == 2) snprintf(buf, sizeof buf, "%s/%s", TS_DATADIR, name);
		else if (pass == 3) snprintf(buf, sizeof buf, "data/%s", name);
		else continue;
		FILE *f = fopen(buf, "r");
		if (f) {
			if (path) snprintf(path, pathsz, "%s", buf);
			return f;
		}
	}
	return NULL;
}

void ts_err(const char *ctx, const char *fmt, ...)
{
	va_list ap;
	progress_clear();        /* never on a progress line */
	fprintf(stderr, "%s: ", TS_NAME);
	if (ctx) fprintf(stderr, "%s: ", ctx);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
