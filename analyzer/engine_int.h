/* engine_int.h - the engine's insides, shared with detectors (detector.h)
 * and the output modules.  Not for main.c. */
#ifndef TS_ENGINE_INT_H
#define TS_ENGINE_INT_H

#include <jansson.h>
#include "attrib.h"
#include "dest.h"
#include "dissect.h"
#include "engine.h"
#include "flow.h"
#include "evidence.h"
#include "injectors.h"
#include "ndpi_glue.h"

#define DET_MAX 8

struct detector;

/* Per-IP baseline: the TTL histogram of packets an address sent. */
struct baseline;
struct baseline *bl_new(unsigned max);
void bl_free(struct baseline *b);
void bl_add(struct baseline *b, const struct ts_addr *a, uint8_t ttl);
/* Most common TTL seen from a (0 = none). */
uint8_t bl_ttl(const struct baseline *b, const struct ts_addr *a, unsigned *samples);
uint64_t bl_evicted(const struct baseline *b);

#define IPSVC_SLOTS 4096
struct ipsvc { struct ts_addr a; uint16_t proto; bool set; };

struct engine {
	struct engine_opts o;
	struct flow_table *ft;
	struct dest_table *dt;
	struct dns_cache *dnsc;
	struct targets *targets;
	struct ndpi_ctx *ndpi;
	struct baseline *bl;
	struct injectors *inj;         /* injected packets, for clustering */
	struct ipsvc ipsvc[IPSVC_SLOTS];   /* nDPI IP-list lookups, cached */
	struct ts_addr quicsrv[IPSVC_SLOTS]; /* servers seen answering QUIC  */
	const struct detector *det[DET_MAX];
	void *det_state[DET_MAX];
	unsigned ndet;

	uint64_t now;                 /* latest packet time (never goes back) */
	uint64_t start, end;          /* first / last packet time             */
	uint64_t next_tick;
	uint64_t packets, bytes;
	uint64_t malformed[MAL_COUNT];
	uint64_t malformed_total;
	uint64_t truncated;           /* decode stopped at caplen             */
	uint64_t non_ip, unknown_dlt, fragments, duplicates, time_backwards;
	uint64_t icmp_quotes, icmp_matched;
	uint64_t events;
	uint64_t dpi_flows;           /* flows nDPI's DPI had to look at      */
	uint64_t answered_flows;      /* TCP flows whose server answered      */
	int64_t dropped;              /* sensor drops; -1 = unknown (offline)  */
	bool sensor_dropping;         /* live: kernel drops seen recently      */
	uint64_t dns_evicted, dns_pending_peak;
	int last_dlt;
	/* the packet being processed (for evidence copies) */
	int cur_dlt;
	const struct pcap_pkthdr *cur_h;
	const uint8_t *cur_bytes;
	uint64_t evidence_files, evidence_errors;
};

/* Resolve and set f->name (destination) as of now; returns it. */
const char *engine_flow_destination(struct engine *e, struct flow *f);
/* Emit one tamper event for flow f (or for a DNS transaction when f is
 * NULL and tuple is given): JSONL line + destination signature.
 * details is consumed (may be NULL). */
struct ev_tuple {
	struct ts_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool has_counts;              /* pkts/bytes below are valid */
	uint64_t pkts[2], bytes[2];   /* [0] to server, [1] to client */
	const struct ev_frames *frames;   /* evidence packets, or NULL */
};
/* Fill t from flow f (client -> server, with counts). */
void ev_tuple_of(struct ev_tuple *t, const struct flow *f);
/* --evidence: keep a copy of the current packet in *pf (bounded). */
void engine_keep_frame(struct engine *e, struct ev_frames **pf);
void engine_event(struct engine *e, const struct flow *f, const struct ev_tuple *t,
                  const char *destination, const char *signature, int stage,
                  double conf, uint32_t evmask, uint64_t ts, json_t *details);
/* The same for a repetition signature (verdict.h): conf is the event's
 * confidence now, part the connection's own part of it (kept by the
 * destination's signature, whose confidence is computed from its counts
 * when the report is written). */
void engine_rep_event(struct engine *e, const struct ev_tuple *t, const char *destination,
                      const char *signature, int stage, double conf, double part,
                      uint32_t evmask, uint64_t ts, json_t *details);
/* The destination record for a name, with service/social filled in. */
struct dest *engine_dest(struct engine *e, const char *name);

#endif
