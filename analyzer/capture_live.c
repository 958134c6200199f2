/* capture_live.c - live handles (pcap_create/activate, TPACKET_V3), the
 * PACKET_FANOUT group of the workers, and the per-worker report merge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include "capture.h"
#include "capture_live.h"
#include "util.h"

#ifndef PACKET_FANOUT
#define PACKET_FANOUT 18
#endif
#ifndef PACKET_FANOUT_HASH
#define PACKET_FANOUT_HASH 0
#endif
#ifndef PACKET_FANOUT_FLAG_DEFRAG
#define PACKET_FANOUT_FLAG_DEFRAG 0x8000
#endif

static void fail(char *err, size_t errsz, const char *iface, const char *msg)
{
	char m[PCAP_ERRBUF_SIZE + 128];
	snprintf(m, sizeof m, "%s", msg);
	m[strcspn(m, "\n")] = 0;     /* one line: libpcap messages can carry a newline */
	snprintf(err, errsz, "%s: %s", iface, m);
}

pcap_t *live_open(const struct live_opts *o, enum live_err *why, char *err, size_t errsz)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	*why = LIVE_ERR_OTHER;
	pcap_t *p = pcap_create(o->iface, eb);
	if (!p) { fail(err, errsz, o->iface, eb); return NULL; }
	pcap_set_snaplen(p, o->snaplen);
	pcap_set_promisc(p, o->promisc);
	pcap_set_timeout(p, o->timeout_ms);
	if (o->buffer_kib > 0) pcap_set_buffer_size(p, o->buffer_kib * 1024);
	pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_MICRO);
	int rc = pcap_activate(p);
	if (rc < 0) {
		const char *pe = pcap_geterr(p);
		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			*why = LIVE_ERR_DEVICE;
			fail(err, errsz, o->iface, "no such interface");
			break;
		case PCAP_ERROR_PERM_DENIED:
		case PCAP_ERROR_PROMISC_PERM_DENIED:
			*why = LIVE_ERR_PERM;
			fail(err, errsz, o->iface, "permission denied: live capture needs root or "
			     "CAP_NET_RAW (+CAP_NET_ADMIN for promiscuous mode)");
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			*why = LIVE_ERR_DEVICE;
			fail(err, errsz, o->iface, "interface is down");
			break;
		default:
			fail(err, errsz, o->iface, pe && *pe ? pe : pcap_statustostr(rc));
		}
		pcap_close(p);
		return NULL;
	}
	if (rc > 0) {
		const char *pe = pcap_geterr(p);
		ts_err(o->iface, "warning: %s", rc == PCAP_WARNING && pe && *pe ? pe : pcap_statustostr(rc));
	}
	int dlt = pcap_datalink(p);
	if (!capture_dlt_supported(dlt)) {
		const char *n = pcap_datalink_val_to_name(dlt);
		char m[128];
		snprintf(m, sizeof m, "unsupported link type %s (%d)", n ? n : "?", dlt);
		fail(err, errsz, o->iface, m);
		pcap_close(p);
		return NULL;
	}
	if (o->filter) {
		struct bpf_program prog;
		if (pcap_compile(p, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			*why = LIVE_ERR_FILTER;
			char m[PCAP_ERRBUF_SIZE + 16];
			snprintf(m, sizeof m, "bad filter: %s", pcap_geterr(p));
			fail(err, errsz, o->iface, m);
			pcap_close(p);
			return NULL;
		}
		rc = pcap_setfilter(p, &prog);
		pcap_freecode(&prog);
		if (rc < 0) {
			char m[PCAP_ERRBUF_SIZE + 24];
			snprintf(m, sizeof m, "cannot set filter: %s", pcap_geterr(p));
			fail(err, errsz, o->iface, m);
			pcap_close(p);
			return NULL;
		}
	}
	*why = LIVE_OK;
	return p;
}

int live_join_fanout(pcap_t *p, unsigned group, char *err, size_t errsz)
{
	int arg = (int)((group & 0xffff) |
	                ((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16));
	if (setsockopt(pcap_fileno(p), SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) < 0) {
		snprintf(err, errsz, "PACKET_FANOUT: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- report merge ---- */

static bool is_time_key(const char *k, int *dir)
{
	if (!strcmp(k, "start") || !strcmp(k, "first_seen")) { *dir = -1; return true; }
	if (!strcmp(k, "end") || !strcmp(k, "last_seen")) { *dir = 1; return true; }
	return false;
}

/* Generic counter merge: integers add, reals take the maximum, booleans
 * OR, objects recurse, RFC 3339 times take min/max by key, a null is
 * replaced by a value, anything else keeps the first. */
static void merge_counters(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *sv;
	json_object_foreach((json_t *)src, k, sv) {
		json_t *dv = json_object_get(dst, k);
		int dir;
		if (!dv || json_is_null(dv)) {
			json_object_set_new(dst, k, json_deep_copy(sv));
		} else if (json_is_integer(dv) && json_is_integer(sv)) {
			json_object_set_new(dst, k, json_integer(json_integer_value(dv) +
			                                         json_integer_value(sv)));
		} else if (json_is_real(dv) && json_is_number(sv)) {
			if (json_number_value(sv) > json_number_value(dv))
				json_object_set_new(dst, k, json_deep_copy(sv));
		} else if (json_is_boolean(dv) && json_is_boolean(sv)) {
			if (json_is_true(sv)) json_object_set_new(dst, k, json_true());
		} else if (json_is_object(dv) && json_is_object(sv)) {
			merge_counters(dv, sv);
		} else if (json_is_string(dv) && json_is_string(sv) && is_time_key(k, &dir)) {
			int c = strcmp(json_string_value(sv), json_string_value(dv));
			if ((dir < 0 && c < 0) || (dir > 0 && c > 0))
				json_object_set_new(dst, k, json_deep_copy(sv));
		}
	}
}

static void union_strings(json_t *dst, const json_t *src, size_t cap)
{
	size_t i, j;
	json_t *s, *d;
	json_array_foreach(src, i, s) {
		bool have = false;
		json_array_foreach(dst, j, d)
			if (json_equal(d, s)) { have = true; break; }
		if (!have && json_array_size(dst) < cap) json_array_append(dst, s);
	}
}

static bool same_sig(const json_t *a, const json_t *b)
{
	return json_equal(json_object_get(a, "type"), json_object_get(b, "type")) &&
	       json_equal(json_object_get(a, "stage"), json_object_get(b, "stage"));
}

static void merge_sig(json_t *d, const json_t *s)
{
	json_t *ex = json_object_get(d, "examples");
	json_t *copy = json_deep_copy(s);
	json_object_del(copy, "examples");
	merge_counters(d, copy);      /* count, evidence add; confidence max; times */
	json_decref(copy);
	if (ex) union_strings(ex, json_object_get(s, "examples"), 5);
}

static void merge_dest(json_t *d, const json_t *s)
{
	union_strings(json_object_get(d, "hosts"), json_object_get(s, "hosts"), 16);
	union_strings(json_object_get(d, "ips"), json_object_get(s, "ips"), 16);
	if (json_is_null(json_object_get(d, "service")) && !json_is_null(json_object_get(s, "service")))
		json_object_set(d, "service", json_object_get(s, "service"));
	if (json_is_true(json_object_get(s, "social_media")))
		json_object_set_new(d, "social_media", json_true());
	if (!strcmp(json_string_value(json_object_get(s, "verdict")), "interfered"))
		json_object_set_new(d, "verdict", json_string("interfered"));
	merge_counters(json_object_get(d, "tcp"), json_object_get(s, "tcp"));
	merge_counters(json_object_get(d, "dns"), json_object_get(s, "dns"));
	json_t *dsig = json_object_get(d, "signatures");
	size_t i, j;
	json_t *ss, *ds;
	json_array_foreach(json_object_get(s, "signatures"), i, ss) {
		bool done = false;
		json_array_foreach(dsig, j, ds)
			if (same_sig(ds, ss)) { merge_sig(ds, ss); done = true; break; }
		if (!done && json_array_size(dsig) < 16) json_array_append_new(dsig, json_deep_copy(ss));
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)s, k, v) {
		int dir;
		if (is_time_key(k, &dir)) {
			json_t *one = json_object();
			json_object_set(one, k, v);
			merge_counters(d, one);
			json_decref(one);
		}
	}
}

static json_int_t jint(const json_t *o, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(o, a), b));
}

/* dest.c's verdict(): interfered (kept from any worker: its confidence
 * test used the unrounded value), else inconclusive with weak signatures
 * or without traffic, else clean. */
static void recompute_verdict(json_t *d)
{
	if (!strcmp(json_string_value(json_object_get(d, "verdict")), "interfered")) return;
	bool traffic = jint(d, "tcp", "connections") >
	               jint(d, "tcp", "inconclusive") + jint(d, "tcp", "asymmetric") ||
	               jint(d, "dns", "responses") > 0;
	bool weak = json_array_size(json_object_get(d, "signatures")) > 0;
	json_object_set_new(d, "verdict", json_string(weak || !traffic ? "inconclusive" : "clean"));
}

static int dest_order(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	bool xs = json_is_true(json_object_get(x, "social_media"));
	bool ys = json_is_true(json_object_get(y, "social_media"));
	if (xs != ys) return xs ? -1 : 1;
	bool xi = !strcmp(json_string_value(json_object_get(x, "verdict")), "interfered");
	bool yi = !strcmp(json_string_value(json_object_get(y, "verdict")), "interfered");
	if (xi != yi) return xi ? -1 : 1;
	json_int_t xc = jint(x, "tcp", "connections"), yc = jint(y, "tcp", "connections");
	if (xc != yc) return xc > yc ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "destination")),
	              json_string_value(json_object_get(y, "destination")));
}

json_t *live_merge_reports(json_t *const *reps, int n)
{
	if (n <= 0) return NULL;
	json_t *r = json_deep_copy(reps[0]);
	json_t *byname = json_object();        /* name -> merged destination */
	json_t *order = json_array();
	for (int w = 0; w < n; w++) {
		size_t i;
		json_t *d;
		if (w) {
			merge_counters(json_object_get(r, "capture"), json_object_get(reps[w], "capture"));
			merge_counters(json_object_get(r, "detectors"), json_object_get(reps[w], "detectors"));
			/* the DNS cache is shared: its numbers are already whole */
			json_t *l = json_deep_copy(json_object_get(reps[w], "limits"));
			json_object_del(l, "dns_cache_max");
			json_object_del(l, "dns_cache_evicted");
			merge_counters(json_object_get(r, "limits"), l);
			json_decref(l);
		}
		json_array_foreach(json_object_get(reps[w], "destinations"), i, d) {
			const char *name = json_string_value(json_object_get(d, "destination"));
			if (!name) continue;
			json_t *m = json_object_get(byname, name);
			if (m) {
				merge_dest(m, d);
			} else {
				m = json_deep_copy(d);
				json_object_set_new(byname, name, m);
				json_array_append(order, m);
			}
		}
	}
	size_t nd = json_array_size(order);
	json_t **v = xcalloc(nd ? nd : 1, sizeof *v);
	for (size_t i = 0; i < nd; i++) {
		v[i] = json_array_get(order, i);
		recompute_verdict(v[i]);
	}
	qsort(v, nd, sizeof *v, dest_order);
	json_t *a = json_array();
	for (size_t i = 0; i < nd; i++) json_array_append(a, v[i]);
	free(v);
	json_object_set_new(r, "destinations", a);
	json_decref(order);
	json_decref(byname);
	return r;
}
