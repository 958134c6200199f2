/* fuzz.h - shared bits of the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput(); it is linked either with
 * clang -fsanitize=fuzzer (build-fuzz/fuzz_*) or with replay.c, a plain
 * main() that runs it on files and directories (build-fuzz/replay/fuzz_T).
 */
#ifndef TS_FUZZ_H
#define TS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort (a crash libFuzzer records) when an invariant breaks. */
#define FUZZ_CHECK(cond) do {                                             \
	if (!(cond)) {                                                    \
		fprintf(stderr, "%s:%d: invariant failed: %s\n",          \
		        __FILE__, __LINE__, #cond);                       \
		abort();                                                  \
	}                                                                 \
} while (0)

/* A view [p, p+len) lies inside [base, base+size). */
static inline int fuzz_inside(const void *p, size_t len, const void *base, size_t size)
{
	const uint8_t *q = p, *b = base;
	if (!q) return len == 0;
	return q >= b && q <= b + size && len <= (size_t)(b + size - q);
}

/* Read every byte of a view so ASan sees an out-of-bounds one. */
static inline unsigned fuzz_touch(const void *p, size_t len)
{
	const volatile uint8_t *q = p;
	unsigned s = 0;
	for (size_t i = 0; i < len; i++) s += q[i];
	return s;
}

/* The link types the capture layer accepts (capture_dlt_supported()),
 * chosen by an input byte: fuzz_dlts[b % FUZZ_NDLT_ALL] in fuzz_decode.c;
 * the engine target keeps the first FUZZ_NDLT (its byte has flag bits).
 * New link types go at the end so committed seeds keep their meaning. */
#define FUZZ_NDLT 8
#define FUZZ_NDLT_ALL 17
static const int fuzz_dlts[FUZZ_NDLT_ALL] = {
	1 /* EN10MB */, 113 /* LINUX_SLL */, 276 /* LINUX_SLL2 */, 12 /* RAW */,
	228 /* IPV4 */, 229 /* IPV6 */, 0 /* NULL */, 108 /* LOOP */,
	9 /* PPP */, 50 /* PPP_HDLC */, 104 /* C_HDLC */, 105 /* IEEE802_11 */,
	127 /* IEEE802_11_RADIO */, 192 /* PPI */, 239 /* NFLOG */,
	258 /* PKTAP */, 149 /* PKTAP on Darwin */,
};

#endif
