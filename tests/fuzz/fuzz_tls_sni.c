/* fuzz_tls_sni.c - tls_sni_parse() on the first bytes of a client stream.
 * The first input byte picks the scratch size (as tcp_track.c: 4096, or
 * smaller to reach the "does not fit" paths). */
#include "dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t scratch_store[4096];
	if (size < 1) return 0;
	size_t ssz = (data[0] & 0x80) ? (size_t)(data[0] & 0x7f) * 32 : sizeof scratch_store;
	size--;
	uint8_t *buf = malloc(size ? size : 1);
	uint8_t *scratch = malloc(ssz ? ssz : 1);
	if (!buf || !scratch) { free(buf); free(scratch); return 0; }
	memcpy(buf, data + 1, size);
	struct strview sni = { (const uint8_t *)"x", 99 };
	int st = tls_sni_parse(buf, size, scratch, ssz, &sni);
	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	if (st == DIS_OK) {
		FUZZ_CHECK(fuzz_inside(sni.p, sni.len, buf, size) ||
		           fuzz_inside(sni.p, sni.len, scratch, ssz));
		fuzz_touch(sni.p, sni.len);
	}
	(void)scratch_store;
	free(scratch);
	free(buf);
	return 0;
}
