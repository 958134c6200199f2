/* decode.c - the per-packet dissector chain: link -> IP -> TCP/UDP/ICMP. */
#include <string.h>
#include "link_int.h"

static const char *const mal_names[MAL_COUNT] = {
	[MAL_NONE]         = "none",
	[MAL_LINK_TRUNC]   = "link_truncated",
	[MAL_VLAN_TRUNC]   = "vlan_truncated",
	[MAL_IP4_TRUNC]    = "ip4_truncated",
	[MAL_IP4_HDR]      = "ip4_header",
	[MAL_IP4_OPT]      = "ip4_option",
	[MAL_IP6_TRUNC]    = "ip6_truncated",
	[MAL_IP6_EXT]      = "ip6_ext_header",
	[MAL_TCP_TRUNC]    = "tcp_truncated",
	[MAL_TCP_HDR]      = "tcp_header",
	[MAL_TCP_OPT]      = "tcp_option",
	[MAL_UDP_TRUNC]    = "udp_truncated",
	[MAL_UDP_LEN]      = "udp_length",
	[MAL_ICMP_TRUNC]   = "icmp_truncated",
	[MAL_DNS]          = "dns",
	[MAL_FRAG_GARBAGE] = "frag_garbage",
	[MAL_IP6_HDR]      = "ip6_header",
	[MAL_TUNNEL_TRUNC] = "tunnel_truncated",
};

const char *mal_reason_name(enum mal_reason r)
{
	if ((unsigned)r >= MAL_COUNT || mal_names[r] == NULL)
		return "unknown";
	return mal_names[r];
}

/* pk->l3: the IP header nDPI is given (the inner one after a tunnel). */
static void set_l3(struct pkt *pk, const struct cur *c)
{
	pk->l3 = c->p;
	pk->l3len = (uint32_t)c->left;
}

static void clamp_l3(struct pkt *pk)
{
	if (pk->ip_len && pk->ip_len < pk->l3len)
		pk->l3len = pk->ip_len;
}

/* The IP header at *c, then the tunnels inside it (tunnel.c), so the
 * fields of *pk end up the innermost packet's.  At most TUNNEL_MAX levels
 * are unwrapped, so a hostile capture cannot loop; a deeper tunnel stays
 * as the packet it is.  A fragmented datagram is not unwrapped (no
 * reassembly).  A valid tunnel whose payload is not IP makes the packet
 * non-IP (ipver 0). */
static int ip_tunnels(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	for (unsigned level = 0;; level++) {
		set_l3(pk, c);
		int st = ip_parse(c, pk, why);
		clamp_l3(pk);
		if (st != DIS_OK || pk->frag || level == TUNNEL_MAX)
			return st;
		bool inner;
		st = tunnel_parse(c, pk, why, &inner);
		if (!inner)
			return st;
		if (st == DIS_UNSUPPORTED)
			pk->ipver = 0;
		if (st != DIS_OK)
			return st;
	}
}

static int l4_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	switch (pk->proto) {
	case 6:  return tcp_parse(c, pk, why);
	case 17: return udp_parse(c, pk, why);
	case 1:
	case 58: return icmp_parse(c, pk, why);
	default: return DIS_OK;   /* other L4: proto set, no ports */
	}
}

/* Decode one captured frame of caplen bytes: *pk is reset first.  Returns
 * the first non-OK status of the chain with *why naming it; the fields of
 * the layers already passed stay filled.  Non-first IP fragments return
 * DIS_OK without L4. */
int packet_decode(int dlt, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
                  uint64_t ts, struct pkt *pk, enum mal_reason *why)
{
	static const struct pkt zero;
	struct cur c;
	int st;

	*pk = zero;
	pk->ts = ts;
	pk->caplen = caplen;
	pk->wirelen = wirelen;
	pk->frag_first = true;
	pk->tcp.wscale = -1;
	*why = MAL_NONE;
	st = link_parse(dlt, frame, pk->caplen, pk, &c, why);
	if (st != DIS_OK)
		return st;
	st = ip_tunnels(&c, pk, why);
	if (st != DIS_OK)
		return st;
	if (pk->frag && !pk->frag_first)
		return DIS_OK;
	return l4_parse(&c, pk, why);
}
