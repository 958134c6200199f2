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
#include "merge.h"
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

static bool interfered_somewhere(json_t *const *reps, int n, const char *name)
{
	for (int w = 0; w < n; w++) {
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(reps[w], "destinations"), i, d)
			if (!strcmp(json_string_value(json_object_get(d, "destination")), name))
				return !strcmp(json_string_value(json_object_get(d, "verdict")),
				               "interfered");
	}
	return false;
}

json_t *live_merge_reports(json_t *const *reps, int n, double min_conf)
{
	if (n <= 0) return NULL;
	json_t *r = merge_reports(reps, (size_t)n, min_conf);
	if (!r) return NULL;
	/* one live source, not a list of merged inputs */
	json_object_set(r, "source", json_object_get(reps[0], "source"));
	/* the DNS cache is shared: its numbers are whole in every input */
	json_t *l = json_object_get(r, "limits"), *l0 = json_object_get(reps[0], "limits");
	if (json_is_object(l) && json_is_object(l0)) {
		json_t *v = json_object_get(l0, "dns_cache_evicted");
		if (v) json_object_set(l, "dns_cache_evicted", v);
	}
	/* a worker's "interfered" compared the unrounded confidence with the
	 * threshold; the merged document only has rounded ones: keep it */
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r, "destinations"), i, d) {
		const char *name = json_string_value(json_object_get(d, "destination"));
		if (name && interfered_somewhere(reps, n, name))
			json_object_set_new(d, "verdict", json_string("interfered"));
	}
	merge_sort_destinations(json_object_get(r, "destinations"));
	return r;
}
