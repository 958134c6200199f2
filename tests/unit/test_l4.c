/* test_l4.c - TCP (tcp.c), UDP (udp.c), ICMP/ICMPv6 (icmp.c). */
#include <pcap/pcap.h>
#include "testhelp.h"
#include "pktbuild.h"

static struct buf F;
static struct pkt P;
static enum mal_reason W;

/* Raw IPv4 + TCP with the given options (length a multiple of 4). */
static void tcp4(const uint8_t *opts, size_t optlen, size_t paylen)
{
	F.n = 0;
	size_t ip = ip4_hdr(&F, 6, 0);
	tcp_hdr(&F, 40000, 443, 0x11223344, 0x55667788, TH_SYN, opts, optlen);
	bfill(&F, 'p', paylen);
	ip4_fin(&F, ip);
}

static bool fixed_ok(void)
{
	return P.l4_valid && P.sport == 40000 && P.dport == 443 &&
	       P.tcp.seq == 0x11223344 && P.tcp.ack == 0x55667788 &&
	       P.tcp.flags == TH_SYN && P.tcp.win == 65535;
}

static void prefixes(const char *desc)
{
	bool ok = true;
	for (size_t n = 0; n < F.n; n++) {
		int st = decode_n(DLT_RAW, &F, n, &P, &W);
		if (st == DIS_OK && (P.paylen > n || P.paylen > P.paylen_wire))
			ok = false;
	}
	test_cond(desc, ok);
}

static void test_tcp_opts(void)
{
	static const uint8_t syn[20] = {
		2, 4, 0x05, 0xb4,               /* MSS 1460 */
		4, 2,                           /* SACK permitted */
		8, 10, 0, 0, 0, 9, 0, 0, 0, 0,  /* TS 9, 0 */
		1,                              /* NOP */
		3, 3, 7,                        /* WS 7 */
	};
	tcp4(syn, sizeof syn, 0);
	test_cond("SYN options OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK && fixed_ok());
	test_cond("MSS", P.tcp.mss == 1460);
	test_cond("SACK perm", P.tcp.sack_perm);
	test_cond("TS", P.tcp.has_ts && P.tcp.tsval == 9 && P.tcp.tsecr == 0);
	test_cond("WS", P.tcp.wscale == 7);
	test_cond("hlen", P.tcp.hlen == 40 && P.paylen == 0 && P.paylen_wire == 0);
	prefixes("SYN options prefixes");
	test_cond("options cut by snaplen: truncated, fixed fields kept",
	          decode_n(DLT_RAW, &F, 20 + 20 + 6, &P, &W) == DIS_TRUNCATED &&
	          W == MAL_TCP_TRUNC && fixed_ok() && P.tcp.mss == 1460);
	test_cond("20-byte cut", decode_n(DLT_RAW, &F, 20 + 19, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_TCP_TRUNC && !P.l4_valid);

	static const uint8_t sack[12] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	tcp4(sack, sizeof sack, 10);
	test_cond("SACK block skipped", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.paylen == 10 && P.paylen_wire == 10 && P.tcp.mss == 0 &&
	          P.tcp.wscale == -1 && !P.tcp.has_ts);

	static const uint8_t zero[4] = { 30, 0, 1, 1 };
	tcp4(zero, sizeof zero, 5);
	test_cond("zero-length option malformed",
	          decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED && W == MAL_TCP_OPT);
	test_cond("zero-length option keeps fields", fixed_ok() && P.paylen == 5);
	prefixes("zero-length option prefixes");
	static const uint8_t one[4] = { 2, 4, 5, 0xb4 };
	static const uint8_t len1[8] = { 2, 4, 5, 0xb4, 99, 1, 0, 0 };
	tcp4(one, sizeof one, 0);
	test_cond("MSS only", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.tcp.mss == 1460);
	tcp4(len1, sizeof len1, 0);
	test_cond("length-1 option malformed, earlier options kept",
	          decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_TCP_OPT && P.tcp.mss == 1460);
	static const uint8_t past[4] = { 1, 8, 10, 0 };
	tcp4(past, sizeof past, 0);
	test_cond("option past header", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_TCP_OPT);
	static const uint8_t kindonly[4] = { 1, 1, 1, 2 };
	tcp4(kindonly, sizeof kindonly, 0);
	test_cond("kind without length", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_TCP_OPT);
	static const uint8_t badmss[4] = { 2, 3, 5, 1 };
	tcp4(badmss, sizeof badmss, 0);
	test_cond("MSS length 3", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_TCP_OPT);
	static const uint8_t eol[8] = { 2, 4, 5, 0xb4, 0, 0xff, 0xff, 0xff };
	tcp4(eol, sizeof eol, 0);
	test_cond("EOL stops", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.tcp.mss == 1460);
	static const uint8_t bigws[4] = { 3, 3, 20, 0 };
	tcp4(bigws, sizeof bigws, 0);
	test_cond("WS > 14 taken as 14", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.tcp.wscale == 14);
}

static void test_tcp_hdr(void)
{
	tcp4(NULL, 0, 0);
	F.b[20 + 12] = 0x40;
	test_cond("doff 4", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_TCP_HDR && P.l4_valid);
	F.b[20 + 12] = 0xf0;
	test_cond("doff 15 past segment", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_TCP_HDR);
	F.b[20 + 12] = 0x5f;
	F.b[20 + 13] = TH_RST | TH_ACK;
	test_cond("reserved bits", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.tcp.reserved == 0x0f && P.tcp.flags == (TH_RST | TH_ACK));

	tcp4(NULL, 0, 100);
	test_cond("payload", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.paylen == 100 && P.paylen_wire == 100);
	test_cond("snapped payload", decode_n(DLT_RAW, &F, 60, &P, &W) == DIS_OK &&
	          P.paylen == 20 && P.paylen_wire == 100);

	/* direct call, no IP layer: wire length = captured */
	struct pkt q = { .tcp.wscale = -1 };
	uint8_t *d = dup_exact(F.b + 20, F.n - 20);
	struct cur c = cur_make(d, F.n - 20);
	test_cond("tcp_parse direct", tcp_parse(&c, &q, &W) == DIS_OK &&
	          q.paylen == 100 && q.paylen_wire == 100 && q.sport == 40000);
	free(d);
}

static void test_udp(void)
{
	size_t ip;

	F.n = 0;
	ip = ip4_hdr(&F, 17, 0);
	udp_hdr(&F, 5000, 53, 12);
	bfill(&F, 'q', 12);
	ip4_fin(&F, ip);
	test_cond("udp OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.sport == 5000 && P.dport == 53 && P.paylen == 12 &&
	          P.paylen_wire == 12);
	prefixes("udp prefixes");
	test_cond("udp cut", decode_n(DLT_RAW, &F, 27, &P, &W) == DIS_TRUNCATED &&
	          W == MAL_UDP_TRUNC);
	set16(&F, 24, 7);
	test_cond("udp length 7", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_UDP_LEN && P.l4_valid && P.dport == 53);
	set16(&F, 24, 21);
	test_cond("udp length past IP payload", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_UDP_LEN);
	set16(&F, 24, 10);
	test_cond("udp shorter than IP payload: clamped",
	          decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.paylen == 2 &&
	          P.paylen_wire == 2);
	set16(&F, 24, 0);
	test_cond("udp length 0 over v4", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED);

	F.n = 0;                       /* first fragment of a 1480-byte datagram */
	ip = ip4_hdr(&F, 17, 0x2000);
	udp_hdr(&F, 53, 40000, 1472);
	bfill(&F, 'd', 16);
	ip4_fin(&F, ip);
	test_cond("udp first fragment", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.frag && P.paylen == 16 && P.paylen_wire == 1472 && P.sport == 53);

	F.n = 0;                       /* TCP header split over two fragments */
	static const uint8_t opts[20] = { 2, 4, 5, 0xb4, 1, 1, 1, 1, 1, 1, 1, 1,
	                                  1, 1, 1, 1, 1, 1, 1, 0 };
	ip = ip4_hdr(&F, 6, 0x2000);
	tcp_hdr(&F, 12345, 80, 1, 0, TH_SYN, opts, sizeof opts);
	F.n -= 16;
	ip4_fin(&F, ip);
	test_cond("tcp header split by fragmentation",
	          decode(DLT_RAW, &F, &P, &W) == DIS_TRUNCATED &&
	          W == MAL_TCP_TRUNC && P.l4_valid && P.sport == 12345);
}

/* ICMPv4 type/code quoting an IPv4 TCP SYN 10.9.9.9:51000 -> 1.2.3.4:443
 * with `l4` bytes of its TCP header. */
static void icmp4_quote(uint8_t type, uint8_t code, size_t l4)
{
	struct buf in;
	size_t iip;

	in.n = 0;
	iip = ip4_hdr(&in, 6, 0x4000);
	tcp_hdr(&in, 51000, 443, 0xcafef00d, 0, TH_SYN, NULL, 0);
	ip4_fin(&in, iip);
	in.b[12] = 10; in.b[13] = 9; in.b[14] = 9; in.b[15] = 9;
	in.b[16] = 1; in.b[17] = 2; in.b[18] = 3; in.b[19] = 4;

	F.n = 0;
	size_t ip = ip4_hdr(&F, 1, 0);
	b8(&F, type); b8(&F, code); b16(&F, 0); b32(&F, 0);
	bmem(&F, in.b, 20 + l4);
	ip4_fin(&F, ip);
}

static void test_icmp(void)
{
	icmp4_quote(3, 13, 20);
	test_cond("icmp quote OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK);
	test_cond("icmp type/code", P.icmp.type == 3 && P.icmp.code == 13);
	test_cond("quoted", P.icmp.quoted && P.icmp.iproto == 6 &&
	          P.icmp.isrc.family == 4 && P.icmp.isrc.a[0] == 10 &&
	          P.icmp.idst.a[3] == 4);
	test_cond("quoted ports/seq", P.icmp.isport == 51000 &&
	          P.icmp.idport == 443 && P.icmp.iseq == 0xcafef00d);
	test_cond("outer untouched", P.src.a[3] == 1 && P.dst.a[3] == 2 &&
	          P.sport == 0 && P.dport == 0 && P.proto == 1);
	prefixes("icmp quote prefixes");

	icmp4_quote(11, 0, 8);
	test_cond("RFC 792 8-byte quote", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.icmp.quoted && P.icmp.isport == 51000 &&
	          P.icmp.iseq == 0xcafef00d);
	icmp4_quote(3, 3, 4);
	test_cond("4-byte quote: ports only", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.icmp.quoted && P.icmp.idport == 443 && P.icmp.iseq == 0);
	icmp4_quote(3, 3, 0);
	test_cond("IP-only quote", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.icmp.quoted && P.icmp.isport == 0);
	test_cond("quote cut inside inner IP", decode_n(DLT_RAW, &F, 20 + 8 + 12,
	          &P, &W) == DIS_OK && !P.icmp.quoted && P.icmp.type == 3);
	test_cond("icmp header cut", decode_n(DLT_RAW, &F, 23, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_ICMP_TRUNC);

	F.n = 0;
	size_t ip = ip4_hdr(&F, 1, 0);
	b8(&F, 8); b8(&F, 0); b16(&F, 0); b16(&F, 7); b16(&F, 1);
	bmem(&F, F.b, 20);             /* echo data that looks like IP */
	ip4_fin(&F, ip);
	test_cond("echo: no quote", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.icmp.type == 8 && !P.icmp.quoted);

	/* ICMPv6 dest unreachable quoting IPv6 UDP */
	struct buf in;
	in.n = 0;
	size_t iip = ip6_hdr(&in, 17);
	udp_hdr(&in, 33434, 53, 0);
	ip6_fin(&in, iip);
	F.n = 0;
	ip = ip6_hdr(&F, 58);
	b8(&F, 1); b8(&F, 1); b16(&F, 0); b32(&F, 0);
	bmem(&F, in.b, in.n);
	ip6_fin(&F, ip);
	test_cond("icmpv6 quote", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.icmp.type == 1 && P.icmp.quoted && P.icmp.iproto == 17 &&
	          P.icmp.isrc.family == 6 && P.icmp.isport == 33434 &&
	          P.icmp.idport == 53);
	prefixes("icmpv6 prefixes");
	F.b[40] = 128;                 /* echo request: not an error */
	test_cond("icmpv6 echo", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          !P.icmp.quoted && P.icmp.type == 128);
}

int main(void)
{
	test_tcp_opts();
	test_tcp_hdr();
	test_udp();
	test_icmp();
	return test_report();
}
