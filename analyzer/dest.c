/* dest.c - per-destination state: counters, hosts, IPs and signatures.
 *
 * Bounded: at most `max` destinations (hosts/IPs/examples per destination
 * capped too); when full, the least recently seen destination without a
 * signature is evicted and counted.
 */
#include <stdlib.h>
#include <string.h>
#include "dest.h"
#include "flow.h"
#include "util.h"

#define DEST_HOSTS_MAX 16
#define DEST_IPS_MAX 16
#define SIG_EXAMPLES_MAX 5
#define DEST_SIGS_MAX 16
#define TL_BUCKETS 48            /* hourly timeline: the last 48 hours */
#define TL_TYPES 8

static const char *tl_types[TL_TYPES] = {
	"rst_injection", "syn_drop", "data_drop", "dns_injection", "quic_drop",
	"http_injection", "icmp_prohibited", "other",
};

struct tl_bucket {
	uint64_t hour;               /* start of the hour, microseconds */
	uint32_t n[TL_TYPES];
};

static const char *ev_names[EV_COUNT] = {
	"seq_race", "multi_rst", "ttl_mismatch", "early_rst", "fingerprint",
	"ipid_mismatch", "overlap_conflict", "multi_answer", "early_answer",
	"type_mismatch", "known_forged_ip", "bogon_answer", "forged_ip_contacted",
	"syn_retransmit", "data_retransmit", "repeated", "sensor_drops",
	"icmp_prohibited", "residual", "ipid_fixed", "initial_retransmit",
	"off_path_source",
};

static const double ev_weight[EV_COUNT] = {
	W_STRONG, W_STRONG, W_STRONG, W_MEDIUM, W_WEAK,
	W_WEAK, W_STRONG, W_STRONG, W_MEDIUM,
	W_MEDIUM, W_MEDIUM, W_WEAK, 0,
	0, 0, 0, 0,
	W_STRONG, 0, W_STRONG, 0,
	W_MEDIUM,
};

const char *evidence_name(int ev)
{
	return (ev >= 0 && ev < EV_COUNT) ? ev_names[ev] : "?";
}

double confidence_of(uint32_t mask)
{
	double keep = 1.0;
	for (int i = 0; i < EV_COUNT; i++)
		if (mask & (1u << i)) keep *= 1.0 - ev_weight[i];
	return 1.0 - keep;
}

struct sig {
	char type[24];
	int stage;
	uint64_t count;
	double conf;
	uint64_t ev[EV_COUNT];
	uint64_t first, last;
	char *ex[SIG_EXAMPLES_MAX];
	unsigned nex;
};

struct dest {
	struct dest *hnext;
	struct dest *lprev, *lnext;  /* LRU list while evictable */
	struct dest_table *tab;
	bool in_lru;
	char *name;
	char *service;
	bool social;
	char *hosts[DEST_HOSTS_MAX];
	unsigned nhosts;
	struct ts_addr ips[DEST_IPS_MAX];
	unsigned nips;
	struct dest_tcp tcp;
	struct dest_udp udp;
	uint64_t dns_q, dns_r;
	struct sig *sigs;
	unsigned nsigs;
	uint64_t first, last;
	uint64_t last_clean;         /* last connection without interference */
	uint16_t evidence[TL_TYPES]; /* evidence files written, per signature */
	struct tl_bucket *tl;        /* ring of TL_BUCKETS, allocated on use */
	unsigned ntl, tlpos;
};

struct dest_table {
	struct dest **bucket;
	size_t nb;
	unsigned max, n;
	uint64_t evicted;
	struct dest *lru_head, *lru_tail;   /* evictable, oldest first */
};

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

static size_t bucket_of(const struct dest_table *t, const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s) { h ^= (uint8_t)*s++; h *= 1099511628211ULL; }
	return mix64(h) & (t->nb - 1);
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
	struct dest **pp = &t->bucket[bucket_of(t, d->name)];
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
	size_t b = bucket_of(t, name);
	*created = false;
	for (struct dest *d = t->bucket[b]; d; d = d->hnext)
		if (!strcmp(d->name, name)) return d;
	*created = true;
	if (t->n >= t->max && !evict_one(t)) {
		t->evicted++;
		return NULL;
	}
	struct dest *d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
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
	int k = TL_TYPES - 1;
	for (int i = 0; i < TL_TYPES - 1; i++)
		if (!strcmp(tl_types[i], type)) k = i;
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
	int k = TL_TYPES - 1;
	for (int i = 0; i < TL_TYPES - 1; i++)
		if (!strcmp(tl_types[i], type)) k = i;
	if (d->evidence[k] >= max) return false;
	d->evidence[k]++;
	return true;
}

void dest_clean_conn(struct dest *d, uint64_t ts)
{
	if (ts > d->last_clean) d->last_clean = ts;
}

void dest_signature(struct dest *d, const char *type, int stage, double conf,
                    uint32_t evmask, uint64_t ts, const char *cid)
{
	timeline_add(d, type, ts);
	struct sig *s = NULL;
	for (unsigned i = 0; i < d->nsigs; i++)
		if (d->sigs[i].stage == stage && !strcmp(d->sigs[i].type, type)) s = &d->sigs[i];
	if (!s) {
		if (d->nsigs >= DEST_SIGS_MAX) return;
		lru_unlink(d->tab, d);          /* never evicted from now on */
		d->sigs = xrealloc(d->sigs, (d->nsigs + 1) * sizeof *d->sigs);
		s = &d->sigs[d->nsigs++];
		memset(s, 0, sizeof *s);
		snprintf(s->type, sizeof s->type, "%s", type);
		s->stage = stage;
	}
	s->count++;
	if (conf > s->conf) s->conf = conf;
	for (int i = 0; i < EV_COUNT; i++)
		if (evmask & (1u << i)) s->ev[i]++;
	if (!s->first || ts < s->first) s->first = ts;
	if (ts > s->last) s->last = ts;
	if (cid && s->nex < SIG_EXAMPLES_MAX) s->ex[s->nex++] = xstrdup(cid);
	dest_seen(d, ts);
}

static const char *verdict(const struct dest *d, double min_conf)
{
	bool weak = false;
	for (unsigned i = 0; i < d->nsigs; i++) {
		if (d->sigs[i].conf >= min_conf) return "interfered";
		weak = true;
	}
	bool traffic = d->tcp.connections > d->tcp.inconclusive + d->tcp.asymmetric ||
	               d->dns_r > 0;
	if (weak || !traffic) return "inconclusive";
	return "clean";
}

static json_t *sig_json(const struct sig *s, uint64_t stopped)
{
	json_t *o = json_object(), *ev = json_object(), *ex = json_array();
	const char *st = stage_name(s->stage);
	json_object_set_new(o, "type", json_string(s->type));
	json_object_set_new(o, "stage", st ? json_string(st) : json_null());
	json_object_set_new(o, "count", json_integer((json_int_t)s->count));
	json_object_set_new(o, "confidence", json_real((double)(int)(s->conf * 100 + 0.5) / 100));
	for (int i = 0; i < EV_COUNT; i++)
		if (s->ev[i]) json_object_set_new(ev, ev_names[i], json_integer((json_int_t)s->ev[i]));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "first_seen", json_time(s->first));
	json_object_set_new(o, "last_seen", json_time(s->last));
	json_object_set_new(o, "onset", json_time(s->first));
	/* stopped: a clean connection to the destination came after the
	 * last event of this signature */
	json_object_set_new(o, "stopped", stopped && stopped > s->last ? json_time(s->last) : json_null());
	for (unsigned i = 0; i < s->nex; i++) json_array_append_new(ex, json_string(s->ex[i]));
	json_object_set_new(o, "examples", ex);
	return o;
}

static int tl_cmp(const void *a, const void *b)
{
	const struct tl_bucket *x = a, *y = b;
	return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static json_t *timeline_json(const struct dest *d)
{
	json_t *a = json_array();
	struct tl_bucket v[TL_BUCKETS];
	if (!d->ntl) return a;
	memcpy(v, d->tl, d->ntl * sizeof *v);
	qsort(v, d->ntl, sizeof *v, tl_cmp);
	for (unsigned i = 0; i < d->ntl; i++) {
		json_t *b = json_object(), *sg = json_object();
		uint32_t tot = 0;
		for (int k = 0; k < TL_TYPES; k++)
			if (v[i].n[k]) {
				json_object_set_new(sg, tl_types[k], json_integer(v[i].n[k]));
				tot += v[i].n[k];
			}
		json_object_set_new(b, "hour", json_time(v[i].hour ? v[i].hour : 1));
		json_object_set_new(b, "events", json_integer(tot));
		json_object_set_new(b, "signatures", sg);
		json_array_append_new(a, b);
	}
	return a;
}

static json_t *one_json(const struct dest *d, double min_conf)
{
	json_t *o = json_object(), *h = json_array(), *ips = json_array();
	json_t *tcp = json_object(), *dns = json_object(), *sigs = json_array();
	char buf[64];
	json_object_set_new(o, "destination", json_string(d->name));
	for (unsigned i = 0; i < d->nhosts; i++) json_array_append_new(h, json_string(d->hosts[i]));
	json_object_set_new(o, "hosts", h);
	for (unsigned i = 0; i < d->nips; i++) {
		addr_str(&d->ips[i], buf, sizeof buf);
		json_array_append_new(ips, json_string(buf));
	}
	json_object_set_new(o, "ips", ips);
	json_object_set_new(o, "service", d->service ? json_string(d->service) : json_null());
	json_object_set_new(o, "social_media", json_boolean(d->social));
	json_object_set_new(o, "verdict", json_string(verdict(d, min_conf)));
	json_object_set_new(tcp, "connections", json_integer((json_int_t)d->tcp.connections));
	json_object_set_new(tcp, "established", json_integer((json_int_t)d->tcp.established));
	json_object_set_new(tcp, "genuine_rst", json_integer((json_int_t)d->tcp.genuine_rst));
	json_object_set_new(tcp, "refused", json_integer((json_int_t)d->tcp.refused));
	json_object_set_new(tcp, "inconclusive", json_integer((json_int_t)d->tcp.inconclusive));
	json_object_set_new(tcp, "asymmetric", json_integer((json_int_t)d->tcp.asymmetric));
	json_object_set_new(o, "tcp", tcp);
	if (d->udp.flows) {
		json_t *u = json_object();
		json_object_set_new(u, "flows", json_integer((json_int_t)d->udp.flows));
		json_object_set_new(u, "answered", json_integer((json_int_t)d->udp.answered));
		json_object_set_new(o, "udp", u);
	}
	json_object_set_new(dns, "queries", json_integer((json_int_t)d->dns_q));
	json_object_set_new(dns, "responses", json_integer((json_int_t)d->dns_r));
	json_object_set_new(o, "dns", dns);
	for (unsigned i = 0; i < d->nsigs; i++)
		json_array_append_new(sigs, sig_json(&d->sigs[i], d->last_clean));
	json_object_set_new(o, "signatures", sigs);
	json_object_set_new(o, "timeline", timeline_json(d));
	json_object_set_new(o, "first_seen", json_time(d->first));
	json_object_set_new(o, "last_seen", json_time(d->last));
	return o;
}

static double g_min_conf;

static int dest_cmp(const void *a, const void *b)
{
	const struct dest *x = *(const struct dest *const *)a, *y = *(const struct dest *const *)b;
	if (x->social != y->social) return x->social ? -1 : 1;
	bool xi = !strcmp(verdict(x, g_min_conf), "interfered");
	bool yi = !strcmp(verdict(y, g_min_conf), "interfered");
	if (xi != yi) return xi ? -1 : 1;
	if (x->tcp.connections != y->tcp.connections)
		return x->tcp.connections > y->tcp.connections ? -1 : 1;
	return strcmp(x->name, y->name);
}

json_t *dest_json(struct dest_table *t, double min_conf)
{
	struct dest **v = xcalloc(t->n ? t->n : 1, sizeof *v);
	unsigned n = 0;
	for (size_t i = 0; i < t->nb; i++)
		for (struct dest *d = t->bucket[i]; d; d = d->hnext) v[n++] = d;
	g_min_conf = min_conf;
	qsort(v, n, sizeof *v, dest_cmp);
	json_t *a = json_array();
	for (unsigned i = 0; i < n; i++) json_array_append_new(a, one_json(v[i], min_conf));
	free(v);
	return a;
}

uint64_t dest_evicted(const struct dest_table *t) { return t->evicted; }
unsigned dest_count(const struct dest_table *t) { return t->n; }
