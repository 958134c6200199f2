/* mkbench.c - build the deterministic benchmark capture for issue #7.
 *
 *   mkbench [-n COPIES] [-f FLOWMULT] IN.pcap [IN2.pcap ...] OUT.pcap
 *
 * Reads every IN (pcap or pcapng; "-" = stdin) into memory, then writes
 * COPIES (default 29) copies of the whole input to OUT ("-" = stdout):
 *
 *   copy k: timestamps + k * SHIFT seconds (SHIFT = 43600, or the input's
 *           span + 1 s if that is longer), and the last byte of every IPv4 /
 *           IPv6 source and destination address XORed with k, so each
 *           copy's 5-tuples are new.  k = 0 is the input unchanged.
 *
 * Checksums are kept exactly as right (or wrong) as in the input by
 * RFC 1624 incremental updates: the IPv4 header checksum, the TCP / UDP /
 * UDP-Lite / DCCP / ICMPv6 checksums over the pseudo-header (a UDP
 * checksum of 0 stays 0), tunnelled IP-in-IP / IPv6-in-IP headers
 * (rewritten too), and ICMP / ICMPv6 errors: the quoted packet's addresses
 * are rewritten like the packet it quotes, with the quoted IPv4 / UDP
 * checksums and the ICMP checksum updated.  Frames it can't parse (ARP,
 * LLC, short captures, unknown link types) are copied unchanged except for
 * the timestamp shift.
 *
 * Link layers: Ethernet (802.1Q / 802.1ad / QinQ tags, PPPoE session,
 * MPLS), Linux SLL and SLL2, raw IP (DLT_RAW, IPV4, IPV6), BSD NULL/LOOP.
 *
 * Flow scaling (-f M, 1..256): the same packets, about M times as many
 * distinct flows.  Every flow is cut into consecutive chunks by packet
 * ordinal, and chunk j additionally gets bytes [-4..-2] of both addresses
 * XORed with j (byte -2 with j & 0xff, -3 with j >> 8, -4 with j >> 16;
 * byte -1 stays the copy number):
 *
 *   key  = direction-independent flow key of the packet: (IP version,
 *          proto, sorted (addr, port) endpoints; ports for TCP, UDP,
 *          UDP-Lite, SCTP, DCCP).  An ICMP error is keyed by the flow it
 *          quotes.  IP fragments are keyed by their datagram (src, dst,
 *          proto, IP id) and never split, so reassembly still works.
 *   c    = packets with that key in the input; n = the packet's ordinal
 *          within its key (0-based, both directions counted together).
 *   L    = the smallest chunk cap with sum over keys of min(c, L) >=
 *          M * keys ("water-filling": short flows can't be cut into more
 *          chunks than they have packets, so long flows take up the rest);
 *          if no L reaches the target, every packet becomes its own flow
 *          (the most the packet count allows) and mkbench says so.
 *   j    = n * min(c, L) / c.
 *
 * Both directions of a chunk get the same j, so a chunk with packets both
 * ways is a proper bidirectional flow (chunks after the first start
 * mid-connection).  The packet count is unchanged; mkbench prints the
 * flow count reached.  Deterministic: no randomness, no clock.
 *
 * Timestamps are first made monotone: a step backwards becomes 0, a gap
 * over MAX_GAP (1 h) becomes 1 h (base.pcap, in strict order with gaps of
 * at most 10 s, is unchanged).  With several inputs they are concatenated
 * the same way, the first packet of each later input 1 s after the last of
 * the previous one; inputs that can't be opened, or whose link type
 * differs from the first one's, are skipped (with a message).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#define DEFAULT_COPIES 29
#define DEFAULT_SHIFT  43600      /* seconds between copies */
#define MAX_NEST       3          /* IP-in-IP / ICMP-quote nesting depth */
#define MAX_GAP        3600       /* seconds: longer gaps are shortened */

/* ---- input storage ---------------------------------------------------- */

struct pkt {
	struct pcap_pkthdr h;
	size_t off;                 /* offset of the bytes in arena */
	uint32_t sub;               /* -f chunk index j (< 2^24)    */
};

static struct pkt *pkts;
static size_t npkts, cappkts;
static uint8_t *arena;
static size_t arena_len, arena_cap;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "mkbench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return q;
}

static void store(const struct pcap_pkthdr *h, const uint8_t *data)
{
	if (npkts == cappkts) {
		cappkts = cappkts ? cappkts * 2 : 65536;
		pkts = xrealloc(pkts, cappkts * sizeof(*pkts));
	}
	if (arena_cap - arena_len < h->caplen) {
		while (arena_cap - arena_len < h->caplen)
			arena_cap = arena_cap ? arena_cap * 2 : (64u << 20);
		arena = xrealloc(arena, arena_cap);
	}
	memcpy(arena + arena_len, data, h->caplen);
	pkts[npkts].h = *h;
	pkts[npkts].off = arena_len;
	pkts[npkts].sub = 0;
	arena_len += h->caplen;
	npkts++;
}

/* ---- byte helpers and checksum arithmetic ----------------------------- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* One's-complement accumulator of word changes: sum of (~old + new). */
static void acc_add(uint32_t *acc, uint16_t oldw, uint16_t neww)
{
	*acc += (uint16_t)~oldw;
	*acc += neww;
	*acc = (*acc & 0xffff) + (*acc >> 16);
}

static void acc_merge(uint32_t *acc, uint32_t other)
{
	*acc += other;
	*acc = (*acc & 0xffff) + (*acc >> 16);
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + sum(~m + m')). */
static uint16_t csum_apply(uint16_t hc, uint32_t acc)
{
	uint32_t s = (uint16_t)~hc + acc;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Rewrite the 16-bit checksum field at p (region-relative word) applying
 * the change acc, and record that field's own change into *outer. */
static void csum_fix(uint8_t *p, uint32_t acc, bool udp, uint32_t *outer)
{
	uint16_t old = be16(p);
	uint16_t nw;

	if (udp && old == 0)
		return;                     /* no checksum: stays 0 */
	nw = csum_apply(old, acc);
	if (udp && nw == 0)
		nw = 0xffff;                /* RFC 768: computed 0 sent as ~0 */
	put16(p, nw);
	acc_add(outer, old, nw);
}

/* ---- IP parsing --------------------------------------------------------- */

struct ipinfo {
	int ver;                    /* 4 or 6 */
	size_t saddr, daddr, alen;  /* address offsets/length in the header */
	uint8_t proto;              /* upper-layer protocol                  */
	size_t l4;                  /* offset of the upper-layer header      */
	bool has_l4;                /* unfragmented or first fragment        */
	bool frag;                  /* a fragment (first or later)           */
	bool dst_pseudo;            /* IP dst is the pseudo-header dst       */
	uint32_t frag_id;           /* IP identification, if frag            */
};

static bool ip_parse(const uint8_t *p, size_t len, struct ipinfo *ii)
{
	memset(ii, 0, sizeof(*ii));
	if (len < 1)
		return false;
	ii->ver = p[0] >> 4;
	ii->dst_pseudo = true;
	if (ii->ver == 4) {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;
		if (len < 20 || ihl < 20)
			return false;
		uint16_t fo = be16(p + 6);
		ii->saddr = 12;
		ii->daddr = 16;
		ii->alen = 4;
		ii->proto = p[9];
		ii->frag = (fo & 0x3fff) != 0;
		ii->frag_id = be16(p + 4);
		ii->l4 = ihl;
		ii->has_l4 = (fo & 0x1fff) == 0 && len >= ihl;
		/* loose/strict source route: pseudo-header uses the final dst */
		for (size_t o = 20; ii->has_l4 && o < ihl;) {
			uint8_t t = p[o];
			if (t == 0)
				break;
			if (t == 1) {
				o++;
				continue;
			}
			if (o + 1 >= ihl || p[o + 1] < 2)
				break;
			if (t == 131 || t == 137)
				ii->dst_pseudo = false;
			o += p[o + 1];
		}
		return true;
	}
	if (ii->ver == 6) {
		if (len < 40)
			return false;
		ii->saddr = 8;
		ii->daddr = 24;
		ii->alen = 16;
		uint8_t nh = p[6];
		size_t off = 40;
		for (int i = 0; i < 12; i++) {
			switch (nh) {
			case 0: case 43: case 60: case 135: case 139: case 140:
				if (len < off + 8)
					return true;    /* cut inside: no L4 */
				if (nh == 43 && p[off + 3] > 0)
					ii->dst_pseudo = false;
				nh = p[off];
				off += ((size_t)p[off + 1] + 1) * 8;
				continue;
			case 51:                    /* AH */
				if (len < off + 8)
					return true;
				nh = p[off];
				off += ((size_t)p[off + 1] + 2) * 4;
				continue;
			case 44:                    /* fragment */
				if (len < off + 8)
					return true;
				ii->frag = true;
				ii->frag_id = (uint32_t)be16(p + off + 4) << 16 | be16(p + off + 6);
				if ((be16(p + off + 2) & 0xfff8) != 0) {
					ii->proto = p[off];
					return true;
				}
				nh = p[off];
				off += 8;
				continue;
			default:
				ii->proto = nh;
				ii->l4 = off;
				ii->has_l4 = len >= off;
				return true;
			}
		}
		return true;                        /* too many headers */
	}
	return false;
}

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 33 ||
	       proto == 136;
}

/* ICMP(v6) error types that quote the offending packet at +8. */
static bool icmp_is_error(uint8_t proto, uint8_t type)
{
	if (proto == 1)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	if (proto == 58)
		return type >= 1 && type <= 4;
	return false;
}

/* ---- rewriting ---------------------------------------------------------- */

/* XOR the last 4 bytes of both addresses with mask (big-endian: the last
 * byte with mask & 0xff) in the IP packet p (len captured bytes), fixing every checksum that covers the
 * changed bytes.  Returns in *region the one's-complement change of all
 * 16-bit words modified inside p (for a checksum enclosing p, e.g. the
 * ICMP checksum over a quoted packet).  IP headers start at even offsets,
 * so word alignment carries over. */
static void ip_rewrite(uint8_t *p, size_t len, uint32_t mask, int depth,
                       uint32_t *region)
{
	struct ipinfo ii;
	uint32_t dsrc = 0, ddst = 0;

	if (!ip_parse(p, len, &ii))
		return;
	for (int w = 0; w < 2; w++) {
		uint8_t *a = p + (w == 0 ? ii.saddr : ii.daddr) + ii.alen - 4;
		uint16_t hi = be16(a), lo = be16(a + 2);
		put16(a, hi ^ (uint16_t)(mask >> 16));
		put16(a + 2, lo ^ (uint16_t)mask);
		acc_add(w == 0 ? &dsrc : &ddst, hi, be16(a));
		acc_add(w == 0 ? &dsrc : &ddst, lo, be16(a + 2));
	}
	acc_merge(region, dsrc);
	acc_merge(region, ddst);

	uint32_t hdr = dsrc;
	acc_merge(&hdr, ddst);
	if (ii.ver == 4)
		csum_fix(p + 10, hdr, false, region);
	if (!ii.has_l4)
		return;

	uint32_t pseudo = dsrc;
	if (ii.dst_pseudo)
		acc_merge(&pseudo, ddst);
	uint8_t *l4 = p + ii.l4;
	size_t l4len = len - ii.l4;

	switch (ii.proto) {
	case 6:                                 /* TCP */
		if (l4len >= 18)
			csum_fix(l4 + 16, pseudo, false, region);
		break;
	case 17:                                /* UDP */
	case 136:                               /* UDP-Lite */
		if (l4len >= 8)
			csum_fix(l4 + 6, pseudo, ii.proto == 17, region);
		break;
	case 33:                                /* DCCP */
		if (l4len >= 8)
			csum_fix(l4 + 6, pseudo, false, region);
		break;
	case 4:                                 /* IPv4-in-IP */
	case 41: {                              /* IPv6-in-IP */
		uint32_t inner = 0;             /* outer IP checksum covers header only */
		if (depth < MAX_NEST)
			ip_rewrite(l4, l4len, mask, depth + 1, &inner);
		break;
	}
	case 1:                                 /* ICMP  */
	case 58: {                              /* ICMPv6 */
		if (l4len < 4)
			break;
		uint32_t acc = ii.proto == 58 ? pseudo : 0;
		if (icmp_is_error(ii.proto, l4[0]) && l4len > 8 && depth < MAX_NEST)
			ip_rewrite(l4 + 8, l4len - 8, mask, depth + 1, &acc);
		if (acc != 0)
			csum_fix(l4 + 2, acc, false, region);
		break;
	}
	default:
		break;
	}
}

/* Offset of the IP header in a frame, or 0 with *ok false. */
static size_t link_ip(const uint8_t *p, size_t len, int dlt, bool *ok)
{
	size_t off = 0;
	uint16_t et = 0;

	*ok = false;
	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return 0;
		et = be16(p + 12);
		off = 14;
		for (int tags = 0; tags < 4 && (et == 0x8100 || et == 0x88a8 ||
		                                et == 0x9100 || et == 0x9200); tags++) {
			if (len < off + 4)
				return 0;
			et = be16(p + off + 2);
			off += 4;
		}
		if (et == 0x8864) {             /* PPPoE session */
			if (len < off + 8)
				return 0;
			uint16_t ppp = be16(p + off + 6);
			off += 8;
			et = ppp == 0x0021 ? 0x0800 : ppp == 0x0057 ? 0x86dd : 0;
		}
		if (et == 0x8847 || et == 0x8848) {     /* MPLS: pop to BoS */
			for (int i = 0; i < 8; i++) {
				if (len < off + 4)
					return 0;
				bool bos = p[off + 2] & 1;
				off += 4;
				if (bos)
					break;
			}
			if (len < off + 1)
				return 0;
			et = (p[off] >> 4) == 4 ? 0x0800 : (p[off] >> 4) == 6 ? 0x86dd : 0;
		}
		if (et != 0x0800 && et != 0x86dd)
			return 0;
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return 0;
		et = be16(p + 14);
		off = 16;
		if (et != 0x0800 && et != 0x86dd)
			return 0;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (len < 20)
			return 0;
		et = be16(p);
		off = 20;
		if (et != 0x0800 && et != 0x86dd)
			return 0;
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP: {
		if (len < 4)
			return 0;
		off = 4;
		break;
	}
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
#endif
#ifdef DLT_IPV6
	case DLT_IPV6:
#endif
		off = 0;
		break;
	default:
		return 0;
	}
	if (len <= off)
		return 0;
	int v = p[off] >> 4;
	if (v != 4 && v != 6)
		return 0;
	*ok = true;
	return off;
}

/* ---- flow keys for -f ---------------------------------------------------- */

#define KEYLEN 38                   /* ver, proto, a[16], b[16], pa, pb */
#define KEY_FRAG 0x80               /* key[0] flag: a fragment's datagram key */

/* Direction-independent key of the IP packet at p; false if none. */
static bool ip_key(const uint8_t *p, size_t len, uint8_t key[KEYLEN], int depth)
{
	struct ipinfo ii;
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	uint16_t pa = 0, pb = 0;

	if (!ip_parse(p, len, &ii))
		return false;
	if (ii.has_l4 && (ii.proto == 1 || ii.proto == 58) && len >= ii.l4 + 8 &&
	    icmp_is_error(ii.proto, p[ii.l4]) && depth < MAX_NEST &&
	    ip_key(p + ii.l4 + 8, len - ii.l4 - 8, key, depth + 1))
		return true;                    /* keyed by the quoted flow */
	memcpy(a, p + ii.saddr, ii.alen);
	memcpy(b, p + ii.daddr, ii.alen);
	if (ii.frag) {                          /* datagram key, not ordered */
		key[0] = (uint8_t)(ii.ver | KEY_FRAG);
		key[1] = ii.proto;
		memcpy(key + 2, a, 16);
		memcpy(key + 18, b, 16);
		put16(key + 34, (uint16_t)(ii.frag_id >> 16));
		put16(key + 36, (uint16_t)ii.frag_id);
		return true;
	}
	if (ii.has_l4 && has_ports(ii.proto) && len >= ii.l4 + 4) {
		pa = be16(p + ii.l4);
		pb = be16(p + ii.l4 + 2);
	}
	int c = memcmp(a, b, 16);
	if (c > 0 || (c == 0 && pa > pb)) {
		uint8_t t[16];
		memcpy(t, a, 16);
		memcpy(a, b, 16);
		memcpy(b, t, 16);
		uint16_t tp = pa;
		pa = pb;
		pb = tp;
	}
	key[0] = (uint8_t)ii.ver;
	key[1] = ii.proto;
	memcpy(key + 2, a, 16);
	memcpy(key + 18, b, 16);
	put16(key + 34, pa);
	put16(key + 36, pb);
	return true;
}

struct slot {
	uint8_t key[KEYLEN];
	bool used;
	uint32_t count;             /* packets with this key            */
	uint32_t seen;              /* ordinal counter, second pass      */
};

static struct slot *tab;
static size_t tabcap, tabused;

static uint64_t key_hash(const uint8_t *k)
{
	uint64_t h = 1469598103934665603ull;        /* FNV-1a */
	for (int i = 0; i < KEYLEN; i++) {
		h ^= k[i];
		h *= 1099511628211ull;
	}
	return h;
}

static struct slot *tab_get(const uint8_t *k)
{
	if (tabused * 2 >= tabcap) {
		struct slot *old = tab;
		size_t oldcap = tabcap;
		tabcap = tabcap ? tabcap * 2 : 65536;
		tab = calloc(tabcap, sizeof(*tab));
		if (!tab) {
			fprintf(stderr, "mkbench: out of memory\n");
			exit(1);
		}
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].used)
				continue;
			size_t j = key_hash(old[i].key) & (tabcap - 1);
			while (tab[j].used)
				j = (j + 1) & (tabcap - 1);
			tab[j] = old[i];
		}
		free(old);
	}
	size_t j = key_hash(k) & (tabcap - 1);
	while (tab[j].used && memcmp(tab[j].key, k, KEYLEN) != 0)
		j = (j + 1) & (tabcap - 1);
	if (!tab[j].used) {
		tab[j].used = true;
		memcpy(tab[j].key, k, KEYLEN);
		tabused++;
	}
	return &tab[j];
}

#define MAX_CHUNKS (1u << 24)

/* Chunks for a key under cap L. */
static uint64_t chunks(const struct slot *s, uint64_t cap)
{
	if (s->key[0] & KEY_FRAG)
		return 1;
	return s->count < cap ? s->count : cap;
}

static uint64_t flows_at(uint64_t cap)
{
	uint64_t f = 0;
	for (size_t i = 0; i < tabcap; i++)
		if (tab[i].used)
			f += chunks(&tab[i], cap);
	return f;
}

/* Assigns pkts[].sub; returns the flow count per copy (distinct (key,
 * chunk) pairs; packets without a key count as nothing). */
static uint64_t assign_chunks(int dlt, unsigned mult, uint64_t *keys_out,
                              uint64_t *cap_out)
{
	uint8_t key[KEYLEN];
	uint64_t cap = 1;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1 && mult > 1) {
			/* smallest cap reaching mult * keys, by bisection */
			uint64_t target = (uint64_t)mult * tabused, lo = 1, hi = 1;
			for (size_t i = 0; i < tabcap; i++)
				if (tab[i].used && tab[i].count > hi)
					hi = tab[i].count;
			if (hi > MAX_CHUNKS)
				hi = MAX_CHUNKS;
			if (flows_at(hi) <= target) {
				lo = hi;
			} else {
				while (lo < hi) {
					uint64_t mid = lo + (hi - lo) / 2;
					if (flows_at(mid) >= target)
						hi = mid;
					else
						lo = mid + 1;
				}
			}
			cap = lo;
		}
		for (size_t i = 0; i < npkts; i++) {
			const uint8_t *p = arena + pkts[i].off;
			size_t len = pkts[i].h.caplen;
			bool ok;
			size_t off = link_ip(p, len, dlt, &ok);
			memset(key, 0, sizeof(key));
			if (!ok || !ip_key(p + off, len - off, key, 0))
				continue;
			struct slot *s = tab_get(key);
			if (pass == 0) {
				s->count++;
				continue;
			}
			uint64_t j = (uint64_t)s->seen * chunks(s, cap) / s->count;
			s->seen++;
			pkts[i].sub = (uint32_t)j;
		}
	}
	*keys_out = tabused;
	*cap_out = cap;
	return flows_at(cap);
}

static const char *dlt_name(int dlt)
{
	static char buf[32];
	const char *n = pcap_datalink_val_to_name(dlt);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "DLT %d", dlt);
	return buf;
}

/* ---- main ---------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: mkbench [-n COPIES] [-f FLOWMULT] IN.pcap [IN...] OUT.pcap\n"
	                "  COPIES 1..256 (default %d), FLOWMULT 1..256 (default 1);\n"
	                "  IN or OUT may be \"-\" for stdin/stdout\n", DEFAULT_COPIES);
	exit(2);
}

static unsigned parse_num(const char *s, unsigned lo, unsigned hi)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi)
		usage();
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	unsigned copies = DEFAULT_COPIES, mult = 1;
	int opt;

	while ((opt = getopt(argc, argv, "n:f:h")) != -1) {
		switch (opt) {
		case 'n': copies = parse_num(optarg, 1, 256); break;
		case 'f': mult = parse_num(optarg, 1, 256); break;
		default: usage();
		}
	}
	if (argc - optind < 2)
		usage();
	const char *outname = argv[argc - 1];

	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *first = NULL;           /* kept open: pcap_dump_fopen needs it */
	int dlt = -1;
	int64_t prev_in = 0, prev_out = 0;     /* microseconds */
	bool any = false;

	for (int a = optind; a < argc - 1; a++) {
		pcap_t *pc = pcap_open_offline(argv[a], errbuf);
		if (!pc) {
			/* one bad file among several is skipped, not fatal */
			fprintf(stderr, "mkbench: %s: %s%s\n", argv[a], errbuf,
			        argc - optind > 2 ? ", skipped" : "");
			if (argc - optind > 2)
				continue;
			return 1;
		}
		if (dlt < 0) {
			dlt = pcap_datalink(pc);
		} else if (pcap_datalink(pc) != dlt) {
			fprintf(stderr, "mkbench: %s: link type %s", argv[a],
			        dlt_name(pcap_datalink(pc)));
			fprintf(stderr, " differs from %s, skipped\n", dlt_name(dlt));
			pcap_close(pc);
			continue;
		}
		struct pcap_pkthdr *h;
		const u_char *data;
		bool firstpkt = true;
		int rc;
		size_t before = npkts;
		while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
			struct pcap_pkthdr hh = *h;
			int64_t t = (int64_t)hh.ts.tv_sec * 1000000 + hh.ts.tv_usec;
			int64_t gap = t - prev_in;
			if (!any)
				gap = 0, prev_out = t;
			else if (firstpkt)
				gap = 1000000;          /* next input: 1 s later */
			else if (gap < 0)
				gap = 0;
			else if (gap > (int64_t)MAX_GAP * 1000000)
				gap = (int64_t)MAX_GAP * 1000000;
			prev_in = t;
			prev_out += gap;
			hh.ts.tv_sec = (time_t)(prev_out / 1000000);
			hh.ts.tv_usec = (suseconds_t)(prev_out % 1000000);
			firstpkt = false;
			any = true;
			store(&hh, data);
		}
		if (rc == PCAP_ERROR)
			fprintf(stderr, "mkbench: %s: %s (keeping %zu packets read)\n",
			        argv[a], pcap_geterr(pc), npkts - before);
		fprintf(stderr, "mkbench: %s: %zu packets, %s\n", argv[a],
		        npkts - before, dlt_name(dlt));
		if (!first)
			first = pc;
		else
			pcap_close(pc);
	}
	if (!first || npkts == 0) {
		fprintf(stderr, "mkbench: no packets read\n");
		return 1;
	}

	long long span = (long long)pkts[npkts - 1].h.ts.tv_sec -
	                 (long long)pkts[0].h.ts.tv_sec;
	long long shift = DEFAULT_SHIFT;
	if (span + 1 > shift)
		shift = span + 1;
	if ((long long)pkts[npkts - 1].h.ts.tv_sec + (long long)(copies - 1) * shift >
	    (long long)UINT32_MAX) {
		fprintf(stderr, "mkbench: %u copies x %lld s would overflow pcap's "
		        "32-bit timestamps\n", copies, shift);
		return 1;
	}

	uint64_t keys = 0, cap = 1;
	uint64_t flows = assign_chunks(dlt, mult, &keys, &cap);

	FILE *fp = strcmp(outname, "-") == 0 ? stdout : fopen(outname, "wb");
	if (!fp) {
		fprintf(stderr, "mkbench: %s: %s\n", outname, strerror(errno));
		return 1;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	pcap_dumper_t *d = pcap_dump_fopen(first, fp);
	if (!d) {
		fprintf(stderr, "mkbench: %s: %s\n", outname, pcap_geterr(first));
		return 1;
	}

	uint8_t *buf = xrealloc(NULL, 262144);
	size_t bufcap = 262144;
	uint64_t outpkts = 0, outbytes = 0, unparsed = 0;
	for (unsigned k = 0; k < copies; k++) {
		for (size_t i = 0; i < npkts; i++) {
			struct pcap_pkthdr h = pkts[i].h;
			if (h.caplen > bufcap) {
				bufcap = h.caplen;
				buf = xrealloc(buf, bufcap);
			}
			memcpy(buf, arena + pkts[i].off, h.caplen);
			h.ts.tv_sec += (long long)k * shift;
			bool ok;
			size_t off = link_ip(buf, h.caplen, dlt, &ok);
			if (!ok && k == 0)
				unparsed++;
			if (ok && (k != 0 || pkts[i].sub != 0)) {
				uint32_t region = 0;
				ip_rewrite(buf + off, h.caplen - off,
				           pkts[i].sub << 8 | k, 0, &region);
			}
			pcap_dump((u_char *)d, &h, buf);
			outpkts++;
			outbytes += h.caplen;
		}
	}
	if (pcap_dump_flush(d) != 0 || ferror(fp)) {
		fprintf(stderr, "mkbench: %s: write error\n", outname);
		return 1;
	}
	pcap_dump_close(d);
	pcap_close(first);

	fprintf(stderr,
	        "mkbench: wrote %llu packets, %llu captured bytes: %u copies x %zu "
	        "packets, shift %lld s, flow mult %u\n"
	        "mkbench: %llu flow keys per copy (%llu non-IP/unparsed packets), "
	        "%llu flows per copy after -f (%.2fx, chunk cap %llu%s), "
	        "~%llu flows total\n",
	        (unsigned long long)outpkts, (unsigned long long)outbytes, copies,
	        npkts, shift, mult, (unsigned long long)keys,
	        (unsigned long long)unparsed, (unsigned long long)flows,
	        keys ? (double)flows / (double)keys : 0.0, (unsigned long long)cap,
	        flows < (uint64_t)mult * keys ? ", target not reachable: every unfragmented packet its own flow" : "",
	        (unsigned long long)(flows * copies));
	free(buf);
	free(arena);
	free(pkts);
	free(tab);
	return 0;
}
