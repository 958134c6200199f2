/* engine_int.h - the engine's insides, shared with the output modules
 * (report.c, cmd_capture.c).  Never included by a detector (det_api.h is
 * theirs), nor by main.c. */
#ifndef TS_ENGINE_INT_H
#define TS_ENGINE_INT_H

#include <jansson.h>
#include "attrib.h"
#include "baseline.h"
#include "det_api.h"
#include "dest.h"
#include "dissect.h"
#include "engine.h"
#include "flow.h"
#include "evidence.h"
#include "injectors.h"
#include "ndpi_glue.h"
#include "tunables.h"

struct detector;

/* The detectors' callbacks per packet/flow class, in registry order
 * (made once by engine_new: no filtering on the packet path). */
#define DET_CLASSES 5                 /* DET_TCP .. DET_DNS, by bit     */
struct det_hooks {
	struct det_ctx **pkt[DET_CLASSES], **end[DET_CLASSES], **tick;
	unsigned npkt[DET_CLASSES], nend[DET_CLASSES], ntick;
};

/* What one detector gets: the engine, which detector it is, its option
 * values and its per-flow slot (-1: none). */
struct det_ctx {
	struct engine *e;
	const struct detector *d;
	unsigned idx;                 /* in the registry                   */
	int slot;                     /* in struct flow's slots, or -1     */
	unsigned long *opt;           /* d->nopts values                   */
	void *st;                     /* what d->init returned             */
};


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
	struct det_ctx *det;          /* one per registered detector       */
	unsigned ndet;
	struct ft_slot_type *slot_types;  /* detectors' per-flow state      */
	struct det_hooks hooks;

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

/* ---- attribution (attribution.c), run before the detectors ---- */

/* Resolve and set f->name (destination) as of now; returns it. */
const char *engine_flow_destination(struct engine *e, struct flow *f);
/* A tracked TCP/UDP packet of f: DNS name at the flow's first packet,
 * SNI/Host from the client's bytes, QUIC servers, nDPI, and the
 * --evidence copy. */
void attr_packet(struct engine *e, struct flow *f, int dir, const struct pkt *pk);
/* An ICMP error: the flow its quoted header names (a quote never creates
 * one; counted on the flow), or NULL; *dir = the quoted packet's. */
struct flow *attr_icmp(struct engine *e, const struct pkt *pk, int *dir);
/* A UDP flow (not DNS) to an address nDPI's IP lists give to a
 * social-media or chat service (Telegram and WhatsApp calls): an address
 * lookup, cached, no DPI.  Such flows become destinations like QUIC's. */
bool attr_social_udp(struct engine *e, const struct flow *f);
/* --evidence: keep a copy of the current packet in *pf (bounded). */
void engine_keep_frame(struct engine *e, struct ev_frames **pf);
/* Emit one tamper event for flow f (or for a DNS transaction when f is
 * NULL and tuple is given): JSONL line + destination signature.  evmask
 * is the report's mask (catalog.h).  details is consumed (may be NULL). */
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
