/* dest.c - per-destination state: counters, hosts, IPs and signatures.
 *
 * Bounded: at most `max` destinations (hosts/IPs/examples per destination
 * capped too); when full, the least recently seen destination without a
 * signature is evicted and counted.
 */
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "dest.h"
#include "flow.h"
#include "jsonw.h"
#include "util.h"
#include "verdict.h"

#define DEST_HOSTS_MAX 16
#define DEST_IPS_MAX 16
#define SIG_EXAMPLES_MAX 5
#define SIG_PORTS 8              /* ports counted per repetition signature */
#define DEST_SIGS_MAX 16
#define TL_BUCKETS 48            /* hourly timeline: the last 48 hours */
#define TL_TYPES SIG_MAX       /* per detector (catalog.h); the last "other" */
#define TL_OTHER (TL_TYPES - 1)

struct tl_bucket {
	uint64_t hour;               /* start of the hour, microseconds */
	uint32_t n[TL_TYPES];
};

/* Timeline column of a signature type. */
static int tl_index(const char *type)
{
	int k = sig_index(type);
	return k >= 0 ? k : TL_OTHER;
}

struct sig {
	char type[24];
	int stage;
	bool rep;                    /* repetition signature (verdict.h)     */
	uint16_t port[SIG_PORTS];    /* ... its connections per destination  */
	uint32_t pconn[SIG_PORTS];   /*     port (the first SIG_PORTS ports) */
	unsigned nport;
	uint64_t count;
	double conf;                 /* highest event / connection part      */
	uint64_t ev[EV_MAX];
	uint64_t first, last;
	uint64_t meas[SIG_MEASURES_MAX]; /* catalog.h measurements (0: none) */
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
	uint64_t answered;           /* answered connections (verdict.h)  */
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

/* The most events of signature type `type` in one hour of d's timeline. */
static uint64_t peak_hour(const struct dest *d, const char *type)
{
	int k = tl_index(type);
	uint64_t m = 0;
	for (unsigned i = 0; i < d->ntl; i++)
		if (d->tl[i].n[k] > m) m = d->tl[i].n[k];
	return m;
}

/* The most connections of repetition signature s to one port. */
static uint64_t same_port(const struct sig *s)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < s->nport; i++)
		if (s->pconn[i] > m) m = s->pconn[i];
	return m;
}

/* The report's confidence of s, a signature of d (verdict.h). */
static double sig_conf(const struct sig *s, const struct dest *d)
{
	struct sig_basis b = { s->rep, s->conf, s->rep ? same_port(s) : s->count, d->tab->answered,
	                       s->rep ? peak_hour(d, s->type) : 0 };
	return verdict_confidence(&b);
}

/* Evidence count of code i as the report gives it: "repeated" of a
 * repetition signature follows from its count, like its confidence. */
static uint64_t sig_ev(const struct sig *s, int i)
{
	if (s->rep && !strcmp(evidence_name(i), VERDICT_REPEATED_CODE))
		return verdict_repeated(same_port(s)) ? s->count : 0;
	return s->ev[i];
}

static const char *verdict(const struct dest *d, double min_conf)
{
	struct dest_basis b = { 0, d->nsigs > 0, d->tcp.connections, d->tcp.inconclusive,
	                        d->tcp.asymmetric, d->dns_r, d->udp.answered };
	for (unsigned i = 0; i < d->nsigs; i++) {
		double c = sig_conf(&d->sigs[i], d);
		if (c > b.top) b.top = c;
	}
	return verdict_of(&b, min_conf);
}

/* Indexes of names[0..n) in strcmp order: the text emitter writes an
 * object's keys sorted, as JSON_SORT_KEYS does. */
static void sorted_order(const char *const *names, int n, int *ord)
{
	for (int i = 0; i < n; i++) {
		int j = i;
		while (j && strcmp(names[ord[j - 1]], names[i]) > 0) { ord[j] = ord[j - 1]; j--; }
		ord[j] = i;
	}
}

/* Evidence and timeline names (catalog.h) and their sorted order, made
 * once by names_order(). */
static const char *ev_names[EV_MAX], *tl_names[TL_TYPES];
static int ev_ord[EV_MAX], tl_ord[TL_TYPES], tl_col[TL_TYPES];
static int n_ev, n_tl;

static void names_order(void)
{
	n_ev = (int)ev_count();
	for (int i = 0; i < n_ev; i++) ev_names[i] = evidence_name(i);
	sorted_order(ev_names, n_ev, ev_ord);
	n_tl = 0;
	for (unsigned i = 0; i < sig_count(); i++) {
		tl_names[n_tl] = sig_name(i);
		tl_col[n_tl++] = (int)i;
	}
	tl_names[n_tl] = "other";
	tl_col[n_tl++] = TL_OTHER;
	sorted_order(tl_names, n_tl, tl_ord);
}

/* basis.ports: connections per destination port, keys in string order
 * (as JSON_SORT_KEYS writes them). */
static void ports_emit(struct jw *w, const struct sig *s)
{
	char name[SIG_PORTS][8];
	const char *np[SIG_PORTS];
	int ord[SIG_PORTS];
	for (unsigned i = 0; i < s->nport; i++) {
		snprintf(name[i], sizeof name[i], "%u", s->port[i]);
		np[i] = name[i];
	}
	sorted_order(np, (int)s->nport, ord);
	jw_obj(w, "ports");
	for (unsigned k = 0; k < s->nport; k++) jw_int(w, np[ord[k]], s->pconn[ord[k]]);
	jw_end(w);
}

/* A signature's own members, in key order (the text emitter's). */
enum { SK_BASIS, SK_CONFIDENCE, SK_COUNT, SK_EVIDENCE, SK_EXAMPLES, SK_FIRST_SEEN,
       SK_LAST_SEEN, SK_ONSET, SK_STAGE, SK_STOPPED, SK_TYPE, SK_N };
static const char *const sig_keys[SK_N] = {
	"basis", "confidence", "count", "evidence", "examples", "first_seen",
	"last_seen", "onset", "stage", "stopped", "type"
};

static void sig_member(struct jw *w, const struct sig *s, const struct dest *d, int k)
{
	uint64_t stopped = d->last_clean;
	switch (k) {
	case SK_BASIS:
		if (!s->rep) return;     /* what merge needs to recompute it */
		jw_obj(w, "basis");
		jw_real(w, "connection_confidence", (double)(int)(s->conf * 100 + 0.5) / 100);
		ports_emit(w, s);
		jw_end(w);
		return;
	case SK_CONFIDENCE: jw_real(w, "confidence", sig_conf(s, d)); return;
	case SK_COUNT: jw_int(w, "count", (int64_t)s->count); return;
	case SK_EVIDENCE:
		jw_obj(w, "evidence");
		for (int j = 0; j < n_ev; j++) {
			int i = ev_ord[j];
			if (sig_ev(s, i)) jw_int(w, ev_names[i], (int64_t)sig_ev(s, i));
		}
		jw_end(w);
		return;
	case SK_EXAMPLES:
		jw_arr(w, "examples");
		for (unsigned i = 0; i < s->nex; i++) jw_str(w, NULL, s->ex[i]);
		jw_end(w);
		return;
	case SK_FIRST_SEEN: jw_time(w, "first_seen", s->first); return;
	case SK_LAST_SEEN: jw_time(w, "last_seen", s->last); return;
	case SK_ONSET: jw_time(w, "onset", s->first); return;
	case SK_STAGE: jw_str(w, "stage", stage_name(s->stage)); return;
	/* stopped: a clean connection to the destination came after the
	 * last event of this signature */
	case SK_STOPPED: jw_time(w, "stopped", stopped && stopped > s->last ? s->last : 0); return;
	default: jw_str(w, "type", s->type); return;
	}
}

/* The signature's members and its type's measurements (catalog.h), all
 * in key order. */
static void sig_emit(struct jw *w, const struct sig *s, const struct dest *d)
{
	unsigned n;
	const struct det_measure *m = sig_measures(sig_index(s->type), &n);
	const char *mk[SIG_MEASURES_MAX];
	int ord[SIG_MEASURES_MAX];
	for (unsigned i = 0; i < n; i++) mk[i] = m[i].key;
	sorted_order(mk, (int)n, ord);
	unsigned j = 0;
	jw_obj(w, NULL);
	for (int k = 0; k <= SK_N; k++) {
		for (; j < n && (k == SK_N || strcmp(mk[ord[j]], sig_keys[k]) < 0); j++)
			if (s->meas[ord[j]]) jw_int(w, mk[ord[j]], (int64_t)s->meas[ord[j]]);
		if (k < SK_N) sig_member(w, s, d, k);
	}
	jw_end(w);
}

static int tl_cmp(const void *a, const void *b)
{
	const struct tl_bucket *x = a, *y = b;
	return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static void timeline_emit(struct jw *w, const struct dest *d)
{
	struct tl_bucket v[TL_BUCKETS];
	jw_arr(w, "timeline");
	if (d->ntl) {
		memcpy(v, d->tl, d->ntl * sizeof *v);
		qsort(v, d->ntl, sizeof *v, tl_cmp);
	}
	for (unsigned i = 0; i < d->ntl; i++) {
		uint32_t tot = 0;
		for (int k = 0; k < TL_TYPES; k++) tot += v[i].n[k];
		jw_obj(w, NULL);
		jw_int(w, "events", tot);
		jw_time(w, "hour", v[i].hour ? v[i].hour : 1);
		jw_obj(w, "signatures");
		for (int k = 0; k < n_tl; k++) {
			int t = tl_col[tl_ord[k]];
			if (v[i].n[t]) jw_int(w, tl_names[tl_ord[k]], v[i].n[t]);
		}
		jw_end(w);
		jw_end(w);
	}
	jw_end(w);
}

/* One destination; keys in sorted order (see sorted_order). */
static void one_emit(struct jw *w, const struct dest *d, double min_conf)
{
	char buf[64];
	jw_obj(w, NULL);
	jw_str(w, "destination", d->name);
	jw_obj(w, "dns");
	jw_int(w, "queries", (int64_t)d->dns_q);
	jw_int(w, "responses", (int64_t)d->dns_r);
	jw_end(w);
	jw_time(w, "first_seen", d->first);
	jw_arr(w, "hosts");
	for (unsigned i = 0; i < d->nhosts; i++) jw_str(w, NULL, d->hosts[i]);
	jw_end(w);
	jw_arr(w, "ips");
	for (unsigned i = 0; i < d->nips; i++) {
		addr_str(&d->ips[i], buf, sizeof buf);
		jw_str(w, NULL, buf);
	}
	jw_end(w);
	jw_time(w, "last_seen", d->last);
	jw_str(w, "service", d->service);
	jw_arr(w, "signatures");
	for (unsigned i = 0; i < d->nsigs; i++) sig_emit(w, &d->sigs[i], d);
	jw_end(w);
	jw_bool(w, "social_media", d->social);
	jw_obj(w, "tcp");
	jw_int(w, "asymmetric", (int64_t)d->tcp.asymmetric);
	jw_int(w, "connections", (int64_t)d->tcp.connections);
	jw_int(w, "established", (int64_t)d->tcp.established);
	jw_int(w, "genuine_rst", (int64_t)d->tcp.genuine_rst);
	jw_int(w, "inconclusive", (int64_t)d->tcp.inconclusive);
	jw_int(w, "refused", (int64_t)d->tcp.refused);
	jw_end(w);
	timeline_emit(w, d);
	if (d->udp.flows) {
		jw_obj(w, "udp");
		jw_int(w, "answered", (int64_t)d->udp.answered);
		jw_int(w, "flows", (int64_t)d->udp.flows);
		jw_end(w);
	}
	jw_str(w, "verdict", verdict(d, min_conf));
	jw_end(w);
}

/* Sort key of a destination: social media first, then interfered, then
 * by connections, then by name (verdicts computed once, not per compare). */
struct dest_key {
	const struct dest *d;
	unsigned rank;               /* 0 social+interfered .. 3 neither */
	uint64_t conns;
};

static int key_cmp(const void *a, const void *b)
{
	const struct dest_key *x = a, *y = b;
	if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
	if (x->conns != y->conns) return x->conns > y->conns ? -1 : 1;
	return strcmp(x->d->name, y->d->name);
}

/* The destinations array through emitter w, sorted (dest.h). */
static void dest_emit(struct jw *w, struct dest_table *t, double min_conf)
{
	struct dest_key *v = xcalloc(t->n ? t->n : 1, sizeof *v);
	unsigned n = 0;
	for (size_t i = 0; i < t->nb; i++)
		for (struct dest *d = t->bucket[i]; d; d = d->hnext) {
			bool inter = !strcmp(verdict(d, min_conf), "interfered");
			v[n].d = d;
			v[n].rank = (d->social ? 0u : 2u) + (inter ? 0u : 1u);
			v[n].conns = d->tcp.connections;
			n++;
		}
	qsort(v, n, sizeof *v, key_cmp);
	static bool ordered;
	if (!ordered) {
		names_order();
		ordered = true;
	}
	jw_arr(w, NULL);
	for (unsigned i = 0; i < n; i++) one_emit(w, v[i].d, min_conf);
	jw_end(w);
	free(v);
}

json_t *dest_json(struct dest_table *t, double min_conf)
{
	struct jw *w = jw_new_tree();
	dest_emit(w, t, min_conf);
	return jw_take_tree(w);
}

char *dest_text(struct dest_table *t, double min_conf, int indent, int prec, int depth,
                size_t *len, bool *misordered)
{
	struct jw *w = jw_new_text(indent, prec, depth, misordered != NULL);
	dest_emit(w, t, min_conf);
	if (misordered) *misordered = jw_misordered(w);
	return jw_take_text(w, len);
}

void dest_verdicts(struct dest_table *t, double min_conf, unsigned *n, unsigned *interfered)
{
	unsigned k = 0;
	for (size_t i = 0; i < t->nb; i++)
		for (struct dest *d = t->bucket[i]; d; d = d->hnext)
			if (!strcmp(verdict(d, min_conf), "interfered")) k++;
	*n = t->n;
	*interfered = k;
}

uint64_t dest_evicted(const struct dest_table *t) { return t->evicted; }
unsigned dest_count(const struct dest_table *t) { return t->n; }
