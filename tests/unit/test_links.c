/* test_links.c - the link types and tunnels beyond Ethernet/cooked/raw/
 * loopback: PPP, PPP in HDLC framing, Cisco HDLC, 802.11 (with radiotap
 * and PPI), PKTAP, NFLOG, PPPoE, MPLS, GRE, ERSPAN, VXLAN.  Every header
 * cut, wrong field and unknown inner type must be refused (truncated, or
 * not IP), never guessed. */
#include "testhelp.h"
#include "pktbuild.h"

static struct buf F;
static struct pkt P;
static enum mal_reason W;

static void l16(struct buf *f, unsigned v) { b8(f, v); b8(f, v >> 8); }
static void l32(struct buf *f, uint32_t v) { l16(f, v & 0xffff); l16(f, v >> 16); }

/* IPv4 TCP SYN 1234 -> 443 (10.0.0.1 -> 10.0.0.2), 40 bytes. */
static void add_ip4_syn(void)
{
	size_t ip = ip4_hdr(&F, 6, 0x4000);
	tcp_hdr(&F, 1234, 443, 1000, 0, TH_SYN, NULL, 0);
	ip4_fin(&F, ip);
}

/* IPv6 UDP 5353 -> 53 with 4 payload bytes, 52 bytes. */
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
	       P.sport == 1234 && P.dport == 443 && P.tcp.flags == TH_SYN &&
	       P.ip_len == 40 && P.paylen == 0;
}

static bool is_udp6(void)
{
	return P.ipver == 6 && P.ethertype == 0x86dd && P.proto == 17 &&
	       P.sport == 5353 && P.dport == 53 && P.paylen == 4;
}

static bool ok4(int dlt) { return decode(dlt, &F, &P, &W) == DIS_OK && is_syn4(); }
static bool ok6(int dlt) { return decode(dlt, &F, &P, &W) == DIS_OK && is_udp6(); }

/* Refused as not IP: no malformation, no IP layer, a known link type. */
static bool non_ip(int dlt)
{
	return decode(dlt, &F, &P, &W) == DIS_UNSUPPORTED && W == MAL_NONE &&
	       P.ipver == 0 && P.ethertype != PK_ETHERTYPE_BADDLT;
}

/* Cut inside the link header: truncated, with the reason given. */
static bool cut(int dlt, size_t n, enum mal_reason r)
{
	return decode_n(dlt, &F, n, &P, &W) == DIS_TRUNCATED && W == r;
}

/* Every prefix decodes without a crash (ASan: exact-size copies) and an
 * OK decode never claims more payload than was captured. */
static void prefixes(int dlt, const char *desc)
{
	bool ok = true;
	for (size_t n = 0; n < F.n; n++) {
		int st = decode_n(dlt, &F, n, &P, &W);
		if (st == DIS_OK && P.paylen > n)
			ok = false;
		if (st != DIS_OK && st != DIS_UNSUPPORTED && W == MAL_NONE)
			ok = false;
	}
	test_cond(desc, ok);
}

static void test_ppp(void)
{
	F.n = 0;
	b8(&F, 0xff); b8(&F, 0x03); b16(&F, 0x0021);
	add_ip4_syn();
	test_cond("PPP ff03 0021", ok4(9));
	prefixes(9, "PPP prefixes");
	test_cond("PPP cut in address/control", cut(9, 1, MAL_LINK_TRUNC));
	test_cond("PPP cut in protocol", cut(9, 3, MAL_LINK_TRUNC));
	F.b[1] = 0x05;
	test_cond("PPP control not 03", non_ip(9));

	F.n = 0;                       /* ACFC: the protocol comes first */
	b16(&F, 0x0057);
	add_ip6_udp();
	test_cond("PPP ACFC 0057", ok6(9));
	F.n = 0;                       /* ACFC + PFC: one byte of protocol */
	b8(&F, 0x21);
	add_ip4_syn();
	test_cond("PPP ACFC+PFC 21", ok4(9));
	F.n = 0;
	b8(&F, 0xff); b8(&F, 0x03); b8(&F, 0x57);
	add_ip6_udp();
	test_cond("PPP PFC 57", ok6(9));
	F.n = 0;
	b8(&F, 0xff); b8(&F, 0x03); b16(&F, 0xc021);   /* LCP */
	bfill(&F, 0, 12);
	test_cond("PPP LCP not IP", non_ip(9));
	F.n = 0;
	b16(&F, 0x8021);                                /* IPCP */
	bfill(&F, 0, 12);
	test_cond("PPP IPCP not IP", non_ip(9));
	F.n = 0;
	b8(&F, 0x00); b8(&F, 0x20);                     /* even low byte */
	add_ip4_syn();
	test_cond("PPP invalid protocol 0020", non_ip(9));
	F.n = 0;                       /* IPv4 protocol, IPv6 bytes */
	b16(&F, 0x0021);
	add_ip6_udp();
	test_cond("PPP 0021 with IPv6 bytes malformed",
	          decode(9, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP4_HDR);
}

static void test_hdlc(void)
{
	F.n = 0;
	b8(&F, 0xff); b8(&F, 0x03); b16(&F, 0x0057);
	add_ip6_udp();
	test_cond("PPP_HDLC ff03 0057", ok6(50));
	prefixes(50, "PPP_HDLC prefixes");
	F.n = 0;
	b8(&F, 0x21);
	add_ip4_syn();
	test_cond("PPP_HDLC compressed", ok4(50));
	F.n = 0;                       /* Cisco framing inside LINKTYPE_PPP_HDLC */
	b8(&F, 0x8f); b8(&F, 0); b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("PPP_HDLC holding Cisco HDLC", ok4(50));

	F.n = 0;
	b8(&F, 0x0f); b8(&F, 0); b16(&F, 0x0800);
	add_ip4_syn();
	test_cond("C_HDLC unicast v4", ok4(104));
	prefixes(104, "C_HDLC prefixes");
	test_cond("C_HDLC cut", cut(104, 3, MAL_LINK_TRUNC));
	F.b[0] = 0x8f;
	test_cond("C_HDLC broadcast", ok4(104));
	F.b[0] = 0x0e;
	test_cond("C_HDLC address 0e refused", non_ip(104));
	F.b[0] = 0x0f; F.b[1] = 0x03;
	test_cond("C_HDLC control 03 refused", non_ip(104));
	F.n = 0;
	b8(&F, 0x0f); b8(&F, 0); b16(&F, 0x86dd);
	add_ip6_udp();
	test_cond("C_HDLC v6", ok6(104));
	F.n = 0;
	b8(&F, 0x8f); b8(&F, 0); b16(&F, 0x8035);        /* SLARP */
	bfill(&F, 0, 20);
	test_cond("C_HDLC SLARP not IP", non_ip(104));
	F.n = 0;
	b8(&F, 0x0f); b8(&F, 0); b16(&F, 0x0100);        /* not an ethertype */
	add_ip4_syn();
	test_cond("C_HDLC protocol < 0600 not IP", non_ip(104));
	F.n = 0;
	b8(&F, 0x0f); b8(&F, 0); b16(&F, 0x8847);
	b32(&F, (16u << 12) | 0x100 | 64);
	add_ip4_syn();
	test_cond("C_HDLC MPLS", ok4(104));
}

/* 802.11 data frame header: fc, duration, 3 addresses, sequence. */
static void wlan_hdr(uint8_t fc0, uint8_t fc1)
{
	b8(&F, fc0); b8(&F, fc1);
	l16(&F, 0);
	for (int i = 0; i < 18; i++)
		b8(&F, (unsigned)(0x10 + i));
	l16(&F, 0x1230);
}

static void snap(uint16_t type)
{
	b8(&F, 0xaa); b8(&F, 0xaa); b8(&F, 0x03);
	b8(&F, 0); b8(&F, 0); b8(&F, 0);
	b16(&F, type);
}

static void test_80211(void)
{
	F.n = 0;
	wlan_hdr(0x08, 0x02);          /* data, FromDS */
	snap(0x0800);
	add_ip4_syn();
	test_cond("802.11 data v4", ok4(105));
	prefixes(105, "802.11 data prefixes");
	test_cond("802.11 cut in header", cut(105, 20, MAL_LINK_TRUNC));
	test_cond("802.11 cut in SNAP", cut(105, 28, MAL_LINK_TRUNC));
	F.b[1] |= 0x40;
	test_cond("802.11 protected not IP", non_ip(105));
	F.b[1] &= (uint8_t)~0x40;
	F.b[0] = 0x09;                 /* protocol version 1 */
	test_cond("802.11 version 1 refused", non_ip(105));
	F.b[0] = 0x48;                 /* Null function (no data) */
	test_cond("802.11 null data not IP", non_ip(105));
	F.b[0] = 0x80;                 /* beacon (management) */
	test_cond("802.11 beacon not IP", non_ip(105));
	F.n = 0;
	b8(&F, 0xd4); b8(&F, 0); l16(&F, 0); bfill(&F, 1, 6);   /* ACK, 10 bytes */
	test_cond("802.11 ACK (short control) not IP", non_ip(105));

	F.n = 0;
	wlan_hdr(0x88, 0x01);          /* QoS data, ToDS */
	l16(&F, 0x0005);               /* TID 5 */
	snap(0x86dd);
	add_ip6_udp();
	test_cond("802.11 QoS data v6", ok6(105));
	prefixes(105, "802.11 QoS prefixes");
	F.b[24] |= 0x80;               /* A-MSDU present */
	test_cond("802.11 A-MSDU not IP", non_ip(105));

	F.n = 0;
	wlan_hdr(0x88, 0x03 | 0x80);   /* 4 addresses, order: HT control */
	bfill(&F, 0x44, 6);
	l16(&F, 0);
	l32(&F, 0x12345678);
	snap(0x0800);
	add_ip4_syn();
	test_cond("802.11 4-address QoS + HT control", ok4(105));
	prefixes(105, "802.11 4-address prefixes");
	F.n = 0;
	wlan_hdr(0x08, 0x80);          /* order bit without QoS: no HT control */
	snap(0x0800);
	add_ip4_syn();
	test_cond("802.11 order without QoS", ok4(105));

	F.n = 0;
	wlan_hdr(0x08, 0x02);
	snap(0x0806);
	bfill(&F, 0, 28);
	test_cond("802.11 SNAP ARP not IP", non_ip(105));
	F.n = 0;
	wlan_hdr(0x08, 0x02);
	b8(&F, 0x42); b8(&F, 0x42); b8(&F, 0x03); bfill(&F, 0, 35);  /* STP */
	test_cond("802.11 LLC without SNAP not IP", non_ip(105));
	F.n = 0;
	wlan_hdr(0x08, 0x02);
	b8(&F, 0xaa); b8(&F, 0xaa); b8(&F, 0x03);
	b8(&F, 0x00); b8(&F, 0x00); b8(&F, 0x0c); b16(&F, 0x0800);  /* Cisco OUI */
	add_ip4_syn();
	test_cond("802.11 SNAP with another OUI not IP", non_ip(105));
	F.n = 0;
	wlan_hdr(0x08, 0x02);
	b8(&F, 0xaa); b8(&F, 0xaa); b8(&F, 0x03);
	b8(&F, 0x00); b8(&F, 0x00); b8(&F, 0xf8); b16(&F, 0x0800);  /* 802.1H */
	add_ip4_syn();
	test_cond("802.11 bridge-tunnel SNAP", ok4(105));
}

/* Radiotap: version 0, length, present words, then fields. */
static size_t rt_begin(void)
{
	size_t at = F.n;
	b8(&F, 0); b8(&F, 0); l16(&F, 0);
	return at;
}
static void rt_end(size_t at)
{
	F.b[at + 2] = (uint8_t)(F.n - at);
	F.b[at + 3] = (uint8_t)((F.n - at) >> 8);
}

static void test_radiotap(void)
{
	size_t rt;

	F.n = 0;
	rt = rt_begin();
	l32(&F, 0);                    /* nothing present */
	rt_end(rt);
	wlan_hdr(0x08, 0x02);
	snap(0x0800);
	add_ip4_syn();
	test_cond("radiotap minimal", ok4(127));
	prefixes(127, "radiotap prefixes");
	test_cond("radiotap cut", cut(127, 3, MAL_LINK_TRUNC));
	F.b[2] = 200;
	test_cond("radiotap length past the capture", cut(127, F.n, MAL_LINK_TRUNC));
	F.b[2] = 6;
	test_cond("radiotap length < 8 refused", non_ip(127));
	F.b[2] = 8; F.b[0] = 1;
	test_cond("radiotap version 1 refused", non_ip(127));

	/* TSFT + Flags(FCS) + rate, an extended bitmap; IPv4 total length 0
	 * (GSO): the datagram is what is captured, so an unstripped FCS
	 * would show as 4 bytes of payload */
	F.n = 0;
	rt = rt_begin();
	l32(&F, 0x80000007u);          /* TSFT, Flags, Rate, ext */
	l32(&F, 0);
	l32(&F, 0);                    /* pad: TSFT is 8-aligned */
	l32(&F, 0x11111111); l32(&F, 0x22222222);   /* TSFT at 16 */
	b8(&F, 0x10);                  /* Flags: FCS at end */
	b8(&F, 0x0c);                  /* Rate */
	rt_end(rt);
	wlan_hdr(0x08, 0x02);
	snap(0x0800);
	size_t ip = F.n;
	add_ip4_syn();
	set16(&F, ip + 2, 0);
	b32(&F, 0xcafef00d);           /* FCS */
	test_cond("radiotap FCS stripped", decode(127, &F, &P, &W) == DIS_OK &&
	          P.sport == 1234 && P.paylen == 0 && P.ip_len == 40);
	prefixes(127, "radiotap FCS prefixes");
	test_cond("FCS kept when the frame is snapped",
	          packet_decode(127, F.b, (uint32_t)F.n, (uint32_t)F.n + 10, 0, &P, &W) ==
	          DIS_OK && P.paylen == 4);
	F.b[rt + 24] = 0x50;           /* FCS + failed FCS check */
	test_cond("radiotap bad FCS refused", non_ip(127));
	F.b[rt + 24] = 0x30;           /* FCS + data padding */
	test_cond("radiotap datapad on a 24-byte header",
	          decode(127, &F, &P, &W) == DIS_OK && P.sport == 1234);

	F.n = 0;                       /* QoS (26 bytes) + datapad: 2 bytes pad */
	rt = rt_begin();
	l32(&F, 0x2);
	b8(&F, 0x20);
	rt_end(rt);
	wlan_hdr(0x88, 0x02);
	l16(&F, 0);
	l16(&F, 0);                    /* pad */
	snap(0x86dd);
	add_ip6_udp();
	test_cond("radiotap QoS + datapad", ok6(127));

	F.n = 0;                       /* ext bit in every word: runs past length */
	rt = rt_begin();
	l32(&F, 0x80000002u);
	l32(&F, 0x80000000u);
	rt_end(rt);
	wlan_hdr(0x08, 0x02);
	snap(0x0800);
	add_ip4_syn();
	test_cond("radiotap bitmaps past the header refused", non_ip(127));
	F.n = 0;                       /* Flags present, header ends before it */
	rt = rt_begin();
	l32(&F, 0x3);
	rt_end(rt);
	wlan_hdr(0x08, 0x02);
	snap(0x0800);
	add_ip4_syn();
	test_cond("radiotap Flags past the header refused", non_ip(127));
}

/* PPI header: version 0, flags, length, DLT; fields appended by caller. */
static size_t ppi_begin(uint8_t flags, uint32_t dlt)
{
	size_t at = F.n;
	b8(&F, 0); b8(&F, flags); l16(&F, 0); l32(&F, dlt);
	return at;
}
static void ppi_end(size_t at)
{
	F.b[at + 2] = (uint8_t)(F.n - at);
	F.b[at + 3] = (uint8_t)((F.n - at) >> 8);
}
static void ppi_common(uint16_t flags)
{
	l16(&F, 2); l16(&F, 20);
	l32(&F, 1); l32(&F, 0);        /* TSF */
	l16(&F, flags); l16(&F, 0x16); l16(&F, 2437); l16(&F, 0x00a0);
	b8(&F, 0); b8(&F, 0); b8(&F, 0xc0); b8(&F, 0xa0);
}

static void test_ppi(void)
{
	size_t h;

	F.n = 0;
	h = ppi_begin(0, 1);
	ppi_end(h);
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	test_cond("PPI Ethernet", ok4(192));
	prefixes(192, "PPI Ethernet prefixes");
	test_cond("PPI cut", cut(192, 7, MAL_LINK_TRUNC));
	F.b[0] = 1;
	test_cond("PPI version 1 refused", non_ip(192));
	F.b[0] = 0; F.b[2] = 4;
	test_cond("PPI length < 8 refused", non_ip(192));
	F.b[2] = 0xff; F.b[3] = 0x7f;
	test_cond("PPI length past the capture", cut(192, F.n, MAL_LINK_TRUNC));

	F.n = 0;
	h = ppi_begin(0, 105);
	ppi_common(0x0001);            /* FCS present */
	ppi_end(h);
	wlan_hdr(0x88, 0x02);
	l16(&F, 0);
	snap(0x0800);
	size_t ip = F.n;
	add_ip4_syn();
	set16(&F, ip + 2, 0);          /* GSO length: the FCS would show */
	b32(&F, 0x01020304);
	test_cond("PPI 802.11 with FCS", decode(192, &F, &P, &W) == DIS_OK &&
	          P.sport == 1234 && P.paylen == 0);
	prefixes(192, "PPI 802.11 prefixes");
	F.b[h + 20] = 0x05;            /* FCS present, FCS check failed */
	test_cond("PPI 802.11 bad FCS refused", non_ip(192));
	F.b[h + 10] = 30;              /* field longer than the header */
	test_cond("PPI field past the header refused", non_ip(192));

	F.n = 0;                       /* aligned: a 3-byte field padded to 4 */
	h = ppi_begin(1, 1);
	l16(&F, 30000); l16(&F, 3); b8(&F, 1); b8(&F, 2); b8(&F, 3); b8(&F, 0);
	ppi_end(h);
	eth_hdr(&F, 0x86dd);
	add_ip6_udp();
	test_cond("PPI aligned fields", ok6(192));

	F.n = 0;
	h = ppi_begin(0, 147);         /* DLT_USER0 inside */
	ppi_end(h);
	add_ip4_syn();
	test_cond("PPI unknown inner DLT not IP", non_ip(192));
	F.n = 0;
	h = ppi_begin(0, 192);
	ppi_end(h);
	h = ppi_begin(0, 1);
	ppi_end(h);
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	test_cond("PPI in PPI refused", non_ip(192));
	F.n = 0;
	h = ppi_begin(0, 258);         /* PKTAP inside PPI: one pseudo-header */
	ppi_end(h);
	l32(&F, 108); l32(&F, 1); l32(&F, 12);
	bfill(&F, 0, 96);
	add_ip4_syn();
	test_cond("PKTAP in PPI refused", non_ip(192));
}

static void pktap_hdr(uint32_t len, uint32_t rec, uint32_t dlt)
{
	l32(&F, len); l32(&F, rec); l32(&F, dlt);
	bmem(&F, "en0", 3);
	bfill(&F, 0, len - 15);
}

static void test_pktap(void)
{
	static const int dlts[2] = { 258, 149 };
	for (int i = 0; i < 2; i++) {
		int d = dlts[i];
		F.n = 0;
		pktap_hdr(108, 1, 1);
		eth_hdr(&F, 0x0800);
		add_ip4_syn();
		test_cond("PKTAP Ethernet", ok4(d));
		prefixes(d, "PKTAP prefixes");
		test_cond("PKTAP cut in header", cut(d, 60, MAL_LINK_TRUNC));
		F.b[4] = 0;
		test_cond("PKTAP record type 0 not IP", non_ip(d));
		F.b[4] = 1; F.b[0] = 100;
		test_cond("PKTAP length < 108 refused", non_ip(d));
		F.n = 0;
		pktap_hdr(120, 1, 12);     /* a longer (newer) header */
		add_ip6_udp();
		test_cond("PKTAP raw IP, 120-byte header", ok6(d));
		F.n = 0;
		pktap_hdr(108, 1, 0);
		l32(&F, 2);                /* AF_INET, little-endian */
		add_ip4_syn();
		test_cond("PKTAP NULL", ok4(d));
		F.n = 0;
		pktap_hdr(108, 1, 147);
		add_ip4_syn();
		test_cond("PKTAP unknown inner DLT not IP", non_ip(d));
		F.n = 0;
		pktap_hdr(108, 1, 149);
		pktap_hdr(108, 1, 12);
		add_ip4_syn();
		test_cond("PKTAP in PKTAP refused", non_ip(d));
	}
}

static void nflog_tlv(uint16_t type, const void *v, size_t n)
{
	l16(&F, (unsigned)(n + 4)); l16(&F, type);
	bmem(&F, v, n);
	bfill(&F, 0, (4 - n % 4) % 4);
}

static void test_nflog(void)
{
	F.n = 0;
	b8(&F, 2); b8(&F, 0); b16(&F, 7);
	nflog_tlv(1, "\x08\x00\x01\x00", 4);          /* NFULA_PACKET_HDR */
	nflog_tlv(10, "drop-twitter\0", 13);          /* NFULA_PREFIX, padded */
	size_t tlv = F.n;
	l16(&F, 0); l16(&F, 9);                       /* NFULA_PAYLOAD */
	add_ip4_syn();
	F.b[tlv] = (uint8_t)(F.n - tlv);
	test_cond("NFLOG v4", ok4(239));
	prefixes(239, "NFLOG prefixes");
	test_cond("NFLOG cut in header", cut(239, 3, MAL_LINK_TRUNC));
	test_cond("NFLOG cut in a TLV header", cut(239, 6, MAL_LINK_TRUNC));
	test_cond("NFLOG cut in a TLV", cut(239, 14, MAL_LINK_TRUNC));
	test_cond("NFLOG payload cut by the snap length",
	          decode_n(239, &F, tlv + 4 + 30, &P, &W) == DIS_TRUNCATED &&
	          W == MAL_TCP_TRUNC && P.ipver == 4);
	F.b[0] = 7;
	test_cond("NFLOG family 7 not IP", non_ip(239));
	F.b[0] = 2; F.b[1] = 1;
	test_cond("NFLOG version 1 refused", non_ip(239));
	F.b[1] = 0; F.b[4] = 2;
	test_cond("NFLOG TLV length < 4 refused", non_ip(239));

	F.n = 0;
	b8(&F, 10); b8(&F, 0); b16(&F, 0);
	tlv = F.n;
	l16(&F, 0); l16(&F, 9);
	add_ip6_udp();
	F.b[tlv] = (uint8_t)(F.n - tlv);
	test_cond("NFLOG v6", ok6(239));
	F.n = 0;
	b8(&F, 2); b8(&F, 0); b16(&F, 0);
	nflog_tlv(10, "no payload", 10);
	test_cond("NFLOG without payload not IP", non_ip(239));
}

static void test_pppoe_mpls(void)
{
	F.n = 0;
	eth_hdr(&F, 0x8864);
	b8(&F, 0x11); b8(&F, 0); b16(&F, 0x1234); b16(&F, 54); b16(&F, 0x0057);
	add_ip6_udp();
	test_cond("PPPoE v6", ok6(1));
	prefixes(1, "PPPoE prefixes");
	test_cond("PPPoE cut", cut(1, 19, MAL_LINK_TRUNC));
	F.b[14] = 0x12;
	test_cond("PPPoE version 1 type 2 refused", non_ip(1));
	F.n = 0;
	eth_hdr(&F, 0x8864);
	b8(&F, 0x11); b8(&F, 0); b16(&F, 0x1234); b16(&F, 14); b16(&F, 0xc021);
	bfill(&F, 0, 12);
	test_cond("PPPoE LCP not IP", non_ip(1));
	F.n = 0;
	eth_hdr(&F, 0x8863);           /* discovery (PADI) */
	b8(&F, 0x11); b8(&F, 0x09); b16(&F, 0); b16(&F, 4); b32(&F, 0x01010000);
	test_cond("PPPoE discovery not IP", non_ip(1));

	F.n = 0;
	eth_hdr(&F, 0x8848);           /* multicast MPLS, 3 labels */
	b32(&F, (1u << 12) | 5);
	b32(&F, (2u << 12) | 5);
	b32(&F, (3u << 12) | 0x100 | 5);
	add_ip6_udp();
	test_cond("MPLS 8848 v6", ok6(1));
	F.n = 0;
	eth_hdr(&F, 0x8847);           /* pseudowire control word after BOS */
	b32(&F, (4u << 12) | 0x100 | 5);
	b32(&F, 0);
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	test_cond("MPLS pseudowire not guessed", non_ip(1));
	test_cond("MPLS cut", cut(1, 16, MAL_LINK_TRUNC));
}

/* Outer Ethernet + IPv4 (proto) around what the caller adds; returns the
 * IPv4 header offset for ip4_fin. */
static size_t outer(uint8_t proto)
{
	F.n = 0;
	eth_hdr(&F, 0x0800);
	return ip4_hdr(&F, proto, 0);
}

static void test_gre(void)
{
	size_t o = outer(47);
	b16(&F, 0); b16(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("GRE v4", ok4(1) && P.tunnel == 47 && P.l3len == 40);
	prefixes(1, "GRE prefixes");
	test_cond("GRE cut", cut(1, 14 + 20 + 3, MAL_TUNNEL_TRUNC) &&
	          P.ipver == 4 && P.proto == 47);

	o = outer(47);                 /* checksum, key and sequence */
	b16(&F, 0xb000); b16(&F, 0x86dd);
	b32(&F, 0); b32(&F, 42); b32(&F, 7);
	add_ip6_udp();
	ip4_fin(&F, o);
	test_cond("GRE C+K+S v6", ok6(1) && P.tunnel == 47);
	prefixes(1, "GRE C+K+S prefixes");
	test_cond("GRE options cut", cut(1, 14 + 20 + 10, MAL_TUNNEL_TRUNC));

	o = outer(47);                 /* transparent Ethernet bridging + VLAN */
	b16(&F, 0x2000); b16(&F, 0x6558); b32(&F, 9);
	eth_hdr(&F, 0x8100); b16(&F, 77); b16(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("GRE TEB + VLAN", ok4(1) && P.vlan == 77);
	o = outer(47);
	b16(&F, 0); b16(&F, 0x8847); b32(&F, (5u << 12) | 0x100 | 9);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("GRE MPLS", ok4(1));

	o = outer(47);                 /* PPTP (version 1): left as GRE */
	b16(&F, 0x3001); b16(&F, 0x880b); b16(&F, 40); b16(&F, 1); b32(&F, 1);
	b8(&F, 0x21);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("GRE version 1 not unwrapped", decode(1, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 0 && P.proto == 47 && P.ipver == 4);
	o = outer(47);                 /* RFC 1701 routing present */
	b16(&F, 0x4000); b16(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("GRE routing not unwrapped", decode(1, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 0 && P.proto == 47);
	o = outer(47);
	b16(&F, 0); b16(&F, 0x883e);   /* WCCP */
	bfill(&F, 0, 24);
	ip4_fin(&F, o);
	test_cond("GRE WCCP not IP", non_ip(1));
	o = outer(47);
	b16(&F, 0); b16(&F, 0x0800);   /* says IPv4, carries IPv6 */
	add_ip6_udp();
	ip4_fin(&F, o);
	test_cond("GRE 0800 with IPv6 inside malformed",
	          decode(1, &F, &P, &W) == DIS_MALFORMED && W == MAL_IP4_HDR);

	/* GRE in GRE, 6 deep: 4 levels unwrapped, the 5th header stays */
	size_t lv[6];
	F.n = 0;
	eth_hdr(&F, 0x0800);
	for (int i = 0; i < 6; i++) {
		lv[i] = ip4_hdr(&F, 47, 0);
		b16(&F, 0); b16(&F, 0x0800);
	}
	add_ip4_syn();
	for (int i = 5; i >= 0; i--)
		ip4_fin(&F, lv[i]);
	test_cond("GRE nesting bounded", decode(1, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 47 && P.proto == 47 && !P.l4_valid &&
	          P.ip_len == F.n - lv[4]);
	prefixes(1, "GRE nesting prefixes");
}

static void test_erspan_vxlan(void)
{
	size_t o = outer(47);          /* ERSPAN type II */
	b16(&F, 0x1000); b16(&F, 0x88be); b32(&F, 1);
	b16(&F, 0x1000 | 10); b16(&F, 0x0001); b32(&F, 0);
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("ERSPAN II", ok4(1) && P.tunnel == 47);
	prefixes(1, "ERSPAN II prefixes");
	F.b[14 + 20 + 8] = 0x20;       /* version 2 in a type II header */
	test_cond("ERSPAN II wrong version refused", non_ip(1));
	test_cond("ERSPAN II cut", cut(1, 14 + 20 + 8 + 5, MAL_TUNNEL_TRUNC));

	o = outer(47);                 /* ERSPAN type I: no S, no header */
	b16(&F, 0); b16(&F, 0x88be);
	eth_hdr(&F, 0x86dd);
	add_ip6_udp();
	ip4_fin(&F, o);
	test_cond("ERSPAN I", ok6(1));

	o = outer(47);                 /* ERSPAN type III, no subheader */
	b16(&F, 0x1000); b16(&F, 0x22eb); b32(&F, 1);
	b16(&F, 0x2000 | 5); b16(&F, 0x0001); b32(&F, 0xabcdef01);
	b16(&F, 0); b8(&F, 0); b8(&F, 0);
	size_t e3 = F.n - 2;
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("ERSPAN III", ok4(1));
	prefixes(1, "ERSPAN III prefixes");
	F.b[e3] = 2 << 2;              /* frame type 2 (IP): not followed */
	test_cond("ERSPAN III frame type 2 not IP", non_ip(1));

	o = outer(47);                 /* ERSPAN III with platform subheader */
	b16(&F, 0x1000); b16(&F, 0x22eb); b32(&F, 1);
	b16(&F, 0x2000 | 5); b16(&F, 0x0001); b32(&F, 0xabcdef01);
	b16(&F, 0); b8(&F, 0); b8(&F, 0x01);
	b32(&F, 0x08000000); b32(&F, 0x12345678);
	eth_hdr(&F, 0x86dd);
	add_ip6_udp();
	ip4_fin(&F, o);
	test_cond("ERSPAN III + subheader", ok6(1));
	prefixes(1, "ERSPAN III subheader prefixes");

	o = outer(17);                 /* VXLAN */
	udp_hdr(&F, 50000, 4789, 8 + 14 + 40);
	b32(&F, 0x08000000); b32(&F, 0x00123400);
	eth_hdr(&F, 0x0800);
	add_ip4_syn();
	ip4_fin(&F, o);
	test_cond("VXLAN", ok4(1) && P.tunnel == 17);
	prefixes(1, "VXLAN prefixes");
	test_cond("VXLAN header cut", cut(1, 14 + 20 + 8 + 5, MAL_TUNNEL_TRUNC));
	F.b[14 + 20 + 8] = 0;          /* no I flag: plain UDP */
	test_cond("VXLAN without I flag is plain UDP",
	          decode(1, &F, &P, &W) == DIS_OK && P.tunnel == 0 &&
	          P.proto == 17 && P.dport == 4789 && P.paylen == 62);
	F.b[14 + 20 + 8] = 0x08;
	F.b[14 + 20 + 3] = 4790 & 0xff;  /* another port: plain UDP */
	test_cond("UDP 4790 not VXLAN", decode(1, &F, &P, &W) == DIS_OK &&
	          P.tunnel == 0 && P.dport == 4790);
	o = outer(17);
	udp_hdr(&F, 50000, 4789, 8 + 14 + 28);
	b32(&F, 0x08000000); b32(&F, 0);
	eth_hdr(&F, 0x0806);
	bfill(&F, 0, 28);
	ip4_fin(&F, o);
	test_cond("VXLAN carrying ARP not IP", non_ip(1));

	/* VXLAN in GRE in IP-in-IP, over IPv6 */
	F.n = 0;
	eth_hdr(&F, 0x86dd);
	size_t a = ip6_hdr(&F, 4);
	size_t b = ip4_hdr(&F, 47, 0);
	b16(&F, 0); b16(&F, 0x0800);
	size_t c = ip4_hdr(&F, 17, 0);
	udp_hdr(&F, 1, 4789, 8 + 14 + 52);
	b32(&F, 0x08000000); b32(&F, 0);
	eth_hdr(&F, 0x86dd);
	add_ip6_udp();
	ip4_fin(&F, c);
	ip4_fin(&F, b);
	ip6_fin(&F, a);
	test_cond("VXLAN in GRE in 4in6", ok6(1) && P.tunnel == 17 && P.l3len == 52);
	prefixes(1, "nested tunnel prefixes");
}

static void test_supported(void)
{
	static const int yes[] = { 9, 50, 104, 105, 127, 149, 192, 239, 258 };
	bool all = true;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		all = all && link_supported(yes[i]);
	test_cond("new DLTs supported", all);
	test_cond("DLT 147 still refused", !link_supported(147) && !link_supported(10));
	F.n = 0;
	add_ip4_syn();
	test_cond("unknown DLT counted as such", decode(163, &F, &P, &W) == DIS_UNSUPPORTED &&
	          P.ethertype == PK_ETHERTYPE_BADDLT && W == MAL_NONE);
}

/* Deterministic mutations of valid frames of every new link type: no
 * crash, no payload past the capture, a reason with every failure. */
static void test_mutations(void)
{
	static const int dlts[] = { 9, 50, 104, 105, 127, 192, 239, 258, 149, 1 };
	uint8_t proto[10][160];
	size_t plen[10];
	for (int d = 0; d < 10; d++) {   /* a link header to mutate after */
		F.n = 0;
		switch (dlts[d]) {
		case 9: case 50: b8(&F, 0xff); b8(&F, 3); b16(&F, 0x21); break;
		case 104: b8(&F, 0x0f); b8(&F, 0); b16(&F, 0x0800); break;
		case 105: wlan_hdr(0x88, 0x83); l16(&F, 0); l32(&F, 0); snap(0x0800); break;
		case 127: b8(&F, 0); b8(&F, 0); l16(&F, 9); l32(&F, 2); b8(&F, 0x10);
		          wlan_hdr(0x08, 2); snap(0x0800); break;
		case 192: b8(&F, 0); b8(&F, 0); l16(&F, 8); l32(&F, 1); eth_hdr(&F, 0x0800); break;
		case 239: b8(&F, 2); b8(&F, 0); b16(&F, 0); l16(&F, 44); l16(&F, 9); break;
		case 1: eth_hdr(&F, 0x0800); b32(&F, 0x45000000); break;
		default: pktap_hdr(108, 1, 12); break;
		}
		plen[d] = F.n;
		memcpy(proto[d], F.b, plen[d]);
	}
	uint32_t x = 11;
	bool ok = true;
	for (int iter = 0; iter < 40000; iter++) {
		int d = iter % 10;
		F.n = 0;
		bmem(&F, proto[d], plen[d]);
		if (dlts[d] == 1) {      /* an outer IPv4 + GRE/VXLAN header */
			F.n = 14;
			size_t o = ip4_hdr(&F, (iter & 1) ? 47 : 17, 0);
			if (iter & 1) { b16(&F, 0xb000); b16(&F, (iter & 2) ? 0x6558 : 0x22eb); bfill(&F, 0, 12); }
			else { udp_hdr(&F, 1, 4789, 80); b32(&F, 0x08000000); b32(&F, 0); }
			eth_hdr(&F, 0x0800);
			add_ip4_syn();
			ip4_fin(&F, o);
		} else {
			add_ip4_syn();
		}
		for (int k = 0; k < 3; k++) {
			x = x * 1103515245u + 12345u;
			F.b[(x >> 8) % F.n] = (uint8_t)(x >> 20);
		}
		uint32_t cl = (uint32_t)(F.n - (x >> 29));
		uint8_t *b = dup_exact(F.b, cl);
		int st = packet_decode(dlts[d], b, cl, cl, 0, &P, &W);
		if (st == DIS_OK && P.paylen > P.caplen)
			ok = false;
		if (st != DIS_OK && st != DIS_UNSUPPORTED && W == MAL_NONE)
			ok = false;
		free(b);
	}
	test_cond("mutations of the new link types", ok);
}

int main(void)
{
	test_ppp();
	test_hdlc();
	test_80211();
	test_radiotap();
	test_ppi();
	test_pktap();
	test_nflog();
	test_pppoe_mpls();
	test_gre();
	test_erspan_vxlan();
	test_supported();
	test_mutations();
	return test_report();
}
