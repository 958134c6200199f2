/* icmp.c - ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) type/code and, for
 * error messages, the quoted IP header + first 8 bytes of its L4 header. */
#include "dissect.h"

#define IPPROTO_ICMPV6_ 58

static int icmp_fail(enum mal_reason *why, enum mal_reason r, int st)
{
	*why = r;
	return st;
}

/* Error messages that quote the offending packet. */
static bool icmp_is_error(bool v6, uint8_t type)
{
	if (v6)
		return type >= 1 && type <= 4; /* unreach, too big, time, param */
	switch (type) {
	case 3:  /* destination unreachable */
	case 4:  /* source quench */
	case 5:  /* redirect */
	case 11: /* time exceeded */
	case 12: /* parameter problem */
		return true;
	default:
		return false;
	}
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 ||
	       proto == 136;            /* TCP, UDP, DCCP, SCTP, UDP-Lite */
}

/* Quoted packet: an IP header (any version) and at least 8 bytes of its
 * L4 header per RFC 792, often more (RFC 1812 4.3.2.3, RFC 4443 2.4(c)).
 * It may be cut anywhere: fill what is there.  icmp->quoted is set once
 * the inner addresses are known.  The quote is about another flow; it
 * never touches the outer packet's fields. */
static void icmp_quote(struct cur q, struct icmp_meta *m)
{
	struct pkt inner = { 0 };
	enum mal_reason w;
	int st = ip_parse(&q, &inner, &w);

	if (inner.ipver == 0)
		return;
	m->quoted = true;
	m->isrc = inner.src;
	m->idst = inner.dst;
	m->iproto = inner.proto;
	if (st != DIS_OK || !inner.frag_first || !has_ports(inner.proto))
		return;
	uint16_t sp = cur_be16(&q);
	uint16_t dp = cur_be16(&q);
	if (q.bad)
		return;
	m->isport = sp;
	m->idport = dp;
	if (inner.proto == 6)
		m->iseq = cur_be32(&q);
}

/* ICMPv4 / ICMPv6 message:
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * |            rest of header (unused / MTU / pointer / id+seq)   |
 * |      error messages: quoted IP header + >= 8 bytes of L4      |
 *
 * ICMPv6 when pk->proto is 58, ICMPv4 otherwise.  pk->payload is what
 * follows the first 4 bytes.  A short or cut quote is not an error. */
int icmp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	bool v6 = pk->proto == IPPROTO_ICMPV6_;
	uint32_t wire = ip_payload_len(pk, c->left);

	*why = MAL_NONE;
	pk->icmp = (struct icmp_meta){ 0 };
	uint8_t type = cur_u8(c);
	uint8_t code = cur_u8(c);
	cur_skip(c, 2);                      /* checksum */
	if (c->bad)
		return icmp_fail(why, MAL_ICMP_TRUNC, DIS_TRUNCATED);
	pk->icmp.type = type;
	pk->icmp.code = code;
	pk->payload = c->p;
	pk->paylen = (uint32_t)c->left;
	pk->paylen_wire = wire >= 4 ? wire - 4 : 0;
	if (icmp_is_error(v6, type)) {
		struct cur q = *c;
		cur_skip(&q, 4);             /* unused / MTU / pointer / gateway */
		if (!q.bad)
			icmp_quote(q, &pk->icmp);
	}
	return DIS_OK;
}
