/* pktap.c - Apple's PKTAP header (LINKTYPE_PKTAP 258; DLT_PKTAP is 149 on
 * Darwin, which writes that number too), in front of a frame of the
 * interface's own link type (Ethernet, raw IP, NULL, ...).  Fields are in
 * the writer's (Darwin's, little-endian) order, as tcpdump's
 * print-pktap.c reads them. */
#include "link_int.h"

#define PKTAP_HDR_MIN   108   /* struct pktap_header as Darwin lays it out */
#define PKTAP_REC_PKT   1     /* record type: a packet follows            */
#define LT_PKTAP_APPLE  149
#define LT_PKTAP        258

/*  | header length (32) | record type (32) | DLT (32) | ifname (24) |
 *  | flags | protocol family | pre length | post length | pid (32 each) |
 *  | command (20) | service class (32) | iftype (16) | ifunit (16) |
 *  | effective pid (32) | effective command (20) | [more, per length] |
 * The header length may grow in later releases: it is followed, not the
 * struct size. */
int pktap_parse(struct cur *c, struct pkt *pk, enum mal_reason *why, unsigned nest)
{
	struct cur peek = *c;
	uint32_t len = cur_le32(&peek);
	uint32_t rec = cur_le32(&peek);
	uint32_t dlt = cur_le32(&peek);
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (len < PKTAP_HDR_MIN || rec != PKTAP_REC_PKT || dlt > 0xffff ||
	    dlt == LT_PKTAP || dlt == LT_PKTAP_APPLE)
		return DIS_UNSUPPORTED;
	cur_skip(c, len);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	return link_inner((int)dlt, c, pk, why, nest + 1);
}
