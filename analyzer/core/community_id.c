/* community_id.c - Community ID v1 flow hashing.
 *
 * Byte layout (community-id-spec README, reference community-id.py
 * _packet_get_comm_id()):
 *
 *   seed(2) saddr(4|16) daddr(4|16) proto(1) pad=0(1) [sport(2) dport(2)]
 *
 * ports present only for TCP, UDP, SCTP, ICMP, ICMPv6.  ICMP type/code
 * mapping as Zeek's ICMP4_counterpart()/ICMP6_counterpart().
 */
#include "community_id.h"

#include <stdbool.h>
#include <string.h>

#include "sha1.h"

#define CID_PROTO_ICMP   1
#define CID_PROTO_TCP    6
#define CID_PROTO_UDP    17
#define CID_PROTO_ICMPV6 58
#define CID_PROTO_SCTP   132

/* Counterpart of a two-way ICMPv4 type, or -1 for one-way types. */
static int icmp4_counterpart(uint16_t type)
{
	switch (type) {
	case 8:  return 0;      /* echo           -> echo reply       */
	case 0:  return 8;
	case 13: return 14;     /* timestamp      -> timestamp reply  */
	case 14: return 13;
	case 15: return 16;     /* information    -> info reply       */
	case 16: return 15;
	case 10: return 9;      /* router solicit -> router advert    */
	case 9:  return 10;
	case 17: return 18;     /* address mask   -> mask reply       */
	case 18: return 17;
	default: return -1;
	}
}

/* Counterpart of a two-way ICMPv6 type, or -1 for one-way types. */
static int icmp6_counterpart(uint16_t type)
{
	switch (type) {
	case 128: return 129;   /* echo request   -> echo reply       */
	case 129: return 128;
	case 130: return 131;   /* MLD query      -> MLD report       */
	case 131: return 130;
	case 133: return 134;   /* router solicit -> router advert    */
	case 134: return 133;
	case 135: return 136;   /* neighbor solicit -> neighbor advert */
	case 136: return 135;
	case 139: return 140;   /* who-are-you request -> reply       */
	case 140: return 139;
	case 144: return 145;   /* home agent address discovery       */
	case 145: return 144;
	default:  return -1;
	}
}

static const char b64tab[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 4648 base64 with padding; out needs 4*ceil(n/3)+1 bytes. */
static void base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*out++ = b64tab[(v >> 18) & 63];
		*out++ = b64tab[(v >> 12) & 63];
		*out++ = b64tab[(v >> 6) & 63];
		*out++ = b64tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		*out++ = b64tab[(v >> 18) & 63];
		*out++ = b64tab[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		*out++ = b64tab[(v >> 18) & 63];
		*out++ = b64tab[(v >> 12) & 63];
		*out++ = b64tab[(v >> 6) & 63];
		*out++ = '=';
	}
	*out = '\0';
}

int community_id_v1(const struct ts_addr *src, uint16_t sport,
                    const struct ts_addr *dst, uint16_t dport,
                    uint8_t proto, uint16_t seed, char *out, size_t outsz)
{
	uint8_t buf[2 + 16 + 16 + 2 + 4];
	uint8_t digest[SHA1_DIGEST_LEN];
	size_t alen, n = 0;
	bool has_ports, one_way = false;

	if (!out || outsz < COMMUNITY_ID_STRLEN + 1 || !src || !dst ||
	    src->family != dst->family)
		return -1;
	if (src->family == 4)
		alen = 4;
	else if (src->family == 6)
		alen = 16;
	else
		return -1;

	switch (proto) {
	case CID_PROTO_TCP:
	case CID_PROTO_UDP:
	case CID_PROTO_SCTP:
		has_ports = true;
		break;
	case CID_PROTO_ICMP:
	case CID_PROTO_ICMPV6: {
		int cp = proto == CID_PROTO_ICMP ? icmp4_counterpart(sport)
		                                 : icmp6_counterpart(sport);
		has_ports = true;
		if (cp < 0)
			one_way = true;           /* (type, code) as given */
		else
			dport = (uint16_t)cp;     /* (type, counterpart)   */
		break;
	}
	default:
		has_ports = false;
		sport = dport = 0;
		break;
	}

	/* Order endpoints: smaller (addr, port) first; one-way ICMP keeps
	 * the packet's direction. */
	const uint8_t *sa = src->a, *da = dst->a;
	if (!one_way) {
		int c = memcmp(sa, da, alen);
		if (c > 0 || (c == 0 && !(sport < dport))) {
			const uint8_t *ta = sa;
			uint16_t tp = sport;
			sa = da;
			da = ta;
			sport = dport;
			dport = tp;
		}
	}

	buf[n++] = (uint8_t)(seed >> 8);
	buf[n++] = (uint8_t)seed;
	memcpy(buf + n, sa, alen);
	n += alen;
	memcpy(buf + n, da, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports) {
		buf[n++] = (uint8_t)(sport >> 8);
		buf[n++] = (uint8_t)sport;
		buf[n++] = (uint8_t)(dport >> 8);
		buf[n++] = (uint8_t)dport;
	}
	sha1(buf, n, digest);

	out[0] = '1';
	out[1] = ':';
	base64_encode(digest, sizeof(digest), out + 2);
	return 0;
}
