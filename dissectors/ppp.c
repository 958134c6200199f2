/* ppp.c - PPP (RFC 1661) as LINKTYPE_PPP (9) and in HDLC-like framing
 * (RFC 1662, LINKTYPE_PPP_HDLC 50), and Cisco HDLC (LINKTYPE_C_HDLC 104,
 * which LINKTYPE_PPP_HDLC may also hold).  The captured bytes are neither
 * octet- nor bit-stuffed and carry no FCS
 * (https://www.tcpdump.org/linktypes.html). */
#include "link_int.h"

#define PPP_ADDR     0xff     /* all-stations address (RFC 1662 3.1) */
#define PPP_CTRL     0x03     /* unnumbered information              */
#define PPP_IP4      0x0021
#define PPP_IP6      0x0057
#define CHDLC_UNI    0x0f     /* Cisco HDLC unicast address          */
#define CHDLC_BCAST  0x8f     /* Cisco HDLC broadcast address        */

/* Protocol field (RFC 1661 2): the low byte of a value is odd and the
 * high byte even, so an odd first byte is the whole field, sent alone
 * when Protocol-Field-Compression was negotiated (RFC 1661 6.5):
 *  | protocol (8 or 16) | information ...
 * Only IPv4 and IPv6 go on: LCP, IPCP, CCP, ... are not IP. */
int ppp_protocol(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint16_t proto = cur_u8(c);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | cur_u8(c));
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (proto == PPP_IP4)
		pk->ethertype = ETH_IP4;
	else if (proto == PPP_IP6)
		pk->ethertype = ETH_IP6;
	else
		return DIS_UNSUPPORTED;
	return DIS_OK;
}

/* HDLC-like framing (RFC 1662 3.1):
 *  | address 0xff | control 0x03 | protocol (8/16) | information ...
 * With Address-and-Control-Field-Compression (RFC 1661 6.6) the frame
 * starts at the protocol field; 0xff is never a (compressed) protocol
 * value, so the two cases cannot be confused. */
int ppp_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur peek = *c;
	uint8_t addr = cur_u8(&peek);
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (addr == PPP_ADDR) {
		uint8_t ctrl = cur_u8(&peek);
		if (peek.bad)
			return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
		if (ctrl != PPP_CTRL)
			return DIS_UNSUPPORTED;
		*c = peek;
	}
	return ppp_protocol(c, pk, why);
}

/* LINKTYPE_PPP_HDLC: PPP as above, or Cisco HDLC when the first byte is
 * a Cisco address (RFC 1547 4.3.1). */
int ppp_hdlc_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	struct cur peek = *c;
	uint8_t addr = cur_u8(&peek);
	if (peek.bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if (addr == CHDLC_UNI || addr == CHDLC_BCAST)
		return chdlc_parse(c, pk, why);
	return ppp_parse(c, pk, why);
}

/* Cisco HDLC:
 *  | address 0x0f/0x8f | control 0x00 | ethertype (16) | payload ...
 * Other addresses or controls are not Cisco HDLC; SLARP (0x8035) and
 * CDP are not IP; MPLS goes through link_ethertype(). */
int chdlc_parse(struct cur *c, struct pkt *pk, enum mal_reason *why)
{
	uint8_t addr = cur_u8(c);
	uint8_t ctrl = cur_u8(c);
	uint16_t type = cur_be16(c);
	if (c->bad)
		return link_fail(why, MAL_LINK_TRUNC, DIS_TRUNCATED);
	if ((addr != CHDLC_UNI && addr != CHDLC_BCAST) || ctrl != 0 || type < 0x0600)
		return DIS_UNSUPPORTED;
	return link_ethertype(c, type, pk, why);
}
