/* fuzz_dns.c - dns_parse() on one DNS message. */
#include "dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) return 0;
	memcpy(buf, data, size);
	struct dns_msg m;
	memset(&m, 0x5a, sizeof m);
	int st = dns_parse(buf, size, &m);
	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	if (st == DIS_OK) {
		FUZZ_CHECK(memchr(m.qname, 0, sizeof m.qname) != NULL);
		FUZZ_CHECK(memchr(m.cname, 0, sizeof m.cname) != NULL);
		FUZZ_CHECK(m.nrr <= DNS_MAX_ANS);
		/* the name is printable: no byte < 0x21 or > 0x7e */
		for (const char *s = m.qname; *s; s++)
			FUZZ_CHECK((unsigned char)*s > 0x20 && (unsigned char)*s < 0x7f);
		for (unsigned i = 0; i < m.nrr; i++)
			FUZZ_CHECK(m.rr[i].section >= 1 && m.rr[i].section <= 3);
	}
	free(buf);
	return 0;
}
