/* pktbuild.h - tiny packet builder shared by the dissector unit tests.
 * Headers are written field by field in network order; checksums are 0
 * (the dissectors never verify them).  dup_exact() copies a frame into a
 * heap block of exactly its length so ASan catches any over-read. */
#ifndef TS_PKTBUILD_H
#define TS_PKTBUILD_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dissect.h"

struct buf {
	uint8_t b[80000];
	size_t n;
};

static inline void b8(struct buf *f, unsigned v) { f->b[f->n++] = (uint8_t)v; }
static inline void b16(struct buf *f, unsigned v) { b8(f, v >> 8); b8(f, v); }
static inline void b32(struct buf *f, uint32_t v) { b16(f, v >> 16); b16(f, v & 0xffff); }
static inline void bmem(struct buf *f, const void *p, size_t n)
{
	memcpy(f->b + f->n, p, n);
	f->n += n;
}
static inline void bfill(struct buf *f, uint8_t v, size_t n)
{
	memset(f->b + f->n, v, n);
	f->n += n;
}
static inline void set16(struct buf *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static inline void eth_hdr(struct buf *f, uint16_t type)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	bmem(f, macs, 12);
	b16(f, type);
}

/* IPv4 10.0.0.1 -> 10.0.0.2, ttl 64, id 0x1234; fix tot with ip4_fin. */
static inline size_t ip4_hdr_opts(struct buf *f, uint8_t proto, uint16_t frag,
                                  const uint8_t *opts, size_t optlen)
{
	size_t off = f->n;
	b8(f, 0x40 | (uint8_t)(5 + optlen / 4));
	b8(f, 0);
	b16(f, 0);
	b16(f, 0x1234);
	b16(f, frag);
	b8(f, 64);
	b8(f, proto);
	b16(f, 0);
	b32(f, 0x0a000001);
	b32(f, 0x0a000002);
	if (optlen)
		bmem(f, opts, optlen);
	return off;
}
static inline size_t ip4_hdr(struct buf *f, uint8_t proto, uint16_t frag)
{
	return ip4_hdr_opts(f, proto, frag, NULL, 0);
}
static inline void ip4_fin(struct buf *f, size_t off)
{
	set16(f, off + 2, (unsigned)(f->n - off));
}

/* IPv6 2001:db8::1 -> 2001:db8::2, hop limit 57; fix plen with ip6_fin. */
static inline size_t ip6_hdr(struct buf *f, uint8_t nh)
{
	size_t off = f->n;
	b32(f, 0x60000000);
	b16(f, 0);
	b8(f, nh);
	b8(f, 57);
	b32(f, 0x20010db8); b32(f, 0); b32(f, 0); b32(f, 1);
	b32(f, 0x20010db8); b32(f, 0); b32(f, 0); b32(f, 2);
	return off;
}
static inline void ip6_fin(struct buf *f, size_t off)
{
	set16(f, off + 4, (unsigned)(f->n - off - 40));
}

/* Generic 8-byte-unit extension header (HBH, routing, dest opts) of
 * 8 * (hl + 1) bytes, PadN filled. */
static inline void ip6_ext(struct buf *f, uint8_t nh, uint8_t hl)
{
	b8(f, nh);
	b8(f, hl);
	size_t rest = (size_t)(hl + 1) * 8 - 2;
	b8(f, 1);                 /* PadN */
	b8(f, (unsigned)(rest - 2));
	bfill(f, 0, rest - 2);
}

static inline void tcp_hdr(struct buf *f, uint16_t sp, uint16_t dp,
                           uint32_t seq, uint32_t ack, uint8_t flags,
                           const uint8_t *opts, size_t optlen)
{
	b16(f, sp);
	b16(f, dp);
	b32(f, seq);
	b32(f, ack);
	b8(f, (unsigned)((5 + optlen / 4) << 4));
	b8(f, flags);
	b16(f, 65535);
	b16(f, 0);
	b16(f, 0);
	if (optlen)
		bmem(f, opts, optlen);
}

static inline void udp_hdr(struct buf *f, uint16_t sp, uint16_t dp,
                           uint16_t paylen)
{
	b16(f, sp);
	b16(f, dp);
	b16(f, 8u + paylen);
	b16(f, 0);
}

static inline uint8_t *dup_exact(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

/* packet_decode() over an exact-length heap copy of the first n bytes. */
static inline int decode_n(int dlt, const struct buf *f, size_t n,
                           struct pkt *pk, enum mal_reason *why)
{
	uint8_t *d = dup_exact(f->b, n);
	memset(pk, 0xa5, sizeof *pk);     /* decode must reset everything */
	int st = packet_decode(dlt, d, (uint32_t)n, (uint32_t)n, 1, pk, why);
	free(d);
	return st;
}
static inline int decode(int dlt, const struct buf *f, struct pkt *pk,
                         enum mal_reason *why)
{
	return decode_n(dlt, f, f->n, pk, why);
}
#endif
