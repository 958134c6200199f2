/* mkseeds.c - split pcap/pcapng files into fuzz seeds.
 *
 *   mkseeds OUTDIR FILE...
 *
 * Writes OUTDIR/{decode,dns,tls_sni,http,engine,quic}/<hash> in the input
 * formats of tests/fuzz/fuzz_*.c: one seed per packet (decode: DLT byte +
 * frame), per DNS message, per TLS / HTTP stream start, per QUIC long
 * header packet, and for the engine target one sequence per file (its
 * first packets) and one per flow (link types of fuzz_engine.c only).
 * The quic target also gets plaintext Initial frames (its sealing mode)
 * built here: a ClientHello in one CRYPTO frame, in two out of order, and
 * behind ACK and PING frames.  Files with a link type the analyzer does
 * not take are skipped.  Seeds are named by content hash, so duplicates
 * collapse.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "dissect.h"

#define PER_FILE_DECODE 64     /* decode seeds per capture              */
#define SEQ_PKTS        200    /* packets in the per-file sequence      */
#define FLOWS_PER_FILE  48     /* per-flow sequences per capture        */
#define FLOW_PKTS       40     /* packets kept per flow                 */
#define SNAP            1600   /* bytes kept per packet in sequences    */

/* as tests/fuzz/fuzz.h: fuzz_dlts[]; the engine takes the first 8 */
static const int dlts[] = { 1, 113, 276, 12, 228, 229, 0, 108,
                            9, 50, 104, 105, 127, 192, 239, 258, 149 };
#define NDLTS (int)(sizeof dlts / sizeof dlts[0])
#define NDLTS_ENGINE 8
static const char *outdir;
static unsigned long nwritten;

static int dlt_index(int dlt)
{
	for (int i = 0; i < NDLTS; i++)
		if (dlts[i] == dlt) return i;
	return -1;
}

static uint64_t fnv(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
	return h;
}

static void put(const char *kind, const uint8_t *p, size_t n)
{
	char path[4096];
	if (!n) return;
	snprintf(path, sizeof path, "%s/%s/%016llx", outdir, kind,
	         (unsigned long long)fnv(p, n));
	FILE *f = fopen(path, "wb");
	if (!f) { perror(path); exit(1); }
	if (fwrite(p, 1, n, f) != n || fclose(f)) { perror(path); exit(1); }
	nwritten++;
}

static void put2(const char *kind, uint8_t b0, const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n + 1);
	if (!q) exit(1);
	q[0] = b0;
	memcpy(q + 1, p, n);
	put(kind, q, n + 1);
	free(q);
}

struct seq { uint8_t *b; size_t n, cap; unsigned pkts; uint64_t last; uint64_t key; };

static void seq_add(struct seq *s, uint64_t ts, const uint8_t *p, size_t n)
{
	if (n > SNAP) n = SNAP;
	if (s->cap < s->n + n + 3) {
		s->cap = (s->n + n + 3) * 2;
		s->b = realloc(s->b, s->cap);
		if (!s->b) exit(1);
	}
	uint8_t dt;
	if (!s->pkts) dt = 0;
	else if (ts < s->last) dt = 254;
	else if (ts - s->last > 300000000ULL) dt = 255;
	else { uint64_t d = (ts - s->last) / 10000; dt = d > 253 ? 253 : (uint8_t)d; }
	s->last = ts;
	s->b[s->n++] = dt;
	s->b[s->n++] = (uint8_t)(n >> 8);
	s->b[s->n++] = (uint8_t)n;
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->pkts++;
}

static uint64_t flow_key(const struct pkt *pk)
{
	uint8_t k[40];
	const struct ts_addr *a = &pk->src, *b = &pk->dst;
	uint16_t pa = pk->sport, pb = pk->dport;
	if (memcmp(a->a, b->a, 16) > 0 || (!memcmp(a->a, b->a, 16) && pa > pb)) {
		const struct ts_addr *t = a; a = b; b = t;
		uint16_t u = pa; pa = pb; pb = u;
	}
	memcpy(k, a->a, 16); memcpy(k + 16, b->a, 16);
	memcpy(k + 32, &pa, 2); memcpy(k + 34, &pb, 2);
	k[36] = pk->proto; k[37] = k[38] = k[39] = 0;
	return fnv(k, sizeof k);
}

static bool looks_http(const uint8_t *p, size_t n)
{
	static const char *m[] = { "GET ", "POST ", "HEAD ", "PUT ", "CONNECT ", "OPTIONS ", "HTTP/1." };
	for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
		size_t l = strlen(m[i]);
		if (n >= l && !memcmp(p, m[i], l)) return true;
	}
	return false;
}

static void one_file(const char *file)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, eb);
	if (!p) return;
	int di = dlt_index(pcap_datalink(p));
	if (di < 0) { pcap_close(p); return; }
	struct pcap_pkthdr *h;
	const u_char *b;
	unsigned n = 0, nflows = 0;
	struct seq whole = { 0 }, flows[FLOWS_PER_FILE];
	memset(flows, 0, sizeof flows);
	uint8_t hdr = (uint8_t)di;
	while (pcap_next_ex(p, &h, &b) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
		if (n < PER_FILE_DECODE) put2("decode", hdr, b, h->caplen);
		if (n < SEQ_PKTS) seq_add(&whole, ts, b, h->caplen);
		n++;
		struct pkt pk;
		enum mal_reason why;
		if (packet_decode(dlts[di], b, h->caplen, h->len, ts, &pk, &why) != DIS_OK ||
		    !pk.l4_valid)
			continue;
		const uint8_t *pl = pk.payload;
		size_t pn = pk.paylen;
		if (pk.proto == 17 && pn >= 12 &&
		    (pk.sport == 53 || pk.dport == 53 || pk.sport == 5353 || pk.dport == 5353))
			put("dns", pl, pn);
		if (pk.proto == 6 && pn > 14 && (pk.sport == 53 || pk.dport == 53))
			put("dns", pl + 2, pn - 2);
		if (pk.proto == 6 && pn >= 5 && pl[0] == 0x16 && pl[1] == 3)
			put2("tls_sni", 0, pl, pn);
		if (pk.proto == 6 && looks_http(pl, pn))
			put("http", pl, pn);
		if (pk.proto == 17 && pn >= 7 && quic_long_initial(pl, pn))
			put2("quic", 0, pl, pn);
		if (pk.proto != 6 && pk.proto != 17) continue;
		uint64_t key = flow_key(&pk);
		struct seq *s = NULL;
		for (unsigned i = 0; i < nflows; i++)
			if (flows[i].key == key) s = &flows[i];
		if (!s && nflows < FLOWS_PER_FILE) { s = &flows[nflows++]; s->key = key; }
		if (s && s->pkts < FLOW_PKTS) seq_add(s, ts, b, h->caplen);
	}
	pcap_close(p);
	bool eng = di < NDLTS_ENGINE;      /* the engine target's DLTs only */
	if (whole.n && eng) put2("engine", hdr, whole.b, whole.n);
	free(whole.b);
	for (unsigned i = 0; i < nflows; i++) {
		if (flows[i].pkts > 1 && eng) put2("engine", hdr, flows[i].b, flows[i].n);
		free(flows[i].b);
	}
}

/* A TLS ClientHello handshake message (no record header) naming `host`. */
static size_t client_hello(uint8_t *b, const char *host)
{
	size_t hl = strlen(host), n = 0;
	uint8_t body[512];
	size_t m = 0;
	body[m++] = 3; body[m++] = 3;
	memset(body + m, 0x42, 32); m += 32;
	body[m++] = 0;                                   /* session id */
	body[m++] = 0; body[m++] = 2; body[m++] = 0x13; body[m++] = 0x01;
	body[m++] = 1; body[m++] = 0;
	size_t el = hl + 9;
	body[m++] = (uint8_t)(el >> 8); body[m++] = (uint8_t)el;
	body[m++] = 0; body[m++] = 0;                    /* server_name */
	body[m++] = (uint8_t)((hl + 5) >> 8); body[m++] = (uint8_t)(hl + 5);
	body[m++] = (uint8_t)((hl + 3) >> 8); body[m++] = (uint8_t)(hl + 3);
	body[m++] = 0;
	body[m++] = (uint8_t)(hl >> 8); body[m++] = (uint8_t)hl;
	memcpy(body + m, host, hl); m += hl;
	b[n++] = 1; b[n++] = 0; b[n++] = (uint8_t)(m >> 8); b[n++] = (uint8_t)m;
	memcpy(b + n, body, m);
	return n + m;
}

/* CRYPTO frame (RFC 9000 19.6) with 2-byte varint offset and length. */
static size_t crypto_frame(uint8_t *b, size_t off, const uint8_t *d, size_t len)
{
	b[0] = 0x06;
	b[1] = (uint8_t)(0x40 | off >> 8); b[2] = (uint8_t)off;
	b[3] = (uint8_t)(0x40 | len >> 8); b[4] = (uint8_t)len;
	memcpy(b + 5, d, len);
	return 5 + len;
}

/* Plaintext seeds for fuzz_quic.c's sealing mode (mode byte 1, 3, 5:
 * QUIC v1, v2, draft-29). */
static void quic_plain_seeds(void)
{
	uint8_t ch[600], f[1400];
	size_t chn = client_hello(ch, "www.youtube.com"), n;
	for (uint8_t mode = 1; mode <= 5; mode += 2) {
		f[0] = mode;
		n = 1 + crypto_frame(f + 1, 0, ch, chn);
		put("quic", f, n);
		n = 1;                                    /* split, second half first */
		n += crypto_frame(f + n, 40, ch + 40, chn - 40);
		n += crypto_frame(f + n, 0, ch, 40);
		put("quic", f, n);
		n = 1;                                    /* ACK, PING, then CRYPTO */
		f[n++] = 0x02; f[n++] = 0; f[n++] = 0; f[n++] = 0; f[n++] = 0;
		f[n++] = 0x01;
		n += crypto_frame(f + n, 0, ch, chn);
		put("quic", f, n);
	}
}

int main(int argc, char **argv)
{
	static const char *kinds[] = { "decode", "dns", "tls_sni", "http", "engine", "quic" };
	char path[4096];
	if (argc < 3) { fprintf(stderr, "usage: mkseeds OUTDIR FILE...\n"); return 1; }
	outdir = argv[1];
	mkdir(outdir, 0755);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", outdir, kinds[i]);
		if (mkdir(path, 0755) && errno != EEXIST) { perror(path); return 1; }
	}
	for (int i = 2; i < argc; i++) one_file(argv[i]);
	quic_plain_seeds();
	printf("mkseeds: %lu seeds from %d files into %s\n", nwritten, argc - 2, outdir);
	return 0;
}
