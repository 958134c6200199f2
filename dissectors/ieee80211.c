/* ieee80211.c - IEEE 802.11 data frames (LINKTYPE_IEEE802_11 105), alone
 * or behind radiotap (LINKTYPE_IEEE802_11_RADIOTAP 127,
 * https://www.radiotap.org).  Only unprotected data frames carrying
 * LLC/SNAP reach IP; management, control, null-data, protected (WEP,
 * WPA) and A-MSDU frames are not IP here: decrypting or splitting them is
 * not a passive observer's job. */
#include "link_int.h"

#define FC_TYPE_DATA   2
#define FC_SUB_QOS     0x8    /* subtype bit: QoS control follows       */
#define FC_SUB_NODATA  0x4    /* Null, CF-Ack/Poll only: no frame body  */
#define FC_TODS        0x01
#define FC_FROMDS      0x02
#define FC_PROTECTED   0x40
#define FC_ORDER       0x80   /* in a QoS frame: HT Control follows     */
#define QOS_AMSDU      0x0080
#define RT_FLAGS_FCS   0x10   /* radiotap Flags: frame ends with FCS    */
#define RT_FLAGS_PAD   0x20   /* padding between header and body        */
#define RT_FLAGS_BAD   0x40   /* frame failed the FCS check             */
#define RT_PRESENT_EXT 0x80000000u
#define RT_TSFT        0x1u
#define RT_FLAGS       0x2u

/* 802.2 LLC + SNAP (RFC 1042): | aa | aa | 03 | OUI (3) | ethertype |.
 * OUI 00-00-00 (RFC 1042) or 00-00-f8 (802.1H bridge tunnel) only:
 * other OUIs number their own protocols. */
static int llc_snap(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint8_t dsap = cur_u8(c), ssap = cur_u8(c), ctl = cur_u8(c);
	uint32_t oui = cur_be24(c);
	uint16_t type = cur_be16(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (dsap != 0xaa || ssap != 0xaa || ctl != 0x03 ||
	    (oui != 0 && oui != 0xf8))
		return DIS_UNSUPPORTED;
	return link_ethertype(c, type, pk, why);
}

/* Data frame MAC header (IEEE 802.11-2020 9.3.2.1), little-endian:
 *  | frame control (2) | duration (2) | addr1 | addr2 | addr3 (6 each) |
 *  | sequence control (2) | addr4 (6, ToDS and FromDS) |
 *  | QoS control (2, QoS subtypes) | HT control (4, QoS with Order) |
 * Frame control byte 0: version (2 bits), type (2), subtype (4); byte 1:
 * the flags above.  The body starts after the header (4-aligned with
 * WLAN_DATAPAD). */
int ieee80211_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned opts)
{
	if (opts & WLAN_FCS) {
		if (c->left < 4)
			return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
		cur_clamp(c, c->left - 4);
	}
	uint8_t fc0 = cur_u8(c), fc1 = cur_u8(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	/* judged before the rest of the header: control frames are short */
	unsigned type = (fc0 >> 2) & 3, sub = fc0 >> 4;
	if ((fc0 & 3) != 0 || type != FC_TYPE_DATA || (sub & FC_SUB_NODATA) ||
	    (fc1 & FC_PROTECTED))
		return DIS_UNSUPPORTED;
	size_t hlen = 24;
	cur_skip(c, 22);
	if ((fc1 & (FC_TODS | FC_FROMDS)) == (FC_TODS | FC_FROMDS))
		hlen += 6;
	cur_skip(c, hlen - 24);
	if (sub & FC_SUB_QOS) {
		uint16_t qos = cur_le16(c);
		hlen += 2;
		if (fc1 & FC_ORDER) {
			cur_skip(c, 4);
			hlen += 4;
		}
		if (!c->bad && (qos & QOS_AMSDU))
			return DIS_UNSUPPORTED;
	}
	if (opts & WLAN_DATAPAD)
		cur_skip(c, (4 - hlen % 4) % 4);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	return llc_snap(c, pk, why);
}

/* Offset of the Flags field in a radiotap header of `len` bytes whose
 * bitmaps take `words` 32-bit words; fields are aligned to their size
 * from the header's start and TSFT (8 bytes) is the only one before. */
static size_t rt_flags_at(uint32_t present, size_t words)
{
	size_t at = 4 + 4 * words;
	if (present & RT_TSFT)
		at = ((at + 7) & ~(size_t)7) + 8;
	return at;
}

/* Radiotap header, little-endian:
 *  | version 0 | pad | length (16) | present (32) [| present ...] | fields |
 * A present word with bit 31 set is followed by another; the words stay
 * inside `length`, so the walk ends.  Only Flags matters here. */
static int rt_flags(struct cur h, uint8_t *flags)
{
	const uint8_t *start = h.p;
	size_t len = h.left, words = 0;
	uint32_t first = 0, p;

	*flags = 0;
	cur_skip(&h, 4);
	do {
		p = cur_le32(&h);
		if (words++ == 0)
			first = p;
	} while (!h.bad && (p & RT_PRESENT_EXT));
	if (h.bad)
		return DIS_UNSUPPORTED;      /* bitmaps run past the header */
	if (!(first & RT_FLAGS))
		return DIS_OK;
	struct cur f = cur_make(start, len);
	cur_skip(&f, rt_flags_at(first, words));
	*flags = cur_u8(&f);
	return f.bad ? DIS_UNSUPPORTED : DIS_OK;
}

int radiotap_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur peek = *c;
	uint8_t ver = cur_u8(&peek);
	cur_skip(&peek, 1);
	uint16_t len = cur_le16(&peek);
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (ver != 0 || len < 8)
		return DIS_UNSUPPORTED;
	struct cur h = cur_sub(c, len);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	uint8_t flags;
	if (rt_flags(h, &flags) != DIS_OK || (flags & RT_FLAGS_BAD))
		return DIS_UNSUPPORTED;
	unsigned opts = 0;
	/* a frame cut by the snap length has lost its FCS already */
	if ((flags & RT_FLAGS_FCS) && pk->caplen >= pk->wirelen)
		opts |= WLAN_FCS;
	if (flags & RT_FLAGS_PAD)
		opts |= WLAN_DATAPAD;
	return ieee80211_parse(c, pk, why, opts);
}
