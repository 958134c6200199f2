/* mkfixtures.c - writes the small synthetic captures in pcaps/gen/ used by
 * the golden and attribution tests.  Deterministic: same bytes every run
 * (fixed timestamps, no randomness), so `make test` can check that the
 * committed files are what this program makes.
 *
 * usage: mkfixtures OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "lib/fxbuild.h"

static void http_conn(struct fx *f, struct ep *c, struct ep *s, const char *host)
{
	char req[512];
	int n = snprintf(req, sizeof req, HTTP_GET, host);
	handshake(f, c, s);
	tcp(f, c, s, 0x18, req, (size_t)n, 500);
	tcp(f, s, c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
	close_fin(f, c, s);
}

/* 1. DNS answer names a later flow that has no SNI/Host. */
static void fx_dns_then_tcp(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t a[1][16] = { { 198, 18, 5, 5 } };
	struct ep c = v4(198, 18, 0, 2, 40000, 64, 1000), r = v4(198, 18, 1, 53, 53, 50, 0);
	fx_open(&f, dir, "dns_then_tcp.pcap", DLT_EN10MB);
	udp(&f, &c, &r, m, dns_msg(m, 0x1111, 0, "www.instagram.com", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &c, m, dns_msg(m, 0x1111, 1, "www.instagram.com", 1, 0, a, 1, 4, 300), 20000);
	struct ep cc = v4(198, 18, 0, 2, 40001, 64, 5000), s = v4(198, 18, 5, 5, 443, 50, 90000);
	handshake(&f, &cc, &s);
	tcp(&f, &cc, &s, 0x18, "\x17\x03\x03\x00\x05hello", 10, 500);   /* no ClientHello */
	tcp(&f, &s, &cc, 0x10, NULL, 0, 30000);
	close_fin(&f, &cc, &s);
	fx_close(&f);
}

/* 2. ICMP errors quoting flows never seen: they must not create flows. */
static void fx_icmp_quote(const char *dir)
{
	struct fx f;
	uint8_t l4[128];
	struct ep c = v4(198, 18, 0, 2, 40002, 64, 7000), s = v4(198, 18, 9, 9, 443, 50, 0);
	struct ep gw = v4(198, 18, 0, 1, 0, 64, 0);
	fx_open(&f, dir, "icmp_quote.pcap", DLT_EN10MB);
	for (int code = 3; code <= 13; code += 10) {     /* port unreachable, admin prohibited */
		size_t n = 0;
		l4[0] = 3; l4[1] = (uint8_t)code; put16(l4 + 2, 0); put32(l4 + 4, 0); n = 8;
		/* quoted IPv4 header + 8 bytes of the SYN */
		uint8_t *q = l4 + n;
		q[0] = 0x45; q[1] = 0; put16(q + 2, 40); put16(q + 4, 1); put16(q + 6, 0x4000);
		q[8] = 63; q[9] = 6; put16(q + 10, 0);
		memcpy(q + 12, c.a, 4); memcpy(q + 16, s.a, 4);
		put16(q + 20, c.port); put16(q + 22, s.port); put32(q + 24, c.seq);
		n += 28;
		f.ts += 1000000;
		fx_write(&f, build(&f, &gw, &c, 1, l4, n), 0);
		c.port++;
	}
	fx_close(&f);
}

/* 3. A ClientHello split over three segments, the second arriving first. */
static void fx_sni_split(const char *dir)
{
	struct fx f;
	uint8_t ch[2048];
	const char *sni = "video.tiktokcdn.com";
	size_t n = client_hello(ch, sni, strlen(sni));
	struct ep c = v4(198, 18, 0, 2, 40010, 64, 11000), s = v4(198, 18, 7, 7, 443, 50, 120000);
	fx_open(&f, dir, "sni_split.pcap", DLT_EN10MB);
	handshake(&f, &c, &s);
	size_t a = 20, b = 60;
	uint32_t base = c.seq;
	c.seq = base + (uint32_t)a;
	tcp(&f, &c, &s, 0x10, ch + a, b - a, 500);      /* middle first */
	c.seq = base;
	tcp(&f, &c, &s, 0x10, ch, a, 100);
	c.seq = base + (uint32_t)b;
	tcp(&f, &c, &s, 0x18, ch + b, n - b, 100);
	tcp(&f, &s, &c, 0x18, "\x16\x03\x03\x00\x02\x0e\x00", 7, 30000);
	close_fin(&f, &c, &s);
	fx_close(&f);
}

/* 4/5. A forged RST (TTL 64 vs the server's 50, server keeps talking), and
 * a genuine one (server's TTL, nothing after). */
static void fx_rst(const char *dir, const char *name, int forged, size_t snap)
{
	struct fx f;
	char req[256];
	struct ep c = v4(198, 18, 0, 2, 40020, 64, 21000), s = v4(198, 18, 2, 10, 80, 50, 220000);
	fx_open(&f, dir, name, DLT_EN10MB);
	(void)snap;
	int n = snprintf(req, sizeof req, HTTP_GET, "twitter.com");
	handshake(&f, &c, &s);
	tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
	if (forged) {
		struct ep inj = s;
		inj.ttl = 64; inj.ipid = 0x3412;
		tcp(&f, &inj, &c, 0x14, NULL, 0, 300);
		tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
		tcp(&f, &c, &s, 0x04, NULL, 0, 200);
	} else {
		tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
		tcp(&f, &s, &c, 0x14, NULL, 0, 1000);
	}
	fx_close(&f);
}

/* 6. Three connections whose SYNs go unanswered, one answered control. */
static void fx_syn_drop(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t a[1][16] = { { 198, 18, 3, 3 } };
	struct ep c = v4(198, 18, 0, 2, 40030, 64, 31000), r = v4(198, 18, 1, 53, 53, 50, 0);
	fx_open(&f, dir, "syn_drop.pcap", DLT_EN10MB);
	udp(&f, &c, &r, m, dns_msg(m, 0x2222, 0, "www.facebook.com", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &c, m, dns_msg(m, 0x2222, 1, "www.facebook.com", 1, 0, a, 1, 4, 300), 20000);
	struct ep ok = v4(198, 18, 4, 4, 80, 50, 5000);
	struct ep cc = v4(198, 18, 0, 2, 40040, 64, 41000);
	http_conn(&f, &cc, &ok, "example.org");
	for (int i = 0; i < 3; i++) {
		struct ep k = v4(198, 18, 0, 2, (uint16_t)(40050 + i), 64, 51000u + 1000u * (unsigned)i);
		struct ep s = v4(198, 18, 3, 3, 443, 50, 0);
		for (int t = 0; t < 4; t++) {
			uint32_t seq = k.seq;
			tcp(&f, &k, &s, 0x02, NULL, 0, t ? 1000000 : 100000);
			k.seq = seq;
		}
	}
	f.ts += 10000000;
	struct ep c2 = v4(198, 18, 0, 2, 40060, 64, 61000);
	http_conn(&f, &c2, &ok, "example.org");
	fx_close(&f);
}

/* 7. DNS race: a forged answer (TTL 64, GFW-pool address) beats the
 * resolver's; benign queries before it give the resolver's baseline. */
static void fx_dns_race(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t good[1][16] = { { 198, 18, 6, 6 } }, bad[1][16] = { { 8, 7, 198, 45 } };
	struct ep c = v4(198, 18, 0, 2, 41000, 64, 0), r = v4(198, 18, 1, 53, 53, 50, 0);
	fx_open(&f, dir, "dns_race.pcap", DLT_EN10MB);
	const char *names[] = { "example.org", "example.net", "wikipedia.org", "debian.org",
	                        "kernel.org", "gnu.org" };
	for (int i = 0; i < 6; i++) {
		c.port = (uint16_t)(41000 + i);
		udp(&f, &c, &r, m, dns_msg(m, (uint16_t)(0x3000 + i), 0, names[i], 1, 0, NULL, 0, 4, 0), 100000);
		udp(&f, &r, &c, m, dns_msg(m, (uint16_t)(0x3000 + i), 1, names[i], 1, 0, good, 1, 4, 60), 20000);
	}
	/* a retransmitted query answered twice identically: benign */
	c.port = 41010;
	udp(&f, &c, &r, m, dns_msg(m, 0x3100, 0, "debian.org", 1, 0, NULL, 0, 4, 0), 100000);
	udp(&f, &c, &r, m, dns_msg(m, 0x3100, 0, "debian.org", 1, 0, NULL, 0, 4, 0), 1000000);
	udp(&f, &r, &c, m, dns_msg(m, 0x3100, 1, "debian.org", 1, 0, good, 1, 4, 60), 20000);
	udp(&f, &r, &c, m, dns_msg(m, 0x3100, 1, "debian.org", 1, 0, good, 1, 4, 60), 1000);
	/* the race */
	c.port = 41020;
	struct ep inj = r;
	inj.ttl = 64;
	udp(&f, &c, &r, m, dns_msg(m, 0x4444, 0, "twitter.com", 1, 0, NULL, 0, 4, 0), 100000);
	udp(&f, &inj, &c, m, dns_msg(m, 0x4444, 1, "twitter.com", 1, 0, bad, 1, 4, 60), 2000);
	udp(&f, &r, &c, m, dns_msg(m, 0x4444, 1, "twitter.com", 1, 0, good, 1, 4, 60), 18000);
	f.ts += 5000000;
	fx_close(&f);
}

/* 8. Hostile strings in SNI, Host and qname. */
static void fx_hostile(const char *dir)
{
	struct fx f;
	uint8_t ch[2048], m[600];
	char host[400];
	fx_open(&f, dir, "hostile_names.pcap", DLT_EN10MB);
	const char sni[] = "\xff\xfe\"</script><b>x\x01\x7f.twitter.com";
	struct ep c = v4(198, 18, 0, 2, 42000, 64, 0), s = v4(198, 18, 8, 8, 443, 50, 0);
	handshake(&f, &c, &s);
	size_t n = client_hello(ch, sni, sizeof sni - 1);
	tcp(&f, &c, &s, 0x18, ch, n, 500);
	close_fin(&f, &c, &s);
	memset(host, 'a', sizeof host);
	memcpy(host + 300, "\"\\'<>&\x1b[31m", 11);
	host[sizeof host - 1] = 0;
	struct ep c2 = v4(198, 18, 0, 2, 42001, 64, 0), s2 = v4(198, 18, 8, 9, 80, 50, 0);
	http_conn(&f, &c2, &s2, host);
	struct ep r = v4(198, 18, 1, 53, 53, 50, 0);
	c.port = 42002;
	udp(&f, &c, &r, m, dns_msg(m, 0x5555, 0, "x\"y</script>.\xc3\x28.example", 1, 0, NULL, 0, 4, 0), 1000);
	fx_close(&f);
}

/* 9. QinQ (802.1ad + 802.1Q) tagged HTTP, and each packet duplicated on a
 * second VLAN (a Linux "any" capture) with a genuine RST: duplicates are
 * discounted and give no multi_rst. */
static void fx_vlan(const char *dir)
{
	struct fx f;
	fx_open(&f, dir, "vlan_qinq.pcap", DLT_EN10MB);
	f.qinq = 100; f.vlan = 200;
	struct ep c = v4(198, 18, 0, 2, 43000, 64, 0), s = v4(198, 18, 2, 20, 80, 50, 0);
	http_conn(&f, &c, &s, "youtube.com");
	fx_close(&f);
}

/* ---- 10-23. Link types and tunnels ----
 * Each capture: an HTTP exchange over IPv4 and one over IPv6 (a third over
 * IPv4 where a second inner link type is shown), every framing variant
 * cycling through the packets, then `nonip` frames the analyzer must
 * count as non-IP (LCP, SLARP, beacons, protected frames, unknown inner
 * DLTs, NFLOG without payload, ARP in tunnels, MPLS pseudowires). */
struct linkfx {
	const char *name;
	int dlt, link;
	int inner4, inner6, inner3;    /* DLTs inside PPI / PKTAP            */
	const char *host4, *host6, *host3;
	int nonip;                     /* non-IP frames: 1 or 2 kinds        */
};

static const struct linkfx linkfx[] = {
	{ "link_ppp.pcap", 9, LK_PPP, 0, 0, 0, "ppp.example.net", "ppp6.example.net", NULL, 1 },
	{ "link_ppp_hdlc.pcap", 50, LK_PPP_HDLC, 0, 0, 0, "hdlc.example.net", "hdlc6.example.net", NULL, 1 },
	{ "link_chdlc.pcap", 104, LK_CHDLC, 0, 0, 0, "chdlc.example.net", "chdlc6.example.net", NULL, 1 },
	{ "link_80211.pcap", 105, LK_WLAN, 0, 0, 0, "wlan.example.net", "wlan6.example.net", NULL, 2 },
	{ "link_radiotap.pcap", 127, LK_RADIOTAP, 0, 0, 0, "radiotap.example.net", "radiotap6.example.net", NULL, 2 },
	{ "link_ppi.pcap", 192, LK_PPI, 1, 105, 0, "ppi-eth.example.net", "ppi-wlan.example.net", NULL, 1 },
	{ "link_pktap.pcap", 258, LK_PKTAP, 1, 12, 0, "pktap-eth.example.net", "pktap-utun.example.net", "pktap-lo.example.net", 1 },
	{ "link_pktap149.pcap", 149, LK_PKTAP, 1, 1, 0, "pktap149.example.net", "pktap149-6.example.net", NULL, 1 },
	{ "link_nflog.pcap", 239, LK_NFLOG, 0, 0, 0, "nflog.example.net", "nflog6.example.net", NULL, 1 },
	{ "encap_pppoe.pcap", DLT_EN10MB, LK_PPPOE, 0, 0, 0, "pppoe.example.net", "pppoe6.example.net", NULL, 1 },
	{ "tun_gre.pcap", DLT_EN10MB, LK_GRE, 0, 0, 0, "gre.example.net", "gre6.example.net", NULL, 1 },
	{ "tun_erspan.pcap", DLT_EN10MB, LK_ERSPAN, 0, 0, 0, "erspan.example.net", "erspan6.example.net", NULL, 1 },
	{ "tun_vxlan.pcap", DLT_EN10MB, LK_VXLAN, 0, 0, 0, "vxlan.example.net", "vxlan6.example.net", NULL, 1 },
	{ "tun_mpls.pcap", DLT_EN10MB, LK_MPLS, 0, 0, 0, "mpls.example.net", "mpls6.example.net", NULL, 1 },
};

static struct ep v6ep(unsigned net, unsigned host, uint16_t port, uint8_t ttl, uint32_t seq)
{
	struct ep e = { 0 };
	e.v6 = 1;
	e.a[0] = 0x20; e.a[1] = 0x01; e.a[2] = 0x0d; e.a[3] = 0xb8;
	e.a[5] = (uint8_t)net; e.a[15] = (uint8_t)host;
	e.port = port; e.ttl = ttl; e.seq = seq;
	return e;
}

static void fx_link(const char *dir, const struct linkfx *x, unsigned i)
{
	struct fx f;
	fx_open(&f, dir, x->name, x->dlt);
	f.link = x->link;
	f.inner = x->inner4;
	struct ep c = v4(198, 18, 0, 2, (uint16_t)(44000 + 10 * i), 64, 1000u * i);
	struct ep s = v4(198, 18, 30, (uint8_t)(10 + i), 80, 50, 70000u + i);
	http_conn(&f, &c, &s, x->host4);
	f.inner = x->inner6;
	struct ep c6 = v6ep(0, 2, (uint16_t)(44001 + 10 * i), 64, 2000u * i);
	struct ep s6 = v6ep(0x30, 10 + i, 80, 50, 80000u + i);
	http_conn(&f, &c6, &s6, x->host6);
	if (x->host3) {
		f.inner = x->inner3;
		struct ep c3 = v4(198, 18, 0, 2, (uint16_t)(44002 + 10 * i), 64, 3000u * i);
		struct ep s3 = v4(198, 18, 31, (uint8_t)(10 + i), 80, 50, 90000u + i);
		http_conn(&f, &c3, &s3, x->host3);
	}
	f.inner = 147;                     /* DLT_USER0: unknown inside PPI/PKTAP */
	struct ep r = v4(198, 18, 1, 53, 53, 50, 0);
	for (int k = 1; k <= x->nonip; k++) {
		f.nonip = k;
		udp(&f, &c, &r, "\x12\x34\x01\x00\x00\x00", 6, 1000);
	}
	fx_close(&f);
}

/* 24. A forged RST (as rst_forged.pcap) seen through a GRE mirror. */
static void fx_gre_rst(const char *dir)
{
	struct fx f;
	char req[256];
	struct ep c = v4(198, 18, 0, 2, 45020, 64, 21000), s = v4(198, 18, 2, 11, 80, 50, 220000);
	fx_open(&f, dir, "tun_gre_rst.pcap", DLT_EN10MB);
	f.link = LK_GRE;
	int n = snprintf(req, sizeof req, HTTP_GET, "twitter.com");
	handshake(&f, &c, &s);
	tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
	struct ep inj = s;
	inj.ttl = 64; inj.ipid = 0x3412;
	tcp(&f, &inj, &c, 0x14, NULL, 0, 300);
	tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
	tcp(&f, &c, &s, 0x04, NULL, 0, 200);
	fx_close(&f);
}

/* An ICMPv4 destination unreachable (code) from gw quoting c's SYN to s. */
static void icmp_unreach(struct fx *f, struct ep *gw, const struct ep *c, const struct ep *s,
                         int code, uint32_t dt_us)
{
	uint8_t l4[64];
	l4[0] = 3; l4[1] = (uint8_t)code; put16(l4 + 2, 0); put32(l4 + 4, 0);
	uint8_t *q = l4 + 8;
	q[0] = 0x45; q[1] = 0; put16(q + 2, 40); put16(q + 4, 1); put16(q + 6, 0x4000);
	q[8] = 63; q[9] = 6; put16(q + 10, 0);
	memcpy(q + 12, c->a, 4); memcpy(q + 16, s->a, 4);
	put16(q + 20, c->port); put16(q + 22, s->port); put32(q + 24, c->seq);
	f->ts += dt_us;
	fx_write(f, build(f, gw, c, 1, l4, 36), 0);
}

/* 10. A SYN answered by a port unreachable, its retransmission by an
 * admin prohibited: the second is still reported (issue #13, bug 3). */
static void fx_icmp_order(const char *dir)
{
	struct fx f;
	struct ep c = v4(198, 18, 0, 2, 40100, 64, 71000), s = v4(198, 18, 9, 10, 443, 50, 0);
	struct ep gw = v4(198, 18, 0, 1, 0, 64, 0);
	fx_open(&f, dir, "icmp_order.pcap", DLT_EN10MB);
	for (int code = 3; code <= 13; code += 10) {
		uint32_t seq = c.seq;
		tcp(&f, &c, &s, 0x02, NULL, 0, 1000000);
		c.seq = seq;
		icmp_unreach(&f, &gw, &c, &s, code, 20000);
	}
	fx_close(&f);
}

/* A QUIC v1 client Initial's shape: long header, version 1, padded to
 * 1200 bytes (no valid crypto: nothing names the flow but its address). */
static void quic_initial(struct fx *f, struct ep *c, struct ep *s, uint32_t dt_us)
{
	uint8_t p[1200];
	memset(p, 0, sizeof p);
	p[0] = 0xc3; put32(p + 1, 1); p[5] = 8;
	for (int i = 0; i < 8; i++) p[6 + i] = (uint8_t)(0xa0 + i);
	udp(f, c, s, p, sizeof p, dt_us);
}

/* 11. QUIC Initials never answered (issue #13, bugs 2 and 4):
 * 198.18.7.7: a flow with 2 Initials (an event on its own), then minutes
 * later one with a single Initial (no event: nothing repeated) - neither
 * is a clean connection, so the signature has not "stopped";
 * 198.18.7.8: two flows of one Initial each (an event each, by
 * repetition across flows, but no initial_retransmit). */
static void fx_quic_drop(const char *dir)
{
	struct fx f;
	struct ep s1 = v4(198, 18, 7, 7, 443, 50, 0), s2 = v4(198, 18, 7, 8, 443, 50, 0);
	struct ep a = v4(198, 18, 0, 2, 50001, 64, 0), b = v4(198, 18, 0, 2, 50002, 64, 0);
	struct ep x = v4(198, 18, 0, 2, 50003, 64, 0), y = v4(198, 18, 0, 2, 50004, 64, 0);
	struct ep r = v4(198, 18, 1, 53, 53, 50, 0), q = v4(198, 18, 0, 2, 40200, 64, 0);
	uint8_t m[512];
	fx_open(&f, dir, "quic_drop.pcap", DLT_EN10MB);
	quic_initial(&f, &a, &s1, 1000);
	quic_initial(&f, &a, &s1, 1000000);
	quic_initial(&f, &x, &s2, 1000000);
	quic_initial(&f, &y, &s2, 1000000);
	quic_initial(&f, &b, &s1, 300000000);
	udp(&f, &q, &r, m, dns_msg(m, 0x3333, 0, "example.org", 1, 0, NULL, 0, 4, 0), 10000000);
	fx_close(&f);
}

/* 12. A blackholed request the client gives up on without retransmitting
 * (#14): after the handshake the server sends nothing; the client waits
 * 1 s, sends FIN, then RST.  instagram.com twice (data_drop,
 * request_unacked), t.me once (one connection: below 0.5), example.net
 * twice fire-and-forget (request and FIN at once, the server ACKs them:
 * clean), example.org answered. */
static void bh_conn(struct fx *f, struct ep *c, struct ep *s, const char *host, int ack)
{
	char req[256];
	int n = snprintf(req, sizeof req, HTTP_GET, host);
	handshake(f, c, s);
	tcp(f, c, s, 0x18, req, (size_t)n, 2000);
	if (ack) {                               /* fire-and-forget, server alive */
		tcp(f, c, s, 0x11, NULL, 0, 100);
		tcp(f, s, c, 0x10, NULL, 0, 30000);
		tcp(f, s, c, 0x11, NULL, 0, 100);
		tcp(f, c, s, 0x10, NULL, 0, 200);
		return;
	}
	uint32_t fin = c->seq;
	tcp(f, c, s, 0x11, NULL, 0, 1000000);
	c->seq = fin + 1;
	tcp(f, c, s, 0x14, NULL, 0, 500000);
}

static void fx_blackhole(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t a[1][16] = { { 198, 18, 3, 12 } }, b[1][16] = { { 198, 18, 3, 14 } };
	uint8_t e[1][16] = { { 198, 18, 3, 22 } };
	struct ep c = v4(198, 18, 0, 2, 40300, 64, 0), r = v4(198, 18, 1, 53, 53, 50, 0);
	fx_open(&f, dir, "blackhole.pcap", DLT_EN10MB);
	udp(&f, &c, &r, m, dns_msg(m, 0x5101, 0, "instagram.com", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &c, m, dns_msg(m, 0x5101, 1, "instagram.com", 1, 0, a, 1, 4, 300), 20000);
	udp(&f, &c, &r, m, dns_msg(m, 0x5102, 0, "t.me", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &c, m, dns_msg(m, 0x5102, 1, "t.me", 1, 0, b, 1, 4, 300), 20000);
	udp(&f, &c, &r, m, dns_msg(m, 0x5103, 0, "example.net", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &c, m, dns_msg(m, 0x5103, 1, "example.net", 1, 0, e, 1, 4, 300), 20000);
	struct ep ok = v4(198, 18, 4, 4, 80, 50, 5000), cc = v4(198, 18, 0, 2, 40301, 64, 1000);
	http_conn(&f, &cc, &ok, "example.org");
	for (int i = 0; i < 2; i++) {
		struct ep k = v4(198, 18, 0, 2, (uint16_t)(40310 + i), 64, 70000u + 1000u * (unsigned)i);
		struct ep s = v4(198, 18, 3, 12, 80, 50, 170000u + 1000u * (unsigned)i);
		bh_conn(&f, &k, &s, "instagram.com", 0);
		struct ep k2 = v4(198, 18, 0, 2, (uint16_t)(40320 + i), 64, 80000u + 1000u * (unsigned)i);
		struct ep s2 = v4(198, 18, 3, 22, 80, 50, 180000u + 1000u * (unsigned)i);
		bh_conn(&f, &k2, &s2, "example.net", 1);
	}
	struct ep k = v4(198, 18, 0, 2, 40330, 64, 90000), s = v4(198, 18, 3, 14, 80, 50, 190000);
	bh_conn(&f, &k, &s, "t.me", 0);
	f.ts += 5000000;
	udp(&f, &c, &r, m, dns_msg(m, 0x5104, 0, "example.org", 1, 0, NULL, 0, 4, 0), 1000);
	fx_close(&f);
}

/* A DNS answer with an SOA in the authority section (RFC 2308), and the
 * header's AA/RA bits set to flags. */
static size_t dns_soa(uint8_t *o, size_t n, unsigned flags, int soa)
{
	put16(o + 2, (unsigned)flags | (o[3] & 0x0f));
	if (!soa) return n;
	put16(o + 8, 1);
	put16(o + n, 0xc00c); n += 2;
	put16(o + n, 6); put16(o + n + 2, 1); n += 4;
	put32(o + n, 300); n += 4;
	put16(o + n, 22); n += 2;
	o[n++] = 0; o[n++] = 0;                      /* mname, rname: the root */
	for (int i = 0; i < 5; i++) { put32(o + n, 3600); n += 4; }
	return n;
}

/* 13. A forged NXDOMAIN (TTL 64, RA, no SOA) for twitter.com twice, from a
 * resolver with too few answers for a TTL baseline whose own answers come
 * at TTL 50 (AA, NXDOMAINs with an SOA) (#14, no_soa).  Controls: a
 * router's own NXDOMAIN at 64 shaped like its forwarded answers (at 57),
 * with an SOA (teams.pcap); a resolver whose genuine NXDOMAINs lack an
 * SOA too, with a bare NXDOMAIN at 64. */
static void fx_dns_nxthin(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t a[1][16] = { { 198, 18, 6, 6 } };
	struct ep c = v4(198, 18, 0, 2, 41100, 64, 0);
	struct ep r = v4(198, 18, 1, 54, 53, 50, 0), inj = r;
	inj.ttl = 64;
	struct ep r2 = v4(192, 168, 1, 1, 53, 57, 0), own2 = r2;
	own2.ttl = 64;
	struct ep r3 = v4(198, 18, 1, 55, 53, 50, 0), odd3 = r3;
	odd3.ttl = 64;
	size_t n;
	fx_open(&f, dir, "dns_nxthin.pcap", DLT_EN10MB);
	struct { struct ep *srv, *from; const char *name; int rcode, soa, naddr; unsigned flags; } q[] = {
		{ &r, &inj, "twitter.com", 3, 0, 0, 0x8180 },
		{ &r, &r, "example.org", 0, 0, 1, 0x8400 },
		{ &r, &r, "missing.test", 3, 1, 0, 0x8400 },
		{ &r, &inj, "twitter.com", 3, 0, 0, 0x8180 },
		{ &r, &r, "wikipedia.org", 0, 0, 1, 0x8400 },
		{ &r2, &r2, "example.com", 0, 0, 1, 0x8180 },
		{ &r2, &own2, "printer.lan", 3, 1, 0, 0x8180 },
		{ &r2, &r2, "nothing.test", 3, 1, 0, 0x8180 },
		{ &r2, &r2, "debian.org", 0, 0, 1, 0x8180 },
		{ &r3, &r3, "gnu.org", 0, 0, 1, 0x8180 },
		{ &r3, &r3, "absent.test", 3, 0, 0, 0x8180 },
		{ &r3, &odd3, "router.lan", 3, 0, 0, 0x8180 },
		{ &r3, &r3, "kernel.org", 0, 0, 1, 0x8180 },
	};
	for (unsigned i = 0; i < sizeof q / sizeof q[0]; i++) {
		c.port = (uint16_t)(41100 + i);
		uint16_t id = (uint16_t)(0x6100 + i);
		udp(&f, &c, q[i].srv, m, dns_msg(m, id, 0, q[i].name, 1, 0, NULL, 0, 4, 0), 500000);
		n = dns_msg(m, id, 1, q[i].name, 1, q[i].rcode, a, q[i].naddr, 4, 60);
		n = dns_soa(m, n, q[i].flags, q[i].soa);
		struct ep from = *q[i].from;
		from.a[0] = q[i].srv->a[0]; from.a[1] = q[i].srv->a[1];
		from.a[2] = q[i].srv->a[2]; from.a[3] = q[i].srv->a[3];
		from.port = 53;
		udp(&f, &from, &c, m, n, 20000);
	}
	f.ts += 5000000;
	fx_close(&f);
}

/* 14. A block page as bare HTML in a FIN+ACK, no status line, TTL 64, no
 * DF, DSCP 10 (TOS 0x28), where the server (TTL 50, DF, TOS 0) never got
 * the request (#14): www.bbc.com twice.  Controls: example.org answers
 * with bare text itself (same TTL/DF/TOS: HTTP/0.9-like, clean);
 * example.net's answer comes at another TTL with the server's DF and TOS
 * (a load balancer: ttl_mismatch and no_status_line alone are no
 * injection). */
static const char blockpage[] = "<html><head><title>Access denied</title></head><body>blocked</body></html>";

static void fx_blockpage(const char *dir)
{
	struct fx f;
	char req[256];
	fx_open(&f, dir, "blockpage.pcap", DLT_EN10MB);
	for (int i = 0; i < 4; i++) {
		const char *host = i < 2 ? "www.bbc.com" : i == 2 ? "example.org" : "example.net";
		struct ep c = v4(198, 18, 0, 2, (uint16_t)(40400 + i), 64, 100000u * (unsigned)(i + 1));
		struct ep s = v4(198, 18, 2, (unsigned)(25 + (i < 2 ? 0 : i)), 80, 50, 200000u * (unsigned)(i + 1));
		int n = snprintf(req, sizeof req, HTTP_GET, host);
		handshake(&f, &c, &s);
		tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
		struct ep inj = s;
		if (i < 2) { inj.ttl = 64; inj.nodf = 1; inj.tos = 0x28; inj.ipid = 0; }
		if (i == 3) inj.ttl = 60;
		tcp(&f, &inj, &c, i < 2 ? 0x19 : 0x18, i < 2 ? blockpage : "hello\n",
		    i < 2 ? sizeof blockpage - 1 : 6, 2000);
		if (i < 2) {
			for (int t = 0; t < 3; t++) {
				uint32_t seq = c.seq;
				c.seq = seq;
				tcp(&f, &c, &s, 0x11, NULL, 0, t ? 200000 : 1000);
				c.seq = seq;
			}
		} else {
			s = inj;
			close_fin(&f, &c, &s);
		}
	}
	f.ts += 5000000;
	fx_close(&f);
}

/* 15. Injected data that is no HTTP response (#14): on a TLS stream to
 * twitter.com, 64 forged bytes at the server's first seq, then the
 * server's own ServerHello at the same seq (tcp_injection,
 * overlap_conflict); on an HTTP stream to youtube.com the same before the
 * real response (http_injection, overlap_conflict + no_status_line).
 * Controls: example.org retransmits its first segment with the same
 * bytes; wikipedia.org's TLS server resends different bytes deep in the
 * stream (after two exchanges: a broken middlebox or tunnel, not a race
 * for the first answer, whatsapp_voice_and_message.pcap); debian.org gets a one-byte keep-alive probe below the
 * next seq with another byte. */
static void fx_tcpinj(const char *dir)
{
	struct fx f;
	uint8_t ch[2048], junk[64], sh[100];
	char req[256];
	for (int i = 0; i < 64; i++) junk[i] = (uint8_t)(i * 37 + 11);
	memset(sh, 0x42, sizeof sh);
	sh[0] = 0x16; sh[1] = 3; sh[2] = 3; put16(sh + 3, sizeof sh - 5);
	fx_open(&f, dir, "tcp_inject.pcap", DLT_EN10MB);
	const char *names[] = { "twitter.com", "youtube.com", "example.org", "wikipedia.org",
	                        "debian.org" };
	for (int i = 0; i < 5; i++) {
		struct ep c = v4(198, 18, 0, 2, (uint16_t)(40500 + i), 64, 300000u * (unsigned)(i + 1));
		int tls = i == 0 || i == 3;
		struct ep s = v4(198, 18, 2, (unsigned)(10 + i), tls ? 443 : 80, 50,
		                 400000u * (unsigned)(i + 1));
		handshake(&f, &c, &s);
		if (tls) {
			size_t n = client_hello(ch, names[i], strlen(names[i]));
			tcp(&f, &c, &s, 0x18, ch, n, 500);
		} else {
			int n = snprintf(req, sizeof req, HTTP_GET, names[i]);
			tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
		}
		uint32_t base = s.seq;
		if (i <= 1) {                         /* the race */
			struct ep inj = s;
			inj.ipid = 1;
			tcp(&f, &inj, &c, 0x18, junk, sizeof junk, 20000);
			if (i == 0) tcp(&f, &s, &c, 0x18, sh, sizeof sh, 10000);
			else tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 10000);
		} else if (i == 2) {                  /* a retransmission */
			tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
			s.seq = base;
			tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 200000);
		} else if (i == 3) {                  /* deep in the stream */
			tcp(&f, &s, &c, 0x18, sh, sizeof sh, 30000);
			tcp(&f, &c, &s, 0x18, junk, 30, 1000);
			uint32_t at = s.seq;
			tcp(&f, &s, &c, 0x18, junk, 18, 30000);
			s.seq = at;
			tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
		} else {                              /* a keep-alive probe */
			tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
			s.seq -= 1;
			tcp(&f, &s, &c, 0x10, "\0", 1, 1000000);
		}
		close_fin(&f, &c, &s);
	}
	f.ts += 5000000;
	fx_close(&f);
}

/* Social-media UDP (issue #16): a call's UDP flow to an address of
 * Telegram's in nDPI's IP list (149.154.167.51, no DNS, no DPI), answered;
 * and a UDP flow to an unlisted address, which stays no destination. */
static void fx_social_udp(const char *dir)
{
	struct fx f;
	struct ep c = v4(198, 18, 0, 2, 40300, 64, 0), t = v4(149, 154, 167, 51, 599, 50, 0);
	struct ep o = v4(198, 18, 5, 5, 5000, 50, 0), c2 = v4(198, 18, 0, 2, 40301, 64, 0);
	uint8_t m[160];
	memset(m, 0x5a, sizeof m);
	fx_open(&f, dir, "social_udp.pcap", DLT_EN10MB);
	for (int i = 0; i < 3; i++) {
		udp(&f, &c, &t, m, sizeof m, 20000);
		udp(&f, &t, &c, m, sizeof m, 30000);
		udp(&f, &c2, &o, m, 40, 1000);
		udp(&f, &o, &c2, m, 40, 1000);
	}
	fx_close(&f);
}

/* 10. Throttling (issue #15): two connections to twitter.com (SNI) each
 * get 1000-byte segments every 50 ms (160 kbit/s); with `loss`, every
 * 5th segment never reaches the vantage point: the next one leaves a gap,
 * the client sends a duplicate ACK, the server fills the hole.  Halfway
 * through, example.org delivers 300 kB in 30 ms.  Each connection
 * delivers 200 kB in about 10.2 s (156 kbit/s) and loses 40 kB (16.7 %).
 * Data cut to 128 bytes (the ClientHellos whole) as in the lab's
 * throttle captures.  Without `loss`: a slow server, nothing lost. */
static void thr_hello(struct fx *f, struct ep *c, struct ep *s, const char *sni)
{
	uint8_t ch[1024];
	handshake(f, c, s);
	tcp(f, c, s, 0x18, ch, client_hello(ch, sni, strlen(sni)), 500);
	tcp(f, s, c, 0x10, NULL, 0, 20000);
}

static void fx_throttle(const char *dir, const char *name, int loss)
{
	struct fx f;
	static const uint8_t seg[1000];
	struct ep c[2] = { v4(198, 18, 0, 2, 41001, 64, 1000), v4(198, 18, 0, 2, 41002, 64, 9000) };
	struct ep s[2] = { v4(198, 18, 2, 10, 443, 50, 100000), v4(198, 18, 2, 10, 443, 50, 900000) };
	fx_open(&f, dir, name, DLT_EN10MB);
	for (int i = 0; i < 2; i++) thr_hello(&f, &c[i], &s[i], "twitter.com");
	f.snap = 128;
	for (int k = 0; k < 200; k++) {
		if (k == 100) {
			struct ep fc = v4(198, 18, 0, 2, 43001, 64, 3000), fs = v4(198, 18, 4, 4, 443, 50, 300000);
			f.snap = 0;
			thr_hello(&f, &fc, &fs, "example.org");
			f.snap = 128;
			for (int j = 0; j < 300; j++) {
				tcp(&f, &fs, &fc, 0x10, seg, sizeof seg, 50);
				tcp(&f, &fc, &fs, 0x10, NULL, 0, 50);
			}
			close_fin(&f, &fc, &fs);
		}
		for (int i = 0; i < 2; i++) {
			uint32_t dt = k ? 25000 : 1000;
			if (loss && k % 5 == 2) {          /* dropped before the vantage */
				f.ts += dt;
				s[i].seq += sizeof seg;
				continue;
			}
			tcp(&f, &s[i], &c[i], 0x10, seg, sizeof seg, dt);
			if (loss && k % 5 == 3) {
				struct ep hole = s[i], fill = s[i];
				hole.seq = fill.seq = s[i].seq - 2 * (uint32_t)sizeof seg;
				tcp(&f, &c[i], &hole, 0x10, NULL, 0, 100);      /* dup ACK */
				tcp(&f, &fill, &c[i], 0x10, seg, sizeof seg, 2000);
			}
			tcp(&f, &c[i], &s[i], 0x10, NULL, 0, 100);
		}
	}
	for (int i = 0; i < 2; i++) close_fin(&f, &c[i], &s[i]);
	fx_close(&f);
}

int main(int argc, char **argv)
{
	if (argc != 2) { fprintf(stderr, "usage: mkfixtures OUTDIR\n"); return 1; }
	fx_dns_then_tcp(argv[1]);
	fx_icmp_quote(argv[1]);
	fx_sni_split(argv[1]);
	fx_rst(argv[1], "rst_forged.pcap", 1, 0);
	fx_rst(argv[1], "rst_genuine.pcap", 0, 0);
	fx_syn_drop(argv[1]);
	fx_dns_race(argv[1]);
	fx_hostile(argv[1]);
	fx_vlan(argv[1]);
	fx_icmp_order(argv[1]);
	fx_quic_drop(argv[1]);
	for (unsigned i = 0; i < sizeof linkfx / sizeof linkfx[0]; i++)
		fx_link(argv[1], &linkfx[i], i);
	fx_gre_rst(argv[1]);
	fx_social_udp(argv[1]);
	fx_throttle(argv[1], "throttle.pcap", 1);
	fx_throttle(argv[1], "fp_slow_server.pcap", 0);
	fx_blackhole(argv[1]);
	fx_dns_nxthin(argv[1]);
	fx_blockpage(argv[1]);
	fx_tcpinj(argv[1]);
	return 0;
}
