/* fuzz_decode.c - link + tunnels + IP + L4 via packet_decode().
 * Input: 1 byte selecting the DLT (fuzz_dlts[b % FUZZ_NDLT_ALL]: every
 * link type link.c takes), then the frame. */
#include "dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) return 0;
	int dlt = fuzz_dlts[data[0] % FUZZ_NDLT_ALL];
	size--;
	/* an exact-size copy: any read past caplen is a heap overflow */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) return 0;
	memcpy(buf, data + 1, size);

	struct pkt pk;
	memset(&pk, 0xa5, sizeof pk);        /* decode must reset every field */
	enum mal_reason why = MAL_COUNT;
	int st = packet_decode(dlt, buf, (uint32_t)size, (uint32_t)size + (data[0] >> 3), 1,
	                       &pk, &why);

	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	FUZZ_CHECK(why < MAL_COUNT);
	FUZZ_CHECK(mal_reason_name(why) != NULL);
	FUZZ_CHECK(pk.caplen == size);
	FUZZ_CHECK(pk.ipver == 0 || pk.ipver == 4 || pk.ipver == 6);
	FUZZ_CHECK(pk.vlan_depth <= 8);
	if (pk.l3) {
		FUZZ_CHECK(fuzz_inside(pk.l3, pk.l3len, buf, size));
		fuzz_touch(pk.l3, pk.l3len);
	}
	if (pk.payload) {
		FUZZ_CHECK(fuzz_inside(pk.payload, pk.paylen, buf, size));
		fuzz_touch(pk.payload, pk.paylen);
	} else {
		FUZZ_CHECK(pk.paylen == 0);
	}
	FUZZ_CHECK(pk.tunnel == 0 || pk.tunnel == 4 || pk.tunnel == 41 ||
	           pk.tunnel == 47 || pk.tunnel == 17);
	FUZZ_CHECK(st != DIS_OK || pk.ipver);     /* OK means an IP packet */
	if (pk.ipver) {
		FUZZ_CHECK(pk.src.family == pk.ipver || pk.tunnel);
		(void)ip_payload_len(&pk, size);
	}
	free(buf);
	return 0;
}
