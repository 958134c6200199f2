/* attrib.c - target list (suffix set) and the bounded DNS name cache. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attrib.h"
#include "util.h"

/* ---- target list: a hash set of suffixes ---- */

struct target { char *suffix; char *service; };

struct targets {
	struct target *slot;
	size_t cap, n;
	size_t nlit;                 /* suffixes that are address literals */
};

static bool addr_literal(const char *name);

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) { h ^= (uint8_t)*s++; h *= 1099511628211ULL; }
	return h;
}

static void targets_insert(struct targets *t, const char *suf, const char *svc)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t ocap = t->cap;
		struct target *old = t->slot;
		t->cap = ocap ? ocap * 2 : 256;
		t->slot = xcalloc(t->cap, sizeof *t->slot);
		t->n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].suffix) {
				size_t j = str_hash(old[i].suffix) & (t->cap - 1);
				while (t->slot[j].suffix) j = (j + 1) & (t->cap - 1);
				t->slot[j] = old[i];
				t->n++;
			}
		free(old);
	}
	size_t j = str_hash(suf) & (t->cap - 1);
	while (t->slot[j].suffix) {
		if (!strcmp(t->slot[j].suffix, suf)) return;
		j = (j + 1) & (t->cap - 1);
	}
	t->slot[j].suffix = xstrdup(suf);
	t->slot[j].service = svc && *svc ? xstrdup(svc) : NULL;
	t->n++;
	if (addr_literal(suf)) t->nlit++;
}

static const struct target *targets_find(const struct targets *t, const char *s)
{
	if (!t->cap) return NULL;
	size_t j = str_hash(s) & (t->cap - 1);
	while (t->slot[j].suffix) {
		if (!strcmp(t->slot[j].suffix, s)) return &t->slot[j];
		j = (j + 1) & (t->cap - 1);
	}
	return NULL;
}

static FILE *open_default(char *path, size_t sz)
{
	return data_open("targets.txt", path, sz);
}

struct targets *targets_load(const char *path, char *err)
{
	char buf[1024], dpath[512];
	FILE *f = path ? fopen(path, "r") : open_default(dpath, sizeof dpath);
	if (!f) {
		snprintf(err, 256, "%s: %s", path ? path : "targets.txt",
		         path ? strerror(errno) : "default target list not found");
		return NULL;
	}
	struct targets *t = xcalloc(1, sizeof *t);
	while (fgets(buf, sizeof buf, f)) {
		char *s = buf, *e;
		while (*s == ' ' || *s == '\t') s++;
		if (*s == '#' || *s == '\n' || !*s) continue;
		for (e = s; *e && *e != ' ' && *e != '\t' && *e != '\n'; e++)
			if (*e >= 'A' && *e <= 'Z') *e += 32;
		char *svc = NULL;
		if (*e && *e != '\n') {
			*e++ = 0;
			while (*e == ' ' || *e == '\t') e++;
			svc = e;
			e[strcspn(e, "#\n")] = 0;
			size_t l = strlen(svc);
			while (l && (svc[l - 1] == ' ' || svc[l - 1] == '\t')) svc[--l] = 0;
		} else {
			*e = 0;
		}
		size_t l = strlen(s);
		while (l && s[l - 1] == '.') s[--l] = 0;
		if (l) targets_insert(t, s, svc);
	}
	fclose(f);
	return t;
}

void targets_free(struct targets *t)
{
	if (!t) return;
	for (size_t i = 0; i < t->cap; i++) {
		free(t->slot[i].suffix);
		free(t->slot[i].service);
	}
	free(t->slot);
	free(t);
}

/* An address literal: hex digits, dots and colons only, and with a dot
 * decimal digits and dots only ("deadbeef.cafe" is a name).  One pass
 * over a class table: every flow named by its address asks. */
enum { LIT_HEX = 1, LIT_DEC = 2, LIT_DOT = 4 };
static const uint8_t lit_class[256] = {
	['0'] = 3, ['1'] = 3, ['2'] = 3, ['3'] = 3, ['4'] = 3,
	['5'] = 3, ['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['.'] = 7, [':'] = 1,
};

static bool addr_literal(const char *name)
{
	unsigned all = LIT_HEX | LIT_DEC, any = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		unsigned k = lit_class[*c];
		if (!(k & LIT_HEX)) return false;
		all &= k;
		any |= k;
	}
	return !(any & LIT_DOT) || (all & LIT_DEC);
}

bool targets_match(const struct targets *t, const char *name, const char **service)
{
	if (service) *service = NULL;
	if (!t || !name) return false;
	/* an address literal matches whole or not at all: "2.3.4" is no
	 * suffix of "1.2.3.4" in the sense of a domain */
	if (addr_literal(name)) {
		/* only a literal can equal a literal: without any in the list
		 * (the usual case) nothing to look up for a flow named by its
		 * address */
		if (!t->nlit) return false;
		const struct target *x = targets_find(t, name);
		if (x && service) *service = x->service;
		return x != NULL;
	}
	for (const char *s = name; s && *s; ) {
		const struct target *x = targets_find(t, s);
		if (x) {
			if (service) *service = x->service;
			return true;
		}
		s = strchr(s, '.');
		if (s) s++;
	}
	return false;
}

/* ---- DNS cache: a compact index over dense entries, FIFO eviction ----
 *
 * Most lookups miss (one per new flow, for its server's address), so a miss
 * must be cheap: the open-addressing index holds one 32-bit word per slot
 * (entry number + 1 in the low ibits bits, a tag from the address hash
 * above it), 1 MiB for the default cap, and a probe reads an entry only
 * when the tag matches; a bitmap of the used slots (32 KiB) answers the
 * common miss, an empty home slot, without touching the index.  Entries sit packed at e[0..n): memory grows with
 * the answers held, not with the cap. */

#define DNSC_MAX_CAP (1u << 28)        /* entry numbers fit the index word */

struct dentry {
	struct ts_addr addr;
	bool forged;
	char *name;
	uint64_t expires;
	uint64_t since;        /* when the current name was first answered */
	uint64_t hash;         /* addr_hash(addr, 77): home slot and tag */
};

struct dns_cache {
	uint32_t *ix;          /* cap slots: 0 empty, else tag | (entry + 1) */
	uint64_t *used;        /* bit j: ix[j] != 0 */
	struct dentry *e;      /* max entries, e[0..n) used */
	size_t cap;            /* power of two, >= 2 * max */
	unsigned ibits;        /* bits of an index word holding entry + 1 */
	unsigned max, n, nforged;
	uint64_t grace_us;
	uint64_t evicted;
	struct ts_addr *fifo;  /* insertion order, for eviction */
	unsigned fhead, fcount;
	bool shared;           /* dnsc_new_shared(): calls take mu */
	pthread_mutex_t mu;
};

#define DNSC_NONE UINT32_MAX

static void lk(const struct dns_cache *c)
{
	if (c->shared) pthread_mutex_lock((pthread_mutex_t *)&c->mu);
}

static void unlk(const struct dns_cache *c)
{
	if (c->shared) pthread_mutex_unlock((pthread_mutex_t *)&c->mu);
}

struct dns_cache *dnsc_new(unsigned max, unsigned grace_s)
{
	struct dns_cache *c = xcalloc(1, sizeof *c);
	if (max < 16) max = 16;
	if (max > DNSC_MAX_CAP) max = DNSC_MAX_CAP;
	c->cap = 64;
	while (c->cap < (size_t)max * 2) c->cap <<= 1;
	c->ix = xcalloc(c->cap, sizeof *c->ix);
	c->used = xcalloc(c->cap / 64, sizeof *c->used);
	c->e = xcalloc(max, sizeof *c->e);
	c->max = max;
	while (c->ibits < 32 && (1ull << c->ibits) <= max) c->ibits++;
	c->grace_us = (uint64_t)grace_s * 1000000;
	c->fifo = xcalloc(max, sizeof *c->fifo);
	return c;
}

struct dns_cache *dnsc_new_shared(unsigned max, unsigned grace_s)
{
	struct dns_cache *c = dnsc_new(max, grace_s);
	pthread_mutex_init(&c->mu, NULL);
	c->shared = true;
	return c;
}

void dnsc_free(struct dns_cache *c)
{
	if (!c) return;
	if (c->shared) pthread_mutex_destroy(&c->mu);
	for (unsigned i = 0; i < c->n; i++) free(c->e[i].name);
	free(c->ix);
	free(c->used);
	free(c->e);
	free(c->fifo);
	free(c);
}

static uint32_t ix_tag(const struct dns_cache *c, uint64_t h)
{
	return c->ibits >= 32 ? 0 : (uint32_t)((h >> 32) << c->ibits);
}

static uint32_t ix_entry(const struct dns_cache *c, uint32_t v)
{
	return (c->ibits >= 32 ? v : v & ((1u << c->ibits) - 1)) - 1;
}

static bool slot_used(const struct dns_cache *c, size_t j)
{
	return c->used[j / 64] >> (j % 64) & 1;
}

static void slot_set(struct dns_cache *c, size_t j, uint32_t v)
{
	c->ix[j] = v;
	if (v) c->used[j / 64] |= 1ull << (j % 64);
	else c->used[j / 64] &= ~(1ull << (j % 64));
}

/* The entry holding a (or DNSC_NONE); *slot = its index slot, or the empty
 * slot where it would go. */
static uint32_t dnsc_find(const struct dns_cache *c, const struct ts_addr *a, uint64_t h,
                          size_t *slot)
{
	uint32_t tag = ix_tag(c, h), v;
	uint32_t tmask = c->ibits >= 32 ? 0 : ~((1u << c->ibits) - 1);
	size_t j = h & (c->cap - 1);
	if (!slot_used(c, j)) { *slot = j; return DNSC_NONE; }
	for (; (v = c->ix[j]) != 0; j = (j + 1) & (c->cap - 1)) {
		if ((v & tmask) != tag) continue;
		uint32_t i = ix_entry(c, v);
		if (addr_eq(&c->e[i].addr, a)) { *slot = j; return i; }
	}
	*slot = j;
	return DNSC_NONE;
}

static uint32_t dnsc_lookup(const struct dns_cache *c, const struct ts_addr *a)
{
	size_t j;
	return dnsc_find(c, a, addr_hash(a, 77), &j);
}

/* The index slot pointing at entry i (which is in the index). */
static size_t dnsc_slot_of(const struct dns_cache *c, uint32_t i)
{
	size_t j = c->e[i].hash & (c->cap - 1);
	while (ix_entry(c, c->ix[j]) != i) j = (j + 1) & (c->cap - 1);
	return j;
}

/* Backward-shift deletion keeps probe chains intact without tombstones;
 * the last entry moves into the freed one so that e[] stays packed. */
static void dnsc_delete(struct dns_cache *c, size_t j)
{
	uint32_t i = ix_entry(c, c->ix[j]), last = c->n - 1;
	free(c->e[i].name);
	if (c->e[i].forged) c->nforged--;
	slot_set(c, j, 0);
	for (size_t k = j;;) {
		k = (k + 1) & (c->cap - 1);
		if (!c->ix[k]) break;
		size_t home = c->e[ix_entry(c, c->ix[k])].hash & (c->cap - 1);
		bool move = (k > j) ? (home <= j || home > k) : (home <= j && home > k);
		if (move) {
			slot_set(c, j, c->ix[k]);
			slot_set(c, k, 0);
			j = k;
		}
	}
	if (i != last) {
		size_t s = dnsc_slot_of(c, last);
		slot_set(c, s, ix_tag(c, c->e[last].hash) | (i + 1));
		c->e[i] = c->e[last];
	}
	memset(&c->e[last], 0, sizeof c->e[last]);
	c->n--;
}

static void dnsc_evict_one(struct dns_cache *c)
{
	while (c->fcount) {
		struct ts_addr a = c->fifo[c->fhead];
		c->fhead = (c->fhead + 1) % c->max;
		c->fcount--;
		size_t j;
		if (dnsc_find(c, &a, addr_hash(&a, 77), &j) != DNSC_NONE) {
			dnsc_delete(c, j);
			c->evicted++;
			return;
		}
	}
}

static struct dentry *dnsc_upsert(struct dns_cache *c, const struct ts_addr *addr)
{
	uint64_t h = addr_hash(addr, 77);
	size_t j;
	uint32_t i = dnsc_find(c, addr, h, &j);
	if (i != DNSC_NONE) return &c->e[i];
	if (c->n >= c->max) {
		dnsc_evict_one(c);
		dnsc_find(c, addr, h, &j);
	}
	i = c->n++;
	slot_set(c, j, ix_tag(c, h) | (i + 1));
	c->e[i].addr = *addr;
	c->e[i].hash = h;
	if (c->fcount < c->max) {
		c->fifo[(c->fhead + c->fcount) % c->max] = *addr;
		c->fcount++;
	}
	return &c->e[i];
}

void dnsc_put(struct dns_cache *c, const struct ts_addr *addr, const char *name,
              uint32_t ttl, uint64_t now)
{
	lk(c);
	struct dentry *d = dnsc_upsert(c, addr);
	if (d->forged) { unlk(c); return; }
	if (!d->name || strcmp(d->name, name)) {
		free(d->name);
		d->name = xstrdup(name);
		d->since = now;
	}
	d->expires = now + (uint64_t)ttl * 1000000 + c->grace_us;
	unlk(c);
}

const char *dnsc_get(struct dns_cache *c, const struct ts_addr *addr, uint64_t now)
{
	lk(c);
	uint32_t i = dnsc_lookup(c, addr);
	const char *n = (i == DNSC_NONE || c->e[i].forged || c->e[i].expires < now) ? NULL
	                                                                          : c->e[i].name;
	unlk(c);
	return n;
}

char *dnsc_get_dup(struct dns_cache *c, const struct ts_addr *addr, uint64_t now)
{
	char *n = NULL;
	lk(c);
	uint32_t i = dnsc_lookup(c, addr);
	if (i != DNSC_NONE && !c->e[i].forged && c->e[i].expires >= now &&
	    !(c->shared && c->e[i].since > now))
		n = xstrdup(c->e[i].name);
	unlk(c);
	return n;
}

void dnsc_mark_forged(struct dns_cache *c, const struct ts_addr *addr, const char *name)
{
	lk(c);
	struct dentry *d = dnsc_upsert(c, addr);
	if (!d->forged) c->nforged++;
	d->forged = true;
	if (!d->name) d->name = xstrdup(name);
	d->expires = UINT64_MAX;
	unlk(c);
}

/* Forged answers are rare: with none held, no lookup at all. */
bool dnsc_forged(struct dns_cache *c, const struct ts_addr *addr, const char **name)
{
	lk(c);
	uint32_t i = c->nforged ? dnsc_lookup(c, addr) : DNSC_NONE;
	bool forged = i != DNSC_NONE && c->e[i].forged;
	if (forged && name) *name = c->e[i].name;   /* forged names are never replaced */
	unlk(c);
	return forged;
}

uint64_t dnsc_evicted(const struct dns_cache *c)
{
	lk(c);
	uint64_t n = c->evicted;
	unlk(c);
	return n;
}
