/* baseline.c - per-address TTL baseline learned across flows.
 *
 * A direct-mapped cache (fixed size, so bounded): each slot keeps the TTL
 * histogram of one address; a colliding address replaces it (counted).
 * Used when a flow has no packets of its own from an endpoint, e.g. a RST
 * answering a SYN (post_syn): compare with what that IP sent elsewhere.
 */
#include <stdlib.h>
#include <string.h>
#include "baseline.h"
#include "tunables.h"
#include "util.h"

struct bl_entry {
	struct ts_addr a;
	uint8_t ttl[BL_SLOTS];
	uint32_t cnt[BL_SLOTS];
};

struct baseline {
	struct bl_entry *e;
	size_t mask;
	uint64_t evicted;
};

struct baseline *bl_new(unsigned max)
{
	struct baseline *b = xcalloc(1, sizeof *b);
	size_t n = 1024;
	while (n < max) n <<= 1;
	b->e = xcalloc(n, sizeof *b->e);
	b->mask = n - 1;
	return b;
}

void bl_free(struct baseline *b)
{
	if (!b) return;
	free(b->e);
	free(b);
}

void bl_prefetch(const struct baseline *b, const struct ts_addr *a)
{
	const struct bl_entry *x = &b->e[addr_hash(a, 99) & b->mask];
	__builtin_prefetch(x, 1);
	__builtin_prefetch((const char *)(x + 1) - 1, 1);   /* entries may straddle two lines */
}

void bl_add(struct baseline *b, const struct ts_addr *a, uint8_t ttl)
{
	struct bl_entry *x = &b->e[addr_hash(a, 99) & b->mask];
	if (!addr_eq(&x->a, a)) {
		if (x->a.family) b->evicted++;
		memset(x, 0, sizeof *x);
		x->a = *a;
	}
	int min = 0;
	for (int i = 0; i < BL_SLOTS; i++) {
		if (x->cnt[i] && x->ttl[i] == ttl) { x->cnt[i]++; return; }
		if (x->cnt[i] < x->cnt[min]) min = i;
	}
	if (x->cnt[min] <= 1) { x->ttl[min] = ttl; x->cnt[min] = 1; }
}

uint8_t bl_ttl(const struct baseline *b, const struct ts_addr *a, unsigned *samples)
{
	const struct bl_entry *x = &b->e[addr_hash(a, 99) & b->mask];
	unsigned best = 0, tot = 0;
	uint8_t ttl = 0;
	if (samples) *samples = 0;
	if (!addr_eq(&x->a, a)) return 0;
	for (int i = 0; i < BL_SLOTS; i++) {
		tot += x->cnt[i];
		if (x->cnt[i] > best) { best = x->cnt[i]; ttl = x->ttl[i]; }
	}
	if (samples) *samples = tot;
	return ttl;
}

uint64_t bl_evicted(const struct baseline *b) { return b->evicted; }
