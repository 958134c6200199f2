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

struct fx {
	pcap_t *p;
	pcap_dumper_t *d;
	uint64_t ts;             /* microseconds */
	int dlt;
	unsigned vlan;           /* 0: untagged; else 802.1Q tag */
	unsigned qinq;           /* 802.1ad outer tag when non-zero */
};

struct ep { int v6; uint8_t a[16]; uint16_t port; uint8_t ttl; uint16_t ipid; uint32_t seq; };

static uint8_t frame[70000];

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1) s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static uint16_t csum_fin(uint32_t s)
{
	while (s >> 16) s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void fx_open(struct fx *f, const char *dir, const char *name, int dlt)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	memset(f, 0, sizeof *f);
	f->dlt = dlt;
	f->p = pcap_open_dead(dlt, 262144);
	f->d = pcap_dump_open(f->p, path);
	if (!f->d) { fprintf(stderr, "mkfixtures: %s: %s\n", path, pcap_geterr(f->p)); exit(1); }
	f->ts = 1700000000ULL * 1000000;
}

static void fx_close(struct fx *f)
{
	pcap_dump_close(f->d);
	pcap_close(f->p);
}

static void fx_write(struct fx *f, size_t len, size_t caplen)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(f->ts / 1000000);
	h.ts.tv_usec = (suseconds_t)(f->ts % 1000000);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(caplen && caplen < len ? caplen : len);
	pcap_dump((u_char *)f->d, &h, frame);
}

/* Build link + IP + L4 (proto 6/17/1/58) around payload; returns frame length. */
static size_t build(struct fx *f, const struct ep *s, const struct ep *d, uint8_t proto,
                    const uint8_t *l4, size_t l4len)
{
	size_t o = 0;
	if (f->dlt == DLT_EN10MB) {
		static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
		memcpy(frame, mac, 12);
		o = 12;
		if (f->qinq) { put16(frame + o, 0x88a8); put16(frame + o + 2, f->qinq); o += 4; }
		if (f->vlan) { put16(frame + o, 0x8100); put16(frame + o + 2, f->vlan); o += 4; }
		put16(frame + o, s->v6 ? 0x86dd : 0x0800);
		o += 2;
	}
	uint8_t *ip = frame + o;
	uint32_t ps;
	size_t hl;
	if (!s->v6) {
		hl = 20;
		ip[0] = 0x45; ip[1] = 0;
		put16(ip + 2, (unsigned)(20 + l4len));
		put16(ip + 4, s->ipid);
		put16(ip + 6, 0x4000);
		ip[8] = s->ttl; ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->a, 4);
		memcpy(ip + 16, d->a, 4);
		put16(ip + 10, csum_fin(csum_add(0, ip, 20)));
		ps = csum_add(0, ip + 12, 8) + proto + (uint32_t)l4len;
	} else {
		hl = 40;
		put32(ip, 0x60000000);
		put16(ip + 4, (unsigned)l4len);
		ip[6] = proto; ip[7] = s->ttl;
		memcpy(ip + 8, s->a, 16);
		memcpy(ip + 24, d->a, 16);
		ps = csum_add(0, ip + 8, 32) + proto + (uint32_t)l4len;
	}
	uint8_t *l = ip + hl;
	memcpy(l, l4, l4len);
	int co = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	if (proto == 1) ps = 0;
	put16(l + co, 0);
	put16(l + co, csum_fin(csum_add(ps, l, l4len)));
	return o + hl + l4len;
}

static void tcp(struct fx *f, struct ep *s, struct ep *d, uint8_t flags,
                const void *data, size_t n, uint32_t dt_us)
{
	uint8_t l4[66000];
	f->ts += dt_us;
	memset(l4, 0, 20);
	put16(l4, s->port); put16(l4 + 2, d->port);
	put32(l4 + 4, s->seq);
	put32(l4 + 8, (flags & 0x10) ? d->seq : 0);
	l4[12] = 5 << 4; l4[13] = flags;
	put16(l4 + 14, 64240);
	if (n) memcpy(l4 + 20, data, n);
	fx_write(f, build(f, s, d, 6, l4, 20 + n), 0);
	s->seq += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
	s->ipid++;
}

static void udp(struct fx *f, struct ep *s, struct ep *d, const void *data, size_t n,
                uint32_t dt_us)
{
	uint8_t l4[66000];
	f->ts += dt_us;
	put16(l4, s->port); put16(l4 + 2, d->port);
	put16(l4 + 4, (unsigned)(8 + n)); put16(l4 + 6, 0);
	memcpy(l4 + 8, data, n);
	fx_write(f, build(f, s, d, 17, l4, 8 + n), 0);
	s->ipid++;
}

static struct ep v4(unsigned a, unsigned b, unsigned c, unsigned d, uint16_t port,
                    uint8_t ttl, uint32_t seq)
{
	struct ep e = { 0 };
	e.a[0] = (uint8_t)a; e.a[1] = (uint8_t)b; e.a[2] = (uint8_t)c; e.a[3] = (uint8_t)d;
	e.port = port; e.ttl = ttl; e.seq = seq; e.ipid = (uint16_t)(seq >> 8);
	return e;
}

static void handshake(struct fx *f, struct ep *c, struct ep *s)
{
	tcp(f, c, s, 0x02, NULL, 0, 1000);
	tcp(f, s, c, 0x12, NULL, 0, 30000);
	tcp(f, c, s, 0x10, NULL, 0, 200);
}

static void close_fin(struct fx *f, struct ep *c, struct ep *s)
{
	tcp(f, c, s, 0x11, NULL, 0, 1000);
	tcp(f, s, c, 0x11, NULL, 0, 30000);
	tcp(f, c, s, 0x10, NULL, 0, 200);
}

/* A TLS 1.2 ClientHello record with an optional server_name. */
static size_t client_hello(uint8_t *o, const char *sni, size_t snilen)
{
	uint8_t body[2048];
	size_t b = 0;
	body[b++] = 3; body[b++] = 3;
	memset(body + b, 0x11, 32); b += 32;
	body[b++] = 0;                              /* session id */
	put16(body + b, 2); b += 2; put16(body + b, 0xc02f); b += 2;
	body[b++] = 1; body[b++] = 0;               /* compression */
	size_t extlen_at = b; b += 2;
	if (sni) {
		put16(body + b, 0); b += 2;
		put16(body + b, (unsigned)(snilen + 5)); b += 2;
		put16(body + b, (unsigned)(snilen + 3)); b += 2;
		body[b++] = 0;
		put16(body + b, (unsigned)snilen); b += 2;
		memcpy(body + b, sni, snilen); b += snilen;
	}
	put16(body + b, 0x000b); b += 2; put16(body + b, 2); b += 2; body[b++] = 1; body[b++] = 0;
	put16(body + extlen_at, (unsigned)(b - extlen_at - 2));
	o[0] = 0x16; o[1] = 3; o[2] = 1;
	put16(o + 3, (unsigned)(b + 4));
	o[5] = 1; o[6] = 0; put16(o + 7, (unsigned)b);
	memcpy(o + 9, body, b);
	return b + 9;
}

static size_t dns_msg(uint8_t *o, uint16_t id, int resp, const char *qname, uint16_t qtype,
                      int rcode, const uint8_t (*addrs)[16], int naddr, int alen, uint32_t ttl)
{
	size_t n = 0;
	put16(o, id); n = 2;
	put16(o + n, resp ? (0x8180 | (unsigned)rcode) : 0x0100); n += 2;
	put16(o + n, 1); put16(o + n + 2, (unsigned)naddr); put16(o + n + 4, 0); put16(o + n + 6, 0);
	n += 8;
	const char *p = qname;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		o[n++] = (uint8_t)l;
		memcpy(o + n, p, l); n += l;
		p += l + (dot ? 1 : 0);
	}
	o[n++] = 0;
	put16(o + n, qtype); put16(o + n + 2, 1); n += 4;
	for (int i = 0; i < naddr; i++) {
		put16(o + n, 0xc00c); n += 2;
		put16(o + n, alen == 4 ? 1 : 28); put16(o + n + 2, 1); n += 4;
		put32(o + n, ttl); n += 4;
		put16(o + n, (unsigned)alen); n += 2;
		memcpy(o + n, addrs[i], (size_t)alen); n += (size_t)alen;
	}
	return n;
}

static const char http_get[] = "GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: fixture\r\n\r\n";
static const char http_ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

static void http_conn(struct fx *f, struct ep *c, struct ep *s, const char *host)
{
	char req[512];
	int n = snprintf(req, sizeof req, http_get, host);
	handshake(f, c, s);
	tcp(f, c, s, 0x18, req, (size_t)n, 500);
	tcp(f, s, c, 0x18, http_ok, sizeof http_ok - 1, 30000);
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
	int n = snprintf(req, sizeof req, http_get, "twitter.com");
	handshake(&f, &c, &s);
	tcp(&f, &c, &s, 0x18, req, (size_t)n, 500);
	if (forged) {
		struct ep inj = s;
		inj.ttl = 64; inj.ipid = 0x3412;
		tcp(&f, &inj, &c, 0x14, NULL, 0, 300);
		tcp(&f, &s, &c, 0x18, http_ok, sizeof http_ok - 1, 30000);
		tcp(&f, &c, &s, 0x04, NULL, 0, 200);
	} else {
		tcp(&f, &s, &c, 0x18, http_ok, sizeof http_ok - 1, 30000);
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
	return 0;
}
