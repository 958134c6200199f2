/* link.c - link layers: from a DLT's header to the IPv4/IPv6 header.
 * link_dispatch() is the one list of the link types tamperscope reads;
 * Ethernet (VLAN, PPPoE, MPLS), Linux cooked, raw IP and BSD loopback
 * are parsed here, the others in ppp.c, ieee80211.c, ppi.c, pktap.c and
 * nflog.c. */
#include <pcap/pcap.h>
#include "link_int.h"
#include "tunables.h"

#ifndef DLT_NULL
#define DLT_NULL 0
#endif
#ifndef DLT_EN10MB
#define DLT_EN10MB 1
#endif
#ifndef DLT_RAW
#define DLT_RAW 12
#endif
#ifndef DLT_LOOP
#define DLT_LOOP 108
#endif
#ifndef DLT_LINUX_SLL
#define DLT_LINUX_SLL 113
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#define LINKTYPE_RAW_ 101   /* file header value; libpcap maps it to DLT_RAW */
/* Numbers as libpcap gives them on Linux (pcap/dlt.h); literal so that no
 * platform's renumbering can make two cases equal. */
#define LT_PPP         9
#define LT_PPP_HDLC    50    /* DLT_PPP_SERIAL */
#define LT_C_HDLC      104
#define LT_IEEE802_11  105
#define LT_RADIOTAP    127   /* DLT_IEEE802_11_RADIO */
#define LT_PKTAP_APPLE 149   /* DLT_PKTAP on Darwin (DLT_USER2 elsewhere) */
#define LT_PPI         192
#define LT_NFLOG       239
#define LT_PKTAP       258   /* LINKTYPE_PKTAP, DLT_PKTAP off Darwin */

#define ETH_8021Q    0x8100
#define ETH_8021AD   0x88a8
#define ETH_QINQ     0x9100
#define ETH_QINQ2    0x9200
#define ETH_PPPOE_S  0x8864
#define ETH_MPLS     0x8847
#define ETH_MPLS_MC  0x8848
#define PPP_IP4      0x0021
#define PPP_IP6      0x0057

static bool is_vlan_type(uint16_t t)
{
	return t == ETH_8021Q || t == ETH_8021AD || t == ETH_QINQ ||
	       t == ETH_QINQ2;
}

/* PPPoE session stage (RFC 2516 4):
 *  | ver/type | code | session id (16) | length (16) | PPP protocol (16) |
 * Only IPv4/IPv6 PPP protocols are followed; the rest is unsupported. */
static int pppoe_parse(struct cur *c, uint16_t *type, enum mal_reason *why)
{
	uint8_t vt = cur_u8(c);
	cur_skip(c, 3);          /* code, session id */
	uint16_t plen = cur_be16(c);
	uint16_t proto = cur_be16(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (vt != 0x11 || plen < 2)
		return DIS_UNSUPPORTED;
	cur_clamp(c, (size_t)plen - 2);
	if (proto == PPP_IP4)
		*type = ETH_IP4;
	else if (proto == PPP_IP6)
		*type = ETH_IP6;
	else
		return DIS_UNSUPPORTED;
	return DIS_OK;
}

/* MPLS label stack (RFC 3032 2.1), one 32-bit entry per label:
 *  | label (20) | TC (3) | S (1) | TTL (8) |
 * After the bottom-of-stack entry (S = 1) the payload has no type field:
 * the IP version nibble decides (pseudowire Ethernet is unsupported). */
static int mpls_parse(struct cur *c, uint16_t *type, enum mal_reason *why)
{
	for (unsigned n = 0; n < MPLS_MAX; n++) {
		uint32_t e = cur_be32(c);
		if (c->bad)
			return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
		if (e & 0x100)
			break;
		if (n + 1 == MPLS_MAX)
			return DIS_UNSUPPORTED;
	}
	struct cur peek = *c;
	uint8_t v = cur_u8(&peek) >> 4;
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (v == 4)
		*type = ETH_IP4;
	else if (v == 6)
		*type = ETH_IP6;
	else
		return DIS_UNSUPPORTED;  /* pseudowire, ...: not guessed */
	return DIS_OK;
}

/* Follow VLAN tags, then PPPoE or MPLS, from `type` (already read) to an IP
 * ethertype.  802.1Q tag (IEEE 802.1Q 9.6), after the ethertype that
 * announced it:
 *  | PCP(3) DEI(1) VID(12) | inner ethertype (16) |
 * At most VLAN_MAX tags, so the loop ends. */
int link_ethertype(struct cur *c, uint16_t type, struct pkt *pk, enum mal_reason *why)
{
	while (is_vlan_type(type)) {
		if (pk->vlan_depth >= VLAN_MAX)
			return link_fail(why, MAL_VLAN_TRUNC, DIS_MALFORMED);
		uint16_t tci = cur_be16(c);
		type = cur_be16(c);
		if (c->bad)
			return link_fail(why, MAL_VLAN_TRUNC, DIS_TRUNCATED);
		if (pk->vlan_depth == 0)
			pk->vlan = tci & 0x0fff;
		pk->vlan_depth++;
	}
	if (type == ETH_PPPOE_S || type == ETH_MPLS || type == ETH_MPLS_MC) {
		int st = type == ETH_PPPOE_S ? pppoe_parse(c, &type, why)
		                             : mpls_parse(c, &type, why);
		if (st != DIS_OK)
			return st;
	}
	if (type != ETH_IP4 && type != ETH_IP6)
		return DIS_UNSUPPORTED;  /* ARP, LLDP, MPLS, 802.3 length, ... */
	pk->ethertype = type;
	return DIS_OK;
}

/* A link header of `skip` bytes followed by a 16-bit ethertype; a value
 * < 0x0600 is an 802.3 length / Linux-internal protocol: not IP. */
static int typed_header(struct cur *c, size_t skip, struct pkt *pk, enum mal_reason *why)
{
	cur_skip(c, skip);
	uint16_t type = cur_be16(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (type < 0x0600)
		return DIS_UNSUPPORTED;
	return link_ethertype(c, type, pk, why);
}

/* Ethernet II (IEEE 802.3 3.1.1 with the Ethernet II type field):
 *  | dst MAC (6) | src MAC (6) | ethertype (2) | payload ... */
int link_eth(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	return typed_header(c, 12, pk, why);
}

/* Linux cooked v1 (https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html):
 *  | pkttype (2) | ARPHRD (2) | addr len (2) | addr (8) | protocol (2) |
 * protocol < 0x0600 is a Linux-internal value (802.2, CAN, ...): not IP. */
static int sll_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	return typed_header(c, 14, pk, why);
}

/* Linux cooked v2 (LINKTYPE_LINUX_SLL2):
 *  | protocol (2) | reserved (2) | ifindex (4) | ARPHRD (2) | pkttype (1) |
 *  | addr len (1) | addr (8) |                               = 20 bytes */
static int sll2_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint16_t type = cur_be16(c);
	cur_skip(c, 18);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (type < 0x0600)
		return DIS_UNSUPPORTED;
	return link_ethertype(c, type, pk, why);
}

/* Raw IP: the version nibble says which. */
int link_ip_nibble(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur peek = *c;
	uint8_t v = cur_u8(&peek) >> 4;
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (v == 4)
		pk->ethertype = ETH_IP4;
	else if (v == 6)
		pk->ethertype = ETH_IP6;
	else
		return DIS_UNSUPPORTED;
	return DIS_OK;
}

static bool af_is_inet6(uint32_t af)
{
	return af == 10 || af == 24 || af == 28 || af == 30; /* Linux, BSDs,
	                                         FreeBSD, Darwin */
}

/* BSD loopback (DLT_NULL: AF in the writer's byte order; DLT_LOOP:
 * network order).  The writer's order is unknown, so both orders are
 * tried for both DLTs:
 *  | address family (4) | IP packet ... */
static int null_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur le = *c;
	uint32_t af = cur_be32(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (af > 0xffff)  /* little-endian writer: value sits in the top bytes */
		af = cur_le32(&le);
	if (af == 2)
		pk->ethertype = ETH_IP4;
	else if (af_is_inet6(af))
		pk->ethertype = ETH_IP6;
	else
		return DIS_UNSUPPORTED;
	return DIS_OK;
}

int link_dispatch(int dlt, struct cur *c, struct pkt *pk, enum mal_reason *why,
                  unsigned nest)
{
	switch (dlt) {
	case DLT_EN10MB:     return link_eth(c, pk, why);
	case DLT_LINUX_SLL:  return sll_parse(c, pk, why);
	case DLT_LINUX_SLL2: return sll2_parse(c, pk, why);
	case DLT_NULL:
	case DLT_LOOP:       return null_parse(c, pk, why);
#if DLT_RAW != LINKTYPE_RAW_
	case LINKTYPE_RAW_:
#endif
	case DLT_RAW:        return link_ip_nibble(c, pk, why);
	case DLT_IPV4:       pk->ethertype = ETH_IP4; return DIS_OK;
	case DLT_IPV6:       pk->ethertype = ETH_IP6; return DIS_OK;
	case LT_PPP:         return ppp_parse(c, pk, why);
	case LT_PPP_HDLC:    return ppp_hdlc_parse(c, pk, why);
	case LT_C_HDLC:      return chdlc_parse(c, pk, why);
	case LT_IEEE802_11:  return ieee80211_parse(c, pk, why, 0);
	case LT_RADIOTAP:    return radiotap_parse(c, pk, why);
	case LT_NFLOG:       return nflog_parse(c, pk, why);
	case LT_PPI:         return ppi_parse(c, pk, why, nest);
	case LT_PKTAP_APPLE:
	case LT_PKTAP:       return pktap_parse(c, pk, why, nest);
	default:
		pk->ethertype = PK_ETHERTYPE_BADDLT;
		return DIS_UNSUPPORTED;
	}
}

int link_inner(int dlt, struct cur *c, struct pkt *pk, enum mal_reason *why,
               unsigned nest)
{
	if (nest > LINK_NEST_MAX)
		return DIS_UNSUPPORTED;
	int st = link_dispatch(dlt, c, pk, why, nest);
	if (pk->ethertype == PK_ETHERTYPE_BADDLT)
		pk->ethertype = 0;
	return st;
}

bool link_supported(int dlt)
{
	struct pkt pk = { 0 };
	struct cur l3;
	enum mal_reason why;
	/* the dispatch above is the one list of link types: an empty frame
	 * is "truncated" for a known DLT, "bad DLT" for an unknown one */
	static const uint8_t none[1];
	link_parse(dlt, none, 0, &pk, &l3, &why);
	return pk.ethertype != PK_ETHERTYPE_BADDLT;
}

int link_parse(int dlt, const uint8_t *frame, size_t caplen, struct pkt *pk,
               struct cur *l3, enum mal_reason *why)
{
	struct cur c = cur_make(frame, caplen);

	*why = MAL_NONE;
	pk->vlan = 0;
	pk->vlan_depth = 0;
	pk->ethertype = 0;
	int st = link_dispatch(dlt, &c, pk, why, 0);
	if (st == DIS_OK)
		*l3 = c;
	return st;
}
