/* test_quic.c - QUIC Initial key schedule against RFC 9001 Appendix A.1
 * (and RFC 9369 A.1 for v2), and the SNI reader on hostile input. */
#include <stdio.h>
#include <string.h>
#include "dissect.h"
#include "testhelp.h"

static int hex_eq(const uint8_t *b, size_t n, const char *hex)
{
	char t[80];
	for (size_t i = 0; i < n; i++) snprintf(t + 2 * i, 3, "%02x", b[i]);
	return !strcmp(t, hex);
}

int main(void)
{
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
