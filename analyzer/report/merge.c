/* merge.c - merge several reports into one.  See merge.h. */
#include <stdlib.h>
#include <string.h>
#include "merge.h"
#include "catalog.h"
#include "jsonw.h"
#include "util.h"
#include "verdict.h"

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

int merge_check(const json_t *r, char *err)
{
	const char *s = jstr(r, "schema");
	if (!json_is_object(r) || !s || strcmp(s, "tamperscope.report/1")) {
		snprintf(err, 256, "not a tamperscope.report/1 document");
		return -1;
	}
	if (!json_is_object(json_object_get(r, "capture"))) {
		snprintf(err, 256, "no capture object");
		return -1;
	}
	const json_t *ds = json_object_get(r, "destinations"), *d;
	size_t i;
	if (!json_is_array(ds)) { snprintf(err, 256, "no destinations array"); return -1; }
	json_array_foreach(ds, i, d)
		if (!json_is_object(d) || !jstr(d, "destination")) {
			snprintf(err, 256, "destination %zu: not an object with a name", i);
			return -1;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* generic pieces                                                      */

/* Times are fixed-format RFC 3339 strings: string order = time order.
 * want_min: the earlier of two (null/absent loses). */
static json_t *time_pick(const json_t *a, const json_t *b, bool want_min)
{
	const char *x = json_string_value(a), *y = json_string_value(b);
	if (!x && !y) return json_null();
	if (!x) return json_string(y);
	if (!y) return json_string(x);
	int c = strcmp(x, y);
	return json_string((want_min ? c <= 0 : c >= 0) ? x : y);
}

/* Merge b into a counter object a (in place): integers and reals add,
 * booleans OR, null + n = n, objects recurse, "start"/"end" (and
 * *_seen) widen; for any other value the smaller (by canonical text)
 * wins, so the result does not depend on the order. max_keys: keys
 * holding a limit, merged by maximum (limits object). */
static int canon_cmp(const json_t *a, const json_t *b);

static bool is_max_key(const char *k)
{
	return !strncmp(k, "max_", 4) || strstr(k, "_max") || strstr(k, "_peak");
}

static void counters_merge(json_t *a, const json_t *b, bool limits)
{
	const char *k;
	json_t *bv;
	json_object_foreach((json_t *)b, k, bv) {
		json_t *av = json_object_get(a, k);
		if (!av) { json_object_set_new(a, k, json_deep_copy(bv)); continue; }
		if (!strcmp(k, "start") || !strcmp(k, "first_seen") || !strcmp(k, "onset")) {
			json_object_set_new(a, k, time_pick(av, bv, true));
		} else if (!strcmp(k, "end") || !strcmp(k, "last_seen")) {
			json_object_set_new(a, k, time_pick(av, bv, false));
		} else if (json_is_integer(av) && json_is_integer(bv)) {
			json_int_t x = json_integer_value(av), y = json_integer_value(bv);
			json_object_set_new(a, k, json_integer(limits && is_max_key(k) ? (x > y ? x : y) : x + y));
		} else if (json_is_number(av) && json_is_number(bv)) {
			json_object_set_new(a, k, json_real(json_number_value(av) + json_number_value(bv)));
		} else if (json_is_boolean(av) && json_is_boolean(bv)) {
			json_object_set_new(a, k, json_boolean(json_is_true(av) || json_is_true(bv)));
		} else if (json_is_null(av)) {
			json_object_set_new(a, k, json_deep_copy(bv));
		} else if (json_is_null(bv)) {
			/* keep a */
		} else if (json_is_object(av) && json_is_object(bv)) {
			counters_merge(av, bv, limits);
		} else if (canon_cmp(bv, av) < 0) {
			json_object_set_new(a, k, json_deep_copy(bv));
		}
	}
}

static char *canon(const json_t *v)
{
	char *s = jsonw_dumps(v, 0, 6, NULL);
	return s ? s : xstrdup("");
}

static int canon_cmp(const json_t *a, const json_t *b)
{
	char *x = canon(a), *y = canon(b);
	int c = strcmp(x, y);
	free(x);
	free(y);
	return c;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Union of two string arrays: sorted, unique, the `max` smallest kept
 * (max 0 = unbounded). */
static json_t *str_union(const json_t *a, const json_t *b, size_t max)
{
	size_t na = json_array_size(a), nb = json_array_size(b), n = 0, i;
	const char **v = xcalloc(na + nb + 1, sizeof *v);
	const json_t *x;
	json_array_foreach(a, i, x) if (json_string_value(x)) v[n++] = json_string_value(x);
	json_array_foreach(b, i, x) if (json_string_value(x)) v[n++] = json_string_value(x);
	qsort(v, n, sizeof *v, str_cmp);
	json_t *out = json_array();
	for (i = 0; i < n; i++) {
		if (i && !strcmp(v[i], v[i - 1])) continue;
		if (max && json_array_size(out) >= max) break;
		json_array_append_new(out, json_string(v[i]));
	}
	free(v);
	return out;
}

/* ------------------------------------------------------------------ */
/* signatures                                                          */

static bool same_sig(const json_t *a, const json_t *b)
{
	const char *ta = jstr(a, "type"), *tb = jstr(b, "type");
	const char *sa = jstr(a, "stage"), *sb = jstr(b, "stage");
	if (!ta || !tb || strcmp(ta, tb)) return false;
	if (!sa || !sb) return !sa && !sb;
	return !strcmp(sa, sb);
}

/* Normalise one signature (examples sorted/bounded). */
static json_t *sig_norm(const json_t *s)
{
	json_t *o = json_deep_copy(s);
	json_object_set_new(o, "examples", str_union(json_object_get(s, "examples"), NULL, MERGE_EXAMPLES_MAX));
	return o;
}

/* A repetition signature's basis (verdict.h): the connection part is a
 * maximum. */
static void basis_merge(json_t *a, const json_t *b)
{
	const char *k = "connection_confidence";
	double x = json_number_value(json_object_get(a, k)), y = json_number_value(json_object_get(b, k));
	if (!json_is_object(a)) return;
	if (y > x) json_object_set_new(a, k, json_real(y));
	json_t *pa = json_object_get(a, "ports");
	const json_t *pb = json_object_get(b, "ports");
	if (json_is_object(pb)) {
		if (!json_is_object(pa)) json_object_set_new(a, "ports", json_deep_copy(pb));
		else counters_merge(pa, pb, false);    /* connections per port add */
	}
}

/* The most connections to one port (basis.ports), or the count when the
 * report has no ports. */
static uint64_t same_port(const json_t *s, const json_t *b)
{
	const json_t *ports = json_object_get(b, "ports"), *v;
	const char *k;
	uint64_t m = 0;
	if (!json_is_object(ports)) return (uint64_t)jint(s, "count");
	json_object_foreach((json_t *)ports, k, v)
		if ((uint64_t)json_integer_value(v) > m) m = (uint64_t)json_integer_value(v);
	return m;
}

/* Confidence and "repeated" of a repetition signature of destination d
 * from its merged counts and timeline, with verdict.h's function, as
 * analysing the whole would. */
static uint64_t peak_hour(const json_t *d, const char *type)
{
	const json_t *t;
	size_t i;
	uint64_t m = 0;
	json_array_foreach(json_object_get(d, "timeline"), i, t) {
		uint64_t n = (uint64_t)jint(json_object_get(t, "signatures"), type);
		if (n > m) m = n;
	}
	return m;
}

static void sig_recompute(json_t *s, const json_t *d, uint64_t answered)
{
	const json_t *b = json_object_get(s, "basis");
	if (!json_is_object(b)) return;             /* evidence signature: a maximum */
	uint64_t n = (uint64_t)jint(s, "count"), rep = same_port(s, b);
	struct sig_basis in = { true, json_number_value(json_object_get(b, "connection_confidence")),
	                        rep, answered, peak_hour(d, jstr(s, "type") ? jstr(s, "type") : "") };
	json_object_set_new(s, "confidence", json_real(verdict_confidence(&in)));
	json_t *ev = json_object_get(s, "evidence");
	if (!json_is_object(ev)) return;
	if (verdict_repeated(rep)) json_object_set_new(ev, VERDICT_REPEATED_CODE, json_integer((json_int_t)n));
	else json_object_del(ev, VERDICT_REPEATED_CODE);
}

static void sig_merge(json_t *a, const json_t *b)
{
	const char *k;
	json_t *bv;
	const struct det_measure *m;
	json_object_foreach((json_t *)b, k, bv) {
		json_t *av = json_object_get(a, k);
		if (!strcmp(k, "type") || !strcmp(k, "stage") || !strcmp(k, "stopped")) continue;
		if (!av) { json_object_set_new(a, k, json_deep_copy(bv)); continue; }
		if (!strcmp(k, "count")) {
			json_object_set_new(a, k, json_integer(json_integer_value(av) + json_integer_value(bv)));
		} else if (!strcmp(k, "confidence")) {
			if (json_number_value(bv) > json_number_value(av))
				json_object_set_new(a, k, json_deep_copy(bv));
		} else if (!strcmp(k, "evidence")) {
			if (json_is_object(av) && json_is_object(bv)) counters_merge(av, bv, false);
		} else if (!strcmp(k, "basis")) {
			basis_merge(av, bv);
		} else if ((m = sig_measure(jstr(a, "type"), k)) != NULL) {
			/* a measurement (catalog.h): by its rule */
			json_int_t x = json_integer_value(av), y = json_integer_value(bv);
			if (x != y && (json_int_t)meas_keep(m, x > 0 ? (uint64_t)x : 0,
			                                    y > 0 ? (uint64_t)y : 0) == y)
				json_object_set_new(a, k, json_deep_copy(bv));
		} else if (!strcmp(k, "examples")) {
			json_object_set_new(a, k, str_union(av, bv, MERGE_EXAMPLES_MAX));
		} else if (!strcmp(k, "first_seen") || !strcmp(k, "onset")) {
			json_object_set_new(a, k, time_pick(av, bv, true));
		} else if (!strcmp(k, "last_seen")) {
			/* handled with stopped below */
		} else if (json_is_integer(av) && json_is_integer(bv)) {
			json_object_set_new(a, k, json_integer(json_integer_value(av) + json_integer_value(bv)));
		} else if (canon_cmp(bv, av) < 0) {
			json_object_set_new(a, k, json_deep_copy(bv));
		}
	}
	/* last_seen widens; `stopped` is the one of the input that saw the
	 * signature last (ties: still ongoing in either = ongoing). */
	const char *la = jstr(a, "last_seen"), *lb = jstr(b, "last_seen");
	json_t *sa = json_object_get(a, "stopped"), *sb = json_object_get(b, "stopped");
	if (sa || sb) {
		json_t *st;
		int c = la && lb ? strcmp(la, lb) : (la ? 1 : lb ? -1 : 0);
		if (c > 0) st = sa ? json_incref(sa) : json_null();
		else if (c < 0) st = sb ? json_incref(sb) : json_null();
		else if (json_is_string(sa) && json_is_string(sb)) st = time_pick(sa, sb, false);
		else st = json_null();
		json_object_set_new(a, "stopped", st);
	}
	if (lb) json_object_set_new(a, "last_seen", time_pick(json_object_get(a, "last_seen"),
	                                                      json_object_get(b, "last_seen"), false));
}

static int sig_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	const char *fa = jstr(a, "first_seen"), *fb = jstr(b, "first_seen");
	int c = strcmp(fa ? fa : "", fb ? fb : "");
	if (c) return c;
	c = strcmp(jstr(a, "type") ? jstr(a, "type") : "", jstr(b, "type") ? jstr(b, "type") : "");
	if (c) return c;
	return strcmp(jstr(a, "stage") ? jstr(a, "stage") : "", jstr(b, "stage") ? jstr(b, "stage") : "");
}

static void sort_array(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr), i;
	if (n < 2) return;
	json_t **v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++) v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof *v, cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++) json_array_append_new(arr, v[i]);
	free(v);
}

static void sigs_merge(json_t *a, const json_t *b)
{
	size_t i, j;
	const json_t *s;
	json_array_foreach(b, i, s) {
		json_t *t = NULL, *x;
		json_array_foreach(a, j, x) if (same_sig(x, s)) { t = x; break; }
		if (t) sig_merge(t, s);
		else json_array_append_new(a, sig_norm(s));
	}
	sort_array(a, sig_cmp);
}

/* ------------------------------------------------------------------ */
/* timeline buckets                                                    */

static int bucket_cmp(const void *pa, const void *pb)
{
	const char *a = jstr(*(const json_t *const *)pa, "hour"), *b = jstr(*(const json_t *const *)pb, "hour");
	return strcmp(a ? a : "", b ? b : "");
}

static void timeline_merge(json_t *a, const json_t *b)
{
	size_t i, j;
	const json_t *x;
	json_array_foreach(b, i, x) {
		json_t *t = NULL, *y;
		const char *h = jstr(x, "hour");
		json_array_foreach(a, j, y) if (h && jstr(y, "hour") && !strcmp(h, jstr(y, "hour"))) { t = y; break; }
		if (!t) { json_array_append_new(a, json_deep_copy(x)); continue; }
		json_t *tmp = json_deep_copy(x);
		json_object_del(tmp, "hour");
		counters_merge(t, tmp, false);
		json_decref(tmp);
	}
	sort_array(a, bucket_cmp);
}

/* ------------------------------------------------------------------ */
/* destinations                                                        */

static json_t *dest_norm(const json_t *d)
{
	json_t *o = json_deep_copy(d), *sigs = json_array(), *tl = json_array();
	json_object_set_new(o, "hosts", str_union(json_object_get(d, "hosts"), NULL, MERGE_HOSTS_MAX));
	json_object_set_new(o, "ips", str_union(json_object_get(d, "ips"), NULL, MERGE_IPS_MAX));
	sigs_merge(sigs, json_object_get(d, "signatures"));
	json_object_set_new(o, "signatures", sigs);
	if (json_object_get(d, "timeline")) {
		timeline_merge(tl, json_object_get(d, "timeline"));
		json_object_set_new(o, "timeline", tl);
	} else {
		json_decref(tl);
	}
	return o;
}

static void dest_merge(json_t *a, const json_t *b)
{
	const char *k;
	json_t *bv;
	json_object_foreach((json_t *)b, k, bv) {
		json_t *av = json_object_get(a, k);
		if (!strcmp(k, "destination") || !strcmp(k, "verdict")) continue;
		if (!av && strcmp(k, "signatures") && strcmp(k, "timeline") && strcmp(k, "hosts") && strcmp(k, "ips")) {
			json_object_set_new(a, k, json_deep_copy(bv));
			continue;
		}
		if (!av) { av = json_array(); json_object_set_new(a, k, av); }
		if (!strcmp(k, "hosts")) json_object_set_new(a, k, str_union(av, bv, MERGE_HOSTS_MAX));
		else if (!strcmp(k, "ips")) json_object_set_new(a, k, str_union(av, bv, MERGE_IPS_MAX));
		else if (!strcmp(k, "signatures")) sigs_merge(av, bv);
		else if (!strcmp(k, "timeline")) timeline_merge(av, bv);
		else if (!strcmp(k, "social_media"))
			json_object_set_new(a, k, json_boolean(json_is_true(av) || json_is_true(bv)));
		else if (!strcmp(k, "first_seen") || !strcmp(k, "onset"))
			json_object_set_new(a, k, time_pick(av, bv, true));
		else if (!strcmp(k, "last_seen"))
			json_object_set_new(a, k, time_pick(av, bv, false));
		else if (json_is_object(av) && json_is_object(bv))
			counters_merge(av, bv, false);      /* tcp, dns, udp, ... */
		else if (json_is_null(av))
			json_object_set_new(a, k, json_deep_copy(bv));
		else if (!json_is_null(bv) && canon_cmp(bv, av) < 0)
			json_object_set_new(a, k, json_deep_copy(bv));   /* service, asn, ...: deterministic pick */
	}
}

const char *merge_verdict(const json_t *d, double min_conf)
{
	const json_t *sigs = json_object_get(d, "signatures"), *s;
	const json_t *t = json_object_get(d, "tcp");
	size_t i;
	struct dest_basis b = { 0, json_array_size(sigs) > 0, (uint64_t)jint(t, "connections"),
	                        (uint64_t)jint(t, "inconclusive"), (uint64_t)jint(t, "asymmetric"),
	                        (uint64_t)jint(json_object_get(d, "dns"), "responses"),
	                        (uint64_t)jint(json_object_get(d, "udp"), "answered") };
	json_array_foreach(sigs, i, s) {
		double c = json_number_value(json_object_get(s, "confidence"));
		if (c > b.top) b.top = c;
	}
	return verdict_of(&b, min_conf);
}

static int dest_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	bool sa = json_is_true(json_object_get(a, "social_media")), sb = json_is_true(json_object_get(b, "social_media"));
	if (sa != sb) return sa ? -1 : 1;
	const char *va = jstr(a, "verdict"), *vb = jstr(b, "verdict");
	bool ia = va && !strcmp(va, "interfered"), ib = vb && !strcmp(vb, "interfered");
	if (ia != ib) return ia ? -1 : 1;
	json_int_t ca = jint(json_object_get(a, "tcp"), "connections");
	json_int_t cb = jint(json_object_get(b, "tcp"), "connections");
	if (ca != cb) return ca > cb ? -1 : 1;
	return strcmp(jstr(a, "destination"), jstr(b, "destination"));
}

void merge_sort_destinations(json_t *dests)
{
	sort_array(dests, dest_cmp);
}

/* Name -> merged destination, a small open hash over the output array. */
struct dmap {
	json_t *arr;
	size_t *slot, nslot;     /* index + 1 into arr; 0 = empty */
};

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void dmap_grow(struct dmap *m)
{
	size_t n = m->nslot ? m->nslot * 2 : 64;
	free(m->slot);
	m->slot = xcalloc(n, sizeof *m->slot);
	m->nslot = n;
	for (size_t i = 0; i < json_array_size(m->arr); i++) {
		size_t h = name_hash(jstr(json_array_get(m->arr, i), "destination")) & (n - 1);
		while (m->slot[h]) h = (h + 1) & (n - 1);
		m->slot[h] = i + 1;
	}
}

static void dmap_add(struct dmap *m, const json_t *d, const char *name)
{
	if ((json_array_size(m->arr) + 1) * 2 > m->nslot) dmap_grow(m);
	size_t h = name_hash(name) & (m->nslot - 1);
	while (m->slot[h]) {
		json_t *x = json_array_get(m->arr, m->slot[h] - 1);
		if (!strcmp(jstr(x, "destination"), name)) { dest_merge(x, d); return; }
		h = (h + 1) & (m->nslot - 1);
	}
	json_t *n = dest_norm(d);
	json_object_set_new(n, "destination", json_string(name));
	json_array_append_new(m->arr, n);
	m->slot[h] = json_array_size(m->arr);
}

/* answered: the merged capture's answered connections (verdict.h). */
static void finish_dests(json_t *arr, double min_conf, uint64_t answered)
{
	size_t i, j;
	json_t *d, *s;
	json_array_foreach(arr, i, d) {
		json_array_foreach(json_object_get(d, "signatures"), j, s) {
			sig_recompute(s, d, answered);
		}
		json_object_set_new(d, "verdict", json_string(merge_verdict(d, min_conf)));
	}
	merge_sort_destinations(arr);
}

void merge_group_destinations(json_t *report, const char *key, double min_conf)
{
	json_t *ds = json_object_get(report, "destinations"), *d;
	struct dmap m = { json_array(), NULL, 0 };
	size_t i;
	if (min_conf <= 0) min_conf = 0.5;
	json_array_foreach(ds, i, d) {
		const char *k = jstr(d, key);
		if (!k || !*k) { dmap_add(&m, d, jstr(d, "destination")); continue; }
		/* the grouped names stay listed as hosts */
		json_t *c = json_deep_copy(d), *one = json_pack("[s]", jstr(d, "destination"));
		json_object_set_new(c, "hosts", str_union(json_object_get(d, "hosts"), one, 0));
		json_decref(one);
		dmap_add(&m, c, k);
		json_decref(c);
	}
	free(m.slot);
	finish_dests(m.arr, min_conf,
	             (uint64_t)jint(json_object_get(report, "capture"), "answered_connections"));
	json_object_set_new(report, "destinations", m.arr);
}

/* ------------------------------------------------------------------ */
/* injectors                                                           */

static int inj_cmp(const void *pa, const void *pb)
{
	const json_t *a = *(const json_t *const *)pa, *b = *(const json_t *const *)pb;
	json_int_t ea = jint(a, "events"), eb = jint(b, "events");
	if (ea != eb) return ea > eb ? -1 : 1;
	return canon_cmp(json_object_get(a, "id"), json_object_get(b, "id"));
}

static void injectors_merge(json_t *a, const json_t *b)
{
	size_t i, j;
	const json_t *x;
	json_array_foreach(b, i, x) {
		json_t *t = NULL, *y;
		const json_t *id = json_object_get(x, "id");
		if (id) json_array_foreach(a, j, y) if (json_equal(json_object_get(y, "id"), (json_t *)id)) { t = y; break; }
		if (!t) {
			json_t *c = json_deep_copy(x);
			if (json_is_array(json_object_get(x, "destinations")))
				json_object_set_new(c, "destinations", str_union(json_object_get(x, "destinations"), NULL, 0));
			json_array_append_new(a, c);
			continue;
		}
		const char *k;
		json_t *bv;
		json_object_foreach((json_t *)x, k, bv) {
			json_t *av = json_object_get(t, k);
			if (!strcmp(k, "id")) continue;
			if (!av) json_object_set_new(t, k, json_deep_copy(bv));
			else if (!strcmp(k, "destinations") && json_is_array(bv))
				json_object_set_new(t, k, str_union(av, bv, 0));
			else if (!strcmp(k, "hop_distance")) {
				if (json_is_null(av) || (json_is_integer(bv) && json_integer_value(bv) < json_integer_value(av)))
					json_object_set_new(t, k, json_deep_copy(bv));
			} else if (json_is_integer(av) && json_is_integer(bv))
				json_object_set_new(t, k, json_integer(json_integer_value(av) + json_integer_value(bv)));
			else if (!strcmp(k, "first_seen") || !strcmp(k, "onset"))
				json_object_set_new(t, k, time_pick(av, bv, true));
			else if (!strcmp(k, "last_seen"))
				json_object_set_new(t, k, time_pick(av, bv, false));
			else if (json_is_null(av) || (!json_is_null(bv) && canon_cmp(bv, av) < 0))
				json_object_set_new(t, k, json_deep_copy(bv));
		}
	}
	sort_array(a, inj_cmp);
}

/* ------------------------------------------------------------------ */

static int jstr_qcmp(const void *pa, const void *pb)
{
	const char *a = json_string_value(*(const json_t *const *)pa);
	const char *b = json_string_value(*(const json_t *const *)pb);
	return strcmp(a ? a : "", b ? b : "");
}

static int canon_qcmp(const void *pa, const void *pb)
{
	return canon_cmp(*(const json_t *const *)pa, *(const json_t *const *)pb);
}

json_t *merge_reports(json_t *const *in, size_t n, double min_conf)
{
	json_t *out = json_object(), *files = json_array(), *merged = json_array();
	json_t *capture = json_object(), *detectors = NULL, *limits = NULL, *injectors = NULL;
	struct dmap m = { json_array(), NULL, 0 };
	if (min_conf <= 0) min_conf = 0.5;

	for (size_t i = 0; i < n; i++) {
		const json_t *r = in[i], *src = json_object_get(r, "source"), *x;
		size_t j;
		json_array_foreach(json_object_get(src, "files"), j, x) {
			if (json_is_string(x)) json_array_append(files, (json_t *)x);
		}
		const json_t *sub = json_object_get(src, "merged");
		if (json_is_array(sub)) {
			json_array_foreach(sub, j, x) {
				json_array_append_new(merged, json_deep_copy(x));
			}
		} else if (src) {
			json_array_append_new(merged, json_deep_copy(src));
		}

		counters_merge(capture, json_object_get(r, "capture"), false);
		if (json_is_object(json_object_get(r, "detectors"))) {
			if (!detectors) detectors = json_object();
			counters_merge(detectors, json_object_get(r, "detectors"), false);
		}
		if (json_is_object(json_object_get(r, "limits"))) {
			if (!limits) limits = json_object();
			counters_merge(limits, json_object_get(r, "limits"), true);
		}
		if (json_is_array(json_object_get(r, "injectors"))) {
			if (!injectors) injectors = json_array();
			injectors_merge(injectors, json_object_get(r, "injectors"));
		}
		json_array_foreach(json_object_get(r, "destinations"), j, x)
			if (jstr(x, "destination")) dmap_add(&m, x, jstr(x, "destination"));
	}
	free(m.slot);
	finish_dests(m.arr, min_conf, (uint64_t)jint(capture, "answered_connections"));

	json_t *s = json_object();
	sort_array(files, jstr_qcmp);
	json_object_set_new(s, "files", files);
	sort_array(merged, canon_qcmp);
	json_object_set_new(s, "merged", merged);

	json_object_set_new(out, "schema", json_string("tamperscope.report/1"));
	json_object_set_new(out, "generator", json_pack("{ssss}", "name", TS_NAME, "version", TS_VERSION));
	json_object_set_new(out, "source", s);
	json_object_set_new(out, "capture", capture);
	json_object_set_new(out, "destinations", m.arr);
	if (detectors) json_object_set_new(out, "detectors", detectors);
	if (limits) json_object_set_new(out, "limits", limits);
	if (injectors) json_object_set_new(out, "injectors", injectors);
	return out;
}
