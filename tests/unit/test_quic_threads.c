/* test_quic_threads.c - QUIC Initial keys derived by several threads at
 * once, as capture workers do, on a process whose first use of libgcrypt
 * is this race (bug #13.6: quic.c kept a plain static "initialised" flag
 * that workers read and wrote without a lock).  Every thread must get the
 * keys of RFC 9001 Appendix A.1.  The tsan suite builds this file with
 * -fsanitize=thread, where the unlocked flag is reported as a data race. */
#include <pthread.h>
#include <string.h>
#include "dissect.h"
#include "testhelp.h"

#define NTHREADS 4

static const uint8_t dcid[8] = { 0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08 };
static const uint8_t want_key[16] = { 0x1f, 0x36, 0x96, 0x13, 0xdd, 0x76, 0xd5, 0x46,
                                      0x77, 0x30, 0xef, 0xcb, 0xe3, 0xb1, 0xa2, 0x2d };
static const uint8_t want_iv[12] = { 0xfa, 0x04, 0x4b, 0x2f, 0x42, 0xa3, 0xfd, 0x3b,
                                     0x46, 0xfb, 0x25, 0x5c };
static const uint8_t want_hp[16] = { 0x9f, 0x50, 0x44, 0x9e, 0x04, 0xa0, 0xe8, 0x10,
                                     0x28, 0x3a, 0x1e, 0x99, 0x33, 0xad, 0xed, 0xd2 };

static pthread_barrier_t start;

static void *derive(void *arg)
{
	struct quic_keys *k = arg;
	pthread_barrier_wait(&start);            /* all at once */
	if (!quic_initial_keys(0x00000001u, dcid, sizeof dcid, k)) memset(k, 0, sizeof *k);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	struct quic_keys k[NTHREADS];
	pthread_barrier_init(&start, NULL, NTHREADS);
	for (int i = 0; i < NTHREADS; i++) pthread_create(&t[i], NULL, derive, &k[i]);
	for (int i = 0; i < NTHREADS; i++) pthread_join(t[i], NULL);
	int good = 0;
	for (int i = 0; i < NTHREADS; i++)
		good += !memcmp(k[i].key, want_key, 16) && !memcmp(k[i].iv, want_iv, 12) &&
		        !memcmp(k[i].hp, want_hp, 16);
	test_cond("every thread derives RFC 9001 A.1's client Initial keys", good == NTHREADS);
	pthread_barrier_destroy(&start);
	return test_report();
}
