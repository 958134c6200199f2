/* nflog.c - Linux NFLOG (LINKTYPE_NFLOG 239,
 * https://www.tcpdump.org/linktypes/LINKTYPE_NFLOG.html): the packets an
 * iptables/nftables "log" rule handed to user space, as TLVs; the
 * NFULA_PAYLOAD TLV holds the IP packet, the header its address family. */
#include "link_int.h"
#include "tunables.h"

#define NFLOG_AF_INET   2
#define NFLOG_AF_INET6  10
#define NFULA_PAYLOAD   9

/* Header, then TLVs:
 *  | family (8) | version 0 (8) | resource id (16, big-endian) |
 *  | length (16) | type (16) | value ... | padding to 4 |   repeated
 * TLV length and type are in the writer's host order: little-endian, as
 * libpcap writes (and converts) them on the machines that make these
 * files.  The length counts the 4-byte TLV header, not the padding. */
int nflog_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint8_t family = cur_u8(c);
	uint8_t ver = cur_u8(c);
	cur_skip(c, 2);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (ver != 0 || (family != NFLOG_AF_INET && family != NFLOG_AF_INET6))
		return DIS_UNSUPPORTED;
	for (unsigned n = 0; n < NFLOG_TLV_MAX && c->left > 0; n++) {
		uint16_t len = cur_le16(c);
		uint16_t type = cur_le16(c);
		if (c->bad)
			return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
		if (len < 4)
			return DIS_UNSUPPORTED;     /* would not advance */
		/* the payload may be cut by the snap length: what is there */
		struct cur v = cur_sub(c, (size_t)len - 4);
		if (type == NFULA_PAYLOAD) {
			*c = v;
			pk->ethertype = family == NFLOG_AF_INET ? ETH_IP4 : ETH_IP6;
			return DIS_OK;
		}
		if (c->bad)
			return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
		size_t pad = (4 - len % 4) % 4;
		cur_skip(c, pad < c->left ? pad : c->left);
	}
	return DIS_UNSUPPORTED;             /* no payload: nothing to read */
}
