/* tcp_track.h - per-flow TCP state machine and bounded reassembly. */
#ifndef TS_TCP_TRACK_H
#define TS_TCP_TRACK_H

#include "flow.h"

struct baseline;

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* Is pk a duplicate of a packet just seen in this direction on another
 * VLAN / interface (Linux "any" captures)?  Records pk otherwise. */
bool tcp_is_duplicate(struct flow *f, int dir, const struct pkt *pk);

/* Update f with one TCP packet going in direction dir: counters, stages,
 * sequence space, TTL/IP-ID, and reassembly of the first bytes (client:
 * reasm_bytes while unnamed; server: a quarter of it once the client
 * spoke HTTP).  Adds the sender's TTL to bl (non-RST packets). */
void tcp_track(struct flow *f, int dir, const struct pkt *pk, unsigned reasm_bytes,
               struct baseline *bl);

/* Most common TTL of a direction's non-RST packets (0 = none). */
uint8_t flow_ttl_mode(const struct flow_dir *d, unsigned *samples);

/* Free reassembly buffers of a direction (done with them for good). */
void reasm_release(struct reasm *r);

#endif
