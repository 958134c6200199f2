/* flow.c - owns flow memory: create, lookup, expire, evict, destroy.
 *
 * Chained hash over a symmetric 5-tuple hash, two LRU lists (TCP and the
 * rest, each with its own idle timeout), and a hard cap: when full, the
 * least recently seen flow is evicted (counted).  Every flow leaving the
 * table passes through the end() callback first, which runs detectors.
 */
#include <stdlib.h>
#include <string.h>
#include "evidence.h"
#include "flow.h"
#include "tunables.h"
#include "util.h"

/* An LRU list; due_of: its head when last looked at, not idle before
 * `due` (so the next tick need not touch it: flows are cold by then). */
struct lru {
	struct flow *head, *tail;
	const struct flow *due_of;
	uint64_t due;
};

struct spare { void *head; unsigned n; };   /* linked through the first word */

/* Flow structs come from chunks of POOL_CHUNK and go back on a free list:
 * no malloc/free per flow on the packet path. */
struct pool_chunk { struct pool_chunk *next; struct flow v[POOL_CHUNK]; };

struct flow_table {
	struct pool_chunk *chunks;
	struct flow *free_list;        /* linked through hnext */
	struct flow **bucket;
	uint64_t mask;
	unsigned max;
	uint64_t idle_us[2];          /* [0] TCP, [1] other */
	struct lru lru[2];
	flow_end_fn end;
	void *ctx;
	const struct ft_slot_type *slot_type;
	unsigned nslot;
	struct spare *spare;           /* [nslot + 1]; [nslot]: pointer arrays */
	uint64_t seed;
	struct ft_stats st;
};

const char *stage_name(int st)
{
	static const char *n[] = { NULL, "post_syn", "post_ack", "post_psh", "later" };
	return (st >= 0 && st <= ST_LATER) ? n[st] : NULL;
}

struct flow_table *ft_new(unsigned max, unsigned tcp_idle_s, unsigned udp_idle_s,
                          flow_end_fn end, void *ctx)
{
	struct flow_table *t = xcalloc(1, sizeof *t);
	uint64_t n = 1024;
	if (max < 16) max = 16;
	/* the bucket array starts small and doubles with the flows in it
	 * (grow()): sized from the cap, most of it would sit empty and every
	 * lookup would be a cache miss */
	t->bucket = xcalloc(n, sizeof *t->bucket);
	t->mask = n - 1;
	t->max = max;
	t->idle_us[0] = (uint64_t)tcp_idle_s * 1000000;
	t->idle_us[1] = (uint64_t)udp_idle_s * 1000000;
	t->end = end;
	t->ctx = ctx;
	t->seed = 0x5ca1ab1e0ddba11ULL;   /* fixed: reports must not vary */
	return t;
}

void ft_slots(struct flow_table *t, unsigned n, const struct ft_slot_type *types)
{
	t->nslot = n;
	t->slot_type = types;
	free(t->spare);
	t->spare = xcalloc(n + 1, sizeof *t->spare);
}

/* Zeroed memory of `size` bytes for spare list k. */
static void *spare_get(struct flow_table *t, unsigned k, size_t size)
{
	struct spare *s = &t->spare[k];
	if (!s->head) return xcalloc(1, size < sizeof(void *) ? sizeof(void *) : size);
	void *p = s->head;
	memcpy(&s->head, p, sizeof s->head);
	s->n--;
	memset(p, 0, size);
	return p;
}

static void spare_put(struct flow_table *t, unsigned k, void *p)
{
	struct spare *s = &t->spare[k];
	if (s->n >= SLOT_SPARE_MAX) { free(p); return; }
	memcpy(p, &s->head, sizeof s->head);
	s->head = p;
	s->n++;
}

static void spares_free(struct flow_table *t)
{
	for (unsigned k = 0; t->spare && k <= t->nslot; k++) {
		struct spare *s = &t->spare[k];
		while (s->head) {
			void *p = s->head;
			memcpy(&s->head, p, sizeof s->head);
			free(p);
		}
		s->n = 0;
	}
}

void *ft_slot_new(struct flow_table *t, struct flow *f, unsigned k)
{
	if (!f->slot) f->slot = spare_get(t, t->nslot, t->nslot * sizeof *f->slot);
	if (!f->slot[k]) f->slot[k] = spare_get(t, k, t->slot_type[k].size);
	return f->slot[k];
}

static int lru_of(const struct flow *f) { return f->proto == 6 ? 0 : 1; }

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	struct lru *l = &t->lru[lru_of(f)];
	if (l->due_of == f) l->due_of = NULL;
	if (f->prev) f->prev->next = f->next; else l->head = f->next;
	if (f->next) f->next->prev = f->prev; else l->tail = f->prev;
	f->prev = f->next = NULL;
}

static void lru_append(struct flow_table *t, struct flow *f)
{
	struct lru *l = &t->lru[lru_of(f)];
	f->prev = l->tail;
	f->next = NULL;
	if (l->tail) l->tail->next = f; else l->head = f;
	l->tail = f;
}

/* One endpoint, before the final mix: two multiplies instead of the two
 * full mixes of addr_hash(); the sum below is mixed once. */
static inline uint64_t ep_hash(const struct ts_addr *a, uint16_t port, uint64_t seed)
{
	uint64_t w0, w1;
	memcpy(&w0, a->a, 8);
	memcpy(&w1, a->a + 8, 8);
	return ((w0 ^ seed) * 0x9e3779b97f4a7c15ULL) ^
	       ((w1 + ((uint64_t)port << 8 | a->family)) * 0xc2b2ae3d27d4eb4fULL);
}

/* Symmetric in its two endpoints: each is hashed alone and the two are
 * added, so both directions meet in one bucket without comparing them. */
static uint64_t tuple_hash(const struct flow_table *t, uint8_t proto,
                           const struct ts_addr *a, uint16_t ap,
                           const struct ts_addr *b, uint16_t bp)
{
	return mix64(ep_hash(a, ap, t->seed) + ep_hash(b, bp, t->seed) + proto);
}

void flow_set_name(struct flow *f, const char *s)
{
	size_t n = strlen(s);
	if (f->name != f->name_in) free(f->name);
	f->name = n < sizeof f->name_in ? f->name_in : xmalloc(n + 1);
	memcpy(f->name, s, n + 1);
}

static struct flow *flow_alloc(struct flow_table *t)
{
	if (!t->free_list) {
		struct pool_chunk *c = xmalloc(sizeof *c);
		c->next = t->chunks;
		t->chunks = c;
		for (int i = POOL_CHUNK - 1; i >= 0; i--) {
			c->v[i].hnext = t->free_list;
			t->free_list = &c->v[i];
		}
	}
	struct flow *f = t->free_list;
	t->free_list = f->hnext;
	if (t->free_list) __builtin_prefetch(t->free_list, 1);   /* the next one */
	memset(f, 0, sizeof *f);
	return f;
}

static void flow_destroy(struct flow_table *t, struct flow *f)
{
	for (int d = 0; d < 2; d++) {
		free(f->d[d].ra.buf);           /* and its map (tcp_track.c) */
	}
	if (f->slot) {
		for (unsigned k = 0; k < t->nslot; k++) {
			if (!f->slot[k]) continue;
			if (t->slot_type[k].free) t->slot_type[k].free(f->slot[k]);
			spare_put(t, k, f->slot[k]);
		}
		spare_put(t, t->nslot, f->slot);
	}
	evf_free(f->evidence);
	if (f->name != f->name_in) free(f->name);
	free(f->dns_name);
	f->hnext = t->free_list;
	t->free_list = f;
}

static void bucket_unlink(struct flow_table *t, struct flow *f)
{
	struct flow **pp = &t->bucket[f->hash & t->mask];
	while (*pp && *pp != f) pp = &(*pp)->hnext;
	if (*pp) *pp = f->hnext;
}

/* A flow leaving the table has been idle for a while: ask for all of it
 * at once rather than stalling on one cache line after another in end(). */
static void flow_lines(const struct flow *f)
{
	for (size_t o = 0; o < sizeof *f; o += 64) __builtin_prefetch((const char *)f + o);
}

/* f's lines asked for already (ft_expire() asks for each flow's while
 * the one before it ends). */
static void flow_remove_asked(struct flow_table *t, struct flow *f)
{
	if (f->slot) __builtin_prefetch(f->slot);
	__builtin_prefetch(&t->bucket[f->hash & t->mask]);     /* bucket_unlink() */
	if (t->end) t->end(t->ctx, f);
	bucket_unlink(t, f);
	lru_unlink(t, f);
	t->st.active--;
	flow_destroy(t, f);
}

static void flow_remove(struct flow_table *t, struct flow *f)
{
	flow_lines(f);
	flow_remove_asked(t, f);
}

/* ft_find() with the tuple's hash already computed. */
static struct flow *find_h(struct flow_table *t, uint64_t h, uint8_t proto,
                           const struct ts_addr *a, uint16_t ap, const struct ts_addr *b,
                           uint16_t bp, int *dir)
{
	for (struct flow *f = t->bucket[h & t->mask]; f; f = f->hnext) {
		if (f->hash != h || f->proto != proto) continue;
		if (f->cport == ap && f->sport == bp && addr_eq(&f->cli, a) && addr_eq(&f->srv, b)) {
			*dir = 0;
			return f;
		}
		if (f->cport == bp && f->sport == ap && addr_eq(&f->cli, b) && addr_eq(&f->srv, a)) {
			*dir = 1;
			return f;
		}
	}
	return NULL;
}

struct flow *ft_find(struct flow_table *t, uint8_t proto, const struct ts_addr *a,
                     uint16_t ap, const struct ts_addr *b, uint16_t bp, int *dir)
{
	return find_h(t, tuple_hash(t, proto, a, ap, b, bp), proto, a, ap, b, bp, dir);
}

static bool well_known(uint16_t p) { return p < 1024 || p == 8080 || p == 8443 || p == 5228; }

/* Who is the client of a new flow?  1 if pk's sender is the server. */
static int sender_is_server(const struct pkt *pk)
{
	if (pk->proto == 6 && (pk->tcp.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		return 1;
	if (pk->proto == 6 && (pk->tcp.flags & TH_SYN))
		return 0;
	if (well_known(pk->sport) && !well_known(pk->dport)) return 1;
	return 0;
}

static void evict_oldest(struct flow_table *t)
{
	struct flow *a = t->lru[0].head, *b = t->lru[1].head, *v;
	if (!a) v = b;
	else if (!b) v = a;
	else v = a->d[0].last_ts < b->d[0].last_ts ? a : b;  /* roughly oldest */
	if (!v) return;
	t->st.evicted++;
	flow_remove(t, v);
}

/* Double the bucket array (load factor 1 reached, below the cap). */
static void grow(struct flow_table *t)
{
	uint64_t n = (t->mask + 1) * 2;
	struct flow **b = xcalloc(n, sizeof *b);
	for (uint64_t i = 0; i <= t->mask; i++) {
		struct flow *f = t->bucket[i];
		while (f) {
			struct flow *next = f->hnext;
			f->hnext = b[f->hash & (n - 1)];
			b[f->hash & (n - 1)] = f;
			f = next;
		}
	}
	free(t->bucket);
	t->bucket = b;
	t->mask = n - 1;
}

struct flow *ft_lookup(struct flow_table *t, const struct pkt *pk, bool create, int *dir)
{
	uint64_t h = tuple_hash(t, pk->proto, &pk->src, pk->sport, &pk->dst, pk->dport);
	struct flow *f = find_h(t, h, pk->proto, &pk->src, pk->sport, &pk->dst, pk->dport, dir);
	if (f || !create) return f;
	if (t->st.active >= t->max) evict_oldest(t);
	f = flow_alloc(t);
	f->proto = pk->proto;
	if (sender_is_server(pk)) {
		f->cli = pk->dst; f->cport = pk->dport;
		f->srv = pk->src; f->sport = pk->sport;
		*dir = 1;
	} else {
		f->cli = pk->src; f->cport = pk->sport;
		f->srv = pk->dst; f->sport = pk->dport;
		*dir = 0;
	}
	f->vlan = pk->vlan;
	f->hash = h;                      /* symmetric: either direction's */
	if (t->st.active >= t->mask + 1 && t->mask + 1 < (uint64_t)t->max) grow(t);
	uint64_t b = f->hash & t->mask;
	f->hnext = t->bucket[b];
	t->bucket[b] = f;
	lru_append(t, f);
	t->st.created++;
	t->st.active++;
	if (t->st.active > t->st.peak) t->st.peak = t->st.active;
	return f;
}

static uint64_t flow_last(const struct flow *f)
{
	return f->d[0].last_ts > f->d[1].last_ts ? f->d[0].last_ts : f->d[1].last_ts;
}

void ft_touch(struct flow_table *t, struct flow *f, uint64_t now)
{
	(void)now;
	struct lru *l = &t->lru[lru_of(f)];
	if (l->due_of == f) l->due_of = NULL;      /* its last_ts moved */
	if (l->tail == f) return;
	lru_unlink(t, f);
	lru_append(t, f);
}

void ft_expire(struct flow_table *t, uint64_t now)
{
	for (int i = 0; i < 2; i++) {
		struct lru *l = &t->lru[i];
		struct flow *f;
		const struct flow *asked = NULL;   /* hints only: a stale one is harmless */
		while ((f = l->head) != NULL) {
			if (f == l->due_of && l->due > now) break;
			uint64_t due = flow_last(f) + t->idle_us[i];
			if (due > now) {
				l->due_of = f;
				l->due = due;
				break;
			}
			t->st.expired++;
			/* expiry takes flows in a row, each idle for a while: ask
			 * for the next one while this one ends */
			if (f != asked) flow_lines(f);
			if (f->next) flow_lines(f->next);
			asked = f->next;
			flow_remove_asked(t, f);
		}
	}
}

void ft_flush(struct flow_table *t)
{
	for (int i = 0; i < 2; i++) {
		struct flow *f;
		while ((f = t->lru[i].head) != NULL) flow_remove(t, f);
	}
	/* The table is empty: give the pool back.  A full table is most of the
	 * peak memory, and the report is built after this. */
	if (!t->st.active) {
		spares_free(t);
		while (t->chunks) {
			struct pool_chunk *c = t->chunks;
			t->chunks = c->next;
			free(c);
		}
		t->free_list = NULL;
	}
}

void ft_stats(const struct flow_table *t, struct ft_stats *s)
{
	*s = t->st;
}

void ft_free(struct flow_table *t)
{
	if (!t) return;
	ft_flush(t);
	while (t->chunks) {
		struct pool_chunk *c = t->chunks;
		t->chunks = c->next;
		free(c);
	}
	spares_free(t);
	free(t->spare);
	free(t->bucket);
	free(t);
}
