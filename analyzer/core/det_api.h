/* det_api.h - what a detector sees of the engine, and all it may call.
 *
 * A detector is a `const struct detector` (detector.h) listed in the
 * registry (detectors.c).  It gets an opaque struct det_ctx and reads
 * packets and flows read-only; it reports through det_emit() and returns
 * its verdict on a flow from on_flow_end.  It never sees struct engine:
 * this header and the leaf modules below are its whole world.
 */
#ifndef TS_DET_API_H
#define TS_DET_API_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "dissect.h"
#include "evidence.h"
#include "flow.h"
#include "injectors.h"

struct det_ctx;                 /* the engine as a detector sees it */

/* What a detector concluded about one flow (on_flow_end's result).  The
 * engine adds them up per destination. */
enum det_result {
	DR_NOTHING = 0,         /* no opinion                                */
	DR_INTERFERED,          /* interfered with (an event now or later)   */
	DR_GENUINE_RST,         /* reset by the endpoint itself              */
	DR_REFUSED,             /* the server refused the connection         */
	DR_INCONCLUSIVE,        /* unanswered, but too little to judge       */
	DR_ASYMMETRIC,          /* only one direction of it was captured     */
	DR_COUNT
};

/* The connection or transaction an event is about (client -> server). */
struct ev_tuple {
	struct ts_addr src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool has_counts;              /* pkts/bytes below are valid */
	uint64_t pkts[2], bytes[2];   /* [0] to server, [1] to client */
	const struct ev_frames *frames;   /* evidence packets, or NULL */
};

/* One tamper event.  Evidence bits index the detector's own evidence
 * table (detector.h); the engine maps them to the report's names. */
struct det_event {
	const struct flow *flow;      /* the connection, or NULL: tuple below  */
	struct ev_tuple tuple;        /* when flow is NULL                     */
	const char *destination;
	int stage;                    /* enum stage                            */
	double conf;                  /* rounded to 0.01 by the engine         */
	uint32_t evidence;            /* bit i = the detector's table entry i  */
	uint64_t ts;
	json_t *details;              /* consumed (may be NULL)                */
	bool with_packet;             /* --evidence: add the packet being
	                                 processed (to the flow's packets)     */
	bool repetition;              /* a repetition signature (verdict.h):  */
	double part;                  /* the connection's own part of conf,
	                                 which the report's signature keeps    */
};

/* ---- time and options ---- */

/* Latest packet time (never goes back), and the last packet's time. */
uint64_t det_now(const struct det_ctx *c);
uint64_t det_end(const struct det_ctx *c);
/* Value of option i of the calling detector's table (its default unless
 * set on the command line). */
unsigned long det_opt(const struct det_ctx *c, unsigned i);

/* ---- reporting ---- */

/* Emit one event: a JSONL line and the destination's signature.  Never
 * fails; ev->details is consumed. */
void det_emit(struct det_ctx *c, const struct det_event *ev);
/* Confidence of an evidence mask from the detector's table:
 * 1 - prod(1 - weight_i). */
double det_confidence(const struct det_ctx *c, uint32_t mask);
/* The report's name of the detector's evidence code i. */
const char *det_evidence_code(const struct det_ctx *c, unsigned i);
/* Fill t from flow f (client -> server, with counts and its packets). */
void det_tuple_of(struct ev_tuple *t, const struct flow *f);
/* --evidence: copy the packet being processed into *pf (bounded;
 * created on first use, the caller frees it with evf_free). */
void det_keep_packet(struct det_ctx *c, struct ev_frames **pf);
/* --evidence: take over flow f's kept packets (the caller frees them). */
struct ev_frames *det_take_packets(struct det_ctx *c, const struct flow *f);
/* Count a malformed DNS message in the report's malformed counters. */
void det_malformed_dns(struct det_ctx *c);
/* Record one injected packet for the injector clusters. */
void det_note_injector(struct det_ctx *c, const struct inj_obs *o);

/* ---- per-flow state ---- */

/* The calling detector's slot for f (detector.h: flow_state bytes,
 * zeroed): NULL if it has none yet; det_flow_state_new() makes it.  The
 * flow table frees it (after the detector's flow_free) with the flow. */
void *det_flow_state(const struct det_ctx *c, const struct flow *f);
void *det_flow_state_new(struct det_ctx *c, const struct flow *f);

/* ---- attribution and destinations ---- */

/* Destination name of flow f as of now (resolved and kept on the flow). */
const char *det_flow_name(struct det_ctx *c, const struct flow *f);
/* Name the DNS cache gives addr at time ts, or NULL (valid until the next
 * cache update: copy it). */
const char *det_addr_name(struct det_ctx *c, const struct ts_addr *addr, uint64_t ts);
/* Was addr given in a forged DNS answer?  *name = the name it was forged
 * for (may be NULL). */
bool det_addr_forged(struct det_ctx *c, const struct ts_addr *addr, const char **name);
/* A DNS answer judged genuine / forged (det_dns): fills the name cache. */
void det_dns_genuine(struct det_ctx *c, const struct ts_addr *addr, const char *name,
                     uint32_t ttl, uint64_t ts);
void det_dns_forged(struct det_ctx *c, const struct ts_addr *addr, const char *name);
/* Most common TTL addr sent across all flows (0 = none), with the number
 * of samples. */
uint8_t det_ttl_baseline(const struct det_ctx *c, const struct ts_addr *addr,
                         unsigned *samples);
/* Most common TTL of one direction's non-RST packets (0 = none). */
uint8_t det_ttl_mode(const struct flow_dir *d, unsigned *samples);
/* TCP and UDP flows of the capture whose server answered, so far. */
uint64_t det_answered_flows(const struct det_ctx *c);
/* Is name on the target list? */
bool det_is_target(const struct det_ctx *c, const char *name);
/* Live capture: was the sensor dropping packets recently? */
bool det_sensor_dropping(const struct det_ctx *c);
/* Connections to destination name that completed a handshake (*n); the
 * destination is created (without its target-list meta) when missing;
 * false only when the destination table refuses it. */
bool det_dest_established(struct det_ctx *c, const char *name, uint64_t *n);
/* A query's counters for destination name (DNS transactions), and when it
 * was seen. */
void det_dest_dns(struct det_ctx *c, const char *name, unsigned queries,
                  unsigned responses, uint64_t first, uint64_t last);

#endif
