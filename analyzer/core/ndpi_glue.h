/* ndpi_glue.h - the only interface to nDPI (every nDPI call is in ndpi_glue.c). */
#ifndef TS_NDPI_GLUE_H
#define TS_NDPI_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dissect.h"

struct ndpi_ctx;

struct ndpi_ctx *ndpi_ctx_new(void);          /* NULL on failure */
void ndpi_ctx_free(struct ndpi_ctx *n);

/* Feed one packet of a flow (l3 = IP header, len bytes).  *state is the
 * per-flow nDPI state, allocated on first use.  Returns true once the flow
 * is classified (or given up) and no more packets are needed. */
bool ndpi_feed(struct ndpi_ctx *n, void **state, const uint8_t *l3, size_t len,
               uint64_t ts_us, uint16_t *proto);

/* Give up on an unfinished flow; returns the (guessed) protocol id. */
uint16_t ndpi_finish(struct ndpi_ctx *n, void **state);

/* Host name nDPI extracted (TLS/QUIC SNI, HTTP Host), or NULL. */
const char *ndpi_host(void *state);

/* Done with the per-flow state (NULL is fine): freed, or kept by n for
 * the next flow's ndpi_feed(). */
void ndpi_flow_release(struct ndpi_ctx *n, void *state);

/* Protocol id -> name ("Twitter"), NULL for unknown. */
const char *ndpi_proto_label(struct ndpi_ctx *n, uint16_t proto);
/* Is that protocol in nDPI's social-network or chat category? */
bool ndpi_proto_social(struct ndpi_ctx *n, uint16_t proto);
/* IPv4 address-based service (nDPI's IP lists); 0 = unknown. */
uint16_t ndpi_ip_service(struct ndpi_ctx *n, const struct ts_addr *a);
/* The protocol nDPI gives a QUIC flow whose SNI is host (its host
 * match on top of QUIC), without running DPI on the packet: for SNIs
 * our own QUIC dissector read. */
uint16_t ndpi_quic_service(struct ndpi_ctx *n, const char *host);

#endif
