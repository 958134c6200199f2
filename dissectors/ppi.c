/* ppi.c - Per-Packet Information header (LINKTYPE_PPI 192; CACE
 * Technologies, "Per-Packet Information Header Specification" 1.0.10),
 * in front of a frame of its own link type: Ethernet, 802.11 or any other
 * link.c takes (but not PPI again).  All fields are little-endian. */
#include "link_int.h"

#define PPI_FLAG_ALIGN   0x01    /* fields padded to 32 bits              */
#define PPI_80211_COMMON 2       /* field type: 802.11-Common (20 bytes)  */
#define COMMON_FCS       0x0001  /* 802.11-Common flags: FCS present      */
#define COMMON_FCS_BAD   0x0004  /* FCS check failed                      */
#define LT_IEEE802_11    105

/* The 802.11-Common field (PPI spec 4.1.2):
 *  | TSF timer (8) | flags (16) | rate (16) | channel freq (16) | ... */
static unsigned common_opts(struct cur d, bool *bad_fcs)
{
	cur_skip(&d, 8);
	uint16_t flags = cur_le16(&d);
	if (d.bad)
		return 0;
	*bad_fcs = (flags & COMMON_FCS_BAD) != 0;
	return (flags & COMMON_FCS) ? WLAN_FCS : 0;
}

/* The field list `f` (the header after its 8 fixed bytes):
 *  | type (16) | data length (16) | data ... |   repeated
 * Each pass consumes at least the 4-byte field header, so the walk ends.
 * Returns the 802.11 options the fields give; *bad when they are
 * inconsistent or report a failed FCS. */
static unsigned ppi_fields(struct cur f, bool align, bool *bad)
{
	unsigned opts = 0;
	*bad = false;
	while (f.left > 0) {
		uint16_t type = cur_le16(&f);
		uint16_t dlen = cur_le16(&f);
		struct cur d = cur_sub(&f, dlen);
		if (f.bad) {
			*bad = true;
			break;
		}
		if (type == PPI_80211_COMMON)
			opts = common_opts(d, bad);
		size_t pad = align ? (4 - dlen % 4) % 4 : 0;
		cur_skip(&f, pad < f.left ? pad : f.left);
	}
	return opts;
}

/* Packet header (PPI spec 3.1):
 *  | version 0 | flags | header length (16) | DLT (32) | fields ... |
 * The header length counts the fixed 8 bytes and the fields. */
int ppi_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned nest)
{
	uint8_t ver = cur_u8(c);
	uint8_t flags = cur_u8(c);
	uint16_t len = cur_le16(c);
	uint32_t dlt = cur_le32(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (ver != 0 || len < 8 || dlt > 0xffff)
		return DIS_UNSUPPORTED;
	struct cur f = cur_sub(c, (size_t)len - 8);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	bool bad;
	unsigned opts = ppi_fields(f, flags & PPI_FLAG_ALIGN, &bad);
	if (bad)
		return DIS_UNSUPPORTED;
	/* the FCS is only there when the whole frame was captured */
	if (pk->caplen < pk->wirelen)
		opts &= ~(unsigned)WLAN_FCS;
	if (dlt == LT_IEEE802_11)
		return ieee80211_parse(c, pk, why, opts);
	if (dlt == 192)
		return DIS_UNSUPPORTED;     /* PPI in PPI */
	return link_inner((int)dlt, c, pk, why, nest + 1);
}
