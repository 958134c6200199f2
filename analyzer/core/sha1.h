/* sha1.h - SHA-1 (FIPS 180-4 section 6.1), for Community ID hashing only.
 *
 * Not for security use: SHA-1 is collision-broken.  Streaming interface;
 * no allocation, no global state.
 */
#ifndef TS_SHA1_H
#define TS_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20

struct sha1_ctx {
	uint32_t h[5];          /* intermediate hash value H(i)             */
	uint64_t nbytes;        /* message length so far, in bytes          */
	uint8_t  buf[64];       /* partial block                            */
	size_t   buflen;        /* bytes used in buf, 0..63                 */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* Pads, writes the 20-byte digest, and leaves c unusable until init. */
void sha1_final(struct sha1_ctx *c, uint8_t out[SHA1_DIGEST_LEN]);
/* One-shot convenience. */
void sha1(const void *data, size_t len, uint8_t out[SHA1_DIGEST_LEN]);

#endif
