/* capture_live.h - live input: pcap handles on an interface (TPACKET_V3),
 * PACKET_FANOUT groups for several workers, and merging the per-worker
 * reports into one tamperscope.report/1 document. */
#ifndef TS_CAPTURE_LIVE_H
#define TS_CAPTURE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <pcap/pcap.h>

struct live_opts {
	const char *iface;
	const char *filter;          /* BPF, or NULL                        */
	int snaplen;                 /* bytes per packet kept               */
	int buffer_kib;              /* kernel ring per handle (KiB), 0 = libpcap default */
	bool promisc;
	int timeout_ms;              /* read timeout = TPACKET_V3 block timeout */
};

/* Why live_open() failed (decides the exit code and the hint). */
enum live_err { LIVE_OK, LIVE_ERR_FILTER, LIVE_ERR_PERM, LIVE_ERR_DEVICE, LIVE_ERR_OTHER };

/* pcap_create + options + pcap_activate (warnings go to stderr as
 * "tamperscope: IFACE: warning: ...") + link-type check + BPF filter.
 * Immediate mode is not set (it would make libpcap fall back to
 * TPACKET_V2).  On failure returns NULL, *why and err (one line, without
 * the "tamperscope: " prefix, e.g. "eth9: no such interface"). */
pcap_t *live_open(const struct live_opts *o, enum live_err *why, char *err, size_t errsz);

/* Join the handle to fanout group `group` (PACKET_FANOUT_HASH |
 * PACKET_FANOUT_FLAG_DEFRAG): the kernel spreads packets over the group's
 * sockets by the symmetric flow hash, so both directions of a flow reach
 * the same socket.  0 or -1 with err. */
int live_join_fanout(pcap_t *p, unsigned group, char *err, size_t errsz);

/* Merge n per-worker reports (report_build() output) into one with
 * merge.c's merge_reports() (counts add, destinations merged by name,
 * signatures by type+stage, timelines and injectors merged, verdicts
 * recomputed), then: source = the live source of the inputs, the shared
 * DNS cache's eviction count taken once, and a destination one worker
 * judged "interfered" stays so.  The inputs are not modified. */
json_t *live_merge_reports(json_t *const *reps, int n, double min_conf);

#endif
