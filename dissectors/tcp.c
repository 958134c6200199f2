/* tcp.c - TCP header and options (RFC 9293 3.1, RFC 7323, RFC 2018). */
#include "dissect.h"

#define TCPOPT_EOL       0
#define TCPOPT_NOP       1
#define TCPOPT_MSS       2
#define TCPOPT_WS        3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK      5
#define TCPOPT_TS        8
#define TCP_WS_MAX       14   /* RFC 7323 2.3: larger shifts are taken as 14 */

static int tcp_fail(enum mal_reason *why, enum mal_reason r, int st)
{
	*why = r;
	return st;
}

/* Known options must have their RFC length; SACK carries 1..4 blocks. */
static bool opt_len_ok(uint8_t kind, uint8_t len)
{
	switch (kind) {
	case TCPOPT_MSS:       return len == 4;
	case TCPOPT_WS:        return len == 3;
	case TCPOPT_SACK_PERM: return len == 2;
	case TCPOPT_SACK:      return len >= 10 && (len - 2) % 8 == 0;
	case TCPOPT_TS:        return len == 10;
	default:               return true;
	}
}

static void opt_store(struct tcp_meta *t, uint8_t kind, struct cur d)
{
	uint8_t ws;

	switch (kind) {
	case TCPOPT_MSS:
		t->mss = cur_be16(&d);
		break;
	case TCPOPT_WS:
		ws = cur_u8(&d);
		t->wscale = (int8_t)(ws > TCP_WS_MAX ? TCP_WS_MAX : ws);
		break;
	case TCPOPT_SACK_PERM:
		t->sack_perm = true;
		break;
	case TCPOPT_TS:
		t->tsval = cur_be32(&d);
		t->tsecr = cur_be32(&d);
		t->has_ts = true;
		break;
	default:
		break;                /* SACK blocks and unknown kinds skipped */
	}
}

/* Options (RFC 9293 3.2): EOL ends the list, NOP is one byte, every other
 * option is | kind | length (>= 2, incl. kind and length) | data |.
 * `o` covers exactly the option bytes; each pass consumes >= 1 byte.
 * Options before a bad one are kept. */
static bool tcp_opts(struct cur o, struct tcp_meta *t)
{
	while (o.left > 0) {
		uint8_t kind = cur_u8(&o);
		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP)
			continue;
		uint8_t len = cur_u8(&o);
		if (o.bad || len < 2)
			return false;
		struct cur d = cur_sub(&o, (size_t)len - 2);
		if (o.bad || !opt_len_ok(kind, len))
			return false;
		opt_store(t, kind, d);
	}
	return true;
}

/*  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                    Options                    |    Padding    |
 *
 * Status contract:
 *  - DIS_TRUNCATED/MAL_TCP_TRUNC: fewer than 20 bytes captured (nothing
 *    usable), or options cut by the snaplen (fixed fields usable).
 *  - DIS_MALFORMED/MAL_TCP_HDR: data offset < 5 or past the segment's
 *    length on the wire (fixed fields filled but suspect).  In a first
 *    IP fragment the header may go on in the next fragment: that is
 *    DIS_TRUNCATED/MAL_TCP_TRUNC instead.
 *  - DIS_MALFORMED/MAL_TCP_OPT: a bad option; fixed fields, options
 *    before it and the payload are all filled.
 * pk->l4_valid says when ports/seq/flags may be used despite a non-OK
 * status. */
int tcp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct tcp_meta *t = &pk->tcp;
	uint32_t wire = ip_payload_len(pk, c->left);

	*why = MAL_NONE;
	*t = (struct tcp_meta){ .wscale = -1 };
	uint8_t off;
	if (cur_has(c, 20)) {                /* the whole fixed header: one check */
		const uint8_t *h = c->p;
		pk->sport = be16_at(h);
		pk->dport = be16_at(h + 2);
		t->seq = be32_at(h + 4);
		t->ack = be32_at(h + 8);
		off = h[12];
		t->flags = h[13];
		t->win = be16_at(h + 14);
		cur_skip(c, 20);             /* with checksum, urgent pointer */
	} else {
		pk->sport = cur_be16(c);
		pk->dport = cur_be16(c);
		t->seq = cur_be32(c);
		t->ack = cur_be32(c);
		off = cur_u8(c);
		t->flags = cur_u8(c);
		t->win = cur_be16(c);
		cur_skip(c, 4);
	}
	if (c->bad) {
		pk->sport = pk->dport = 0;
		return tcp_fail(why, MAL_TCP_TRUNC, DIS_TRUNCATED);
	}
	pk->l4_valid = true;
	t->reserved = off & 0x0f;
	size_t hlen = (size_t)(off >> 4) * 4;
	t->hlen = (uint8_t)hlen;
	if (hlen < 20 || (hlen > wire && !pk->frag))
		return tcp_fail(why, MAL_TCP_HDR, DIS_MALFORMED);
	if (hlen > wire)
		return tcp_fail(why, MAL_TCP_TRUNC, DIS_TRUNCATED);

	struct cur opts = cur_sub(c, hlen - 20);
	if (c->bad) {
		(void)tcp_opts(opts, t);     /* keep what was captured */
		return tcp_fail(why, MAL_TCP_TRUNC, DIS_TRUNCATED);
	}
	pk->payload = c->p;
	pk->paylen = (uint32_t)c->left;
	pk->paylen_wire = wire - (uint32_t)hlen;
	if (!tcp_opts(opts, t))
		return tcp_fail(why, MAL_TCP_OPT, DIS_MALFORMED);
	return DIS_OK;
}
