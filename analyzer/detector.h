/* detector.h - the common interface every detector module implements.
 * Registry in detectors.c ("ADD YOUR DETECTOR HERE"). */
#ifndef TS_DETECTOR_H
#define TS_DETECTOR_H

#include "engine_int.h"

enum { DET_TCP = 1, DET_UDP = 2, DET_ICMP = 4, DET_OTHER = 8 };

struct detector {
	const char *name;
	/* State for one engine; NULL if the detector needs none. */
	void *(*init)(struct engine *e);
	/* Every decoded IP packet; f is its flow (TCP/UDP) or NULL. */
	void (*on_packet)(void *st, struct engine *e, const struct pkt *pk,
	                  struct flow *f, int dir);
	/* Which packets on_packet wants (DET_TCP | DET_UDP | DET_ICMP |
	 * DET_OTHER); 0 means all.  The engine skips the call for the rest. */
	unsigned packets;
	/* A flow leaves the table; f->name is resolved. Runs in registry
	 * order, so later detectors see what earlier ones concluded. */
	void (*on_flow_end)(void *st, struct engine *e, struct flow *f);
	/* Packet time advanced (about every 100 ms of packet time). */
	void (*on_tick)(void *st, struct engine *e, uint64_t now);
	/* End of input, before the remaining flows end: settle what the
	 * flows' attribution depends on (e.g. which DNS answers were forged). */
	void (*on_drain)(void *st, struct engine *e);
	/* End of input, after every flow ended. */
	void (*on_finish)(void *st, struct engine *e);
	void (*free)(void *st);
	/* Counters for the report's "detectors" object (may be NULL). */
	json_t *(*stats)(void *st);
};

extern const struct detector det_rst_injection;
extern const struct detector det_syn_drop;
extern const struct detector det_data_drop;
extern const struct detector det_dns_injection;
extern const struct detector det_http_injection;
extern const struct detector det_quic_drop;
extern const struct detector det_icmp_prohibited;

/* Registry: all detectors, in the order they run. */
extern const struct detector *const detectors[];

#endif
