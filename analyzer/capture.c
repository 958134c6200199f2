/* capture.c - offline input: several pcap/pcapng files read in the order
 * given as one capture, BPF filter, packet limit, and clear errors for
 * unreadable, invalid, truncated or unsupported files. */
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>
#include "capture.h"
#include "dissect.h"
#include "util.h"

bool capture_dlt_supported(int dlt)
{
	return link_supported(dlt);
}

static int set_filter(pcap_t *p, const char *file, const char *filter)
{
	struct bpf_program prog;
	if (!filter) return 0;
	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		ts_err(file, "bad filter: %s", pcap_geterr(p));
		return -1;
	}
	int rc = pcap_setfilter(p, &prog);
	pcap_freecode(&prog);
	if (rc < 0) ts_err(file, "cannot set filter: %s", pcap_geterr(p));
	return rc < 0 ? -1 : 0;
}

static int read_one(struct engine *e, const char *file, const char *filter,
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
		while (pcap_next_ex(p, &h, &b) == 1) skipped++;
		ts_err(file, "unsupported link type %s (%d): %llu packets not analysed",
		       n ? n : "?", dlt, (unsigned long long)skipped);
		res->unsupported++;
		pcap_close(p);
		return 2;
	}
	if (set_filter(p, file, filter)) { pcap_close(p); return 1; }
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1) {
		engine_packet(e, dlt, h, bytes);
		res->packets++;
		if ((max_packets && res->packets >= max_packets) || (stop && *stop)) break;
	}
	if (rc == PCAP_ERROR) {
		ts_err(file, "truncated or corrupt capture after %llu packets: %s (partial report)",
		       (unsigned long long)res->packets, pcap_geterr(p));
		res->truncated = true;
	}
	pcap_close(p);
	return 0;
}

int capture_offline(struct engine *e, const char *const *files, int nfiles,
                    const char *filter, uint64_t max_packets,
                    volatile int *stop, struct offline_result *res)
{
	int worst = 0;
	memset(res, 0, sizeof *res);
	for (int i = 0; i < nfiles; i++) {
		int rc = read_one(e, files[i], filter, max_packets, stop, res);
		if (rc == 1) return 1;
		if (rc > worst) worst = rc;
		if ((max_packets && res->packets >= max_packets) || (stop && *stop)) break;
	}
	return worst;
}
