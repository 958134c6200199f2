/* detector.h - the one interface every detector module implements, and
 * the registry (detectors.c: "ADD YOUR DETECTOR HERE").
 *
 * A detector is a const struct: its name (the signature type), what it
 * wants to see, its callbacks, its per-flow state, its options and its
 * evidence codes.  It talks to the engine only through det_api.h. */
#ifndef TS_DETECTOR_H
#define TS_DETECTOR_H

#include <stddef.h>
#include "catalog.h"
#include "det_api.h"
#include "tunables.h"

/* Packet and flow classes (struct detector .packets / .flows). */
enum {
	DET_TCP = 1,            /* TCP                                       */
	DET_UDP = 2,            /* UDP, except DNS (port 53) flows at end    */
	DET_ICMP = 4,           /* ICMP / ICMPv6 (f = the flow it quotes)    */
	DET_OTHER = 8,          /* any other IP protocol                     */
	DET_DNS = 16            /* flows: UDP port 53 (packets: part of UDP) */
};

/* One evidence code (DESIGN.md sections 2, 3): its name in the report,
 * its weight in confidence_of-style confidence, what it means. */
struct det_evidence {
	const char *code;
	double weight;
	const char *desc;
};

/* One command-line option (--NAME VALUE, an unsigned number).  Detectors
 * naming the same option share its value. */
struct det_option {
	const char *name;
	const char *arg;            /* metavariable in the help, e.g. "S"    */
	unsigned long def;
	const char *help;
};

struct detector {
	const char *name;           /* signature type in events and reports  */
	const char *desc;           /* one line                              */
	const char *colour;         /* HTML report colour (#rrggbb)          */
	bool per_query;             /* events count DNS transactions, not
	                               connections (HTML report)             */
	/* Which packets on_packet gets, which flows on_flow_end gets
	 * (DET_* bits); 0 = none. */
	unsigned packets, flows;
	/* Per-flow state: bytes of the slot (0 = none), and what to release
	 * inside it before the table frees it (may be NULL). */
	size_t flow_state;
	void (*flow_free)(void *slot);
	const struct det_option *opts;
	unsigned nopts;
	const struct det_evidence *ev;  /* bit i of an event = ev[i]         */
	unsigned nev;
	/* Numbers its events' details carry that the destination's
	 * signature keeps (catalog.h; at most SIG_MEASURES_MAX, keys not
	 * among the signature's own members). */
	const struct det_measure *measures;
	unsigned nmeasures;

	/* State for one engine (NULL: none). */
	void *(*init)(struct det_ctx *c);
	/* A decoded IP packet; f is its flow (TCP/UDP), the flow an ICMP
	 * error quotes, or NULL.  Runs after tracking and attribution. */
	void (*on_packet)(void *st, struct det_ctx *c, const struct pkt *pk,
	                  const struct flow *f, int dir);
	/* A flow leaves the table.  Runs in registry order. */
	enum det_result (*on_flow_end)(void *st, struct det_ctx *c, const struct flow *f);
	/* Packet time advanced (about every 100 ms of packet time). */
	void (*on_tick)(void *st, struct det_ctx *c, uint64_t now);
	/* End of input, before the remaining flows end: settle what the
	 * flows' attribution depends on (e.g. which DNS answers were forged). */
	void (*on_drain)(void *st, struct det_ctx *c);
	/* End of input, after every flow ended. */
	void (*on_finish)(void *st, struct det_ctx *c);
	void (*free)(void *st);
	/* Counters for the report's "detectors" object (may be NULL). */
	json_t *(*stats)(void *st);
};

/* Entries of a table, for .nopts and .nev. */
#define DET_N(t) ((unsigned)(sizeof (t) / sizeof (t)[0]))

/* The registry: every detector, in the order they run. */
extern const struct detector *const detectors[];
extern const unsigned ndetectors;

#endif
