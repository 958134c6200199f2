/* util.h - allocation, time formatting, addresses, name cleaning. */
#ifndef TS_UTIL_H
#define TS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "dissect.h"

#define TS_NAME "tamperscope"
#define TS_VERSION "0.1.0"

void *xmalloc(size_t n);        /* dies on OOM: one line, exit 4 */
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* "2026-11-27T18:46:19.123456Z" (buf >= 32). */
void fmt_time(uint64_t ts_us, char *buf, size_t sz);
json_t *json_time(uint64_t ts_us);          /* null when ts_us == 0 */

/* Address to text (buf >= 46). */
void addr_str(const struct ts_addr *a, char *buf, size_t sz);
int addr_parse(const char *s, struct ts_addr *a);    /* 0 ok, -1 bad */

/* Copy a wire name into dst as clean lowercase ASCII: bytes outside
 * 0x21..0x7e (and '\\', '"', '<', '>', '&', '\'') become \xHH; a trailing
 * dot is removed; output truncated to dstsz-1.  Returns length. */
size_t name_clean(const uint8_t *src, size_t len, char *dst, size_t dstsz);

/* 64-bit mix (splitmix64 finaliser). */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27; x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Inline: the flow table calls these for every packet. */
static inline bool addr_eq(const struct ts_addr *a, const struct ts_addr *b)
{
	uint64_t a0, a1, b0, b1;
	memcpy(&a0, a->a, 8); memcpy(&a1, a->a + 8, 8);
	memcpy(&b0, b->a, 8); memcpy(&b1, b->a + 8, 8);
	return a->family == b->family && ((a0 ^ b0) | (a1 ^ b1)) == 0;
}

static inline uint64_t addr_hash(const struct ts_addr *a, uint64_t seed)
{
	uint64_t w0, w1;
	memcpy(&w0, a->a, 8);
	memcpy(&w1, a->a + 8, 8);
	return mix64(seed ^ w0 ^ mix64(w1 + a->family));
}

/* Open a shipped data file (targets.txt, injectors.txt, forged_ips.txt):
 * beside the executable (data/ in a build tree, ../share/tamperscope when
 * installed), then the configured data directory, then ./data.  The path
 * used is copied to path (may be NULL).  NULL if none exists. */
FILE *data_open(const char *name, char *path, size_t pathsz);

/* Print "tamperscope: ctx: msg" to stderr. */
void ts_err(const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
