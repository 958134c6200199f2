/* test_quic.c - QUIC Initial key schedule against RFC 9001 Appendix A.1
 * (and RFC 9369 A.1 for v2), and the SNI reader on hostile input. */
#include <stdio.h>
#include <string.h>
#include <gcrypt.h>
#include "dissect.h"
#include "testhelp.h"

static int hex_eq(const uint8_t *b, size_t n, const char *hex)
{
	char t[80];
	for (size_t i = 0; i < n; i++) snprintf(t + 2 * i, 3, "%02x", b[i]);
	return !strcmp(t, hex);
}

/* A minimal ClientHello (handshake message) naming host. */
static size_t client_hello(uint8_t *b, const char *host)
{
	size_t hl = strlen(host), n = 0;
	uint8_t body[512];
	size_t m = 0;
	body[m++] = 3; body[m++] = 3;                   /* legacy_version */
	memset(body + m, 0x11, 32); m += 32;            /* random */
	body[m++] = 0;                                  /* session id */
	body[m++] = 0; body[m++] = 2; body[m++] = 0x13; body[m++] = 0x01;
	body[m++] = 1; body[m++] = 0;                   /* compression */
	size_t ext = 2 + 2 + 2 + 1 + 2 + hl;            /* one SNI extension */
	body[m++] = (uint8_t)(ext >> 8); body[m++] = (uint8_t)ext;
	body[m++] = 0; body[m++] = 0;                   /* type server_name */
	body[m++] = (uint8_t)((hl + 5) >> 8); body[m++] = (uint8_t)(hl + 5);
	body[m++] = (uint8_t)((hl + 3) >> 8); body[m++] = (uint8_t)(hl + 3);
	body[m++] = 0;
	body[m++] = (uint8_t)(hl >> 8); body[m++] = (uint8_t)hl;
	memcpy(body + m, host, hl); m += hl;
	b[n++] = 1; b[n++] = 0; b[n++] = (uint8_t)(m >> 8); b[n++] = (uint8_t)m;
	memcpy(b + n, body, m);
	return n + m;
}

/* Protect plaintext frames as a client Initial (RFC 9001 5), 1200 bytes. */
static size_t seal(uint32_t version, const uint8_t *dcid, const uint8_t *pt, size_t ptlen,
                   uint8_t *out)
{
	struct quic_keys k;
	size_t n = 0, body = 1200 - 18 - 2;         /* pn (2) + frames + tag */
	if (!quic_initial_keys(version, dcid, 8, &k) || ptlen > body - 16 - 2) return 0;
	out[n++] = (uint8_t)(version == 0x6b3343cf ? 0xd1 : 0xc1);   /* pn length 2 */
	out[n++] = (uint8_t)(version >> 24); out[n++] = (uint8_t)(version >> 16);
	out[n++] = (uint8_t)(version >> 8); out[n++] = (uint8_t)version;
	out[n++] = 8; memcpy(out + n, dcid, 8); n += 8;
	out[n++] = 0;                               /* SCID */
	out[n++] = 0;                               /* token */
	size_t plen = body;                         /* pn + ciphertext + tag */
	out[n++] = (uint8_t)(0x40 | plen >> 8); out[n++] = (uint8_t)plen;
	size_t pn_off = n;
	out[n++] = 0; out[n++] = 2;                 /* packet number 2 */
	uint8_t frames[1200] = { 0 };               /* the rest is PADDING */
	memcpy(frames, pt, ptlen);
	size_t clen = plen - 2 - 16;
	uint8_t nonce[12];
	memcpy(nonce, k.iv, 12);
	nonce[11] ^= 2;
	gcry_cipher_hd_t h;
	gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_GCM, 0);
	gcry_cipher_setkey(h, k.key, 16);
	gcry_cipher_setiv(h, nonce, 12);
	gcry_cipher_authenticate(h, out, n);
	gcry_cipher_encrypt(h, out + n, clen, frames, clen);
	gcry_cipher_gettag(h, out + n + clen, 16);
	gcry_cipher_close(h);
	uint8_t mask[16];
	gcry_cipher_open(&h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_ECB, 0);
	gcry_cipher_setkey(h, k.hp, 16);
	gcry_cipher_encrypt(h, mask, 16, out + pn_off + 4, 16);
	gcry_cipher_close(h);
	out[0] ^= mask[0] & 0x0f;
	out[pn_off] ^= mask[1];
	out[pn_off + 1] ^= mask[2];
	return n + clen + 16;
}

static size_t crypto_frame(uint8_t *b, size_t off, const uint8_t *d, size_t len)
{
	size_t n = 0;
	b[n++] = 0x06;
	b[n++] = (uint8_t)(0x40 | off >> 8); b[n++] = (uint8_t)off;
	b[n++] = (uint8_t)(0x40 | len >> 8); b[n++] = (uint8_t)len;
	memcpy(b + n, d, len);
	return n + len;
}

static int sni_is(const uint8_t *pkt, size_t len, const char *want)
{
	static uint8_t scratch[2048];
	struct strview v;
	int st = quic_initial_sni(pkt, len, scratch, sizeof scratch, &v);
	return st == DIS_OK && v.len == strlen(want) && !memcmp(v.p, want, v.len);
}

static void test_roundtrip(void)
{
	static const uint8_t dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t ch[600], pt[1200], pkt[1300];
	size_t chl = client_hello(ch, "www.instagram.com");
	size_t n = crypto_frame(pt, 0, ch, chl);
	size_t len = seal(0x00000001, dcid, pt, n, pkt);
	test_cond("v1 Initial: SNI read", len && sni_is(pkt, len, "www.instagram.com"));
	len = seal(0x6b3343cf, dcid, pt, n, pkt);
	test_cond("v2 Initial: SNI read", len && sni_is(pkt, len, "www.instagram.com"));
	len = seal(0xff00001d, dcid, pt, n, pkt);
	test_cond("draft-29 Initial: SNI read", len && sni_is(pkt, len, "www.instagram.com"));

	/* CRYPTO frames out of order, with PING and ACK between them */
	size_t half = chl / 2;
	n = 0;
	pt[n++] = 0x01;
	n += crypto_frame(pt + n, half, ch + half, chl - half);
	pt[n++] = 0x02; pt[n++] = 0; pt[n++] = 0; pt[n++] = 0; pt[n++] = 0;   /* ACK */
	n += crypto_frame(pt + n, 0, ch, half);
	len = seal(0x00000001, dcid, pt, n, pkt);
	test_cond("split CRYPTO frames, PING, ACK: SNI read", len && sni_is(pkt, len, "www.instagram.com"));

	/* only the second half: the ClientHello starts in another packet */
	n = crypto_frame(pt, half, ch + half, chl - half);
	len = seal(0x00000001, dcid, pt, n, pkt);
	static uint8_t scratch[2048];
	struct strview v;
	test_cond("ClientHello without its start: truncated",
	          quic_initial_sni(pkt, len, scratch, sizeof scratch, &v) == DIS_TRUNCATED);

	/* a ClientHello without server_name (one empty extension): OK, no
	 * name, and no memmove from a NULL view (UBSan; fuzz_quic found it) */
	uint8_t bare[64] = { 1, 0, 0, 0, 3, 3 };
	size_t m = 6 + 32;
	bare[m++] = 0;                                   /* session id */
	bare[m++] = 0; bare[m++] = 2; bare[m++] = 0x13; bare[m++] = 0x01;
	bare[m++] = 1; bare[m++] = 0;
	bare[m++] = 0; bare[m++] = 4; bare[m++] = 0x00; bare[m++] = 0x17; bare[m++] = 0; bare[m++] = 0;
	bare[3] = (uint8_t)(m - 4);
	n = crypto_frame(pt, 0, bare, m);
	len = seal(0x00000001, dcid, pt, n, pkt);
	test_cond("ClientHello without SNI: OK, empty name",
	          quic_initial_sni(pkt, len, scratch, sizeof scratch, &v) == DIS_OK && v.len == 0);

	/* a flipped ciphertext bit fails the tag */
	n = crypto_frame(pt, 0, ch, chl);
	len = seal(0x00000001, dcid, pt, n, pkt);
	pkt[100] ^= 1;
	test_cond("tampered Initial: no SNI", !sni_is(pkt, len, "www.instagram.com"));

	/* random frame bytes, properly encrypted: no crash, no stray SNI */
	uint32_t x = 12345;
	int bad = 0;
	for (int i = 0; i < 3000; i++) {
		size_t fl = 1 + (x % 400);
		for (size_t j = 0; j < fl; j++) { x = x * 1103515245u + 12345u; pt[j] = (uint8_t)(x >> 16); }
		if (i % 3 == 0) pt[0] = 0x06;
		len = seal(0x00000001, dcid, pt, fl, pkt);
		int st = quic_initial_sni(pkt, len, scratch, sizeof scratch, &v);
		if (st == DIS_OK && (v.len == 0 || v.len > sizeof scratch)) bad++;
	}
	test_cond("random encrypted frames: no crash", bad == 0);
}

int main(void)
{
	test_roundtrip();
	static const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
	struct quic_keys k;
	test_cond("v1 keys derived", quic_initial_keys(0x00000001, dcid, 8, &k));
	test_cond("v1 key (RFC 9001 A.1)", hex_eq(k.key, 16, "1f369613dd76d5467730efcbe3b1a22d"));
	test_cond("v1 iv (RFC 9001 A.1)", hex_eq(k.iv, 12, "fa044b2f42a3fd3b46fb255c"));
	test_cond("v1 hp (RFC 9001 A.1)", hex_eq(k.hp, 16, "9f50449e04a0e810283a1e9933adedd2"));
	test_cond("v2 keys derived", quic_initial_keys(0x6b3343cf, dcid, 8, &k));
	test_cond("v2 key (RFC 9369 A.1)", hex_eq(k.key, 16, "8b1a0bc121284290a29e0971b5cd045d"));
	test_cond("v2 iv (RFC 9369 A.1)", hex_eq(k.iv, 12, "91f73e2351d8fa91660e909f"));
	test_cond("v2 hp (RFC 9369 A.1)", hex_eq(k.hp, 16, "45b95e15235d6f45a6b19cbcb0294ba9"));
	test_cond("unknown version has no keys", !quic_initial_keys(0x0a0a0a0a, dcid, 8, &k));

	/* hostile input: every prefix and every single-byte change of a
	 * crafted header must come back without crashing or an SNI */
	uint8_t pkt[1300] = { 0xc3, 0, 0, 0, 1, 8 };
	memcpy(pkt + 6, dcid, 8);
	pkt[14] = 0;                 /* SCID length */
	pkt[15] = 0;                 /* token length */
	pkt[16] = 0x44; pkt[17] = 0x9e;   /* length 1182 */
	uint8_t scratch[1500];
	struct strview v;
	int bad = 0;
	for (size_t n = 0; n <= sizeof pkt; n++) {
		int st = quic_initial_sni(pkt, n, scratch, sizeof scratch, &v);
		if (st == DIS_OK || v.len) bad++;
	}
	for (size_t i = 0; i < 40; i++)
		for (int b = 0; b < 256; b += 17) {
			uint8_t save = pkt[i];
			pkt[i] = (uint8_t)b;
			if (quic_initial_sni(pkt, sizeof pkt, scratch, sizeof scratch, &v) == DIS_OK) bad++;
			pkt[i] = save;
		}
	test_cond("garbage Initials: no SNI, no crash", bad == 0);
	test_cond("short-header packet unsupported",
	          quic_initial_sni((const uint8_t *)"\x40\x01\x02\x03\x04\x05", 6, scratch,
	                           sizeof scratch, &v) == DIS_UNSUPPORTED);
	return test_report();
}
