/* quic.c - the server name in a QUIC client Initial (RFC 9000 17.2.2,
 * RFC 9001 5; QUIC v2: RFC 9369; draft-29).
 *
 * Initial packets are protected with keys anyone can derive from the
 * Destination Connection ID, so a passive observer reads the ClientHello:
 *   initial_secret = HKDF-Extract(version salt, DCID)
 *   client secret  = HKDF-Expand-Label(initial_secret, "client in", 32)
 *   key/iv/hp      = HKDF-Expand-Label(client secret, "quic key"/"quic iv"/
 *                    "quic hp") ("quicv2 ..." for QUIC v2)
 * then header protection is removed (AES-ECB of a 16-byte sample), the
 * payload decrypted (AES-128-GCM, nonce = iv XOR packet number), and the
 * CRYPTO frames' bytes from offset 0 handed to tls_sni.c behind a TLS
 * record header.  Only the first packet of a datagram is read; a
 * ClientHello that goes on in a later packet gives DIS_TRUNCATED.
 * Every read of the packet goes through the bounds-checked cursor.
 */
#include <pthread.h>
#include <string.h>
#include <gcrypt.h>
#include "dissect.h"
#include "tunables.h"

#define QUIC_V1     0x00000001u
#define QUIC_V2     0x6b3343cfu
#define QUIC_D29    0xff00001du
#define CID_MAX     20

static const uint8_t salt_v1[20] = {
	0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
static const uint8_t salt_v2[20] = {
	0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
	0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
static const uint8_t salt_d29[20] = {
	0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
	0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 };

/* libgcrypt is initialised once per process, by whichever thread gets
 * here first (capture workers share this code): pthread_once orders the
 * write of crypto_ok before every later read. */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static bool crypto_ok;

static void crypto_init(void)
{
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		crypto_ok = gcry_check_version(NULL) != NULL;
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	} else {
		crypto_ok = true;
	}
}

static bool crypto_ready(void)
{
	return !pthread_once(&crypto_once, crypto_init) && crypto_ok;
}

static bool hmac256(const uint8_t *key, size_t klen, const uint8_t *msg, size_t mlen,
                    uint8_t out[32])
{
	gcry_md_hd_t h;
	if (gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC)) return false;
	bool ok = !gcry_md_setkey(h, key, klen);
	if (ok) {
		gcry_md_write(h, msg, mlen);
		const unsigned char *d = gcry_md_read(h, GCRY_MD_SHA256);
		ok = d != NULL;
		if (ok) memcpy(out, d, 32);
	}
	gcry_md_close(h);
	return ok;
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context, out <= 32,
 * through an HMAC handle already keyed with the secret (reset after). */
static bool expand_label(gcry_md_hd_t h, const char *label, uint8_t *out, size_t outlen)
{
	uint8_t info[2 + 1 + 6 + 32 + 1 + 1];
	size_t ll = strlen(label), n = 0;
	if (ll > 32 || outlen > 32) return false;
	info[n++] = (uint8_t)(outlen >> 8);
	info[n++] = (uint8_t)outlen;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;                      /* context length */
	info[n++] = 1;                      /* T(1) counter */
	gcry_md_write(h, info, n);
	const unsigned char *d = gcry_md_read(h, GCRY_MD_SHA256);
	if (d) memcpy(out, d, outlen);
	gcry_md_reset(h);                   /* keeps the HMAC key */
	return d != NULL;
}

static bool expand_from(const uint8_t secret[32], const char *const *labels,
                        uint8_t *const *outs, const size_t *lens, int n)
{
	gcry_md_hd_t h;
	if (gcry_md_open(&h, GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC)) return false;
	bool ok = !gcry_md_setkey(h, secret, 32);
	for (int i = 0; ok && i < n; i++) ok = expand_label(h, labels[i], outs[i], lens[i]);
	gcry_md_close(h);
	return ok;
}

bool quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                       struct quic_keys *k)
{
	/* the last connection's keys: a client's Initials share its DCID */
	static _Thread_local struct { uint32_t v; uint8_t len, id[CID_MAX]; struct quic_keys k; } last;
	const uint8_t *salt = version == QUIC_V1 ? salt_v1 : version == QUIC_V2 ? salt_v2 :
	                      version == QUIC_D29 ? salt_d29 : NULL;
	bool v2 = version == QUIC_V2;
	uint8_t initial[32], client[32];
	if (!salt || dcid_len > CID_MAX || !crypto_ready()) return false;
	if (last.len && last.v == version && last.len == dcid_len && !memcmp(last.id, dcid, dcid_len)) {
		*k = last.k;
		return true;
	}
	const char *cin[1] = { "client in" };
	uint8_t *cout[1] = { client };
	const size_t clen[1] = { 32 };
	const char *kl[3] = { v2 ? "quicv2 key" : "quic key", v2 ? "quicv2 iv" : "quic iv",
	                      v2 ? "quicv2 hp" : "quic hp" };
	uint8_t *ko[3] = { k->key, k->iv, k->hp };
	const size_t kn[3] = { 16, 12, 16 };
	if (!hmac256(salt, 20, dcid, dcid_len, initial) || !expand_from(initial, cin, cout, clen, 1) ||
	    !expand_from(client, kl, ko, kn, 3))
		return false;
	last.v = version;
	last.len = (uint8_t)dcid_len;
	memcpy(last.id, dcid, dcid_len);
	last.k = *k;
	return true;
}

/* Variable-length integer (RFC 9000 16). */
static uint64_t cur_varint(struct cur *c)
{
	uint8_t b = cur_u8(c);
	uint64_t v = b & 0x3f;
	unsigned more = (1u << (b >> 6)) - 1;
	for (unsigned i = 0; i < more; i++) v = v << 8 | cur_u8(c);
	return v;
}

static bool aes_ecb(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0)) return false;
	bool ok = !gcry_cipher_setkey(h, key, 16) && !gcry_cipher_encrypt(h, out, 16, in, 16);
	gcry_cipher_close(h);
	return ok;
}

/* AES-128-GCM in place; false on a bad tag. */
static bool aes_gcm_open(const struct quic_keys *k, const uint8_t nonce[12], const uint8_t *aad,
                         size_t aadlen, uint8_t *data, size_t len, const uint8_t tag[16])
{
	gcry_cipher_hd_t h;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0)) return false;
	bool ok = !gcry_cipher_setkey(h, k->key, 16) && !gcry_cipher_setiv(h, nonce, 12) &&
	          !gcry_cipher_authenticate(h, aad, aadlen) &&
	          !gcry_cipher_decrypt(h, data, len, NULL, 0) &&
	          !gcry_cipher_checktag(h, tag, 16);
	gcry_cipher_close(h);
	return ok;
}

/* CRYPTO frames of a decrypted Initial into hs (from stream offset 0);
 * *have = contiguous bytes from 0.  DIS_MALFORMED on a frame an Initial
 * may not carry or a cut frame. */
static int crypto_frames(struct cur f, uint8_t *hs, size_t hsz, size_t *have)
{
	uint8_t got[CRYPTO_MAX / 8] = { 0 };
	size_t top = 0;
	while (f.left > 0) {
		if (f.p[0] == 0x00) {                                   /* PADDING runs */
			size_t z = 1;
			while (z < f.left && f.p[z] == 0x00) z++;
			cur_skip(&f, z);
			continue;
		}
		uint64_t type = cur_varint(&f);
		if (f.bad) return DIS_MALFORMED;
		if (type == 0x01) continue;                             /* PING */
		if (type == 0x02 || type == 0x03) {                     /* ACK */
			cur_varint(&f); cur_varint(&f);
			uint64_t ranges = cur_varint(&f);
			cur_varint(&f);
			for (uint64_t i = 0; i < ranges && !f.bad; i++) { cur_varint(&f); cur_varint(&f); }
			if (type == 0x03) { cur_varint(&f); cur_varint(&f); cur_varint(&f); }
			if (f.bad) return DIS_MALFORMED;
			continue;
		}
		if (type == 0x1c) break;                                /* CONNECTION_CLOSE */
		if (type != 0x06) return DIS_MALFORMED;
		uint64_t off = cur_varint(&f), len = cur_varint(&f);
		struct cur d = cur_sub(&f, len > SIZE_MAX ? SIZE_MAX : (size_t)len);
		if (f.bad) return DIS_MALFORMED;
		for (uint64_t i = 0; i < len && off + i < hsz; i++) {
			size_t o = (size_t)(off + i);
			hs[o] = d.p[i];
			got[o >> 3] |= (uint8_t)(1u << (o & 7));
			if (o + 1 > top) top = o + 1;
		}
	}
	size_t n = 0;
	while (n < top && (got[n >> 3] >> (n & 7) & 1)) n++;
	*have = n;
	return DIS_OK;
}

bool quic_known_version(uint32_t v)
{
	if (v == QUIC_V1 || v == QUIC_V2) return true;
	if ((v & 0xffffff00u) == 0xff000000u) return true;       /* IETF drafts */
	if ((v & 0xfffffff0u) == 0xfaceb000u) return true;       /* mvfst       */
	/* Google's "Q0dd" (gQUIC over IETF long headers) and "T0dd" */
	uint8_t a = (uint8_t)(v >> 24), b = (uint8_t)(v >> 16), c = (uint8_t)(v >> 8), d = (uint8_t)v;
	return (a == 'Q' || a == 'T') && b == '0' && c >= '0' && c <= '9' && d >= '0' && d <= '9';
}

bool quic_long_initial(const uint8_t *pkt, size_t len)
{
	if (len < 5 || (pkt[0] & 0xc0) != 0xc0) return false;
	uint32_t v = (uint32_t)pkt[1] << 24 | (uint32_t)pkt[2] << 16 | (uint32_t)pkt[3] << 8 | pkt[4];
	return v && ((pkt[0] >> 4) & 3) == (v == QUIC_V2 ? 1u : 0u);   /* v2 renumbers */
}

int quic_initial_sni(const uint8_t *pkt, size_t len, uint8_t *scratch, size_t scratchsz,
                     struct strview *sni)
{
	struct cur c = cur_make(pkt, len);
	uint8_t b0 = cur_u8(&c);
	uint32_t version = cur_be32(&c);
	sni->p = NULL;
	sni->len = 0;
	if (c.bad) return DIS_TRUNCATED;
	if (!quic_long_initial(pkt, len)) return DIS_UNSUPPORTED;
	if (version != QUIC_V1 && version != QUIC_V2 && version != QUIC_D29) return DIS_UNSUPPORTED;
	uint8_t dlen = cur_u8(&c);
	struct cur dcid = cur_sub(&c, dlen);
	uint8_t slen = cur_u8(&c);
	cur_skip(&c, slen);
	uint64_t toklen = cur_varint(&c);
	cur_skip(&c, toklen > len ? len : (size_t)toklen);
	uint64_t plen = cur_varint(&c);
	if (c.bad) return DIS_TRUNCATED;
	if (dlen > CID_MAX || slen > CID_MAX) return DIS_MALFORMED;
	size_t pn_off = len - c.left;
	if (plen < 20 || plen > c.left) return DIS_MALFORMED;    /* pn + sample */

	struct quic_keys k;
	if (!quic_initial_keys(version, dcid.p, dlen, &k)) return DIS_UNSUPPORTED;
	/* header protection: the sample starts 4 bytes after the pn */
	uint8_t mask[16], hdr[64 + 2 * CID_MAX];
	if (pn_off + 4 + 16 > len || !aes_ecb(k.hp, pkt + pn_off + 4, mask)) return DIS_MALFORMED;
	uint8_t first = (uint8_t)(b0 ^ (mask[0] & 0x0f));
	size_t pnlen = (size_t)(first & 3) + 1;
	size_t hlen = pn_off + pnlen;
	size_t body = (size_t)plen - pnlen;
	if (hlen > sizeof hdr || body < 16 || body - 16 > scratchsz) return DIS_MALFORMED;
	memcpy(hdr, pkt, hlen);
	hdr[0] = first;
	uint8_t nonce[12];
	memcpy(nonce, k.iv, 12);
	for (size_t i = 0; i < pnlen; i++) {
		hdr[pn_off + i] ^= mask[1 + i];
		nonce[12 - pnlen + i] ^= hdr[pn_off + i];
	}
	size_t clen = body - 16;
	memcpy(scratch, pkt + hlen, clen);
	if (!aes_gcm_open(&k, nonce, hdr, hlen, scratch, clen, pkt + hlen + clen))
		return DIS_MALFORMED;

	/* the ClientHello, behind a TLS record header for tls_sni.c */
	static _Thread_local uint8_t hs[5 + CRYPTO_MAX], gather[4096];
	size_t have = 0;
	int st = crypto_frames(cur_make(scratch, clen), hs + 5, CRYPTO_MAX, &have);
	if (st != DIS_OK) return st;
	if (!have) return DIS_TRUNCATED;
	hs[0] = 0x16; hs[1] = 3; hs[2] = 1;
	hs[3] = (uint8_t)(have >> 8); hs[4] = (uint8_t)have;
	st = tls_sni_parse(hs, 5 + have, gather, sizeof gather, sni);
	/* sni points into hs: copy it where the caller's scratch is; a
	 * ClientHello without server_name gives no pointer at all, and
	 * memmove() from NULL is undefined even for 0 bytes */
	if (st == DIS_OK && sni->len) {
		if (sni->len > scratchsz) return DIS_MALFORMED;
		memmove(scratch, sni->p, sni->len);
		sni->p = scratch;
	}
	return st;
}
