/* tcp_track.h - per-flow TCP state machine and bounded reassembly. */
#ifndef TS_TCP_TRACK_H
#define TS_TCP_TRACK_H

#include "engine_int.h"

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* Is pk a duplicate of a packet just seen in this direction on another
 * VLAN / interface (Linux "any" captures)?  Records pk otherwise. */
bool tcp_is_duplicate(struct flow *f, int dir, const struct pkt *pk);

/* Update f with one TCP packet going in direction dir. */
void tcp_track(struct engine *e, struct flow *f, int dir, const struct pkt *pk);

/* Most common TTL of a direction's non-RST packets (0 = none). */
uint8_t flow_ttl_mode(const struct flow_dir *d, unsigned *samples);

/* Free reassembly buffers of a direction. */
void reasm_release(struct reasm *r);

#endif
