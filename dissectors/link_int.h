/* link_int.h - what the link-layer and tunnel dissectors share: link.c
 * (the one list of DLTs, Ethernet, cooked, raw, loopback, PPPoE, MPLS),
 * ppp.c, ieee80211.c, ppi.c, pktap.c, nflog.c, tunnel.c and decode.c.
 * Not for the analyzer: it sees link_parse()/link_supported() only.
 *
 * Each parser reads the cursor at its header and, on DIS_OK, leaves it at
 * the IP header with pk->ethertype 0x0800/0x86dd.  Wrong or unknown
 * protocol fields give DIS_UNSUPPORTED (counted as non-IP, never
 * guessed); a header cut by the capture gives DIS_TRUNCATED with *why.
 */
#ifndef TS_LINK_INT_H
#define TS_LINK_INT_H

#include "dissect.h"
#include "tunables.h"

#define ETH_IP4        0x0800
#define ETH_IP6        0x86dd
#define LINK_NEST_MAX  1   /* link headers inside a pseudo-header (PPI,
                              PKTAP): one, so they cannot recurse      */

static inline int link_fail(enum mal_reason *why, enum mal_reason r, int st)
{
	*why = r;
	return st;
}

/* link.c */
/* The frame of link type `dlt` at *c; `nest` = pseudo-headers passed. */
int link_dispatch(int dlt, struct cur *c, struct pkt *pk, enum mal_reason *why,
                  unsigned nest);
/* The frame inside a pseudo-header (`nest` = the pseudo-headers around
 * it): a link type unknown there, or too deep, is not IP (the capture's
 * own link type is known). */
int link_inner(int dlt, struct cur *c, struct pkt *pk, enum mal_reason *why,
               unsigned nest);
/* From an ethertype already read: VLAN tags, PPPoE, MPLS, then IP. */
int link_ethertype(struct cur *c, uint16_t type, struct pkt *pk, enum mal_reason *why);
/* An Ethernet II frame (also inside tunnels and pseudo-headers). */
int link_eth(struct cur *c, struct pkt *pk, enum mal_reason *why);
/* No type field: the IP version nibble decides. */
int link_ip_nibble(struct cur *c, struct pkt *pk, enum mal_reason *why);

/* ppp.c */
int ppp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);       /* DLT 9  */
int ppp_hdlc_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);  /* DLT 50 */
int chdlc_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);     /* DLT 104 */
/* The PPP protocol field (2 bytes, or 1 when compressed) to an ethertype. */
int ppp_protocol(struct cur *c, struct pkt *pk, enum mal_reason *why);

/* ieee80211.c: a data frame; opts: what the capture header said. */
#define WLAN_FCS      1    /* 4 trailing FCS bytes to drop             */
#define WLAN_DATAPAD  2    /* body starts at a 4-byte boundary         */
int ieee80211_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned opts);
int radiotap_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);  /* DLT 127 */

/* ppi.c, pktap.c, nflog.c: capture pseudo-headers */
int ppi_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned nest);
int pktap_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned nest);
int nflog_parse(struct cur *c, struct pkt *pk, enum mal_reason *why);

/* tunnel.c: after an IP header (cursor at its payload), one level of
 * IP-in-IP, 6in4, GRE (with ERSPAN II/III) or VXLAN.  DIS_OK with *inner
 * true: *c is at the inner IP header, pk->ethertype set, pk->tunnel the
 * outer protocol.  DIS_OK with *inner false: not a tunnel, *c untouched. */
int tunnel_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, bool *inner);

#endif
