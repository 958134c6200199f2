/* dest.h - per-destination aggregation of counters and signatures (the
 * table: core).  Its JSON, verdicts and confidences: dest_json.h (report). */
#ifndef TS_DEST_H
#define TS_DEST_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "dissect.h"

/* Signature types and evidence codes: names and bits from catalog.h. */

struct dest_table;

struct dest_tcp {
	uint64_t connections, established, genuine_rst, refused, inconclusive;
	uint64_t asymmetric;
};

struct dest_udp {
	uint64_t flows, answered;     /* UDP (QUIC) flows; with server packets */
};

struct dest_table *dest_new(unsigned max);
void dest_free(struct dest_table *t);

struct dest;
/* Find or create the destination `name`; NULL when the cap refuses it. */
struct dest *dest_get(struct dest_table *t, const char *name);
/* The same; *created tells whether it is new. */
struct dest *dest_get_new(struct dest_table *t, const char *name, bool *created);
void dest_set_meta(struct dest *d, const char *service, bool social);
void dest_add_host(struct dest *d, const char *host);
void dest_add_ip(struct dest *d, const struct ts_addr *ip);
void dest_seen(struct dest *d, uint64_t ts);
/* A connection ended without interference (for signature "stopped"). */
void dest_clean_conn(struct dest *d, uint64_t ts);
/* Take one of the `max` evidence-file slots of (destination, signature);
 * false when they are used up. */
bool dest_evidence_slot(struct dest *d, const char *type, unsigned max);
struct dest_tcp *dest_tcp(struct dest *d);
struct dest_udp *dest_udp(struct dest *d);
void dest_dns(struct dest *d, unsigned queries, unsigned responses);
void dest_signature(struct dest *d, const char *type, int stage, double conf,
                    uint32_t evmask, uint64_t ts, const char *community_id);
/* The same for a repetition signature (verdict.h): part is the
 * connection's own part of its confidence, port the destination port it
 * tried (repetition counts connections to one port). */
void dest_rep_signature(struct dest *d, const char *type, int stage, double part, uint16_t port,
                        uint32_t evmask, uint64_t ts, const char *community_id);
/* The measurements signature type `type` declares (catalog.h), read
 * from an event's details (positive integers), kept on the signature by
 * their rules (e.g. the highest, the lowest). */
void dest_signature_measures(struct dest *d, const char *type, int stage, const json_t *details);
/* Answered connections in the capture: an input of repetition
 * signatures' confidence (verdict.h).  Set before serialising. */
void dest_set_answered(struct dest_table *t, uint64_t answered);

uint64_t dest_evicted(const struct dest_table *t);
unsigned dest_count(const struct dest_table *t);

#endif
