/* drops.h - shared bookkeeping of the two "nothing came back" detectors
 * (syn_drop, data_drop): candidates are held until the end of input (or
 * until they are old, or the list is full) so that repetition across
 * connections can count in their confidence. */
#ifndef TS_DROPS_H
#define TS_DROPS_H

#include "det_api.h"
#include "tunables.h"

/* The evidence tables of the drop detectors start alike: bit 0 is the
 * detector's own retransmission code, then these (quic_drop adds
 * residual). */
enum { DROP_EV_RETRANSMIT, DROP_EV_REPEATED, DROP_EV_SENSOR_DROPS, DROP_EV_RESIDUAL };

struct drop_cand {
	char *name;
	struct ev_tuple t;
	uint64_t ts;             /* first SYN / first data              */
	uint64_t last_ts;        /* last retransmission                 */
	uint32_t tries;          /* SYNs / transmissions of the data    */
	int stage;
	bool named;              /* DNS/SNI/Host name or a target       */
	bool sensor_dropping;
	uint32_t ev;             /* the detector's own extra codes         */
	struct ev_frames *frames;  /* evidence, taken over from the flow   */
};

/* Every unanswered attempt ever seen per destination (bounded): how long
 * the blocking has lasted, beyond the candidates still pending. */
struct drop_hist { char name[96]; uint64_t first, last; uint32_t n; };

struct drops {
	double base;             /* confidence of one connection        */
	bool need_repeat;        /* one try, one connection: no event     */
	bool residual;           /* look for blocking that lasts minutes   */
	struct drop_cand *v;
	unsigned n, max;
	struct drop_hist hist[DROP_HIST];
	unsigned nhist, hpos;
	uint64_t decided, overflow, inconclusive;
};

/* Set up d (base confidence, at most max candidates held); cannot fail. */
void drops_init(struct drops *d, double base, unsigned max);
/* Free the candidates (not d itself). */
void drops_free(struct drops *d);
/* Hold flow f as a candidate (taking over its --evidence packets; may
 * decide every held candidate first when the list is full).  False
 * (counted inconclusive) when it is no attempt of its own: a peer's
 * dynamic port on an unnamed address. */
bool drops_add(struct drops *d, struct det_ctx *c, const struct flow *f, uint64_t ts,
               uint64_t last_ts, uint32_t tries, int stage);
/* The same, with evidence bits of the detector's own table (beyond the
 * DROP_EV_* ones) that the event carries. */
bool drops_add_ev(struct drops *d, struct det_ctx *c, const struct flow *f, uint64_t ts,
                  uint64_t last_ts, uint32_t tries, int stage, uint32_t ev);
/* Decide candidates older than `before` (UINT64_MAX: all): emit an event
 * for each, or count it inconclusive. */
void drops_decide(struct drops *d, struct det_ctx *c, uint64_t before);
json_t *drops_stats(const struct drops *d);

#endif
