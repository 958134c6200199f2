/* dest.c - per-destination state: counters, hosts, IPs and signatures.
 *
 * Bounded: at most `max` destinations (hosts/IPs/examples per destination
 * capped too); when full, the least recently seen destination without a
 * signature is evicted and counted.  The JSON of the table (verdicts,
 * confidences, the sorted array) is report work: report/dest_json.c.
 */
#include <stdlib.h>
#include <string.h>
#include "dest.h"
#include "dest_int.h"
#include "flow.h"
#include "tunables.h"
#include "util.h"

struct dest_table *dest_new(unsigned max)
{
	struct dest_table *t = xcalloc(1, sizeof *t);
	t->nb = 1024;
	while (t->nb < max) t->nb <<= 1;
	t->bucket = xcalloc(t->nb, sizeof *t->bucket);
	t->max = max < 16 ? 16 : max;
	return t;
}

static void dest_destroy(struct dest *d)
{
	free(d->tl);
	free(d->name);
	free(d->service);
	for (unsigned i = 0; i < d->nhosts; i++) free(d->hosts[i]);
	for (unsigned i = 0; i < d->nsigs; i++)
		for (unsigned j = 0; j < d->sigs[i].nex; j++) free(d->sigs[i].ex[j]);
	free(d->sigs);
	free(d);
}

void dest_free(struct dest_table *t)
{
	if (!t) return;
	for (size_t i = 0; i < t->nb; i++) {
		struct dest *d = t->bucket[i], *n;
		for (; d; d = n) { n = d->hnext; dest_destroy(d); }
	}
	free(t->bucket);
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

static bool evict_one(struct dest_table *t)
{
	struct dest *d = t->lru_head;
	if (!d) return false;
	lru_unlink(t, d);
	struct dest **pp = &t->bucket[d->hash & (t->nb - 1)];
	while (*pp && *pp != d) pp = &(*pp)->hnext;
	if (*pp) *pp = d->hnext;
	dest_destroy(d);
	t->n--;
	t->evicted++;
	return true;
}

struct dest *dest_get(struct dest_table *t, const char *name)
{
	bool created;
	return dest_get_new(t, name, &created);
}

struct dest *dest_get_new(struct dest_table *t, const char *name, bool *created)
{
	uint64_t h = name_hash(name);
	size_t b = h & (t->nb - 1);
	*created = false;
	for (struct dest *d = t->bucket[b]; d; d = d->hnext)
		if (d->hash == h && !strcmp(d->name, name)) return d;
	*created = true;
	if (t->n >= t->max && !evict_one(t)) {
		t->evicted++;
		return NULL;
	}
	struct dest *d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
	d->hash = h;
	d->hnext = t->bucket[b];
	t->bucket[b] = d;
	d->tab = t;
	lru_append(t, d);
	t->n++;
	return d;
}

void dest_set_meta(struct dest *d, const char *service, bool social)
{
	if (service && !d->service) d->service = xstrdup(service);
	if (social) d->social = true;
}

void dest_add_host(struct dest *d, const char *host)
{
	if (!host || !*host) return;
	for (unsigned i = 0; i < d->nhosts; i++)
		if (!strcmp(d->hosts[i], host)) return;
	if (d->nhosts < DEST_HOSTS_MAX) d->hosts[d->nhosts++] = xstrdup(host);
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
	if (!d->tl) d->tl = xcalloc(TL_BUCKETS, sizeof *d->tl);
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
