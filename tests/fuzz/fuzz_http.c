/* fuzz_http.c - http_host_parse() and http_response_parse() on the same
 * bytes (the first bytes of a TCP stream). */
#include "dissect.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf) return 0;
	memcpy(buf, data, size);

	struct strview host = { NULL, 0 };
	int st = http_host_parse(buf, size, &host);
	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	if (st == DIS_OK) {
		FUZZ_CHECK(fuzz_inside(host.p, host.len, buf, size));
		fuzz_touch(host.p, host.len);
	}

	int status = -12345;
	struct strview loc = { NULL, 0 };
	st = http_response_parse(buf, size, &status, &loc);
	FUZZ_CHECK(st == DIS_OK || st == DIS_TRUNCATED || st == DIS_MALFORMED ||
	           st == DIS_UNSUPPORTED);
	if (st == DIS_OK) {
		FUZZ_CHECK(status >= 0 && status <= 999);
		FUZZ_CHECK(fuzz_inside(loc.p, loc.len, buf, size));
		fuzz_touch(loc.p, loc.len);
	}
	free(buf);
	return 0;
}
