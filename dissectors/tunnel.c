/* tunnel.c - encapsulations that carry traffic to a sensor, unwrapped one
 * level per call as Zeek and Suricata do: IP-in-IP and 6in4 (RFC 2003,
 * RFC 4213), GRE (RFC 2784, RFC 2890 keys and sequence numbers) carrying
 * IP, MPLS, Ethernet (transparent bridging) or ERSPAN type I/II/III
 * (draft-foschiano-erspan-03), and VXLAN (RFC 7348) on UDP port 4789.
 * decode.c bounds the nesting (TUNNEL_MAX).  A header that is not quite
 * the protocol (GRE with RFC 1701 routing, PPTP's GRE version 1, VXLAN
 * without the I flag) is left as the plain IP packet it also is; a valid
 * one whose payload is not IP is not IP. */
#include "link_int.h"

#define IPPROTO_IPIP_   4
#define IPPROTO_UDP_    17
#define IPPROTO_IPV6_   41
#define IPPROTO_GRE_    47
#define GRE_CSUM        0x8000
#define GRE_KEY         0x2000
#define GRE_SEQ         0x1000
#define GRE_UNHANDLED   0x4fff   /* routing, strict route, recursion,
                                    flags, version: RFC 2784 2.3 says
                                    discard; PPTP is version 1        */
#define GRE_TEB         0x6558   /* transparent Ethernet bridging     */
#define GRE_ERSPAN2     0x88be   /* ERSPAN type I (no S) or II        */
#define GRE_ERSPAN3     0x22eb
#define VXLAN_PORT      4789
#define VXLAN_I         0x08

static int tun_cut(enum mal_reason *why)
{
	return link_fail(why, MAL_TUNNEL_TRUNC, DIS_TRUNCATED);
}

/* ERSPAN type II header (8 bytes), after GRE with the S bit:
 *  | ver 1 (4) | VLAN (12) | COS (3) | En (2) | T | session ID (10) |
 *  | reserved (12) | index (20) |
 * Type I (GRE without S) has no header: the Ethernet frame follows. */
static int erspan2_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, bool type2)
{
	if (type2) {
		uint8_t ver = (uint8_t)(cur_u8(c) >> 4);
		cur_skip(c, 7);
		if (c->bad)
			return tun_cut(why);
		if (ver != 1)
			return DIS_UNSUPPORTED;
	}
	return link_eth(c, pk, why);
}

/* ERSPAN type III header (12 bytes, + 8 when O is set):
 *  | ver 2 (4) | VLAN (12) | COS (3) | BSO (2) | T | session ID (10) |
 *  | timestamp (32) |
 *  | SGT (16) | P | FT (5) | HW ID (6) | D | Gra (2) | O |
 *  [| platform-specific subheader (64) |]
 * Frame type 0 is Ethernet; other frame types are not followed. */
static int erspan3_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint8_t ver = (uint8_t)(cur_u8(c) >> 4);
	cur_skip(c, 9);
	uint8_t b10 = cur_u8(c), b11 = cur_u8(c);
	if (b11 & 0x01)
		cur_skip(c, 8);
	if (c->bad)
		return tun_cut(why);
	if (ver != 2 || ((b10 >> 2) & 0x1f) != 0)
		return DIS_UNSUPPORTED;
	return link_eth(c, pk, why);
}

/* GRE (RFC 2784 2, RFC 2890 2):
 *  |C| |K|S| reserved0 (9) | ver (3) | protocol type (16) |
 *  [| checksum (16) | reserved1 (16) |] [| key (32) |] [| sequence (32) |]
 * The protocol type is an ethertype. */
static int gre_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, bool *inner)
{
	struct cur g = *c;
	uint16_t fl = cur_be16(&g);
	uint16_t proto = cur_be16(&g);
	if (g.bad)
		return tun_cut(why);
	if (fl & GRE_UNHANDLED)
		return DIS_OK;
	cur_skip(&g, ((fl & GRE_CSUM) ? 4u : 0u) + ((fl & GRE_KEY) ? 4u : 0u) +
	             ((fl & GRE_SEQ) ? 4u : 0u));
	if (g.bad)
		return tun_cut(why);
	*c = g;
	*inner = true;
	pk->tunnel = IPPROTO_GRE_;
	if (proto == GRE_TEB)
		return link_eth(c, pk, why);
	if (proto == GRE_ERSPAN2)
		return erspan2_parse(c, pk, why, fl & GRE_SEQ);
	if (proto == GRE_ERSPAN3)
		return erspan3_parse(c, pk, why);
	if (proto < 0x0600)
		return DIS_UNSUPPORTED;
	return link_ethertype(c, proto, pk, why);
}

/* UDP to port 4789 with a VXLAN header (RFC 7348 5):
 *  | UDP header (8) | R R R R I R R R | reserved (24) | VNI (24) | reserved |
 *  | inner Ethernet frame ...
 * The UDP header is read from a copy of the cursor: the outer UDP is not
 * parsed into *pk (the inner packet's L4 goes there). */
static int vxlan_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, bool *inner)
{
	struct cur u = *c;
	cur_skip(&u, 2);
	uint16_t dport = cur_be16(&u);
	uint16_t ulen = cur_be16(&u);
	cur_skip(&u, 2);
	if (u.bad || dport != VXLAN_PORT || ulen < 16)
		return DIS_OK;                  /* plain UDP; udp.c judges it */
	cur_clamp(&u, (size_t)ulen - 8);
	uint8_t flags = cur_u8(&u);
	cur_skip(&u, 7);
	if (u.bad)
		return tun_cut(why);
	if (!(flags & VXLAN_I))
		return DIS_OK;
	*c = u;
	*inner = true;
	pk->tunnel = IPPROTO_UDP_;
	return link_eth(c, pk, why);
}

int tunnel_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, bool *inner)
{
	*inner = false;
	switch (pk->proto) {
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
		*inner = true;
		pk->tunnel = pk->proto;
		pk->ethertype = pk->proto == IPPROTO_IPIP_ ? ETH_IP4 : ETH_IP6;
		return DIS_OK;
	case IPPROTO_GRE_:
		return gre_parse(c, pk, why, inner);
	case IPPROTO_UDP_:
		return vxlan_parse(c, pk, why, inner);
	default:
		return DIS_OK;
	}
}
