/* pcapsplit.c - split a capture between flows into K pcap files (issue #13),
 * for the split/merge property test (tests/suites/split_merge.sh).
 *
 *   pcapsplit K IN OUTPREFIX      writes OUTPREFIX.0.pcap .. OUTPREFIX.K-1.pcap
 *
 * Every frame goes through the project's own decoder (packet_decode):
 *   - TCP/UDP: part hash(flow) % K, with a hash symmetric in the two
 *     endpoints (each endpoint = family, address, port; the smaller one
 *     first, then FNV-1a over proto + both), so both directions of a flow
 *     land in the same part;
 *   - DNS (UDP with port 53 on either side): every part;
 *   - ICMP/ICMPv6 errors that quote a packet: the part of the quoted flow
 *     (pk.icmp.isrc/idst/iproto/isport/idport; a quoted DNS query: every
 *     part);
 *   - IPv4 fragments after the first: the part of the first fragment of
 *     the same (src, dst, IP ID, proto) when it was seen, else part 0;
 *   - everything else (non-IP, ICMP echo, other protocols, frames the
 *     decoder refuses): part 0.
 * Link type, snapshot length and timestamps (nanosecond precision) are
 * kept; pcapng input is written as pcap with the same link type.  A
 * pcapng with several link types is refused by libpcap: exit 3 with the
 * reason (the caller may skip it).  A capture cut in a record: the parts
 * hold everything before the cut, a warning on stderr, exit 0.
 * Prints "packets N" and the packets per part on stdout; with
 * PCAPSPLIT_DEBUG set, "FRAME PART" per frame on stderr (-1 = every part).
 * Exit: 0 ok, 1 usage, 2 input unreadable, 3 unsupported input, 4 output error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "dissect.h"

#define MAX_PARTS 64
#define FRAG_SLOTS 4096

struct ep {
	uint8_t family;
	uint8_t a[16];
	uint16_t port;
};

static int ep_cmp(const struct ep *x, const struct ep *y)
{
	if (x->family != y->family) return x->family < y->family ? -1 : 1;
	int c = memcmp(x->a, y->a, 16);
	if (c) return c;
	if (x->port != y->port) return x->port < y->port ? -1 : 1;
	return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t ep_fnv(uint64_t h, const struct ep *e)
{
	uint8_t port[2] = { (uint8_t)(e->port >> 8), (uint8_t)e->port };
	h = fnv(h, &e->family, 1);
	h = fnv(h, e->a, 16);
	return fnv(h, port, 2);
}

/* Symmetric: flow_hash(p, a, ap, b, bp) == flow_hash(p, b, bp, a, ap). */
static uint64_t flow_hash(uint8_t proto, const struct ts_addr *a, uint16_t ap,
                          const struct ts_addr *b, uint16_t bp)
{
	struct ep x = { a->family, { 0 }, ap }, y = { b->family, { 0 }, bp };
	memcpy(x.a, a->a, 16);
	memcpy(y.a, b->a, 16);
	const struct ep *lo = ep_cmp(&x, &y) <= 0 ? &x : &y, *hi = lo == &x ? &y : &x;
	uint64_t h = fnv(1469598103934665603ULL, &proto, 1);
	h = ep_fnv(h, lo);
	h = ep_fnv(h, hi);
	/* final avalanche so that % K uses every bit */
	h ^= h >> 33; h *= 0xff51afd7ed558ccdULL; h ^= h >> 33;
	return h;
}

#define ALL_PARTS (-1)

static int l4_part(uint8_t proto, const struct ts_addr *s, uint16_t sp,
                   const struct ts_addr *d, uint16_t dp, unsigned k)
{
	if (proto == 17 && (sp == 53 || dp == 53)) return ALL_PARTS;
	return (int)(flow_hash(proto, s, sp, d, dp) % k);
}

static bool icmp_error(const struct pkt *pk)
{
	if (pk->proto == 1) return pk->icmp.type == 3 || pk->icmp.type == 4 ||
	                           pk->icmp.type == 5 || pk->icmp.type == 11 || pk->icmp.type == 12;
	return pk->icmp.type < 128;   /* ICMPv6 errors: types 0-127 */
}

/* IPv4 fragments: (src, dst, id, proto) of a first fragment -> its part. */
struct frag { bool used; uint8_t src[4], dst[4], proto; uint16_t id; int part; };
static struct frag frags[FRAG_SLOTS];

static struct frag *frag_slot(const struct pkt *pk)
{
	uint64_t h = fnv(1469598103934665603ULL, pk->src.a, 4);
	h = fnv(h, pk->dst.a, 4);
	h = fnv(h, &pk->ipid, sizeof pk->ipid);
	h = fnv(h, &pk->proto, 1);
	return &frags[h % FRAG_SLOTS];
}

static bool frag_match(const struct frag *f, const struct pkt *pk)
{
	return f->used && !memcmp(f->src, pk->src.a, 4) && !memcmp(f->dst, pk->dst.a, 4) &&
	       f->id == pk->ipid && f->proto == pk->proto;
}

static int choose_part(int dlt, const struct pcap_pkthdr *h, const u_char *data, unsigned k)
{
	struct pkt pk;
	enum mal_reason why = MAL_NONE;
	/* the input is read with nanosecond stamps; the decoder wants µs */
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec / 1000;
	packet_decode(dlt, data, h->caplen, h->len, ts, &pk, &why);
	if (!pk.ipver) return 0;
	if (pk.frag && !pk.frag_first) {
		if (pk.ipver != 4) return 0;
		struct frag *f = frag_slot(&pk);
		return frag_match(f, &pk) ? f->part : 0;
	}
	int part = 0;
	if ((pk.proto == 6 || pk.proto == 17) && pk.l4_valid)
		part = l4_part(pk.proto, &pk.src, pk.sport, &pk.dst, pk.dport, k);
	else if ((pk.proto == 1 || pk.proto == 58) && pk.icmp.quoted && icmp_error(&pk) &&
	         (pk.icmp.iproto == 6 || pk.icmp.iproto == 17))
		part = l4_part(pk.icmp.iproto, &pk.icmp.isrc, pk.icmp.isport,
		               &pk.icmp.idst, pk.icmp.idport, k);
	if (pk.frag && pk.ipver == 4) {
		struct frag *f = frag_slot(&pk);
		f->used = true;
		memcpy(f->src, pk.src.a, 4);
		memcpy(f->dst, pk.dst.a, 4);
		f->id = pk.ipid;
		f->proto = pk.proto;
		f->part = part;
	}
	return part;
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	if (argc != 4) {
		fprintf(stderr, "usage: pcapsplit K IN OUTPREFIX   (writes OUTPREFIX.0.pcap ...)\n");
		return 1;
	}
	bool debug = getenv("PCAPSPLIT_DEBUG") != NULL;   /* "frame part" lines */
	char *end;
	unsigned long k = strtoul(argv[1], &end, 10);
	if (*end || k < 1 || k > MAX_PARTS) {
		fprintf(stderr, "pcapsplit: K must be 1..%d\n", MAX_PARTS);
		return 1;
	}
	pcap_t *in = pcap_open_offline_with_tstamp_precision(argv[2], PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in) {
		fprintf(stderr, "pcapsplit: %s: %s\n", argv[2], errbuf);
		return 2;
	}
	int dlt = pcap_datalink(in);
	int snap = pcap_snapshot(in);
	if (snap <= 0 || snap > 262144) snap = 262144;
	pcap_t *dead = pcap_open_dead_with_tstamp_precision(dlt, snap, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *out[MAX_PARTS];
	unsigned long long per[MAX_PARTS] = { 0 }, n = 0;
	char path[4096];
	for (unsigned i = 0; i < k; i++) {
		snprintf(path, sizeof path, "%s.%u.pcap", argv[3], i);
		out[i] = pcap_dump_open(dead, path);
		if (!out[i]) {
			fprintf(stderr, "pcapsplit: %s: %s\n", path, pcap_geterr(dead));
			return 4;
		}
	}
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;
	while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
		int part = choose_part(dlt, h, data, (unsigned)k);
		n++;
		if (debug) fprintf(stderr, "%llu %d\n", n, part);
		for (unsigned i = 0; i < k; i++) {
			if (part != ALL_PARTS && (unsigned)part != i) continue;
			pcap_dump((u_char *)out[i], h, data);
			per[i]++;
		}
	}
	int ret = 0;
	if (rc == PCAP_ERROR) {
		const char *e = pcap_geterr(in);
		if (strstr(e, "different from the type of the first interface")) {
			fprintf(stderr, "pcapsplit: %s: multi-DLT pcapng, not split: %s\n", argv[2], e);
			ret = 3;
		} else {
			fprintf(stderr, "pcapsplit: %s: warning: %s (parts hold the packets before it)\n",
			        argv[2], e);
		}
	}
	for (unsigned i = 0; i < k; i++) {
		if (pcap_dump_flush(out[i])) {
			fprintf(stderr, "pcapsplit: cannot write part %u\n", i);
			ret = 4;
		}
		pcap_dump_close(out[i]);
	}
	pcap_close(dead);
	pcap_close(in);
	printf("packets %llu", n);
	for (unsigned i = 0; i < k; i++) printf(" %llu", per[i]);
	printf("\n");
	return ret;
}
