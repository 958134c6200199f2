/* udp.c - UDP header (RFC 768); payload clamped to the UDP length. */
#include "dissect.h"

static int udp_fail(enum mal_reason *why, enum mal_reason r, int st)
{
	*why = r;
	return st;
}

/*  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |     Source      |   Destination   |
 * |      Port       |      Port       |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 *
 * Length counts the 8-byte header.  It must be >= 8 and fit in the IP
 * payload; it may be shorter (trailing bytes are ignored).  In a first
 * fragment it covers the whole datagram, so only the captured part of
 * this fragment is payload and paylen_wire is the datagram's.  Length 0
 * over IPv6 is a jumbogram (RFC 2675 4): the IP payload length is used.
 * On MAL_UDP_LEN the ports are still filled (pk->l4_valid). */
int udp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint32_t wire = ip_payload_len(pk, c->left);

	*why = MAL_NONE;
	uint16_t sport = cur_be16(c);
	uint16_t dport = cur_be16(c);
	uint32_t ulen = cur_be16(c);
	cur_skip(c, 2);                      /* checksum */
	if (c->bad)
		return udp_fail(why, MAL_UDP_TRUNC, DIS_TRUNCATED);
	pk->sport = sport;
	pk->dport = dport;
	pk->l4_valid = true;
	if (ulen == 0 && pk->ipver == 6)
		ulen = wire;
	if (ulen < 8 || (ulen > wire && !pk->frag))
		return udp_fail(why, MAL_UDP_LEN, DIS_MALFORMED);
	cur_clamp(c, ulen - 8);
	pk->payload = c->p;
	pk->paylen = (uint32_t)c->left;
	pk->paylen_wire = ulen - 8;
	return DIS_OK;
}
