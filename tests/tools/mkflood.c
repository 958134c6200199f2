/* mkflood.c - write a flood capture for tests/suites/flood.sh.
 *
 *   mkflood OUT.pcap [SYN_FLOWS [DNS_QUERIES [SEED]]]
 *
 * SYN_FLOWS (default 2000000) distinct TCP flows, each one SYN from a
 * random source (10/8 address, random port) to a random public address on
 * port 443 or 80, interleaved with DNS_QUERIES (default 200000) A queries
 * for random names (random clients, one resolver).  Packets are 20 us
 * apart.  Deterministic for a given SEED (xorshift64*); pcap, Ethernet.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static unsigned csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2) s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1) s += (uint32_t)p[n - 1] << 8;
	while (s >> 16) s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static size_t eth_ip(uint8_t *b, const uint8_t src[4], const uint8_t dst[4],
                     uint8_t proto, size_t l4len, uint16_t id)
{
	static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2 };
	memcpy(b, mac, 12);
	put16(b + 12, 0x0800);
	uint8_t *ip = b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (unsigned)(20 + l4len));
	put16(ip + 4, id);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, csum(ip, 20, 0));
	return 34;
}

static void public_addr(uint8_t a[4])
{
	do {
		uint32_t v = (uint32_t)rnd();
		a[0] = (uint8_t)(v >> 24); a[1] = (uint8_t)(v >> 16);
		a[2] = (uint8_t)(v >> 8); a[3] = (uint8_t)v;
	} while (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
	         (a[0] == 192 && a[1] == 168) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	         (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 169 && a[1] == 254));
}

static void client_addr(uint8_t a[4])
{
	uint32_t v = (uint32_t)rnd();
	a[0] = 10; a[1] = (uint8_t)(v >> 16); a[2] = (uint8_t)(v >> 8); a[3] = (uint8_t)(v | 1);
}

static void record(FILE *f, uint64_t ts, const uint8_t *b, size_t n)
{
	uint32_t h[4] = { (uint32_t)(ts / 1000000), (uint32_t)(ts % 1000000), (uint32_t)n, (uint32_t)n };
	if (fwrite(h, sizeof h, 1, f) != 1 || fwrite(b, 1, n, f) != n) {
		perror("mkflood: write");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mkflood OUT.pcap [SYN_FLOWS [DNS_QUERIES [SEED]]]\n");
		return 1;
	}
	unsigned long nsyn = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000000;
	unsigned long ndns = argc > 3 ? strtoul(argv[3], NULL, 10) : 200000;
	if (argc > 4) rng += strtoull(argv[4], NULL, 10) * 0x632be59bd9b4e019ULL;
	if (!rng) rng = 1;                       /* xorshift: never 0 */
	FILE *f = fopen(argv[1], "wb");
	if (!f) { perror(argv[1]); return 1; }
	static char iobuf[1 << 20];
	setvbuf(f, iobuf, _IOFBF, sizeof iobuf);
	uint32_t gh[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	fwrite(gh, sizeof gh, 1, f);

	static const uint8_t resolver[4] = { 192, 0, 2, 53 };
	uint8_t b[256], src[4], dst[4];
	uint64_t ts = 1767225600ULL * 1000000;   /* 2026-01-01 */
	unsigned long s = 0, d = 0, total = nsyn + ndns;
	for (unsigned long i = 0; i < total; i++, ts += 20) {
		/* spread the queries evenly among the SYNs */
		bool dns = d < ndns && (s >= nsyn || (d + 1) * total <= (i + 1) * ndns);
		if (!dns) {
			client_addr(src);
			public_addr(dst);
			size_t o = eth_ip(b, src, dst, 6, 24, (uint16_t)rnd());
			uint8_t *t = b + o;
			memset(t, 0, 24);
			put16(t, 1024 + (unsigned)(rnd() % 64000));
			put16(t + 2, rnd() & 1 ? 443 : 80);
			uint32_t seq = (uint32_t)rnd();
			t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16);
			t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
			t[12] = 6 << 4;
			t[13] = 0x02;                        /* SYN */
			put16(t + 14, 64240);
			t[20] = 2; t[21] = 4; put16(t + 22, 1460);   /* MSS */
			record(f, ts, b, o + 24);
			s++;
		} else {
			client_addr(src);
			uint8_t q[160];
			size_t n = 12;
			memset(q, 0, 12);
			put16(q, (unsigned)rnd());
			q[2] = 0x01;                         /* RD */
			put16(q + 4, 1);
			unsigned labels = 2 + (unsigned)(rnd() % 3);
			for (unsigned l = 0; l < labels; l++) {
				unsigned len = 3 + (unsigned)(rnd() % 12);
				q[n++] = (uint8_t)len;
				for (unsigned k = 0; k < len; k++) q[n++] = (uint8_t)('a' + rnd() % 26);
			}
			memcpy(q + n, "\3com\0", 5); n += 5;
			put16(q + n, 1); put16(q + n + 2, 1); n += 4;
			size_t o = eth_ip(b, src, resolver, 17, 8 + n, (uint16_t)rnd());
			uint8_t *u = b + o;
			put16(u, 1024 + (unsigned)(rnd() % 64000));
			put16(u + 2, 53);
			put16(u + 4, (unsigned)(8 + n));
			put16(u + 6, 0);
			memcpy(u + 8, q, n);
			record(f, ts, b, o + 8 + n);
			d++;
		}
	}
	if (fclose(f)) { perror(argv[1]); return 1; }
	fprintf(stderr, "mkflood: %lu SYN flows, %lu DNS queries -> %s\n", s, d, argv[1]);
	return 0;
}
