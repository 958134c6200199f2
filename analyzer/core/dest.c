/* dest.c - per-destination state: counters, hosts, IPs and signatures.
 *
 * Bounded: at most `max` destinations (hosts/IPs/examples per destination
 * capped too); when full, the least recently seen destination without a
 * signature is evicted and counted.  The JSON of the table (verdicts,
 * confidences, the sorted array) is report work: report/dest_json.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dest.h"
#include "dest_int.h"
#include "flow.h"
#include "tunables.h"
#include "util.h"

/* Records come DEST_CHUNK at a time, zeroed and line-aligned; they are
 * never freed one by one: an evicted record is reused in place.  The
 * record numbered t->n + 1, new. */
static struct dest *dest_alloc(struct dest_table *t)
{
	unsigned k = t->n / DEST_CHUNK;
	if (t->n % DEST_CHUNK == 0) {
		size_t al = _Alignof(struct dest);
		t->chunk_mem[k] = xcalloc(1, DEST_CHUNK * sizeof(struct dest) + al);
		uintptr_t a = (uintptr_t)t->chunk_mem[k];
		t->chunk[k] = (struct dest *)((a + al - 1) & ~(uintptr_t)(al - 1));
	}
	struct dest *d = dest_at(t, t->n);
	d->rec = t->n + 1;
	return d;
}

struct dest_table *dest_new(unsigned max)
{
	struct dest_table *t = xcalloc(1, sizeof *t);
	t->max = max < 16 ? 16 : max > (1u << 30) ? 1u << 30 : max;
	t->nslot = 1024;
	while (t->nslot < (size_t)t->max * DEST_SLOT_LOAD) t->nslot <<= 1;
	t->slot = xcalloc(t->nslot, sizeof *t->slot);
	unsigned nchunk = (t->max + DEST_CHUNK - 1) / DEST_CHUNK;
	t->chunk = xcalloc(nchunk, sizeof *t->chunk);
	t->chunk_mem = xcalloc(nchunk, sizeof *t->chunk_mem);
	t->owns = xcalloc((t->max + 63) / 64, sizeof *t->owns);
	return t;
}

/* d now holds an allocation (name, service, host, timeline, signature):
 * dest_free() must look at it. */
static void owns_mark(const struct dest_table *t, const struct dest *d)
{
	t->owns[(d->rec - 1) / 64] |= 1ULL << ((d->rec - 1) % 64);
}

/* What d holds besides its record. */
static void dest_release(struct dest *d)
{
	free(d->tl);
	if (d->name != d->name_in) free(d->name);
	free(d->service);
	for (unsigned i = 0; i < d->nhosts; i++) free(d->hosts[i]);
	for (unsigned i = 0; i < d->nsigs; i++)
		for (unsigned j = 0; j < d->sigs[i].nex; j++) free(d->sigs[i].ex[j]);
	free(d->sigs);
}

void dest_free(struct dest_table *t)
{
	if (!t) return;
	for (unsigned i = 0; i < t->n; i++)
		if (t->owns[i / 64] & 1ULL << (i % 64)) dest_release(dest_at(t, i));
	for (unsigned k = 0; k < (t->n + DEST_CHUNK - 1) / DEST_CHUNK; k++) free(t->chunk_mem[k]);
	free(t->chunk);
	free(t->chunk_mem);
	free(t->owns);
	free(t->slot);
	free(t);
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) { h ^= (uint8_t)*s++; h *= 1099511628211ULL; }
	return mix64(h);
}

/* Least recently seen destinations without a signature sit at the head
 * of the LRU list; a destination leaves the list for good with its first
 * signature (those are never evicted).  Eviction is O(1). */
static void lru_unlink(struct dest_table *t, struct dest *d)
{
	if (!d->in_lru) return;
	if (d->lprev) d->lprev->lnext = d->lnext; else t->lru_head = d->lnext;
	if (d->lnext) d->lnext->lprev = d->lprev; else t->lru_tail = d->lprev;
	d->lprev = d->lnext = NULL;
	d->in_lru = false;
}

static void lru_append(struct dest_table *t, struct dest *d)
{
	d->lprev = t->lru_tail;
	d->lnext = NULL;
	if (t->lru_tail) t->lru_tail->lnext = d; else t->lru_head = d;
	t->lru_tail = d;
	d->in_lru = true;
}

/* Empty slot i, moving later members of its run back so that every
 * destination stays reachable from its home slot (no tombstones). */
static void slot_clear(struct dest_table *t, size_t i)
{
	size_t mask = t->nslot - 1, j = i;
	for (;;) {
		t->slot[i].rec = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!t->slot[j].rec) return;
			size_t home = t->slot[j].tag & mask;
			/* j's member may move to i unless its home lies in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) break;
		}
		t->slot[i] = t->slot[j];
		i = j;
	}
}

/* The least recently seen destination without a signature, out of the
 * table and emptied for reuse; NULL when there is none. */
static struct dest *evict_one(struct dest_table *t)
{
	struct dest *d = t->lru_head;
	if (!d) return NULL;
	lru_unlink(t, d);
	/* the next victims: the one after this one's record (asked for at
	 * the last eviction, so its hash is at hand) and slot, and the
	 * record of the one after that */
	struct dest *n = t->lru_head;
	if (n) {
		__builtin_prefetch(&t->slot[(uint32_t)n->hash & (t->nslot - 1)]);
		if (n->lnext)
			for (size_t o = 0; o < sizeof *n; o += 64) __builtin_prefetch((char *)n->lnext + o, 1);
	}
	size_t mask = t->nslot - 1, i = (uint32_t)d->hash & mask;
	while (t->slot[i].rec != d->rec) i = (i + 1) & mask;
	slot_clear(t, i);
	dest_release(d);
	t->owns[(d->rec - 1) / 64] &= ~(1ULL << ((d->rec - 1) % 64));
	t->n--;
	t->evicted++;
	return d;
}

struct dest *dest_get(struct dest_table *t, const char *name)
{
	bool created;
	return dest_get_new(t, name, &created);
}

/* A destination record for name: the evicted one d (its arrays are read
 * only below their counts, and its name is written over, so only the
 * fields between are cleared), or new memory. */
static struct dest *dest_init(struct dest_table *t, struct dest *d, const char *name,
                              uint64_t h)
{
	if (d) {
		uint32_t rec = d->rec;
		memset(&d->lprev, 0, offsetof(struct dest, ips) - offsetof(struct dest, lprev));
		d->rec = rec;
	} else {
		d = dest_alloc(t);
	}
	size_t len = strlen(name);
	if (len < sizeof d->name_in) {
		d->name = d->name_in;
	} else {
		d->name = xmalloc(len + 1);
		owns_mark(t, d);
	}
	memcpy(d->name, name, len + 1);
	d->hash = h;
	return d;
}

struct dest *dest_get_new(struct dest_table *t, const char *name, bool *created)
{
	uint64_t h = name_hash(name);
	uint32_t tag = (uint32_t)h;
	size_t mask = t->nslot - 1, i = tag & mask;
	*created = false;
	for (; t->slot[i].rec; i = (i + 1) & mask) {
		if (t->slot[i].tag != tag) continue;
		struct dest *d = dest_at(t, t->slot[i].rec - 1);
		if (d->hash == h && !strcmp(d->name, name)) return d;
	}
	*created = true;
	struct dest *old = NULL;
	if (t->n >= t->max && !(old = evict_one(t))) {
		t->evicted++;
		return NULL;
	}
	struct dest *d = dest_init(t, old, name, h);
	if (old)                        /* the eviction may have moved slots */
		for (i = tag & mask; t->slot[i].rec; i = (i + 1) & mask) {}
	t->slot[i].tag = tag;
	t->slot[i].rec = d->rec;
	d->tab = t;
	lru_append(t, d);
	t->n++;
	return d;
}

void dest_set_meta(struct dest *d, const char *service, bool social)
{
	if (service && !d->service) {
		d->service = xstrdup(service);
		owns_mark(d->tab, d);
	}
	if (social) d->social = true;
}

void dest_add_host(struct dest *d, const char *host)
{
	if (!host || !*host) return;
	for (unsigned i = 0; i < d->nhosts; i++)
		if (!strcmp(d->hosts[i], host)) return;
	if (d->nhosts < DEST_HOSTS_MAX) {
		d->hosts[d->nhosts++] = xstrdup(host);
		owns_mark(d->tab, d);
	}
}

void dest_add_ip(struct dest *d, const struct ts_addr *ip)
{
	for (unsigned i = 0; i < d->nips; i++)
		if (addr_eq(&d->ips[i], ip)) return;
	if (d->nips < DEST_IPS_MAX) d->ips[d->nips++] = *ip;
}

void dest_seen(struct dest *d, uint64_t ts)
{
	if (d->in_lru && d->tab->lru_tail != d) {    /* most recently seen */
		lru_unlink(d->tab, d);
		lru_append(d->tab, d);
	}
	if (!ts) return;
	if (!d->first || ts < d->first) d->first = ts;
	if (ts > d->last) d->last = ts;
}

struct dest_tcp *dest_tcp(struct dest *d) { return &d->tcp; }
struct dest_udp *dest_udp(struct dest *d) { return &d->udp; }

void dest_dns(struct dest *d, unsigned queries, unsigned responses)
{
	d->dns_q += queries;
	d->dns_r += responses;
}

static void timeline_add(struct dest *d, const char *type, uint64_t ts)
{
	uint64_t hour = ts - ts % 3600000000ULL;
	int k = tl_index(type);
	if (!d->tl) {
		d->tl = xcalloc(TL_BUCKETS, sizeof *d->tl);
		owns_mark(d->tab, d);
	}
	for (unsigned i = 0; i < d->ntl; i++)
		if (d->tl[i].hour == hour) { d->tl[i].n[k]++; return; }
	/* a new hour: append, or overwrite the oldest */
	unsigned slot = d->ntl < TL_BUCKETS ? d->ntl++ : d->tlpos;
	if (d->ntl == TL_BUCKETS) {
		unsigned old = 0;
		for (unsigned i = 1; i < TL_BUCKETS; i++)
			if (d->tl[i].hour < d->tl[old].hour) old = i;
		slot = old;
		if (hour < d->tl[old].hour) return;     /* older than all kept */
	}
	memset(&d->tl[slot], 0, sizeof d->tl[slot]);
	d->tl[slot].hour = hour;
	d->tl[slot].n[k] = 1;
}

bool dest_evidence_slot(struct dest *d, const char *type, unsigned max)
{
	int k = tl_index(type);
	if (!d->evidence_used) {
		memset(d->evidence, 0, sizeof d->evidence);
		d->evidence_used = true;
	}
	if (d->evidence[k] >= max) return false;
	d->evidence[k]++;
	return true;
}

void dest_clean_conn(struct dest *d, uint64_t ts)
{
	if (ts > d->last_clean) d->last_clean = ts;
}

/* The signature (type, stage) of d, created on first use; NULL when d
 * holds DEST_SIGS_MAX already. */
static struct sig *sig_of(struct dest *d, const char *type, int stage)
{
	for (unsigned i = 0; i < d->nsigs; i++)
		if (d->sigs[i].stage == stage && !strcmp(d->sigs[i].type, type)) return &d->sigs[i];
	if (d->nsigs >= DEST_SIGS_MAX) return NULL;
	lru_unlink(d->tab, d);          /* never evicted from now on */
	d->sigs = xrealloc(d->sigs, (d->nsigs + 1) * sizeof *d->sigs);
	owns_mark(d->tab, d);
	struct sig *s = &d->sigs[d->nsigs++];
	memset(s, 0, sizeof *s);
	snprintf(s->type, sizeof s->type, "%s", type);
	s->stage = stage;
	return s;
}

static struct sig *sig_add(struct dest *d, const char *type, int stage, double conf,
                           uint32_t evmask, uint64_t ts, const char *cid);

void dest_signature(struct dest *d, const char *type, int stage, double conf,
                    uint32_t evmask, uint64_t ts, const char *cid)
{
	sig_add(d, type, stage, conf, evmask, ts, cid);
}

void dest_rep_signature(struct dest *d, const char *type, int stage, double part, uint16_t port,
                        uint32_t evmask, uint64_t ts, const char *cid)
{
	struct sig *s = sig_add(d, type, stage, part, evmask, ts, cid);
	if (!s) return;
	s->rep = true;
	for (unsigned i = 0; i < s->nport; i++)
		if (s->port[i] == port) { s->pconn[i]++; return; }
	if (s->nport < SIG_PORTS) {
		s->port[s->nport] = port;
		s->pconn[s->nport++] = 1;
	}
}

/* One event into d's signature (type, stage); the signature or NULL. */
static struct sig *sig_add(struct dest *d, const char *type, int stage, double conf,
                           uint32_t evmask, uint64_t ts, const char *cid)
{
	timeline_add(d, type, ts);
	struct sig *s = sig_of(d, type, stage);
	if (!s) return NULL;
	s->count++;
	if (conf > s->conf) s->conf = conf;
	for (int i = 0; i < EV_MAX; i++)
		if (evmask & (1u << i)) s->ev[i]++;
	if (!s->first || ts < s->first) s->first = ts;
	if (ts > s->last) s->last = ts;
	if (cid && s->nex < SIG_EXAMPLES_MAX) s->ex[s->nex++] = xstrdup(cid);
	dest_seen(d, ts);
	return s;
}

void dest_signature_measures(struct dest *d, const char *type, int stage, const json_t *details)
{
	unsigned n;
	const struct det_measure *m = sig_measures(sig_index(type), &n);
	struct sig *s = n && details ? sig_of(d, type, stage) : NULL;
	for (unsigned i = 0; s && i < n; i++) {
		json_int_t v = json_integer_value(json_object_get(details, m[i].key));
		if (v > 0) s->meas[i] = meas_keep(&m[i], s->meas[i], (uint64_t)v);
	}
}

void dest_set_answered(struct dest_table *t, uint64_t answered)
{
	t->answered = answered;
}

uint64_t dest_evicted(const struct dest_table *t) { return t->evicted; }
unsigned dest_count(const struct dest_table *t) { return t->n; }
