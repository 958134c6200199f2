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
};

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

bool targets_match(const struct targets *t, const char *name, const char **service)
{
	if (service) *service = NULL;
	if (!t || !name) return false;
	/* an address literal matches whole or not at all: "2.3.4" is no
	 * suffix of "1.2.3.4" in the sense of a domain */
	bool literal = true;
	for (const char *c = name; *c && literal; c++)
		literal = (*c >= '0' && *c <= '9') || *c == '.' || *c == ':' ||
		          (*c >= 'a' && *c <= 'f');
	if (literal && strchr(name, '.') && strspn(name, "0123456789.") != strlen(name))
		literal = false;                     /* "deadbeef.cafe" is a name */
	if (literal) {
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

/* ---- DNS cache: open addressing keyed by address, FIFO eviction ---- */

struct dentry {
	struct ts_addr addr;
	char *name;
	uint64_t expires;
	uint64_t since;        /* when the current name was first answered */
	bool used, forged;
};

struct dns_cache {
	struct dentry *e;
	size_t cap;            /* power of two, >= 2 * max */
	unsigned max, n;
	uint64_t grace_us;
	uint64_t evicted;
	struct ts_addr *fifo;  /* insertion order, for eviction */
	unsigned fhead, fcount;
	bool shared;           /* dnsc_new_shared(): calls take mu */
	pthread_mutex_t mu;
};

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
	c->cap = 64;
	while (c->cap < (size_t)max * 2) c->cap <<= 1;
	c->e = xcalloc(c->cap, sizeof *c->e);
	c->max = max;
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
	for (size_t i = 0; i < c->cap; i++) free(c->e[i].name);
	free(c->e);
	free(c->fifo);
	free(c);
}

static size_t dnsc_slot(const struct dns_cache *c, const struct ts_addr *a, bool *found)
{
	size_t j = addr_hash(a, 77) & (c->cap - 1);
	while (c->e[j].used) {
		if (addr_eq(&c->e[j].addr, a)) { *found = true; return j; }
		j = (j + 1) & (c->cap - 1);
	}
	*found = false;
	return j;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void dnsc_delete(struct dns_cache *c, size_t j)
{
	free(c->e[j].name);
	memset(&c->e[j], 0, sizeof c->e[j]);
	c->n--;
	size_t i = j;
	for (;;) {
		i = (i + 1) & (c->cap - 1);
		if (!c->e[i].used) break;
		size_t home = addr_hash(&c->e[i].addr, 77) & (c->cap - 1);
		bool move = (i > j) ? (home <= j || home > i) : (home <= j && home > i);
		if (move) {
			c->e[j] = c->e[i];
			memset(&c->e[i], 0, sizeof c->e[i]);
			j = i;
		}
	}
}

static void dnsc_evict_one(struct dns_cache *c)
{
	while (c->fcount) {
		struct ts_addr a = c->fifo[c->fhead];
		c->fhead = (c->fhead + 1) % c->max;
		c->fcount--;
		bool found;
		size_t j = dnsc_slot(c, &a, &found);
		if (found) {
			dnsc_delete(c, j);
			c->evicted++;
			return;
		}
	}
}

static struct dentry *dnsc_upsert(struct dns_cache *c, const struct ts_addr *addr)
{
	bool found;
	size_t j = dnsc_slot(c, addr, &found);
	if (found) return &c->e[j];
	if (c->n >= c->max) {
		dnsc_evict_one(c);
		j = dnsc_slot(c, addr, &found);
	}
	c->e[j].used = true;
	c->e[j].addr = *addr;
	c->n++;
	if (c->fcount < c->max) {
		c->fifo[(c->fhead + c->fcount) % c->max] = *addr;
		c->fcount++;
	}
	return &c->e[j];
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
	bool found;
	lk(c);
	size_t j = dnsc_slot(c, addr, &found);
	const char *n = (!found || c->e[j].forged || c->e[j].expires < now) ? NULL : c->e[j].name;
	unlk(c);
	return n;
}

char *dnsc_get_dup(struct dns_cache *c, const struct ts_addr *addr, uint64_t now)
{
	bool found;
	char *n = NULL;
	lk(c);
	size_t j = dnsc_slot(c, addr, &found);
	if (found && !c->e[j].forged && c->e[j].expires >= now &&
	    !(c->shared && c->e[j].since > now))
		n = xstrdup(c->e[j].name);
	unlk(c);
	return n;
}

void dnsc_mark_forged(struct dns_cache *c, const struct ts_addr *addr, const char *name)
{
	lk(c);
	struct dentry *d = dnsc_upsert(c, addr);
	d->forged = true;
	if (!d->name) d->name = xstrdup(name);
	d->expires = UINT64_MAX;
	unlk(c);
}

bool dnsc_forged(struct dns_cache *c, const struct ts_addr *addr, const char **name)
{
	bool found;
	lk(c);
	size_t j = dnsc_slot(c, addr, &found);
	bool forged = found && c->e[j].forged;
	if (forged && name) *name = c->e[j].name;   /* forged names are never replaced */
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
