/* fxbuild.c - the packet builder of the generated captures (pcaps/gen/):
 * Ethernet (VLAN, QinQ) or another link framing or tunnel, IPv4/IPv6 with
 * checksums, TCP, UDP, ICMP; TLS ClientHello and DNS messages.  Shared by
 * mkfixtures.c and mkfp.c.  Deterministic: same bytes every run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fxbuild.h"
static uint8_t frame[70000];

void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v & 0xffff); }

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

void fx_open(struct fx *f, const char *dir, const char *name, int dlt)
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

void fx_close(struct fx *f)
{
	pcap_dump_close(f->d);
	pcap_close(f->p);
}

void fx_write(struct fx *f, size_t len, size_t caplen)
{
	struct pcap_pkthdr h;
	h.ts.tv_sec = (time_t)(f->ts / 1000000);
	h.ts.tv_usec = (suseconds_t)(f->ts % 1000000);
	h.len = (bpf_u_int32)len;
	h.caplen = (bpf_u_int32)(caplen && caplen < len ? caplen : len);
	pcap_dump((u_char *)f->d, &h, frame);
}

/* ---- Link framings and tunnels for the link fixtures (f->link) ----
 * link_prefix() writes the headers before the IP packet (length fields
 * left 0), link_finish() fills the lengths and checksums once the packet
 * is built and appends trailers (802.11 FCS).  The framing varies with
 * the packet count so one capture holds every variant.  Values follow
 * the headers' specifications, cited in the dissectors. */

#define NONE_ ((size_t)-1)
static struct {              /* where link_finish() must patch          */
	size_t outer_ip, udp, pppoe, nflog, gre, wlan;
	int gre_csum, fcs;
	int nonip;               /* f->nonip of the frame being built        */
} lk;

static void le16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, v & 0xffff); le16(p + 2, v >> 16); }

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static size_t eth_prefix(uint8_t *p, unsigned type)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	memcpy(p, mac, 12);
	put16(p + 12, type);
	return 14;
}

/* The ethertype of what the headers carry: ARP in a non-IP frame. */
static unsigned ip_type(int v6) { return lk.nonip ? 0x0806 : v6 ? 0x86dd : 0x0800; }

/* PPP protocol: 2 bytes, or 1 with protocol-field compression. */
static size_t ppp_proto(uint8_t *p, int v6, int pfc)
{
	if (lk.nonip) { put16(p, 0xc021); return 2; }       /* LCP */
	if (pfc) { p[0] = v6 ? 0x57 : 0x21; return 1; }
	put16(p, v6 ? 0x0057 : 0x0021);
	return 2;
}

/* 802.11 data frame + LLC/SNAP: plain data, QoS data, or 4-address QoS
 * data with HT control; ToDS from the client, FromDS to it. */
static size_t wlan_prefix(uint8_t *p, int v6, int up, unsigned n)
{
	static const uint8_t ap[6] = { 0x02, 0xa0, 0, 0, 0, 1 }, sta[6] = { 0x02, 0x5a, 0, 0, 0, 2 },
	                     gw[6] = { 0x02, 0x00, 0, 0, 0, 1 };
	unsigned kind = n % 3;
	size_t o = 24;
	memset(p, 0, 40);
	p[0] = kind ? 0x88 : 0x08;
	p[1] = kind == 2 ? 0x83 : up ? 0x01 : 0x02;
	le16(p + 2, 44);
	memcpy(p + 4, up ? ap : sta, 6);
	memcpy(p + 10, up ? sta : ap, 6);
	memcpy(p + 16, gw, 6);
	le16(p + 22, (n & 0xfff) << 4);
	if (lk.nonip == 1) { p[0] = 0x80; p[1] = 0; }         /* a beacon */
	if (lk.nonip == 2) p[1] |= 0x40;                      /* protected */
	if (kind == 2) { memcpy(p + o, sta, 6); o += 6; }
	if (kind) { le16(p + o, 0x0006); o += 2; }            /* TID 6 */
	if (kind == 2) { le32(p + o, 0x0000c000); o += 4; }  /* HT control */
	static const uint8_t snap[6] = { 0xaa, 0xaa, 0x03, 0, 0, 0 };
	memcpy(p + o, snap, 6);
	put16(p + o + 6, ip_type(v6));
	return o + 8;
}

/* Radiotap: TSFT, Flags (FCS at end), Rate, Channel; 22 bytes. */
static size_t radiotap_prefix(uint8_t *p, unsigned n)
{
	memset(p, 0, 22);
	le16(p + 2, 22);
	le32(p + 4, 0x0000000f);
	le32(p + 8, 1000000u + n); le32(p + 12, 0);
	p[16] = 0x10;
	p[17] = 108;                                         /* 54 Mbit/s */
	le16(p + 18, 2437); le16(p + 20, 0x00c0);            /* channel 6 */
	return 22;
}

/* PPI: header, an 802.11-Common field (FCS present) when 802.11 follows. */
static size_t ppi_prefix(uint8_t *p, int inner)
{
	size_t o = 8;
	memset(p, 0, 32);
	le32(p + 4, (uint32_t)inner);
	if (inner == 105) {
		le16(p + 8, 2); le16(p + 10, 20);
		le32(p + 12, 5000); le16(p + 20, 0x0001); le16(p + 22, 108);
		le16(p + 24, 2437); le16(p + 26, 0x00c0);
		p[30] = 0xd8; p[31] = 0xa1;                  /* -40 dBm, -95 dBm */
		o = 32;
	}
	le16(p + 2, (unsigned)o);
	return o;
}

/* Darwin's pktap_header (108 bytes, little-endian), then the inner link
 * header: Ethernet, raw IP or NULL (AF in host order; AF_INET6 is 30). */
static size_t pktap_prefix(uint8_t *p, int inner, int v6)
{
	memset(p, 0, 108);
	le32(p, 108); le32(p + 4, 1); le32(p + 8, (uint32_t)inner);
	memcpy(p + 12, inner == 0 ? "lo0" : inner == 12 ? "utun3" : "en0", inner == 12 ? 5 : 3);
	le32(p + 40, v6 ? 30 : 2);
	le32(p + 44, inner == 1 ? 14 : inner == 0 ? 4 : 0);
	le32(p + 52, 4242); memcpy(p + 56, "curl", 4);
	le16(p + 80, inner == 1 ? 6 : inner == 0 ? 24 : 1);
	le32(p + 84, 4242); memcpy(p + 88, "curl", 4);
	if (inner == 1) return 108 + eth_prefix(p + 108, ip_type(v6));
	if (inner == 0) { le32(p + 108, v6 ? 30 : 2); return 112; }
	return 108;
}

/* NFLOG: header, NFULA_PACKET_HDR, NFULA_PREFIX (7 bytes: padded),
 * NFULA_IFINDEX_INDEV, NFULA_PAYLOAD (its length patched). */
static size_t nflog_prefix(uint8_t *p, int v6)
{
	memset(p, 0, 40);
	p[0] = v6 ? 10 : 2;
	put16(p + 2, 5);                                     /* group 5 */
	le16(p + 4, 8); le16(p + 6, 1); put16(p + 8, ip_type(v6)); p[10] = 1;
	le16(p + 12, 11); le16(p + 14, 10); memcpy(p + 16, "ts-log", 7);
	le16(p + 24, 8); le16(p + 26, 4); put32(p + 28, 2);
	lk.nflog = 32;
	le16(p + 34, lk.nonip ? 15 : 9);          /* NFULA_HWHEADER: no payload */
	return 36;
}

/* Outer IPv4 192.0.2.1 -> 192.0.2.2 (a mirror session to the sensor). */
static size_t outer4(uint8_t *p, uint8_t proto, size_t at, unsigned n)
{
	memset(p, 0, 20);
	p[0] = 0x45; put16(p + 4, 0x7000 + n); p[8] = 255; p[9] = proto;
	p[12] = 192; p[14] = 2; p[15] = 1;
	p[16] = 192; p[18] = 2; p[19] = 2;
	lk.outer_ip = at;
	return 20;
}

/* GRE: plain, with a key, or checksum+key+sequence around bridged
 * Ethernet (0x6558). */
static size_t gre_prefix(uint8_t *p, size_t at, int v6, unsigned n)
{
	unsigned kind = n % 3;
	size_t o = 4;
	put16(p, kind == 0 ? 0 : kind == 1 ? 0x2000 : 0xb000);
	put16(p + 2, kind == 2 ? 0x6558 : lk.nonip ? 0x883e : ip_type(v6));  /* WCCP */
	lk.gre = at;
	if (kind == 2) { put32(p + o, 0); lk.gre_csum = 1; o += 4; }
	if (kind) { put32(p + o, 0x00001000); o += 4; }
	if (kind == 2) { put32(p + o, n); o += 4; }
	if (kind == 2) o += eth_prefix(p + o, ip_type(v6));
	return o;
}

/* ERSPAN II (GRE with a sequence number, 0x88be) or III (0x22eb; every
 * other one with the platform-specific subheader), then Ethernet. */
static size_t erspan_prefix(uint8_t *p, int v6, unsigned n)
{
	int three = n & 1;
	size_t o = 8;
	put16(p, 0x1000); put16(p + 2, three ? 0x22eb : 0x88be); put32(p + 4, n);
	put16(p + o, (three ? 0x2000 : 0x1000) | 10);        /* version, VLAN 10 */
	put16(p + o + 2, 0x0007);                            /* session 7 */
	if (!three) {
		put32(p + o + 4, n & 0xfffff);               /* index */
		o += 8;
	} else {
		put32(p + o + 4, 0x10000000u + n);           /* timestamp */
		put16(p + o + 8, 0); p[o + 10] = 0; p[o + 11] = (n & 2) ? 0x01 : 0;
		o += 12;
		if (n & 2) { put32(p + o, 0x08000000); put32(p + o + 4, n); o += 8; }
	}
	return o + eth_prefix(p + o, ip_type(v6));
}

/* VXLAN: UDP to 4789, flags I, VNI 100, then Ethernet. */
static size_t vxlan_prefix(uint8_t *p, size_t at, int v6, unsigned n)
{
	put16(p, 50000 + (n % 16)); put16(p + 2, 4789); put16(p + 4, 0); put16(p + 6, 0);
	lk.udp = at;
	put32(p + 8, 0x08000000); put32(p + 12, 100u << 8);
	return 16 + eth_prefix(p + 16, ip_type(v6));
}

static size_t tunnel_prefix(struct fx *f, uint8_t *p, int v6)
{
	size_t o = eth_prefix(p, 0x0800);
	uint8_t proto = f->link == LK_VXLAN ? 17 : 47;
	o += outer4(p + o, proto, o, f->npkt);
	if (f->link == LK_GRE) return o + gre_prefix(p + o, o, v6, f->npkt);
	if (f->link == LK_ERSPAN) return o + erspan_prefix(p + o, v6, f->npkt);
	return o + vxlan_prefix(p + o, o, v6, f->npkt);
}

static size_t link_prefix(struct fx *f, uint8_t *p, int v6, int up)
{
	unsigned n = f->npkt;
	size_t o;
	memset(&lk, 0, sizeof lk);
	lk.nonip = f->nonip;
	lk.outer_ip = lk.udp = lk.pppoe = lk.nflog = lk.gre = lk.wlan = NONE_;
	switch (f->link) {
	case LK_PPP:                       /* ff03 or not, 2-byte or 1-byte */
		o = (n & 1) ? 0 : 2;
		p[0] = 0xff; p[1] = 0x03;
		return o + ppp_proto(p + o, v6, n & 2);
	case LK_PPP_HDLC:                  /* every third one Cisco framing */
		if (n % 3 == 2) { p[0] = 0x0f; p[1] = 0; put16(p + 2, ip_type(v6)); return 4; }
		p[0] = 0xff; p[1] = 0x03;
		return 2 + ppp_proto(p + 2, v6, 0);
	case LK_CHDLC:                     /* SLARP when not IP */
		p[0] = 0x0f; p[1] = 0; put16(p + 2, lk.nonip ? 0x8035 : ip_type(v6));
		return 4;
	case LK_WLAN:
		lk.wlan = 0;
		return wlan_prefix(p, v6, up, n);
	case LK_RADIOTAP:
		o = radiotap_prefix(p, n);
		lk.wlan = o; lk.fcs = 1;
		return o + wlan_prefix(p + o, v6, up, n);
	case LK_PPI:
		o = ppi_prefix(p, f->inner);
		if (f->inner != 105) return o + eth_prefix(p + o, ip_type(v6));
		lk.wlan = o; lk.fcs = 1;
		return o + wlan_prefix(p + o, v6, up, n);
	case LK_PKTAP:
		return pktap_prefix(p, f->inner, v6);
	case LK_NFLOG:
		return nflog_prefix(p, v6);
	case LK_PPPOE:
		o = eth_prefix(p, 0x8864);
		p[o] = 0x11; p[o + 1] = 0; put16(p + o + 2, 0x2a2a); put16(p + o + 4, 0);
		lk.pppoe = o;
		return o + 6 + ppp_proto(p + o + 6, v6, 0);
	case LK_MPLS:                      /* 2 labels, or 1 as multicast MPLS */
		o = eth_prefix(p, (n & 1) ? 0x8848 : 0x8847);
		if (!(n & 1)) { put32(p + o, (16000u << 12) | 64); o += 4; }
		put32(p + o, (3000u << 12) | 0x100 | 64);
		if (lk.nonip) {                /* pseudowire: control word, Ethernet */
			put32(p + o + 4, 0);
			return o + 8 + eth_prefix(p + o + 8, 0x0800);
		}
		return o + 4;
	default:
		return tunnel_prefix(f, p, v6);
	}
}

/* Lengths and checksums that depend on the packet, the FCS trailer. */
static size_t link_finish(struct fx *f, uint8_t *p, size_t len)
{
	f->npkt++;
	if (lk.outer_ip != NONE_) {
		uint8_t *ip = p + lk.outer_ip;
		put16(ip + 2, (unsigned)(len - lk.outer_ip));
		put16(ip + 10, csum_fin(csum_add(0, ip, 20)));
	}
	if (lk.udp != NONE_)
		put16(p + lk.udp + 4, (unsigned)(len - lk.udp));
	if (lk.gre != NONE_ && lk.gre_csum)
		put16(p + lk.gre + 4, csum_fin(csum_add(0, p + lk.gre, len - lk.gre)));
	if (lk.pppoe != NONE_)
		put16(p + lk.pppoe + 4, (unsigned)(len - lk.pppoe - 6));
	if (lk.nflog != NONE_)
		le16(p + lk.nflog, (unsigned)(len - lk.nflog));
	if (lk.fcs) {
		le32(p + len, crc32_ieee(p + lk.wlan, len - lk.wlan));
		len += 4;
	}
	return len;
}

/* Build link + IP + L4 (proto 6/17/1/58) around payload; returns frame length. */
size_t build(struct fx *f, const struct ep *s, const struct ep *d, uint8_t proto,
                    const uint8_t *l4, size_t l4len)
{
	size_t o = 0;
	if (f->link != LK_PLAIN) {
		o = link_prefix(f, frame, s->v6, s->port > d->port);
	} else if (f->dlt == DLT_EN10MB) {
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
		ip[0] = 0x45; ip[1] = s->tos;
		put16(ip + 2, (unsigned)(20 + l4len));
		put16(ip + 4, s->ipid);
		put16(ip + 6, s->nodf ? 0 : 0x4000);
		ip[8] = s->ttl; ip[9] = proto;
		put16(ip + 10, 0);
		memcpy(ip + 12, s->a, 4);
		memcpy(ip + 16, d->a, 4);
		put16(ip + 10, csum_fin(csum_add(0, ip, 20)));
		ps = csum_add(0, ip + 12, 8) + proto + (uint32_t)l4len;
	} else {
		hl = 40;
		put32(ip, 0x60000000u | (uint32_t)s->tos << 20);
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
	if (f->link != LK_PLAIN)
		return link_finish(f, frame, o + hl + l4len);
	return o + hl + l4len;
}

void tcp(struct fx *f, struct ep *s, struct ep *d, uint8_t flags,
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
	fx_write(f, build(f, s, d, 6, l4, 20 + n), f->snap);
	s->seq += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
	s->ipid++;
}

void udp(struct fx *f, struct ep *s, struct ep *d, const void *data, size_t n,
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

struct ep v4(unsigned a, unsigned b, unsigned c, unsigned d, uint16_t port,
                    uint8_t ttl, uint32_t seq)
{
	struct ep e = { 0 };
	e.a[0] = (uint8_t)a; e.a[1] = (uint8_t)b; e.a[2] = (uint8_t)c; e.a[3] = (uint8_t)d;
	e.port = port; e.ttl = ttl; e.seq = seq; e.ipid = (uint16_t)(seq >> 8);
	return e;
}

void handshake(struct fx *f, struct ep *c, struct ep *s)
{
	tcp(f, c, s, 0x02, NULL, 0, 1000);
	tcp(f, s, c, 0x12, NULL, 0, 30000);
	tcp(f, c, s, 0x10, NULL, 0, 200);
}

void close_fin(struct fx *f, struct ep *c, struct ep *s)
{
	tcp(f, c, s, 0x11, NULL, 0, 1000);
	tcp(f, s, c, 0x11, NULL, 0, 30000);
	tcp(f, c, s, 0x10, NULL, 0, 200);
}

/* A TLS 1.2 ClientHello record with an optional server_name. */
size_t client_hello(uint8_t *o, const char *sni, size_t snilen)
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

size_t dns_msg(uint8_t *o, uint16_t id, int resp, const char *qname, uint16_t qtype,
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
