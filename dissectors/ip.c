/* ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers, options, extension
 * header chains and fragments, up to the L4 header.
 *
 * Fragments: pk->frag is set for any piece of a fragmented datagram,
 * pk->frag_first when the fragment offset is 0 (also true for unfragmented
 * packets: "the L4 header is here").  For a non-first fragment ip_parse
 * returns DIS_OK with pk->proto set and the cursor at the fragment data;
 * the caller (decode.c) must not parse L4 from it.  There is no reassembly.
 */
#include "dissect.h"
#include "tunables.h"

#define ETH_IP4        0x0800
#define ETH_IP6        0x86dd

#define IPPROTO_HOPOPTS_  0
#define IPPROTO_ROUTING_  43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_       51
#define IPPROTO_DSTOPTS_  60

static int ip_fail(enum mal_reason *why, enum mal_reason r, int st)
{
	*why = r;
	return st;
}

uint32_t ip_payload_len(const struct pkt *pk, size_t captured)
{
	if (pk->ipver != 0 && pk->ip_len >= pk->ip_hlen)
		return pk->ip_len - pk->ip_hlen;
	return captured > UINT32_MAX ? UINT32_MAX : (uint32_t)captured;
}

/* IPv4 options (RFC 791 3.1): EOL (0) ends the list, NOP (1) is one byte,
 * every other option is | type | length (>= 2, incl. these 2) | data |.
 * `o` covers exactly the captured option bytes; every pass consumes at
 * least one byte. */
static bool ip4_opts_ok(struct cur o)
{
	while (o.left > 0) {
		uint8_t type = cur_u8(&o);
		if (type == 0)
			break;
		if (type == 1)
			continue;
		uint8_t len = cur_u8(&o);
		if (o.bad || len < 2)
			return false;
		cur_skip(&o, (size_t)len - 2);
		if (o.bad)
			return false;
	}
	return true;
}

/* RFC 791 3.1 fragment sanity: the datagram may not pass 65535 bytes and
 * every fragment but the last carries a non-empty multiple of 8 bytes. */
static bool frag_sane(uint32_t off8, uint32_t datalen, bool more)
{
	if (off8 + datalen > 65535)
		return false;
	return !more || (datalen > 0 && datalen % 8 == 0);
}

/*  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options                    |    Padding    |
 *
 * Total length 0 is taken as a GSO/"big TCP" capture: the datagram is
 * what was captured.  The cursor is clamped to the total length so
 * Ethernet padding is never payload. */
static int ip4_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	if (!cur_has(c, 20)) {
		cur_skip(c, 20);
		return ip_fail(why, MAL_IP4_TRUNC, DIS_TRUNCATED);
	}
	const uint8_t *h = c->p;             /* the fixed header: one check */
	uint8_t vihl = h[0];
	uint8_t tos = h[1];
	uint16_t tot = be16_at(h + 2);
	uint16_t id = be16_at(h + 4);
	uint16_t foff = be16_at(h + 6);
	uint8_t ttl = h[8];
	uint8_t proto = h[9];                /* h[10..11]: checksum */
	memcpy(pk->src.a, h + 12, 4);
	memcpy(pk->dst.a, h + 16, 4);
	cur_skip(c, 20);
	pk->ipver = 4;
	pk->src.family = pk->dst.family = 4;
	pk->ttl = ttl;
	pk->ipid = id;
	pk->df = (foff & 0x4000) != 0;
	pk->tos = tos;
	pk->proto = proto;

	size_t hlen = (size_t)(vihl & 0x0f) * 4;
	size_t total = tot ? tot : 20 + c->left;
	if ((vihl >> 4) != 4 || hlen < 20 || total < hlen)
		return ip_fail(why, MAL_IP4_HDR, DIS_MALFORMED);
	pk->ip_hlen = (uint16_t)hlen;
	pk->ip_len = (uint32_t)total;

	struct cur opts = cur_sub(c, hlen - 20);
	if (c->bad)
		return ip_fail(why, MAL_IP4_TRUNC, DIS_TRUNCATED);
	if (!ip4_opts_ok(opts))
		return ip_fail(why, MAL_IP4_OPT, DIS_MALFORMED);
	cur_clamp(c, total - hlen);

	uint32_t off8 = (uint32_t)(foff & 0x1fff) * 8;
	bool more = (foff & 0x2000) != 0;
	pk->frag = more || off8 != 0;
	pk->frag_first = off8 == 0;
	if (pk->frag && (tot == 0 || !frag_sane(off8, (uint32_t)(total - hlen), more)))
		return ip_fail(why, MAL_FRAG_GARBAGE, DIS_MALFORMED);
	return DIS_OK;
}

/* State of an IPv6 extension header walk. */
struct ip6_walk {
	size_t decl_left;     /* bytes left per the payload length          */
	bool decl_known;      /* false: payload length 0, no jumbo option   */
	size_t ext_len;       /* extension bytes consumed                   */
};

/* Hop-by-Hop options (RFC 8200 4.3; TLV options, Pad1 = 0 is one byte).
 * Looks for the Jumbo Payload option (RFC 2675: type 0xC2, length 4).
 * Returns false on an option running past the header. */
static bool hbh_opts(struct cur o, uint32_t *jumbo, bool *has_jumbo)
{
	while (o.left > 0) {          /* each pass consumes >= 1 byte */
		uint8_t type = cur_u8(&o);
		if (type == 0)
			continue;
		uint8_t len = cur_u8(&o);
		struct cur d = cur_sub(&o, len);
		if (o.bad)
			return false;
		if (type == 0xc2 && len == 4) {
			*jumbo = cur_be32(&d);
			*has_jumbo = true;
		}
	}
	return true;
}

/* Jumbogram (RFC 2675): payload length 0 + Jumbo option.  The jumbo
 * value counts from the end of the fixed header, so it covers the HBH
 * header `hbhlen` already consumed. */
static int ip6_jumbo(struct cur *c, struct pkt *pk, struct ip6_walk *w,
                     uint32_t jumbo, size_t hbhlen, enum mal_reason *why)
{
	if (w->decl_known)
		return DIS_OK;        /* jumbo with a non-zero length: ignored */
	if (jumbo < hbhlen)
		return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
	w->decl_known = true;
	w->decl_left = jumbo - hbhlen;
	pk->ip_len = 40 + jumbo;
	cur_clamp(c, w->decl_left);
	return DIS_OK;
}

/* Hop-by-Hop header `h` (| next | hdr ext len | options |), already
 * consumed from *c; applies a Jumbo Payload option. */
static int ip6_hbh(struct cur h, struct cur *c, struct pkt *pk,
                   struct ip6_walk *w, enum mal_reason *why)
{
	uint32_t jumbo = 0;
	bool has_jumbo = false;
	size_t len = h.left;

	cur_skip(&h, 2);
	if (!hbh_opts(h, &jumbo, &has_jumbo))
		return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
	if (has_jumbo)
		return ip6_jumbo(c, pk, w, jumbo, len, why);
	return DIS_OK;
}

/* Fragment header (RFC 8200 4.5):
 *  | Next Header | Reserved | Fragment Offset (13) |Res|M| Identification (32) |
 * Offset != 0: the L4 header is in an earlier fragment; stop here. */
static int ip6_frag(struct cur h, struct pkt *pk, struct ip6_walk *w,
                    enum mal_reason *why)
{
	cur_skip(&h, 2);
	uint16_t offm = cur_be16(&h);
	uint32_t off8 = (uint32_t)(offm >> 3) * 8;
	bool more = (offm & 1) != 0;
	if (pk->frag)
		return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
	pk->frag = more || off8 != 0;
	pk->frag_first = off8 == 0;
	if (pk->frag && w->decl_known && pk->ip_len <= 65575 &&
	    !frag_sane(off8, (uint32_t)w->decl_left, more))
		return ip_fail(why, MAL_FRAG_GARBAGE, DIS_MALFORMED);
	return DIS_OK;
}

/* Length of the extension header `nh` at the cursor, 0 if `nh` is not one
 * we walk (an upper layer, ESP, No Next Header, Mobility, ...). */
static size_t ip6_ext_len(const struct cur *c, uint8_t nh, bool *cut)
{
	struct cur peek = *c;
	cur_skip(&peek, 1);
	uint8_t l = cur_u8(&peek);
	*cut = false;
	switch (nh) {
	case IPPROTO_HOPOPTS_:
	case IPPROTO_ROUTING_:
	case IPPROTO_DSTOPTS_:
		*cut = peek.bad;
		return ((size_t)l + 1) * 8;
	case IPPROTO_AH_:             /* RFC 4302 2.2: 4-octet units, minus 2 */
		*cut = peek.bad;
		return ((size_t)l + 2) * 4;
	case IPPROTO_FRAGMENT_:
		return 8;
	default:
		return 0;
	}
}

/* Walk the extension header chain (at most IP6_EXT_MAX headers; each one
 * is at least 8 bytes, so the walk also ends by consuming the packet).
 * On return pk->proto is the first header not walked. */
static int ip6_chain(struct cur *c, struct pkt *pk, uint8_t nh,
                     struct ip6_walk *w, enum mal_reason *why)
{
	for (unsigned n = 0; n < IP6_EXT_MAX; n++) {
		bool cut;
		size_t len = ip6_ext_len(c, nh, &cut);
		if (len == 0) {
			pk->proto = nh;
			return DIS_OK;
		}
		if (nh == IPPROTO_HOPOPTS_ && n != 0)  /* HBH only comes first */
			return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
		if (w->decl_known && len > w->decl_left)
			return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
		struct cur h = cur_sub(c, len);
		if (cut || c->bad)
			return ip_fail(why, MAL_IP6_TRUNC, DIS_TRUNCATED);
		if (w->decl_known)
			w->decl_left -= len;
		w->ext_len += len;
		pk->ip_hlen = (uint16_t)(40 + w->ext_len);
		struct cur peek = h;
		uint8_t next = cur_u8(&peek);
		if (nh == IPPROTO_HOPOPTS_) {
			if (ip6_hbh(h, c, pk, w, why) != DIS_OK)
				return DIS_MALFORMED;
		} else if (nh == IPPROTO_FRAGMENT_) {
			if (ip6_frag(h, pk, w, why) != DIS_OK)
				return DIS_MALFORMED;
			if (!pk->frag_first) {
				pk->proto = next;
				return DIS_OK;
			}
		}
		nh = next;
	}
	return ip_fail(why, MAL_IP6_EXT, DIS_MALFORMED);
}

/*  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                  Source Address (128 bits)                    |
 * |               Destination Address (128 bits)                  |
 *
 * Payload length 0 without a Jumbo option (GSO capture) is taken as
 * "what was captured". */
static int ip6_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint32_t vtf = cur_be32(c);
	uint16_t plen = cur_be16(c);
	uint8_t nh = cur_u8(c);
	uint8_t hlim = cur_u8(c);
	cur_copy(c, pk->src.a, 16);
	cur_copy(c, pk->dst.a, 16);
	if (c->bad)
		return ip_fail(why, MAL_IP6_TRUNC, DIS_TRUNCATED);
	if ((vtf >> 28) != 6)
		return ip_fail(why, MAL_IP6_HDR, DIS_MALFORMED);
	pk->ipver = 6;
	pk->src.family = pk->dst.family = 6;
	pk->ttl = hlim;
	pk->tos = (uint8_t)(vtf >> 20);
	pk->proto = nh;
	pk->ip_hlen = 40;

	struct ip6_walk w = { plen, plen != 0, 0 };
	if (plen != 0)
		cur_clamp(c, plen);
	else
		w.decl_left = c->left;
	pk->ip_len = 40 + (uint32_t)w.decl_left;
	return ip6_chain(c, pk, nh, &w, why);
}

static void ip_reset(struct pkt *pk)
{
	pk->ipver = 0;
	pk->src = (struct ts_addr){ 0 };
	pk->dst = (struct ts_addr){ 0 };
	pk->ttl = 0;
	pk->ipid = 0;
	pk->df = false;
	pk->tos = 0;
	pk->ip_hlen = 0;
	pk->ip_len = 0;
	pk->frag = false;
	pk->frag_first = true;
	pk->proto = 0;
}

int ip_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur peek = *c;
	uint8_t v = cur_u8(&peek) >> 4;
	bool want6 = pk->ethertype == ETH_IP6;

	*why = MAL_NONE;
	ip_reset(pk);
	if (peek.bad)
		return ip_fail(why, want6 ? MAL_IP6_TRUNC : MAL_IP4_TRUNC,
		               DIS_TRUNCATED);
	if (pk->ethertype == ETH_IP4 && v != 4)
		return ip_fail(why, MAL_IP4_HDR, DIS_MALFORMED);
	if (want6 && v != 6)
		return ip_fail(why, MAL_IP6_HDR, DIS_MALFORMED);
	if (v == 4)
		return ip4_parse(c, pk, why);
	if (v == 6)
		return ip6_parse(c, pk, why);
	return ip_fail(why, MAL_IP4_HDR, DIS_MALFORMED);
}
