/* test_link_ip.c - link layers (link.c), IPv4/IPv6 (ip.c), decode.c. */
#include <pcap/pcap.h>
#include "testhelp.h"
#include "pktbuild.h"

static struct buf F;
static struct pkt P;
static enum mal_reason W;

static const uint8_t v4src[4] = { 10, 0, 0, 1 };

/* IPv4 TCP SYN 1234 -> 443 after whatever link header is in F. */
static void add_ip4_syn(void)
{
	size_t ip = ip4_hdr(&F, 6, 0x4000);
	tcp_hdr(&F, 1234, 443, 1000, 0, TH_SYN, NULL, 0);
	ip4_fin(&F, ip);
}

static void add_ip6_udp(void)
{
	size_t ip = ip6_hdr(&F, 17);
	udp_hdr(&F, 5353, 53, 4);
	b32(&F, 0xdeadbeef);
	ip6_fin(&F, ip);
}

static bool is_syn4(void)
{
	return P.ipver == 4 && P.ethertype == 0x0800 && P.proto == 6 &&
	       memcmp(P.src.a, v4src, 4) == 0 && P.src.family == 4 &&
	       P.sport == 1234 && P.dport == 443 && P.tcp.flags == TH_SYN &&
	       P.ttl == 64 && P.ipid == 0x1234 && P.df && P.ip_hlen == 20 &&
	       P.ip_len == 40 && !P.frag && P.frag_first && P.paylen == 0;
}

/* Every prefix must decode without a crash and never claim more. */
static void prefixes(int dlt, const char *desc)
{
	bool ok = true;
	for (size_t n = 0; n < F.n; n++) {
		int st = decode_n(dlt, &F, n, &P, &W);
		if (st == DIS_OK && P.paylen > n)
			ok = false;
	}
	test_cond(desc, ok);
}

static void test_ethernet(void)
{
	F.n = 0;
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	test_cond("eth ipv4 syn OK", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK);
	test_cond("eth ipv4 fields", is_syn4() && P.vlan_depth == 0 && P.vlan == 0);
	test_cond("eth ts/caplen kept", P.ts == 1 && P.caplen == F.n);
	test_cond("eth wscale default", P.tcp.wscale == -1 && P.tunnel == 0);
	prefixes(DLT_EN10MB, "eth ipv4 prefixes");
	test_cond("eth cut", decode_n(DLT_EN10MB, &F, 13, &P, &W) == DIS_TRUNCATED &&
	          W == MAL_LINK_TRUNC);

	/* Ethernet padding: 6 trailing bytes must not become payload. */
	bfill(&F, 0, 6);
	test_cond("padding OK", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK);
	test_cond("padding not payload", P.paylen == 0 && P.paylen_wire == 0);

	F.n = 0;
	eth_hdr(&F, 0x0806);
	bfill(&F, 0, 28);
	test_cond("ARP unsupported", decode(DLT_EN10MB, &F, &P, &W) == DIS_UNSUPPORTED);
	F.n = 0;
	eth_hdr(&F, 0x0040);           /* 802.3 length field + LLC */
	b8(&F, 0x42); b8(&F, 0x42); b8(&F, 3);
	bfill(&F, 0, 61);
	test_cond("802.3/LLC unsupported",
	          decode(DLT_EN10MB, &F, &P, &W) == DIS_UNSUPPORTED);
	F.n = 0;
	eth_hdr(&F, 0x86dd);
	add_ip6_udp();
	test_cond("eth ipv6 udp", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          P.ipver == 6 && P.proto == 17 && P.dport == 53 &&
	          P.paylen == 4 && P.ttl == 57 && P.src.family == 6 &&
	          P.src.a[15] == 1 && P.dst.a[15] == 2 && P.ip_len == 52);
	F.n = 0;
	eth_hdr(&F, 0x0800);
	add_ip6_udp();
	test_cond("ethertype 0800 with v6 header malformed",
	          decode(DLT_EN10MB, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP4_HDR);
	F.n = 0;
	eth_hdr(&F, 0x86dd);
	add_ip4_syn();
	test_cond("ethertype 86dd with v4 header malformed",
	          decode(DLT_EN10MB, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP6_HDR);
}

static void test_vlan(void)
{
	F.n = 0;
	eth_hdr(&F, 0x8100);
	b16(&F, 0x2064);               /* PCP 1, VID 100 */
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("802.1Q", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          is_syn4() && P.vlan == 100 && P.vlan_depth == 1);
	prefixes(DLT_EN10MB, "802.1Q prefixes");
	test_cond("vlan tag cut", decode_n(DLT_EN10MB, &F, 16, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_VLAN_TRUNC);

	F.n = 0;
	eth_hdr(&F, 0x88a8);
	b16(&F, 200);
	b16(&F, 0x8100);
	b16(&F, 300);
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("802.1ad QinQ", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          is_syn4() && P.vlan == 200 && P.vlan_depth == 2);

	F.n = 0;
	eth_hdr(&F, 0x9100);
	b16(&F, 7);
	b16(&F, 0x8100);
	b16(&F, 8);
	b16(&F, 0x86dd);
	add_ip6_udp();
	test_cond("0x9100 QinQ v6", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          P.vlan == 7 && P.vlan_depth == 2 && P.ipver == 6);

	F.n = 0;
	eth_hdr(&F, 0x8100);
	b16(&F, 0);                    /* priority tag, VID 0 */
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("VID 0", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          P.vlan == 0 && P.vlan_depth == 1 && is_syn4());

	F.n = 0;
	eth_hdr(&F, 0x8100);
	for (int i = 0; i < 4; i++) {
		b16(&F, 10 + i);
		b16(&F, 0x8100);
	}
	b16(&F, 99);
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("5 tags malformed", decode(DLT_EN10MB, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_VLAN_TRUNC);
	F.n = 0;
	eth_hdr(&F, 0x8100);
	b16(&F, 5);
	b16(&F, 0x0806);
	bfill(&F, 0, 28);
	test_cond("vlan ARP unsupported",
	          decode(DLT_EN10MB, &F, &P, &W) == DIS_UNSUPPORTED);

	F.n = 0;                       /* PPPoE session, PPP IPv4 */
	eth_hdr(&F, 0x8864);
	b8(&F, 0x11); b8(&F, 0); b16(&F, 1);
	b16(&F, 42);
	b16(&F, 0x0021);
	add_ip4_syn();
	test_cond("pppoe ipv4", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK && is_syn4());

	F.n = 0;                       /* VLAN + 2 MPLS labels + IPv4 */
	eth_hdr(&F, 0x8100);
	b16(&F, 12);
	b16(&F, 0x8847);
	b32(&F, (100u << 12) | 64);
	b32(&F, (200u << 12) | 0x100 | 64);
	add_ip4_syn();
	test_cond("mpls in vlan", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          is_syn4() && P.vlan == 12);
	prefixes(DLT_EN10MB, "mpls prefixes");
	F.b[22 + 2] &= (uint8_t)~0x01;  /* no bottom of stack: labels run on */
	test_cond("mpls without bottom", decode(DLT_EN10MB, &F, &P, &W) != DIS_OK);
	F.n = 0;
	eth_hdr(&F, 0x8847);
	for (int i = 0; i < 9; i++)
		b32(&F, 64);
	add_ip4_syn();
	test_cond("mpls stack too deep", decode(DLT_EN10MB, &F, &P, &W) ==
	          DIS_UNSUPPORTED);
}

static void test_cooked(void)
{
	F.n = 0;
	b16(&F, 0); b16(&F, 1); b16(&F, 6);
	bfill(&F, 0xaa, 8);
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("SLL", decode(DLT_LINUX_SLL, &F, &P, &W) == DIS_OK && is_syn4());
	prefixes(DLT_LINUX_SLL, "SLL prefixes");
	test_cond("SLL cut", decode_n(DLT_LINUX_SLL, &F, 15, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_LINK_TRUNC);

	F.n = 0;
	b16(&F, 0); b16(&F, 1); b16(&F, 6);
	bfill(&F, 0xaa, 8);
	b16(&F, 0x8100);
	b16(&F, 33);
	b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("SLL + VLAN", decode(DLT_LINUX_SLL, &F, &P, &W) == DIS_OK &&
	          is_syn4() && P.vlan == 33);

	F.n = 0;
	b16(&F, 0); b16(&F, 1); b16(&F, 6);
	bfill(&F, 0xaa, 8);
	b16(&F, 0x0004);               /* LINUX_SLL_P_802_2 */
	bfill(&F, 0, 30);
	test_cond("SLL 802.2 unsupported",
	          decode(DLT_LINUX_SLL, &F, &P, &W) == DIS_UNSUPPORTED);

	F.n = 0;
	b16(&F, 0x86dd); b16(&F, 0); b32(&F, 3); b16(&F, 1); b8(&F, 0); b8(&F, 6);
	bfill(&F, 0xbb, 8);
	add_ip6_udp();
	test_cond("SLL2 v6", decode(DLT_LINUX_SLL2, &F, &P, &W) == DIS_OK &&
	          P.ipver == 6 && P.dport == 53);
	prefixes(DLT_LINUX_SLL2, "SLL2 prefixes");
	test_cond("SLL2 cut", decode_n(DLT_LINUX_SLL2, &F, 19, &P, &W) ==
	          DIS_TRUNCATED);
}

static void test_null_raw(void)
{
	static const struct { int dlt; uint8_t af[4]; int ver; } cases[] = {
		{ DLT_NULL, { 2, 0, 0, 0 }, 4 },      /* little-endian writer */
		{ DLT_NULL, { 0, 0, 0, 2 }, 4 },
		{ DLT_NULL, { 30, 0, 0, 0 }, 6 },     /* Darwin */
		{ DLT_NULL, { 0, 0, 0, 28 }, 6 },     /* FreeBSD, BE */
		{ DLT_NULL, { 24, 0, 0, 0 }, 6 },     /* NetBSD/OpenBSD */
		{ DLT_LOOP, { 0, 0, 0, 2 }, 4 },
		{ DLT_LOOP, { 0, 0, 0, 10 }, 6 },     /* Linux AF_INET6 */
		{ DLT_LOOP, { 10, 0, 0, 0 }, 6 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		F.n = 0;
		bmem(&F, cases[i].af, 4);
		if (cases[i].ver == 4)
			add_ip4_syn();
		else
			add_ip6_udp();
		int st = decode(cases[i].dlt, &F, &P, &W);
		test_cond("NULL/LOOP af", st == DIS_OK && P.ipver == cases[i].ver);
	}
	F.n = 0;
	b32(&F, 7);
	add_ip4_syn();
	test_cond("NULL unknown AF", decode(DLT_NULL, &F, &P, &W) == DIS_UNSUPPORTED);
	test_cond("NULL cut", decode_n(DLT_NULL, &F, 3, &P, &W) == DIS_TRUNCATED);

	F.n = 0;
	add_ip4_syn();
	test_cond("RAW v4", decode(DLT_RAW, &F, &P, &W) == DIS_OK && is_syn4());
	test_cond("LINKTYPE_RAW 101 v4", decode(101, &F, &P, &W) == DIS_OK && is_syn4());
	test_cond("DLT_IPV4", decode(DLT_IPV4, &F, &P, &W) == DIS_OK && is_syn4());
	test_cond("DLT_IPV6 with v4 bytes", decode(DLT_IPV6, &F, &P, &W) == DIS_MALFORMED);
	test_cond("RAW empty", decode_n(DLT_RAW, &F, 0, &P, &W) == DIS_TRUNCATED);
	prefixes(DLT_RAW, "RAW v4 prefixes");
	F.b[0] = 0x55;
	test_cond("RAW version 5", decode(DLT_RAW, &F, &P, &W) == DIS_UNSUPPORTED);
	F.n = 0;
	add_ip6_udp();
	test_cond("RAW v6", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.ipver == 6);
	test_cond("DLT_IPV6", decode(DLT_IPV6, &F, &P, &W) == DIS_OK && P.ipver == 6);
	test_cond("unknown DLT", decode(147, &F, &P, &W) == DIS_UNSUPPORTED &&
	          W == MAL_NONE && P.ethertype == PK_ETHERTYPE_BADDLT && !P.ipver);
	test_cond("DLT 105 (802.11): IPv6 bytes are no data frame",
	          decode(105, &F, &P, &W) == DIS_UNSUPPORTED && W == MAL_NONE &&
	          P.ethertype != PK_ETHERTYPE_BADDLT);
}

static void test_ip4(void)
{
	static const uint8_t nops[4] = { 1, 1, 1, 0 };
	static const uint8_t rr[8] = { 7, 7, 4, 10, 0, 0, 1, 0 }; /* RR, 1 slot */
	static const uint8_t zero_len[4] = { 7, 0, 0, 0 };
	static const uint8_t over[4] = { 1, 0x83, 8, 0 };
	size_t ip;

	F.n = 0;
	ip = ip4_hdr_opts(&F, 6, 0, nops, 4);
	tcp_hdr(&F, 1, 2, 3, 4, TH_ACK, NULL, 0);
	ip4_fin(&F, ip);
	test_cond("v4 NOP/EOL options", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.ip_hlen == 24 && P.sport == 1 && P.tcp.flags == TH_ACK);
	prefixes(DLT_RAW, "v4 options prefixes");
	test_cond("v4 options cut", decode_n(DLT_RAW, &F, 22, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_IP4_TRUNC);
	F.n = 0;
	ip = ip4_hdr_opts(&F, 6, 0, rr, 8);
	tcp_hdr(&F, 1, 2, 3, 4, TH_ACK, NULL, 0);
	ip4_fin(&F, ip);
	test_cond("v4 record route", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.ip_hlen == 28);
	F.n = 0;
	ip = ip4_hdr_opts(&F, 6, 0, zero_len, 4);
	tcp_hdr(&F, 1, 2, 3, 4, TH_ACK, NULL, 0);
	ip4_fin(&F, ip);
	test_cond("v4 option len 0", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_IP4_OPT);
	F.n = 0;
	ip = ip4_hdr_opts(&F, 6, 0, over, 4);
	tcp_hdr(&F, 1, 2, 3, 4, TH_ACK, NULL, 0);
	ip4_fin(&F, ip);
	test_cond("v4 option past header", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_IP4_OPT);

	F.n = 0;
	add_ip4_syn();
	F.b[0] = 0x44;
	test_cond("IHL 4", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP4_HDR);
	F.b[0] = 0x45;
	set16(&F, 2, 19);
	test_cond("tot < IHL", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP4_HDR);
	set16(&F, 2, 30);              /* TCP header cut by the IP length */
	test_cond("tot cuts TCP header", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_TCP_TRUNC);
	set16(&F, 2, 0);               /* GSO / big TCP */
	test_cond("tot 0 uses caplen", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.ip_len == 40 && P.sport == 1234);
	set16(&F, 2, 1500);            /* snaplen shorter than the datagram */
	test_cond("snapped datagram OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.ip_len == 1500 && P.paylen == 0 && P.paylen_wire == 1460);
	set16(&F, 2, 40);
	F.b[0] = 0x4f;                 /* 60-byte header, 40 captured */
	test_cond("IHL past tot", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED);
}

static void test_frag4(void)
{
	size_t ip;

	F.n = 0;                       /* first fragment: MF, 24 data bytes */
	ip = ip4_hdr(&F, 6, 0x2000);
	tcp_hdr(&F, 1234, 80, 1, 2, TH_ACK | TH_PSH, NULL, 0);
	bfill(&F, 'x', 4);
	ip4_fin(&F, ip);
	test_cond("first frag", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.frag &&
	          P.frag_first && P.sport == 1234 && P.paylen == 4);

	F.n = 0;                       /* later fragment: offset 3 (24 bytes) */
	ip = ip4_hdr(&F, 6, 3);
	bfill(&F, 'y', 20);
	ip4_fin(&F, ip);
	test_cond("non-first frag OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.frag && !P.frag_first && P.proto == 6 && P.sport == 0 &&
	          !P.l4_valid);

	F.n = 0;                       /* MF with 10 data bytes: not 8-aligned */
	ip = ip4_hdr(&F, 17, 0x2000);
	bfill(&F, 0, 10);
	ip4_fin(&F, ip);
	test_cond("MF odd length garbage", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_FRAG_GARBAGE);
	F.n = 0;                       /* offset 8191*8 + 16 > 65535 */
	ip = ip4_hdr(&F, 17, 0x1fff);
	bfill(&F, 0, 16);
	ip4_fin(&F, ip);
	test_cond("frag past 64K garbage", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_FRAG_GARBAGE);
}

static void test_ip6(void)
{
	size_t ip;

	/* HBH, dest opts, routing, fragment (offset 0, M), TCP */
	F.n = 0;
	ip = ip6_hdr(&F, 0);
	ip6_ext(&F, 60, 0);            /* HBH, next = dst opts */
	ip6_ext(&F, 43, 0);            /* dst opts, next = routing */
	ip6_ext(&F, 44, 1);            /* routing (16), next = fragment */
	b8(&F, 6); b8(&F, 0); b16(&F, 0x0001); b32(&F, 0xabcd);
	tcp_hdr(&F, 4321, 443, 7, 0, TH_SYN, NULL, 0);
	b32(&F, 0);                    /* 24 bytes: a multiple of 8 (M set) */
	ip6_fin(&F, ip);
	test_cond("v6 ext chain OK", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.proto == 6 && P.ip_hlen == 40 + 8 + 8 + 16 + 8 &&
	          P.frag && P.frag_first && P.sport == 4321 && P.ttl == 57);
	prefixes(DLT_RAW, "v6 chain prefixes");
	test_cond("v6 chain cut", decode_n(DLT_RAW, &F, 60, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_IP6_TRUNC);

	set16(&F, 4, 20);              /* payload length ends inside routing */
	test_cond("v6 chain past payload length",
	          decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP6_EXT);

	F.n = 0;                       /* HBH not first */
	ip = ip6_hdr(&F, 60);
	ip6_ext(&F, 0, 0);
	ip6_ext(&F, 59, 0);
	ip6_fin(&F, ip);
	test_cond("HBH not first", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_IP6_EXT);

	F.n = 0;   /* the "zero length" loop: minimum-size headers, 20 deep */
	ip = ip6_hdr(&F, 60);
	for (int i = 0; i < 20; i++)
		ip6_ext(&F, 60, 0);
	ip6_fin(&F, ip);
	test_cond("long chain bounded", decode(DLT_RAW, &F, &P, &W) ==
	          DIS_MALFORMED && W == MAL_IP6_EXT);
	prefixes(DLT_RAW, "long chain prefixes");

	F.n = 0;
	ip = ip6_hdr(&F, 60);
	ip6_ext(&F, 59, 0);
	ip6_fin(&F, ip);
	test_cond("no next header", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.proto == 59 && !P.l4_valid);

	F.n = 0;                       /* non-first fragment */
	ip = ip6_hdr(&F, 44);
	b8(&F, 6); b8(&F, 0); b16(&F, (185 << 3)); b32(&F, 9);
	bfill(&F, 'z', 40);
	ip6_fin(&F, ip);
	test_cond("v6 non-first frag", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.frag && !P.frag_first && P.proto == 6 && P.sport == 0);
	F.n = 0;                       /* two fragment headers */
	ip = ip6_hdr(&F, 44);
	b8(&F, 44); b8(&F, 0); b16(&F, 1); b32(&F, 9);
	b8(&F, 6); b8(&F, 0); b16(&F, 1); b32(&F, 9);
	bfill(&F, 'z', 40);
	ip6_fin(&F, ip);
	test_cond("two frag headers", decode(DLT_RAW, &F, &P, &W) == DIS_MALFORMED);

	F.n = 0;                       /* AH: (len + 2) * 4 = 24 bytes */
	ip = ip6_hdr(&F, 51);
	b8(&F, 17); b8(&F, 4); b16(&F, 0); b32(&F, 0x100); b32(&F, 1);
	bfill(&F, 0, 12);
	udp_hdr(&F, 500, 500, 0);
	ip6_fin(&F, ip);
	test_cond("v6 AH", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.proto == 17 &&
	          P.ip_hlen == 64 && P.sport == 500);

	F.n = 0;
	ip = ip6_hdr(&F, 135);
	bfill(&F, 0, 16);
	ip6_fin(&F, ip);
	test_cond("mobility stops", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.proto == 135 && !P.l4_valid);

	F.n = 0;                       /* jumbogram: plen 0, HBH jumbo */
	ip = ip6_hdr(&F, 0);
	b8(&F, 17); b8(&F, 0); b8(&F, 0xc2); b8(&F, 4); b32(&F, 70008);
	udp_hdr(&F, 1, 2, 0);
	set16(&F, F.n - 4, 0);         /* UDP length 0 (RFC 2675) */
	bfill(&F, 'j', 69992);
	test_cond("jumbogram", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.ip_len == 40 + 70008 && P.paylen == 69992 &&
	          P.paylen_wire == 69992);
	F.n = 0;                       /* GSO: plen 0, no jumbo option */
	ip = ip6_hdr(&F, 6);
	tcp_hdr(&F, 1, 2, 3, 4, TH_ACK, NULL, 0);
	bfill(&F, 'g', 100);
	test_cond("v6 plen 0 uses caplen", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.paylen == 100 && P.paylen_wire == 100);
	F.n = 0;
	add_ip6_udp();
	bfill(&F, 0, 3);               /* trailing bytes past plen */
	test_cond("v6 clamp", decode(DLT_RAW, &F, &P, &W) == DIS_OK && P.paylen == 4);
	test_cond("v6 header cut", decode_n(DLT_IPV6, &F, 39, &P, &W) ==
	          DIS_TRUNCATED && W == MAL_IP6_TRUNC);
	F.b[0] = 0x70;
	test_cond("v6 bad version", decode(DLT_IPV6, &F, &P, &W) == DIS_MALFORMED &&
	          W == MAL_IP6_HDR);
}

static void test_tunnel(void)
{
	size_t o4, i6;

	F.n = 0;
	eth_hdr(&F, 0x0800);
	o4 = ip4_hdr(&F, 41, 0);
	i6 = ip6_hdr(&F, 6);
	tcp_hdr(&F, 55, 443, 1, 0, TH_SYN, NULL, 0);
	ip6_fin(&F, i6);
	ip4_fin(&F, o4);
	test_cond("6in4 unwrapped", decode(DLT_EN10MB, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 41 && P.ipver == 6 && P.sport == 55 &&
	          P.ethertype == 0x86dd);
	test_cond("6in4 l3 is the inner header", P.l3len == 60);
	prefixes(DLT_EN10MB, "6in4 prefixes");
	set16(&F, 14 + 6, 0x2000);     /* outer MF: not unwrapped */
	bfill(&F, 0, 4);               /* pad the fragment data to 64 bytes */
	ip4_fin(&F, o4);
	test_cond("fragmented 6in4 kept as is", decode(DLT_EN10MB, &F, &P, &W) ==
	          DIS_OK && P.tunnel == 0 && P.ipver == 4 && P.proto == 41 &&
	          P.frag && P.l3len == 84);

	F.n = 0;
	o4 = ip4_hdr(&F, 4, 0);
	i6 = ip4_hdr(&F, 4, 0);        /* ipip inside ipip: both unwrapped */
	add_ip4_syn();
	ip4_fin(&F, i6);
	ip4_fin(&F, o4);
	test_cond("ipip in ipip", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 4 && is_syn4() && P.l3len == 40);

	size_t lv[6];                  /* 6 deep: TUNNEL_MAX (4) unwrapped */
	F.n = 0;
	for (int i = 0; i < 6; i++)
		lv[i] = ip4_hdr(&F, 4, 0);
	add_ip4_syn();
	for (int i = 5; i >= 0; i--)
		ip4_fin(&F, lv[i]);
	test_cond("ipip depth bounded", decode(DLT_RAW, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 4 && P.proto == 4 && !P.l4_valid && P.ip_len == 80);
	test_cond("mal names", strcmp(mal_reason_name(MAL_IP4_TRUNC), "ip4_truncated") == 0 &&
	          strcmp(mal_reason_name(MAL_COUNT), "unknown") == 0);
	bool all = true;
	for (int r = 0; r < MAL_COUNT; r++)
		if (strcmp(mal_reason_name((enum mal_reason)r), "unknown") == 0)
			all = false;
	test_cond("every reason named", all);
}

/* Deterministic mutations of valid frames under every DLT: no crash, and
 * an OK decode never claims more payload than was captured. */
static void test_mutations(void)
{
	static const int dlts[] = { DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
	                            DLT_RAW, DLT_NULL, DLT_IPV4, DLT_IPV6 };
	uint32_t x = 7;
	bool ok = true;

	for (int iter = 0; iter < 30000; iter++) {
		F.n = 0;
		eth_hdr(&F, (iter & 1) ? 0x86dd : 0x0800);
		if (iter & 1) {
			size_t ip = ip6_hdr(&F, (iter & 2) ? 0 : 44);
			ip6_ext(&F, 6, (uint8_t)(iter % 3));
			tcp_hdr(&F, 1, 2, 3, 4, TH_SYN, NULL, 0);
			ip6_fin(&F, ip);
		} else {
			add_ip4_syn();
		}
		size_t skip = (size_t)(iter % 7) * 2;     /* shift the "link" start */
		for (int k = 0; k < 4; k++) {
			x = x * 1103515245u + 12345u;
			F.b[(x >> 8) % F.n] = (uint8_t)(x >> 20);
		}
		uint8_t *d = dup_exact(F.b + skip, F.n - skip);
		memset(&P, 0, sizeof P);
		uint32_t cl = (uint32_t)(F.n - skip - (x >> 29));
		int st = packet_decode(dlts[iter % 7], d, cl, cl, 0, &P, &W);
		if (st == DIS_OK && P.paylen > P.caplen)
			ok = false;
		if (st != DIS_OK && st != DIS_UNSUPPORTED && W == MAL_NONE)
			ok = false;
		free(d);
	}
	test_cond("mutations", ok);
}

int main(void)
{
	test_mutations();
	test_ethernet();
	test_vlan();
	test_cooked();
	test_null_raw();
	test_ip4();
	test_frag4();
	test_ip6();
	test_tunnel();
	return test_report();
}
