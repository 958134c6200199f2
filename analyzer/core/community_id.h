/* community_id.h - Community ID v1 flow hash (corelight/community-id-spec).
 *
 * "1:" + base64(SHA-1(seed . saddr . daddr . proto . 0 . sport . dport)),
 * all fields in network byte order, the endpoints ordered so the smaller
 * (address, port) comes first.
 */
#ifndef TS_COMMUNITY_ID_H
#define TS_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>
#include "dissect.h"

/* The ID is "1:" + 28 base64 characters (30 chars, 31 bytes with the NUL);
 * COMMUNITY_ID_LEN is the buffer size callers declare (a little slack). */
#define COMMUNITY_ID_STRLEN 30
#define COMMUNITY_ID_LEN    33

/* Computes the Community ID v1 of one packet's flow tuple into out.
 *
 * - TCP (6), UDP (17), SCTP (132): sport/dport are the ports.
 * - ICMP (1) / ICMPv6 (58): pass sport = type, dport = code as decoded;
 *   the spec's (Zeek's) mapping is applied here: request/reply types get
 *   (type, counterpart type) and are ordered like ports; every other type
 *   is one-way, hashed as (type, code) with src/dst kept as given.
 * - Any other protocol: ports are ignored and not hashed.
 *
 * src and dst must have the same family (4 or 6).  Returns 0 with out
 * holding a NUL-terminated "1:...=" string, or -1 (out untouched) if outsz
 * < COMMUNITY_ID_STRLEN + 1 or the addresses are unusable (NULL, family
 * not 4/6, or families differ).  Never allocates.
 */
int community_id_v1(const struct ts_addr *src, uint16_t sport,
                    const struct ts_addr *dst, uint16_t dport,
                    uint8_t proto, uint16_t seed, char *out, size_t outsz);

#endif
