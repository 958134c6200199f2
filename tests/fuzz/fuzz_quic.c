/* fuzz_quic.c - quic_initial_sni(): a client Initial from the network,
 * decrypted with keys its DCID gives.
 *
 * Input: byte 0 picks the mode, the rest is the data.
 *   bit 0 clear: the data is a UDP payload, as the engine hands it over
 *                (random bytes almost never pass the AEAD tag: this mode
 *                covers the header, length and key derivation paths);
 *   bit 0 set:   the data is the *plaintext* frames of an Initial, which
 *                the target seals (RFC 9001 5: AES-128-GCM, header
 *                protection) for QUIC v1, v2 or draft-29 (bits 1-2), so
 *                the frame walk and the TLS ClientHello behind it are
 *                fuzzed too; bits 3-5 cut 0..7 * 97 bytes off the end of
 *                the sealed packet.
 * Bit 6 gives a small scratch buffer (the "does not fit" paths).
 */
#include <gcrypt.h>
#include "dissect.h"
#include "fuzz.h"

#define SEALED_MAX 4096

static const uint32_t versions[4] = { 0x00000001u, 0x6b3343cfu, 0xff00001du, 0x00000001u };

static void gcm_seal(const struct quic_keys *k, const uint8_t nonce[12], const uint8_t *aad,
                     size_t aadlen, uint8_t *buf, size_t n, uint8_t tag[16])
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0)) abort();
	gcry_cipher_setkey(h, k->key, 16);
	gcry_cipher_setiv(h, nonce, 12);
	gcry_cipher_authenticate(h, aad, aadlen);
	gcry_cipher_encrypt(h, buf, n, NULL, 0);
	gcry_cipher_gettag(h, tag, 16);
	gcry_cipher_close(h);
}

static void hp_mask(const struct quic_keys *k, const uint8_t sample[16], uint8_t mask[16])
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0)) abort();
	gcry_cipher_setkey(h, k->hp, 16);
	gcry_cipher_encrypt(h, mask, 16, sample, 16);
	gcry_cipher_close(h);
}

/* A client Initial (DCID 8 bytes, no SCID, no token, 2-byte packet number
 * 2) around `pt`, padded so the header-protection sample exists.
 * Returns its length, 0 when pt is too long. */
static size_t seal(uint32_t version, const uint8_t *pt, size_t ptlen, uint8_t *out)
{
	static const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
	struct quic_keys k;
	size_t clen = ptlen < 20 ? 20 : ptlen, n = 0;
	if (clen + 18 + 2 + 16 > SEALED_MAX || !quic_initial_keys(version, dcid, 8, &k)) return 0;
	out[n++] = (uint8_t)(version == 0x6b3343cfu ? 0xd1 : 0xc1);   /* pn length 2 */
	out[n++] = (uint8_t)(version >> 24); out[n++] = (uint8_t)(version >> 16);
	out[n++] = (uint8_t)(version >> 8); out[n++] = (uint8_t)version;
	out[n++] = 8; memcpy(out + n, dcid, 8); n += 8;
	out[n++] = 0;                                       /* SCID */
	out[n++] = 0;                                       /* token */
	size_t plen = 2 + clen + 16;
	out[n++] = (uint8_t)(0x40 | plen >> 8); out[n++] = (uint8_t)plen;
	size_t pn_off = n;
	out[n++] = 0; out[n++] = 2;
	memset(out + n, 0, clen);                           /* PADDING */
	memcpy(out + n, pt, ptlen);
	uint8_t nonce[12];
	memcpy(nonce, k.iv, 12);
	nonce[11] ^= 2;
	gcm_seal(&k, nonce, out, n, out + n, clen, out + n + clen);
	uint8_t mask[16];
	hp_mask(&k, out + pn_off + 4, mask);
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1];
	out[pn_off + 1] ^= mask[2];
	return n + clen + 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t sealed[SEALED_MAX];
	if (size < 1) return 0;
	uint8_t mode = data[0];
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	if (mode & 1) {
		size_t cut = (size_t)((mode >> 3) & 7) * 97;
		n = seal(versions[(mode >> 1) & 3], in, n, sealed);
		if (!n) return 0;
		n = cut < n ? n - cut : 0;
		in = sealed;
	}
	/* exact-size copies: a read past either is a heap overflow */
	size_t ssz = (mode & 0x40) ? 64 : 2048;
	uint8_t *buf = malloc(n ? n : 1), *scratch = malloc(ssz);
	if (!buf || !scratch) { free(buf); free(scratch); return 0; }
	memcpy(buf, in, n);
	struct strview sni = { (const uint8_t *)"x", 99 };
	int st = quic_initial_sni(buf, n, scratch, ssz, &sni);
	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	if (st == DIS_OK) {
		FUZZ_CHECK(fuzz_inside(sni.p, sni.len, scratch, ssz));
		fuzz_touch(sni.p, sni.len);
	}
	(void)quic_long_initial(buf, n);
	free(scratch);
	free(buf);
	return 0;
}
