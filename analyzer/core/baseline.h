/* baseline.h - per-address TTL baseline learned across flows. */
#ifndef TS_BASELINE_H
#define TS_BASELINE_H

#include <stdint.h>
#include "dissect.h"

struct baseline;
/* A table of about max addresses (direct-mapped: a colliding address
 * replaces the one there, counted).  Never fails. */
struct baseline *bl_new(unsigned max);
void bl_free(struct baseline *b);
/* Ask for a's slot ahead of bl_add() (a cache miss per packet in a large
 * table): call it as early as the address is known. */
void bl_prefetch(const struct baseline *b, const struct ts_addr *a);
/* Count one packet from a with this TTL. */
void bl_add(struct baseline *b, const struct ts_addr *a, uint8_t ttl);
/* Most common TTL seen from a (0 = none), *samples = packets counted. */
uint8_t bl_ttl(const struct baseline *b, const struct ts_addr *a, unsigned *samples);
uint64_t bl_evicted(const struct baseline *b);

#endif
