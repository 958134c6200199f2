/* capture.c - offline input: several pcap/pcapng files read in the order
 * given as one capture, BPF filter, packet limit, and clear errors for
 * unreadable, invalid, truncated or unsupported files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>
#include "capture.h"
#include "fastpcap.h"
#include "progress.h"
#include "dissect.h"
#include "util.h"

bool capture_dlt_supported(int dlt)
{
	return link_supported(dlt);
}

/* Compile the filter into prog (kept for the fast reader) and set it on p
 * (for libpcap's own reads). */
static int set_filter(pcap_t *p, const char *file, const char *filter,
                      struct bpf_program *prog)
{
	if (!filter) return 0;
	if (pcap_compile(p, prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		ts_err(file, "bad filter: %s", pcap_geterr(p));
		return -1;
	}
	int rc = pcap_setfilter(p, prog);
	if (rc < 0) {
		ts_err(file, "cannot set filter: %s", pcap_geterr(p));
		pcap_freecode(prog);
	}
	return rc < 0 ? -1 : 0;
}

static bool at_limit(const struct offline_result *res, uint64_t max_packets,
                     volatile int *stop)
{
	return (max_packets && res->packets >= max_packets) || (stop && *stop);
}

/* The plain records of a classic pcap file through fastpcap.c.  Returns 1
 * when the input is done (end of file, packet limit, stop), 0 when libpcap
 * must go on from the stream position set here, -1 on a read error. */
static int read_fast(const struct pkt_sink *k, pcap_t *p, const char *file, int dlt,
                     const struct bpf_program *prog, uint64_t max_packets,
                     volatile int *stop, struct offline_result *res)
{
	struct fastpcap *f = fp_open(file);
	if (!f) return 0;
	struct pcap_pkthdr h;
	const uint8_t *bytes;
	int rc;
	bool stable = k->retire != NULL;      /* records outlive the call */
	if (stable) fp_retire(f, k->retire, k->ctx);
	while ((rc = fp_next(f, &h, &bytes)) == 1) {
		if (prog && !pcap_offline_filter(prog, &h, bytes)) continue;
		k->packet(k->ctx, dlt, &h, bytes, stable);
		res->packets++;
		if (at_limit(res, max_packets, stop)) break;
		if (!(res->packets & (PROGRESS_EVERY - 1))) progress_tick(fp_offset(f), res->packets);
	}
	int done = rc == 1 || (rc == 0 && fp_at_end(f));
	if (rc < 0) ts_err(file, "read error after %llu packets: %s (partial report)",
	                   (unsigned long long)res->packets,
	                   fp_shrank(f) ? "the file shrank while it was read" : strerror(errno));
	if (!done && rc == 0 && fseeko(pcap_file(p), (off_t)fp_offset(f), SEEK_SET)) rc = -1;
	fp_close(f);
	if (rc < 0) { res->truncated = true; return -1; }
	return done;
}

static long long stream_pos(pcap_t *p, uint64_t seen)
{
	off_t o = ftello(pcap_file(p));
	return o >= 0 ? (long long)o : (long long)seen;
}

static int read_one(const struct pkt_sink *k, const char *file, const char *filter,
                    uint64_t max_packets, volatile int *stop, struct offline_result *res)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = strcmp(file, "-") ? pcap_open_offline_with_tstamp_precision(
	                                    file, PCAP_TSTAMP_PRECISION_MICRO, errbuf)
	                              : pcap_fopen_offline(stdin, errbuf);
	if (!p) {
		ts_err(file, "%s", errbuf[0] ? errbuf : "cannot open");
		res->failed++;
		return 2;
	}
	int dlt = pcap_datalink(p);
	if (!capture_dlt_supported(dlt)) {
		const char *n = pcap_datalink_val_to_name(dlt);
		uint64_t skipped = 0;
		struct pcap_pkthdr *h;
		const u_char *b;
		while (pcap_next_ex(p, &h, &b) == 1) {
			skipped++;
			k->refused(k->ctx, h->len);    /* the report counts them too */
		}
		ts_err(file, "unsupported link type %s (%d): %llu packets not analysed",
		       n ? n : "?", dlt, (unsigned long long)skipped);
		res->unsupported++;
		pcap_close(p);
		return 2;
	}
	struct bpf_program prog = { 0 };
	if (set_filter(p, file, filter, &prog)) { pcap_close(p); return 1; }
	int fast = strcmp(file, "-") ? read_fast(k, p, file, dlt, filter ? &prog : NULL,
	                                         max_packets, stop, res) : 0;
	pcap_freecode(&prog);
	if (fast) { pcap_close(p); return 0; }
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;
	uint64_t seen = 0;       /* record bytes: the position when ftello() cannot tell (pipes) */
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		k->packet(k->ctx, dlt, h, bytes, false);
		res->packets++;
		seen += 16 + h->caplen;
		if (at_limit(res, max_packets, stop)) break;
		if (!(res->packets & (PROGRESS_EVERY - 1))) progress_tick(stream_pos(p, seen), res->packets);
	}
	if (rc == PCAP_ERROR) {
		ts_err(file, "truncated or corrupt capture after %llu packets: %s (partial report)",
		       (unsigned long long)res->packets, pcap_geterr(p));
		res->truncated = true;
	}
	pcap_close(p);
	return 0;
}

int capture_offline_to(const struct pkt_sink *k, const char *const *files, int nfiles,
                       const char *filter, uint64_t max_packets,
                       volatile int *stop, struct offline_result *res)
{
	int worst = 0;
	memset(res, 0, sizeof *res);
	for (int i = 0; i < nfiles; i++) {
		progress_file(i);
		int rc = read_one(k, files[i], filter, max_packets, stop, res);
		if (rc == 1) return 1;
		if (rc > worst) worst = rc;
		if ((max_packets && res->packets >= max_packets) || (stop && *stop)) break;
	}
	return worst;
}

static void to_engine(void *ctx, int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
                      bool stable)
{
	engine_packet(ctx, dlt, h, bytes);
}

static void refused_to_engine(void *ctx, uint32_t wirelen)
{
	engine_refused(ctx, wirelen);
}

int capture_offline(struct engine *e, const char *const *files, int nfiles,
                    const char *filter, uint64_t max_packets,
                    volatile int *stop, struct offline_result *res)
{
	struct pkt_sink k = { to_engine, refused_to_engine, NULL, e };
	return capture_offline_to(&k, files, nfiles, filter, max_packets, stop, res);
}
