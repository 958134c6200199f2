/* mkfp.c - writes pcaps/gen/fp_<cause>.pcap: the smallest captures that
 * show each cause of a false "interfered" verdict found by the corpus
 * adjudication (tests/corpus/ADJUDICATION.md).  Each capture is a benign
 * exchange; its correct verdict is in tests/corpus/fp_expect.tsv (checked
 * by `make fp-check`) and tests/corpus/ADJUDICATION.md.  Deterministic
 * like mkfixtures, with its packet builder (lib/fxbuild.c).
 *
 * usage: mkfp OUTDIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "lib/fxbuild.h"

/* Append an SOA record for example.org to the authority section of the
 * answer-less message o of n bytes (NSCOUNT = 1); returns the new length. */
static size_t soa_nx(uint8_t *o, size_t n)
{
	static const uint8_t zone[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0 };
	static const uint8_t mname[] = { 2, 'n', 's', 0xc0, 0 }, rname[] = { 4, 'h', 'o', 's', 't', 0xc0, 0 };
	put16(o + 8, 1);
	size_t zoff = n;
	memcpy(o + n, zone, sizeof zone); n += sizeof zone;
	put16(o + n, 6); put16(o + n + 2, 1); put32(o + n + 4, 59); n += 8;
	size_t rdlen = n; n += 2;
	memcpy(o + n, mname, sizeof mname); o[n + 4] = (uint8_t)zoff; n += sizeof mname;
	memcpy(o + n, rname, sizeof rname); o[n + 6] = (uint8_t)zoff; n += sizeof rname;
	for (int i = 0; i < 5; i++) { put32(o + n, 3600); n += 4; }
	put16(o + rdlen, (unsigned)(n - rdlen - 2));
	return n;
}

/* A packet and its copy one router later: TTL - 1, same IP-ID, 80 us on. */
static void tcp2(struct fx *f, struct ep *s, struct ep *d, uint8_t flags,
                 const void *data, size_t n, uint32_t dt_us)
{
	struct ep keep = *s;
	tcp(f, s, d, flags, data, n, dt_us);
	struct ep cp = keep;
	cp.ttl--;
	tcp(f, &cp, d, flags, data, n, 80);
}

/* An answered HTTP connection (a control: "other connections answered"). */
static void http_conn_fp(struct fx *f, struct ep *c, struct ep *s)
{
	char req[256];
	int n = snprintf(req, sizeof req, HTTP_GET, "example.org");
	handshake(f, c, s);
	tcp(f, c, s, 0x18, req, (size_t)n, 500);
	tcp(f, s, c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 30000);
	close_fin(f, c, s);
}

/* A QUIC long-header Initial (type 0) of the given version, 1200 bytes,
 * payload not decryptable (no name from it). */
static size_t quic_initial(uint8_t *o, uint32_t version, uint8_t tag)
{
	memset(o, tag, 1200);
	o[0] = 0xc3;
	put32(o + 1, version);
	o[5] = 8;                     /* DCID length, DCID = tag bytes */
	o[14] = 0;                    /* SCID length */
	o[15] = 0;                    /* token length */
	put16(o + 16, 0x4000 | (1200 - 18));
	return 1200;
}

/* cause 1: the SYN-ACK comes from a TCP proxy (TTL 248), the data from the
 * server (TTL 173/172, its own IP-ID run).  Correct: clean. */
static void fp_handshake_proxy(const char *dir)
{
	struct fx f;
	char req[256];
	struct ep c = v4(198, 18, 0, 2, 37553, 63, 2394878461u);
	struct ep s = v4(198, 18, 31, 84, 80, 248, 1681518895u);
	fx_open(&f, dir, "fp_handshake_proxy.pcap", DLT_EN10MB);
	s.ipid = 0xba06;
	tcp(&f, &c, &s, 0x02, NULL, 0, 1000);
	tcp(&f, &s, &c, 0x12, NULL, 0, 40000);          /* proxy */
	tcp(&f, &c, &s, 0x10, NULL, 0, 3000);
	int n = snprintf(req, sizeof req, HTTP_GET, "www.facebook.com");
	tcp(&f, &c, &s, 0x18, req, (size_t)n, 48000);
	s.ttl = 173; s.ipid = 0x9fdf;                   /* the server from here on */
	tcp(&f, &s, &c, 0x10, NULL, 0, 39000);
	tcp(&f, &s, &c, 0x18, HTTP_OK, sizeof HTTP_OK - 1, 216000);
	tcp(&f, &c, &s, 0x10, NULL, 0, 5000);
	s.ttl = 172;
	tcp(&f, &s, &c, 0x11, NULL, 0, 2000000);
	tcp(&f, &c, &s, 0x11, NULL, 0, 90000);
	tcp(&f, &s, &c, 0x10, NULL, 0, 40000);
	fx_close(&f);
}

/* cause 2: a one-sided capture: only the client's QUIC Initials (a browser
 * opening two connections 1 s apart, each retried), nothing from any host
 * in the whole file.  Correct: inconclusive (no server packet of any kind:
 * the capture cannot tell a drop from a capture of one direction). */
static void fp_one_sided(const char *dir)
{
	struct fx f;
	uint8_t q[1200];
	struct ep s = v4(198, 18, 20, 1, 443, 57, 0);
	struct ep c1 = v4(198, 18, 0, 2, 55066, 64, 0x1000), c2 = v4(198, 18, 0, 2, 65391, 64, 0x2000);
	fx_open(&f, dir, "fp_one_sided.pcap", DLT_EN10MB);
	udp(&f, &c1, &s, q, quic_initial(q, 1, 0x21), 1000);
	udp(&f, &c2, &s, q, quic_initial(q, 1, 0x22), 970000);
	for (int t = 0; t < 5; t++) {                    /* backoff 0.3 .. 4.8 s */
		udp(&f, &c1, &s, q, quic_initial(q, 1, 0x21), t ? 300000u << t : 300000u);
		udp(&f, &c2, &s, q, quic_initial(q, 1, 0x22), 1000);
	}
	fx_close(&f);
}

/* cause 3: Initials with a reserved (greased) version 0x1a2a3a4a to port
 * 443, unanswered; the same host answers the same kind of Initial on port
 * 4433 with a Version Negotiation packet.  Correct: not interfered. */
static void fp_quic_greased(const char *dir)
{
	struct fx f;
	uint8_t q[1200];
	struct ep s = v4(198, 18, 21, 1, 443, 52, 0), s2 = v4(198, 18, 21, 1, 4433, 52, 0);
	struct ep c = v4(198, 18, 0, 2, 37643, 64, 0x2000), c2 = v4(198, 18, 0, 2, 37661, 64, 0x2100);
	fx_open(&f, dir, "fp_quic_greased.pcap", DLT_EN10MB);
	uint8_t m[512], a[1][16] = { { 198, 18, 21, 1 } };
	struct ep cd = v4(198, 18, 0, 2, 40100, 64, 0), r = v4(198, 18, 0, 1, 53, 64, 0);
	udp(&f, &cd, &r, m, dns_msg(m, 0x7001, 0, "quic.example.net", 1, 0, NULL, 0, 4, 0), 1000);
	udp(&f, &r, &cd, m, dns_msg(m, 0x7001, 1, "quic.example.net", 1, 0, a, 1, 4, 300), 2000);
	udp(&f, &c, &s, q, quic_initial(q, 0x1a2a3a4a, 0x31), 1000);
	udp(&f, &c2, &s2, q, quic_initial(q, 0x1a2a3a4a, 0x32), 1000);
	uint8_t vn[64];
	size_t n = 0;
	vn[n++] = 0x80 | 0x2a;
	put32(vn + n, 0); n += 4;                       /* version 0: Version Negotiation */
	vn[n++] = 0; vn[n++] = 8; memset(vn + n, 0x32, 8); n += 8;   /* DCID empty, SCID = client DCID */
	put32(vn + n, 1); n += 4;                       /* QUIC v1 */
	put32(vn + n, 0x6b3343cf); n += 4;              /* QUIC v2 */
	udp(&f, &s2, &c2, vn, n, 60000);
	for (int t = 0; t < 7; t++)
		udp(&f, &c, &s, q, quic_initial(q, 0x1a2a3a4a, 0x31), 150000u << t);
	f.ts += 10000000;
	fx_close(&f);
}

/* cause 4: a lone RST+ACK (TTL 243) on a connection whose start is not in
 * the capture, from an address whose complete connection has TTL 51.
 * Correct: no event (a midstream flow; clean for the complete one). */
static void fp_midstream_rst(const char *dir)
{
	struct fx f;
	struct ep c = v4(198, 18, 0, 2, 3470, 128, 0x11110000u), s = v4(198, 18, 24, 26, 443, 51, 0x22220000u);
	fx_open(&f, dir, "fp_midstream_rst.pcap", DLT_EN10MB);
	struct ep c2 = v4(198, 18, 0, 2, 3476, 128, 2912300535u), s2 = v4(198, 18, 24, 26, 443, 243, 4217840101u);
	tcp(&f, &s2, &c2, 0x14, NULL, 0, 1000);          /* midstream RST+ACK, first packet of its flow */
	handshake(&f, &c, &s);
	uint8_t ch[512];
	size_t n = client_hello(ch, "eu.actual.battle.net", 20);
	tcp(&f, &c, &s, 0x18, ch, n, 500);
	tcp(&f, &s, &c, 0x18, "\x16\x03\x03\x00\x02\x0e\x00", 7, 30000);
	close_fin(&f, &c, &s);
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 5: SYNs answered by ICMP administratively prohibited (type 3 code
 * 10) whose source is the destination itself.  Correct: not interfered
 * (the server's own firewall refuses; "refused"). */
static void fp_icmp_from_destination(const char *dir)
{
	struct fx f;
	uint8_t l4[128];
	struct ep s = v4(198, 18, 25, 98, 443, 45, 0);
	fx_open(&f, dir, "fp_icmp_from_destination.pcap", DLT_EN10MB);
	for (int i = 0; i < 3; i++) {
		struct ep c = v4(198, 18, 0, 2, (uint16_t)(51887 + i), 64, 0x3000u + (unsigned)i * 0x100u);
		s.port = (uint16_t)(i == 0 ? 443 : 4432 + i);
		uint32_t seq = c.seq;
		uint16_t id = c.ipid;
		tcp(&f, &c, &s, 0x02, NULL, 0, 30000);
		size_t n = 0;
		l4[0] = 3; l4[1] = 10; put16(l4 + 2, 0); put32(l4 + 4, 0); n = 8;
		uint8_t *q = l4 + n;
		q[0] = 0x45; q[1] = 0; put16(q + 2, 40); put16(q + 4, id); put16(q + 6, 0x4000);
		q[8] = 48; q[9] = 6; put16(q + 10, 0);
		memcpy(q + 12, c.a, 4); memcpy(q + 16, s.a, 4);
		put16(q + 20, c.port); put16(q + 22, s.port); put32(q + 24, seq);
		n += 28;
		f.ts += 26000;
		fx_write(&f, build(&f, &s, &c, 1, l4, n), 0);
	}
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 6: every packet twice, before and after a router (TTL 128/127,
 * same IP-ID); an HTTP exchange that the server ends with its own RST and
 * the client's late ACK copies answered by the closed server.  Correct:
 * clean (a genuine RST). */
static void fp_capture_dups(const char *dir)
{
	struct fx f;
	char req[256];
	struct ep c = v4(198, 18, 0, 2, 28503, 128, 2612782955u), s = v4(198, 18, 102, 2, 80, 128, 2612784074u);
	fx_open(&f, dir, "fp_capture_dups.pcap", DLT_EN10MB);
	tcp2(&f, &c, &s, 0x02, NULL, 0, 1000);
	tcp2(&f, &s, &c, 0x12, NULL, 0, 300);
	tcp2(&f, &c, &s, 0x10, NULL, 0, 200);
	int n = snprintf(req, sizeof req, HTTP_GET, "www.aimini.net");
	tcp2(&f, &c, &s, 0x18, req, (size_t)n, 10);
	char body[1400];
	size_t bl = (size_t)snprintf(body, sizeof body, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n");
	memset(body + bl, 'x', sizeof body - bl);
	uint32_t first = s.seq;
	tcp2(&f, &s, &c, 0x18, body, sizeof body, 300);
	tcp2(&f, &s, &c, 0x18, body, 700, 10);
	struct ep cack = c;
	cack.seq = c.seq;
	/* the client ACKs the first segment (kept for its late copy) */
	uint32_t s_end = s.seq;
	s.seq = first + (uint32_t)sizeof body;
	struct ep c_ack1 = c;
	tcp(&f, &c, &s, 0x10, NULL, 0, 20);
	s.seq = s_end;
	tcp(&f, &s, &c, 0x14, NULL, 0, 100);             /* the server resets (end of its answer) */
	/* the router's copy of the client's ACK, then the closed server answers it */
	c_ack1.ttl--;
	s.seq = first + (uint32_t)sizeof body;
	tcp(&f, &c_ack1, &s, 0x10, NULL, 0, 90);
	s.seq = s_end;
	struct ep s_copy = s;
	s_copy.ttl--; s_copy.ipid--;
	tcp(&f, &s_copy, &c, 0x14, NULL, 0, 10);         /* copy of the server's RST */
	struct ep s_ans = s;
	s_ans.seq = first + (uint32_t)sizeof body;
	tcp(&f, &s_ans, &c, 0x14, NULL, 0, 30);          /* closed server: RST at the ACK's ack */
	f.ts += 5000000;
	(void)cack;
	fx_close(&f);
}

/* cause 7: ordinary teardown (zoom.pcap): the client sends FIN and then
 * RSTs each late server segment; the server closes with RST+ACK (IP-ID in
 * its run) and a bare RST from Linux's stateless path (IP-ID of another
 * counter).  Correct: clean (genuine RSTs). */
static void fp_teardown_rst(const char *dir)
{
	struct fx f;
	uint8_t ch[512], app[600];
	struct ep c = v4(198, 18, 0, 2, 54867, 64, 2698926000u), s = v4(198, 18, 144, 105, 443, 48, 3953130000u);
	fx_open(&f, dir, "fp_teardown_rst.pcap", DLT_EN10MB);
	c.ipid = 0;
	s.ipid = 0xf07a;
	handshake(&f, &c, &s);
	size_t n = client_hello(ch, "zoomam105zc.zoom.us", 19);
	tcp(&f, &c, &s, 0x18, ch, n, 500);
	memset(app, 0x17, sizeof app);
	tcp(&f, &s, &c, 0x18, app, 400, 32000);
	tcp(&f, &c, &s, 0x10, NULL, 0, 100);
	uint32_t s_acked = s.seq;
	tcp(&f, &c, &s, 0x18, app, 576, 5000);
	tcp(&f, &c, &s, 0x18, app, 36, 14000);
	tcp(&f, &c, &s, 0x11, NULL, 0, 100);             /* client FIN */
	c.ipid = 0;
	uint32_t c_fin = c.seq;
	struct ep sl = s;
	sl.seq = s.seq;
	c.seq = c_fin - 37;                              /* server acks only part of the data */
	tcp(&f, &s, &c, 0x18, app, 426, 16000);
	c.seq = c_fin - 1;
	tcp(&f, &c, &s, 0x04, NULL, 0, 100);             /* client RST: socket closed */
	c.seq = c_fin;
	tcp(&f, &s, &c, 0x18, app, 31, 14000);
	tcp(&f, &c, &s, 0x04, NULL, 0, 60);
	tcp(&f, &s, &c, 0x14, NULL, 0, 40);              /* server RST+ACK, IP-ID in its run */
	struct ep bare = s;
	bare.ipid = 0x7218;
	bare.seq = s_acked;
	tcp(&f, &bare, &c, 0x04, NULL, 0, 1000);         /* stateless bare RST, other counter */
	(void)sl;
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 8: a home router (198.18.0.1) forwards answers (IP TTL 57 at the
 * client) and answers one DNS-SD browse query itself with NXDOMAIN at TTL
 * 64.  Correct: clean (no race, the resolver's own answer). */
static void fp_local_resolver(const char *dir)
{
	struct fx f;
	uint8_t m[512];
	uint8_t a[1][16] = { { 198, 18, 6, 6 } };
	struct ep c = v4(198, 18, 0, 6, 50000, 128, 0), r = v4(198, 18, 0, 1, 53, 57, 0);
	fx_open(&f, dir, "fp_local_resolver.pcap", DLT_EN10MB);
	const char *names[] = { "teams.microsoft.com", "login.microsoftonline.com", "example.org",
	                        "wikipedia.org", "debian.org", "kernel.org", "gnu.org" };
	for (int i = 0; i < 7; i++) {
		c.port = (uint16_t)(50000 + i);
		udp(&f, &c, &r, m, dns_msg(m, (uint16_t)(0x6000 + i), 0, names[i], 1, 0, NULL, 0, 4, 0), 200000);
		udp(&f, &r, &c, m, dns_msg(m, (uint16_t)(0x6000 + i), 1, names[i], 1, 0, a, 1, 4, 300), 25000);
	}
	c.port = 64046;
	udp(&f, &c, &r, m, dns_msg(m, 0xa74b, 0, "b._dns-sd._udp.example.org", 12, 0, NULL, 0, 4, 0), 300000);
	udp(&f, &c, &r, m, dns_msg(m, 0xa74b, 0, "b._dns-sd._udp.example.org", 12, 0, NULL, 0, 4, 0), 1000000);
	r.ttl = 64;
	/* the router's own NXDOMAIN carries the zone's SOA, as in teams.pcap
	 * (f651: one authority record) */
	udp(&f, &r, &c, m, soa_nx(m, dns_msg(m, 0xa74b, 1, "b._dns-sd._udp.example.org", 12, 3,
	                                     NULL, 0, 4, 0)), 12000);
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 9: one SMB attempt opens 445 and 139 0.3 ms apart; neither is
 * answered; other connections are.  Correct: inconclusive (one attempt to
 * an unnamed address: below 0.5). */
static void fp_parallel_syn(const char *dir)
{
	struct fx f;
	fx_open(&f, dir, "fp_parallel_syn.pcap", DLT_EN10MB);
	struct ep ok = v4(198, 18, 4, 4, 80, 50, 5000);
	struct ep c0 = v4(198, 18, 0, 2, 2710, 128, 41000);
	http_conn_fp(&f, &c0, &ok);
	struct ep a = v4(198, 18, 0, 2, 2717, 128, 3640637404u), b = v4(198, 18, 0, 2, 2718, 128, 767917792u);
	struct ep s445 = v4(198, 18, 137, 94, 445, 50, 0), s139 = v4(198, 18, 137, 94, 139, 50, 0);
	uint32_t sa = a.seq, sb = b.seq;
	tcp(&f, &a, &s445, 0x02, NULL, 0, 1000000); a.seq = sa;
	tcp(&f, &b, &s139, 0x02, NULL, 0, 330); b.seq = sb;
	tcp(&f, &b, &s139, 0x02, NULL, 0, 2918575); b.seq = sb;
	tcp(&f, &a, &s445, 0x02, NULL, 0, 92); a.seq = sa;
	tcp(&f, &a, &s445, 0x02, NULL, 0, 6008618); a.seq = sa;
	struct ep c1 = v4(198, 18, 0, 2, 2720, 128, 51000);
	f.ts += 4000000;
	http_conn_fp(&f, &c1, &ok);
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 11: a peer-to-peer application tries a residential peer's
 * dynamic port (62381) on two connections 1.5 s apart, each retransmitted
 * three times, unanswered (skype_no_unknown.pcap, 80.121.84.93); other
 * servers answer.  Correct: inconclusive (no blocked service: a peer's
 * dynamic port on an unnamed address). */
static void fp_p2p_peer(const char *dir)
{
	struct fx f;
	fx_open(&f, dir, "fp_p2p_peer.pcap", DLT_EN10MB);
	struct ep ok = v4(198, 18, 4, 4, 80, 50, 5000);
	struct ep c0 = v4(198, 18, 0, 2, 51290, 128, 41000);
	http_conn_fp(&f, &c0, &ok);
	struct ep a = v4(198, 18, 0, 2, 51303, 128, 1181000001u), b = v4(198, 18, 0, 2, 51306, 128, 2930000011u);
	struct ep peer = v4(198, 18, 80, 93, 62381, 50, 0);
	uint32_t sa = a.seq, sb = b.seq;
	tcp(&f, &a, &peer, 0x02, NULL, 0, 1000000); a.seq = sa;
	tcp(&f, &b, &peer, 0x02, NULL, 0, 1500000); b.seq = sb;
	for (int i = 0; i < 3; i++) {
		tcp(&f, &a, &peer, 0x02, NULL, 0, 1000000); a.seq = sa;
		tcp(&f, &b, &peer, 0x02, NULL, 0, 500000); b.seq = sb;
	}
	struct ep c1 = v4(198, 18, 0, 2, 51320, 128, 51000);
	f.ts += 4000000;
	http_conn_fp(&f, &c1, &ok);
	f.ts += 5000000;
	fx_close(&f);
}

/* cause 10: the first SYN is refused (RST+ACK seq 0, ack ISN+1, IP-ID 0:
 * nothing listening yet), the retransmitted SYN with the same ISN is
 * accepted 0.5 s later and the exchange completes.  Correct: clean. */
static void fp_refused_then_accepted(const char *dir)
{
	struct fx f;
	char req[256];
	struct ep c = v4(198, 18, 0, 2, 52478, 64, 439451506u), s = v4(198, 18, 2, 2, 8554, 64, 0);
	fx_open(&f, dir, "fp_refused_then_accepted.pcap", DLT_EN10MB);
	uint32_t isn = c.seq;
	tcp(&f, &c, &s, 0x02, NULL, 0, 1000);
	struct ep rst = s;
	rst.seq = 0; rst.ipid = 0;
	tcp(&f, &rst, &c, 0x14, NULL, 0, 1200);
	c.seq = isn;
	c.ipid++;
	s.seq = 4056368679u; s.ipid = 0;
	tcp(&f, &c, &s, 0x02, NULL, 0, 504000);
	tcp(&f, &s, &c, 0x12, NULL, 0, 700);
	tcp(&f, &c, &s, 0x10, NULL, 0, 300);
	int n = snprintf(req, sizeof req, "OPTIONS rtsp://198.18.2.2:8554/live RTSP/1.0\r\nCSeq: 1\r\n\r\n");
	tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
	tcp(&f, &s, &c, 0x18, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n", 28, 400);
	close_fin(&f, &c, &s);
	f.ts += 5000000;
	fx_close(&f);
}

int main(int argc, char **argv)
{
	if (argc != 2) { fprintf(stderr, "usage: mkfp OUTDIR\n"); return 1; }
	fp_handshake_proxy(argv[1]);
	fp_one_sided(argv[1]);
	fp_quic_greased(argv[1]);
	fp_midstream_rst(argv[1]);
	fp_icmp_from_destination(argv[1]);
	fp_capture_dups(argv[1]);
	fp_teardown_rst(argv[1]);
	fp_local_resolver(argv[1]);
	fp_parallel_syn(argv[1]);
	fp_p2p_peer(argv[1]);
	fp_refused_then_accepted(argv[1]);
	return 0;
}
