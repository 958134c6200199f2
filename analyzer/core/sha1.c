/* sha1.c - SHA-1 message digest, FIPS 180-4 (August 2015) sections 5.1.1,
 * 5.3.1 and 6.1.2.  Used only by community_id.c.
 */
#include "sha1.h"

#include <string.h>

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* Process one 512-bit block M(i) (FIPS 180-4 6.1.2 steps 1-4). */
static void sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80];
	unsigned t;

	for (t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | (uint32_t)p[4 * t + 3];
	for (t = 16; t < 80; t++)
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	for (t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);             /* Ch     */
			k = 0x5a827999u;
		} else if (t < 40) {
			f = b ^ c ^ d;                      /* Parity */
			k = 0x6ed9eba1u;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);    /* Maj    */
			k = 0x8f1bbcdcu;
		} else {
			f = b ^ c ^ d;                      /* Parity */
			k = 0xca62c1d6u;
		}
		uint32_t tmp = rol32(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = rol32(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
	c->h[0] = 0x67452301u;                   /* H(0), FIPS 180-4 5.3.1 */
	c->h[1] = 0xefcdab89u;
	c->h[2] = 0x98badcfeu;
	c->h[3] = 0x10325476u;
	c->h[4] = 0xc3d2e1f0u;
	c->nbytes = 0;
	c->buflen = 0;
}

void sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	const uint8_t *p = data;

	c->nbytes += len;
	if (c->buflen > 0) {
		size_t n = 64 - c->buflen;
		if (n > len)
			n = len;
		memcpy(c->buf + c->buflen, p, n);
		c->buflen += n;
		p += n;
		len -= n;
		if (c->buflen < 64)
			return;
		sha1_block(c->h, c->buf);
		c->buflen = 0;
	}
	while (len >= 64) {
		sha1_block(c->h, p);
		p += 64;
		len -= 64;
	}
	if (len > 0) {
		memcpy(c->buf, p, len);
		c->buflen = len;
	}
}

void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN])
{
	uint64_t bits = c->nbytes * 8;
	unsigned i;

	/* 5.1.1: append 1 bit, k zero bits, then the 64-bit length. */
	c->buf[c->buflen++] = 0x80;
	if (c->buflen > 56) {
		memset(c->buf + c->buflen, 0, 64 - c->buflen);
		sha1_block(c->h, c->buf);
		c->buflen = 0;
	}
	memset(c->buf + c->buflen, 0, 56 - c->buflen);
	for (i = 0; i < 8; i++)
		c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha1_block(c->h, c->buf);

	for (i = 0; i < 5; i++) {
		out[4 * i]     = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	memset(c, 0, sizeof(*c));
}

void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}
