/* dest_json.c - the destination table (core/dest.c) as the report's
 * `destinations` array: each signature's confidence and each
 * destination's verdict from verdict.c, sorted, as a jansson tree or as
 * JSON text (jsonw.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "dest_int.h"
#include "dest_json.h"
#include "flow.h"
#include "jsonw.h"
#include "tunables.h"
#include "util.h"
#include "verdict.h"

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
static const char *ev_names[EV_MAX], *tl_names[TL_TYPES];   /* set once, then read-only */
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

/* The destinations in report order (dest.h): *n of them, caller frees. */
static struct dest_key *sorted_keys(struct dest_table *t, double min_conf, unsigned *n)
{
	struct dest_key *v = xcalloc(t->n ? t->n : 1, sizeof *v);
	for (unsigned i = 0; i < t->n; i++) {
		const struct dest *d = dest_at(t, i);
		bool inter = !strcmp(verdict(d, min_conf), "interfered");
		v[i].d = d;
		v[i].rank = (d->social ? 0u : 2u) + (inter ? 0u : 1u);
		v[i].conns = d->tcp.connections;
	}
	qsort(v, t->n, sizeof *v, key_cmp);
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, names_order);
	*n = t->n;
	return v;
}

/* Destinations v[0..n) as elements of the array open in w. */
struct emit_part {
	struct jw *w;
	const struct dest_key *v;
	unsigned n;
	double min_conf;
};

static void *emit_part(void *arg)
{
	const struct emit_part *p = arg;
	for (unsigned i = 0; i < p->n; i++) one_emit(p->w, p->v[i].d, p->min_conf);
	return NULL;
}

json_t *dest_json(struct dest_table *t, double min_conf)
{
	unsigned n;
	struct dest_key *v = sorted_keys(t, min_conf, &n);
	struct emit_part all = { jw_new_tree(), v, n, min_conf };
	jw_arr(all.w, NULL);
	emit_part(&all);
	jw_end(all.w);
	free(v);
	return jw_take_tree(all.w);
}

/* The array through text writer w (memory or file).  With two threads a
 * second one writes the later half of a long array into memory while
 * this one writes the first: the destinations of a long capture are most
 * of a report's text, and nothing but reading them is shared (one_emit()
 * only reads the table; names_order() ran before). */
static void text_parts(struct jw *w, struct dest_table *t, double min_conf, unsigned threads)
{
	unsigned n;
	struct dest_key *v = sorted_keys(t, min_conf, &n);
	struct emit_part head = { w, v, n, min_conf };
	struct emit_part tail = { NULL, NULL, 0, min_conf };
	pthread_t th;
	jw_arr(w, NULL);
	if (threads > 1 && n >= REPORT_SPLIT_MIN) {
		head.n = n / 2;
		tail = (struct emit_part){ jw_new_more(w), v + head.n, n - head.n, min_conf };
		if (pthread_create(&th, NULL, emit_part, &tail)) {   /* then all here */
			free(jw_take_text(tail.w, NULL));
			tail.w = NULL;
			head.n = n;
		}
	}
	emit_part(&head);
	if (tail.w) {
		pthread_join(th, NULL);
		jw_splice(w, tail.w);
	}
	jw_end(w);
	free(v);
}

char *dest_text(struct dest_table *t, double min_conf, int indent, int prec, int depth,
                unsigned threads, size_t *len, bool *misordered)
{
	struct jw *w = jw_new_text(indent, prec, depth, misordered != NULL);
	text_parts(w, t, min_conf, threads);
	if (misordered) *misordered = jw_misordered(w);
	return jw_take_text(w, len);
}

int dest_write(struct dest_table *t, double min_conf, int indent, int prec, int depth,
               unsigned threads, FILE *f)
{
	struct jw *w = jw_new_file(f, indent, prec, depth, false);
	text_parts(w, t, min_conf, threads);
	return jw_close_file(w);
}

void dest_verdicts(struct dest_table *t, double min_conf, unsigned *n, unsigned *interfered)
{
	unsigned k = 0;
	for (unsigned i = 0; i < t->n; i++)
		if (!strcmp(verdict(dest_at(t, i), min_conf), "interfered")) k++;
	*n = t->n;
	*interfered = k;
}
