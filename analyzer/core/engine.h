/* engine.h - the packet path: decode -> flow -> attribution -> detectors.
 *
 * One engine per worker.  Input is a sequence of (dlt, pcap header, bytes)
 * in packet-time order; output is the report (report.h) and the JSONL
 * event stream.  The engine owns every flow, cache and detector state it
 * creates; engine_free() releases all of it.  Packet time only.
 */
#ifndef TS_ENGINE_H
#define TS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <pcap/pcap.h>
#include "dissect.h"
#include "tunables.h"

struct engine;

struct engine_opts {
	unsigned max_flows;          /* hard cap on the flow table            */
	unsigned tcp_idle_s;         /* idle timeout, TCP flows               */
	unsigned udp_idle_s;         /* idle timeout, UDP flows               */
	unsigned dns_cache_max;      /* IP -> name cache entries              */
	unsigned dest_max;           /* destinations kept                     */
	unsigned reasm_bytes;        /* per-direction reassembly budget       */
	double   min_confidence;     /* interfered threshold                  */
	bool     use_ndpi;           /* classify with nDPI                    */
	unsigned ndpi_max_pkts;      /* give nDPI up after this many packets  */
	const char *targets_file;    /* NULL = built-in data/targets.txt      */
	FILE    *events;             /* JSONL stream, or NULL                 */
	/* Extra event consumer (e.g. Kafka): called with each JSONL line
	 * (no newline) after it is written to `events`. */
	void   (*event_sink)(void *ctx, const char *line);
	void    *event_sink_ctx;
	const char *evidence_dir;    /* write evidence pcaps here, or NULL   */
	unsigned evidence_per_sig;   /* flows per destination and signature  */
	/* Live capture with several workers: one DNS name cache shared by all
	 * engines (made with dnsc_new_shared(), owned by the caller, not freed
	 * by engine_free).  NULL = the engine's own cache. */
	struct dns_cache *shared_dnsc;
	/* Detector options set on the command line (detector.h: each
	 * detector declares its own, with defaults); name = the option's. */
	struct { const char *name; unsigned long v; } det_opts[ENGINE_DET_OPTS];
	unsigned ndet_opts;
};

void engine_opts_default(struct engine_opts *o);
/* Set detector option name (e.g. "syn-timeout") to v in o; the name is
 * not copied.  -1 when ENGINE_DET_OPTS are already set. */
int engine_opts_set_det(struct engine_opts *o, const char *name, unsigned long v);

/* Returns NULL and fills err (256 bytes) on failure. */
struct engine *engine_new(const struct engine_opts *o, char *err);

/* Feed one packet.  Never fails: malformed input is counted. */
void engine_packet(struct engine *e, int dlt, const struct pcap_pkthdr *h,
                   const uint8_t *bytes);

/* The same in two steps, so that decoding can run ahead in another
 * thread (input/pipeline.c): engine_decode() reads no engine state;
 * engine_packet_decoded() does the rest of engine_packet() with what it
 * found (bytes must still be the ones it decoded: d points into them). */
struct engine_decoded {
	struct pkt pk;
	int st;                      /* DIS_* of packet_decode()             */
	enum mal_reason why;
};
void engine_decode(int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
                   struct engine_decoded *d);
void engine_packet_decoded(struct engine *e, int dlt, const struct pcap_pkthdr *h,
                           const uint8_t *bytes, struct engine_decoded *d);

/* A packet of a link type that is not analysed (a whole file refused
 * for it): counted in the report's packets, bytes and unknown_linktype. */
void engine_refused(struct engine *e, uint32_t wirelen);

/* Live capture with several workers: move this engine's packet clock to
 * ts (the latest packet time another worker has seen) as if a packet had
 * arrived then; runs the timeouts that are due.  Never moves it back. */
void engine_advance(struct engine *e, uint64_t ts_us);

/* End of input: expire every flow and run the final detector passes. */
void engine_finish(struct engine *e);

void engine_free(struct engine *e);

#endif
