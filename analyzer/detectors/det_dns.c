/* det_dns.c - dns_injection: DNS answers the resolver did not send.
 *
 * Queries and responses are matched by (client address/port, resolver
 * address/port, DNS ID, question), over UDP and TCP.  Each query is held
 * for a window (default 3 s) so racing responses are all seen, then
 * judged (Hold-On, Duan et al. 2012; GFWatch 2021; DESIGN.md section 2):
 *   multi_answer     >= 2 responses whose answer sets (compared as sets)
 *                    or rcodes differ
 *   ttl_mismatch     IP TTL off by > 1 from the resolver's baseline
 *   early_answer     under half the resolver's usual round trip
 *   type_mismatch    record type does not fit the question
 *   known_forged_ip  an address from data/forged_ips.txt
 *   bogon_answer     a bogon address for a public name (weak)
 *   no_soa           NXDOMAIN without the SOA the resolver's genuine
 *                    NXDOMAINs carry, from another hop distance (medium;
 *                    with ttl_mismatch, see thin_negative)
 * In a race the response with the evidence is forged, the other genuine;
 * with no individual evidence the first to arrive is taken as forged
 * (on-path injectors sit closer than the resolver).  Forged addresses are
 * marked in the DNS cache so they never name a genuine destination, and
 * connections to them are followed (forged_ip_contacted).
 */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "tunables.h"
#include "util.h"

/* Evidence codes; bit i of a mask = dns_ev[i]. */
enum { EV_TTL_MISMATCH, EV_MULTI_ANSWER, EV_EARLY_ANSWER, EV_TYPE_MISMATCH,
       EV_KNOWN_FORGED_IP, EV_BOGON_ANSWER, EV_FORGED_IP_CONTACTED, EV_NO_SOA, EV_N };
static const struct det_evidence dns_ev[] = {
	{ "ttl_mismatch", W_STRONG, "IP TTL off by > 1 from the resolver's baseline" },
	{ "multi_answer", W_STRONG, ">= 2 responses with differing answers or rcodes" },
	{ "early_answer", W_MEDIUM, "under half the resolver's usual round trip" },
	{ "type_mismatch", W_MEDIUM, "record type does not fit the question" },
	{ "known_forged_ip", W_MEDIUM, "an address from data/forged_ips.txt" },
	{ "bogon_answer", W_WEAK, "a bogon address for a public name" },
	{ "forged_ip_contacted", 0, "the client connected to a forged address" },
	{ "no_soa", W_MEDIUM, "NXDOMAIN without the SOA the resolver's genuine NXDOMAINs carry" },
};
_Static_assert(DET_N(dns_ev) == EV_N, "dns_ev and its enum differ");

static const struct det_option dns_opts[] = {
	{ "dns-hold", "MS", DNS_HOLD_DEF, "DNS hold window" },
	{ "dns-pending-max", "N", DNS_PENDING_DEF, "DNS queries held at once" },
};

#define WEAK_DNS (1u << EV_BOGON_ANSWER)

struct dresp {
	uint64_t ts;
	uint8_t ttl, rcode;
	uint16_t ipid, flags;
	uint8_t naddr;
	uint8_t addr[DNS_MAX_ADDR][16];
	uint8_t afam[DNS_MAX_ADDR];
	uint32_t dns_ttl;
	uint16_t ancount;
	uint32_t ev;                 /* evidence mask, after judging */
	bool forged;
	bool type_bad;
	bool partial;                /* truncated / IP fragment: answers incomplete */
	bool soa;                    /* an SOA in the authority section */
};

struct query {
	struct query *hnext, *prev, *next;   /* hash chain, age list */
	uint64_t hash;
	struct ts_addr cli, res;
	uint16_t cport, rport, id, qtype;
	uint8_t proto;
	char qname[DNS_NAME_MAX];
	uint64_t ts, last_q;
	uint32_t nq;                 /* query packets (retransmissions incl.) */
	uint32_t nr;                 /* response packets */
	struct dresp r[DNS_MAX_RESP];
	bool judged;
	/* after judging: forged responses waiting for the cross-layer link */
	uint32_t mask;
	int nforged;
	uint32_t contacted, handshakes, resets, silent;
	struct ev_frames *frames;    /* --evidence: query and responses */
};

struct resolver {
	struct ts_addr a;
	uint8_t ttl[4];
	uint32_t tcnt[4];
	uint32_t tpos[4];            /* of those, positive answers (addresses) */
	uint32_t tnx_soa[4];         /* of those, NXDOMAINs with an SOA */
	uint32_t tnx_bare[4];        /* of those, negative answers without one */
	uint8_t tshape[4];           /* of those, their header shapes (bits) */
	uint32_t rtt[RES_RTT_SAMPLES];
	unsigned nrtt, rpos;
	uint8_t shapes;              /* header shapes of genuine answers, 1 bit each */
};

/* An answer's header shape: its AA and RA bits (RFC 1035 4.1.1), which a
 * resolver sets the same way on every answer it sends (AD varies with
 * DNSSEC, rcode with the name). */
static unsigned dns_shape(uint16_t flags)
{
	return ((flags >> 10) & 1u) << 1 | ((flags >> 7) & 1u);
}

struct cidr { struct ts_addr a; unsigned bits; };

struct dns_state {
	struct query **bucket;
	size_t mask;
	struct query *head, *tail;       /* oldest first */
	struct query *jcur;              /* first query not yet judged */
	unsigned n, max;
	struct resolver res[RES_MAX];
	unsigned nres;
	uint16_t res_idx[4 * RES_MAX];   /* open addressing: index + 1, 0 = free */
	struct cidr *forged;
	unsigned nforged_list;
	/* retired queries for reuse: a query is over 1 KiB, and glibc
	 * consolidates its fast bins before every allocation that large */
	struct query *spare;
	uint64_t queries, responses, unsolicited, evicted, parse_errors;
	uint64_t forged_responses, genuine_in_race, events;
	uint64_t hits[EV_N];
};

/* ---------- address lists ---------- */

static bool cidr_has(const struct cidr *c, const uint8_t *a, uint8_t fam)
{
	if (c->a.family != fam) return false;
	unsigned bits = c->bits, i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (c->a.a[i] != a[i]) return false;
	if (bits) {
		uint8_t m = (uint8_t)(0xff << (8 - bits));
		if ((c->a.a[i] & m) != (a[i] & m)) return false;
	}
	return true;
}

static void load_forged(struct dns_state *s)
{
	char buf[256];
	FILE *f = data_open("forged_ips.txt", NULL, 0);
	if (!f) return;
	while (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, " \t\r\n#")] = 0;
		if (!buf[0]) continue;
		char *slash = strchr(buf, '/');
		unsigned bits = 0;
		if (slash) { *slash = 0; bits = (unsigned)atoi(slash + 1); }
		struct cidr c;
		if (addr_parse(buf, &c.a)) continue;
		unsigned maxb = c.a.family == 4 ? 32 : 128;
		c.bits = slash && bits <= maxb ? bits : maxb;
		s->forged = xrealloc(s->forged, (s->nforged_list + 1) * sizeof *s->forged);
		s->forged[s->nforged_list++] = c;
	}
	fclose(f);
}

static bool is_bogon(const uint8_t *a, uint8_t fam)
{
	if (fam == 4)
		return a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224 ||
		       (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168) || (a[0] == 100 && (a[1] & 0xc0) == 64);
	static const uint8_t zero[16];
	if (!memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1)) return true;
	return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a[0] == 0xff;
}

/* ---------- resolver baselines ---------- */

/* Resolvers are never removed, so a probe sequence ends at a free slot. */
static struct resolver *resolver_of(struct dns_state *s, const struct ts_addr *a, bool create)
{
	const size_t mask = sizeof s->res_idx / sizeof s->res_idx[0] - 1;
	size_t h = (size_t)addr_hash(a, 3) & mask;
	for (;; h = (h + 1) & mask) {
		unsigned k = s->res_idx[h];
		if (!k) break;
		if (addr_eq(&s->res[k - 1].a, a)) return &s->res[k - 1];
	}
	if (!create || s->nres >= RES_MAX) return NULL;
	struct resolver *r = &s->res[s->nres++];
	memset(r, 0, sizeof *r);
	r->a = *a;
	s->res_idx[h] = (uint16_t)s->nres;
	return r;
}

static void res_learn(struct resolver *r, const struct dresp *a, uint32_t rtt)
{
	uint8_t ttl = a->ttl;
	bool positive = a->naddr > 0;
	bool nx_soa = a->rcode == 3 && a->soa, bare = !positive && !a->soa;
	uint8_t shape = (uint8_t)(1u << dns_shape(a->flags));
	r->shapes |= shape;
	int min = 0, slot = -1;
	for (int i = 0; i < 4 && slot < 0; i++) {
		if (r->tcnt[i] && r->ttl[i] == ttl) {
			r->tcnt[i]++;
			slot = i;
		} else if (r->tcnt[i] < r->tcnt[min]) {
			min = i;
		}
	}
	if (slot < 0 && r->tcnt[min] <= 1) {
		slot = min;
		r->ttl[min] = ttl; r->tcnt[min] = 1;
		r->tpos[min] = r->tnx_soa[min] = r->tnx_bare[min] = 0;
		r->tshape[min] = 0;
	}
	if (slot >= 0) {
		r->tpos[slot] += positive;
		r->tnx_soa[slot] += nx_soa;
		r->tnx_bare[slot] += bare;
		r->tshape[slot] |= shape;
	}
	r->rtt[r->rpos] = rtt;
	r->rpos = (r->rpos + 1) % RES_RTT_SAMPLES;
	if (r->nrtt < RES_RTT_SAMPLES) r->nrtt++;
}

/* The resolver's TTL, if one value dominates: >= 80 % of >= 5 genuine
 * answers.  Home routers that forward some answers and serve others from
 * a cache show two TTLs (ndpi_telegram: 57 and 64): no baseline then. */
static uint8_t res_ttl(const struct resolver *r)
{
	uint32_t tot = 0, best = 0;
	uint8_t t = 0;
	for (int i = 0; i < 4; i++) {
		tot += r->tcnt[i];
		if (r->tcnt[i] > best) { best = r->tcnt[i]; t = r->ttl[i]; }
	}
	return (tot >= 5 && best * 5 >= tot * 4) ? t : 0;
}

/* In-path injectors that answer NXDOMAIN themselves (dropping the real
 * query) can outnumber a resolver's genuine answers in a short capture,
 * so no TTL dominates.  They never answer with addresses, though: when
 * exactly one TTL group (+-1) holds the resolver's positive answers (>= 3
 * of them), a negative answer carrying a TTL outside that group is
 * ttl_mismatch.  A resolver with positive answers at two TTLs (a router
 * forwarding some answers and serving others) gives no evidence. */
static bool res_negative_outlier(const struct resolver *r, uint8_t ttl)
{
	int pos_slot = -1;
	for (int i = 0; i < 4; i++) {
		if (!r->tpos[i]) continue;
		if (pos_slot >= 0 && (r->ttl[i] > r->ttl[pos_slot] + 1 || r->ttl[i] + 1 < r->ttl[pos_slot]))
			return false;                        /* positives at two TTLs */
		if (pos_slot < 0 || r->tpos[i] > r->tpos[pos_slot]) pos_slot = i;
	}
	if (pos_slot < 0 || r->tpos[pos_slot] < 3) return false;
	uint8_t b = r->ttl[pos_slot];
	return ttl > b + 1 || ttl + 1 < b;
}

static bool ttl_near(uint8_t a, uint8_t b) { return a <= b + 1 && b <= a + 1; }

/* A resolver with too few answers for a TTL baseline, and an in-path
 * injector that drops the query and answers NXDOMAIN itself (dns_nxthin):
 * its answers come from another hop distance and lack the SOA that the
 * resolver's own NXDOMAINs carry (RFC 2308 3).  Negative answer r is
 * forged (ttl_mismatch + no_soa) when
 *  - it is an NXDOMAIN without an SOA;
 *  - every answer of the resolver within 1 of its TTL was such a bare
 *    negative answer (no address, no SOA at that hop distance);
 *  - another TTL group, > 1 away, holds the resolver's genuine answers:
 *    >= 1 with addresses and >= 1 NXDOMAIN with an SOA, and no bare
 *    negative answer (a resolver whose negatives lack an SOA is no
 *    evidence);
 *  - at a zero-hop TTL (64, 128, 255: the capture point's own device), its
 *    header shape (AA/RA) is also one the genuine group never used: a
 *    home router's own answers (teams.pcap, local_answer) look like the
 *    forwarded ones. */
static bool thin_negative(const struct resolver *r, const struct dresp *a)
{
	if (a->rcode != 3 || a->naddr || a->soa || a->partial) return false;
	int good = -1;
	for (int i = 0; i < 4; i++) {
		if (!r->tcnt[i]) continue;
		if (ttl_near(r->ttl[i], a->ttl)) {
			if (r->tpos[i] || r->tnx_soa[i]) return false;
			continue;
		}
		if (r->tpos[i] && r->tnx_soa[i] && !r->tnx_bare[i]) {
			if (good >= 0) return false;        /* genuine answers at two TTLs */
			good = i;
		} else {
			return false;                         /* a third kind of answer */
		}
	}
	if (good < 0) return false;
	bool zero_hop = a->ttl == 64 || a->ttl == 128 || a->ttl == 255;
	if (zero_hop && (r->tshape[good] & (1u << dns_shape(a->flags)))) return false;
	return true;
}

/* The resolver's round trip for early_answer: the fastest of its recent
 * genuine answers (>= 5).  A caching resolver answers hits much faster
 * than misses, so a median would call every cache hit "early"; an
 * injector closer than the resolver beats even its cache hits. */
static uint32_t res_rtt(const struct resolver *r)
{
	uint32_t m = UINT32_MAX;
	if (r->nrtt < 5) return 0;
	for (unsigned i = 0; i < r->nrtt; i++)
		if (r->rtt[i] < m) m = r->rtt[i];
	return m;
}

/* ---------- query table ---------- */

static uint64_t qhash(const struct ts_addr *cli, uint16_t cport, const struct ts_addr *res,
                      uint16_t id, const char *qname, uint16_t qtype)
{
	uint64_t h = addr_hash(cli, 1) ^ mix64(addr_hash(res, 2) + cport);
	h = mix64(h ^ ((uint64_t)id << 16) ^ qtype);
	for (const char *p = qname; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	return mix64(h);
}

static void age_unlink(struct dns_state *s, struct query *q)
{
	if (q->prev) q->prev->next = q->next; else s->head = q->next;
	if (q->next) q->next->prev = q->prev; else s->tail = q->prev;
}

static void q_remove(struct dns_state *s, struct query *q)
{
	struct query **pp = &s->bucket[q->hash & s->mask];
	while (*pp && *pp != q) pp = &(*pp)->hnext;
	if (*pp) *pp = q->hnext;
	if (s->jcur == q) s->jcur = q->next;
	age_unlink(s, q);
	s->n--;
	evf_free(q->frames);
	q->next = s->spare;
	s->spare = q;
}

static struct query *q_alloc(struct dns_state *s)
{
	struct query *q = s->spare;
	if (!q) return xcalloc(1, sizeof *q);
	s->spare = q->next;
	memset(q, 0, sizeof *q);
	return q;
}

static struct query *q_find(struct dns_state *s, const struct ts_addr *cli, uint16_t cport,
                            const struct ts_addr *res, uint16_t id, const char *qname,
                            uint16_t qtype, uint64_t *hp)
{
	uint64_t h = qhash(cli, cport, res, id, qname, qtype);
	*hp = h;
	for (struct query *q = s->bucket[h & s->mask]; q; q = q->hnext)
		if (q->hash == h && q->cport == cport && q->id == id && q->qtype == qtype &&
		    addr_eq(&q->cli, cli) && addr_eq(&q->res, res) && !strcmp(q->qname, qname))
			return q;
	return NULL;
}

/* ---------- judging ---------- */

static bool same_answer(const struct dresp *a, const struct dresp *b)
{
	if (a->partial || b->partial) return true;   /* cannot compare */
	if (a->rcode != b->rcode || a->naddr != b->naddr) return false;
	for (unsigned i = 0; i < a->naddr; i++) {       /* as sets */
		bool found = false;
		for (unsigned j = 0; j < b->naddr && !found; j++)
			found = a->afam[i] == b->afam[j] && !memcmp(a->addr[i], b->addr[j], 16);
		if (!found) return false;
	}
	return true;
}

/* An answer from a device zero hops from the capture (TTL exactly 64, 128
 * or 255: nothing decremented it) shaped like the resolver's genuine
 * answers - the same AA/RA bits, and an SOA when it is NXDOMAIN: a home
 * router answering a local name itself while it forwards the rest (the
 * forwarded answers arrive from further away).  Its TTL alone says
 * nothing; an in-path injector at the capture point is told apart by what
 * else differs (its header bits, a missing SOA). */
static bool local_answer(const struct dresp *r, const struct resolver *res)
{
	bool zero_hop = r->ttl == 64 || r->ttl == 128 || r->ttl == 255;
	if (!zero_hop || !(res->shapes & (1u << dns_shape(r->flags)))) return false;
	return r->rcode != 3 || r->soa;
}

/* A lone answer whose only evidence is a TTL that says "zero hops",
 * shaped like the resolver's own: the local device answering (above). */
static bool only_local_ttl(uint32_t m, const struct dresp *r, const struct resolver *res)
{
	return res && !(m & ~WEAK_DNS & ~(1u << EV_TTL_MISMATCH)) && local_answer(r, res);
}

/* Evidence against the resolver's baseline (TTL, round trip). */
static uint32_t baseline_evidence(const struct query *q, const struct dresp *r,
                                  const struct resolver *res)
{
	uint32_t m = 0;
	if (!res) return 0;
	uint8_t bt = res_ttl(res);
	uint32_t rtt = res_rtt(res);
	if (bt && (r->ttl > bt + 1 || r->ttl + 1 < bt)) m |= 1u << EV_TTL_MISMATCH;
	if (!bt && !r->naddr && res_negative_outlier(res, r->ttl)) m |= 1u << EV_TTL_MISMATCH;
	if (thin_negative(res, r)) m |= (1u << EV_TTL_MISMATCH) | (1u << EV_NO_SOA);
	uint64_t delay = r->ts >= q->last_q ? r->ts - q->last_q : 0;
	/* only for a resolver clearly far away (>= 5 ms at its fastest): a
	 * LAN router's cache answers in under a millisecond (ndpi_android) */
	if (rtt >= 5000 && delay * 2 < rtt) m |= 1u << EV_EARLY_ANSWER;
	return m;
}

/* Evidence in the response itself. */
static uint32_t resp_evidence(struct dns_state *s, const struct query *q, struct dresp *r,
                              const struct resolver *res)
{
	uint32_t m = baseline_evidence(q, r, res);
	if (r->type_bad) m |= 1u << EV_TYPE_MISMATCH;
	for (unsigned i = 0; i < r->naddr; i++) {
		for (unsigned k = 0; k < s->nforged_list; k++)
			if (cidr_has(&s->forged[k], r->addr[i], r->afam[i]))
				m |= 1u << EV_KNOWN_FORGED_IP;
		if (is_bogon(r->addr[i], r->afam[i])) m |= 1u << EV_BOGON_ANSWER;
	}
	return m;
}

static void mark_forged(struct det_ctx *e, const struct query *q, const struct dresp *r)
{
	for (unsigned i = 0; i < r->naddr; i++) {
		struct ts_addr a = { .family = r->afam[i] };
		memcpy(a.a, r->addr[i], 16);
		det_dns_forged(e, &a, q->qname);
	}
}

static void put_genuine(struct det_ctx *e, const struct query *q, const struct dresp *r)
{
	for (unsigned i = 0; i < r->naddr; i++) {
		struct ts_addr a = { .family = r->afam[i] };
		memcpy(a.a, r->addr[i], 16);
		det_dns_genuine(e, &a, q->qname, r->dns_ttl, r->ts);
	}
}

static void judge(struct dns_state *s, struct det_ctx *e, struct query *q)
{
	struct resolver *res = resolver_of(s, &q->res, true);
	unsigned n = q->nr < DNS_MAX_RESP ? q->nr : DNS_MAX_RESP;
	bool differ = false;
	q->judged = true;
	for (unsigned i = 1; i < n; i++)
		if (!same_answer(&q->r[0], &q->r[i])) differ = true;
	int strongest = -1;
	for (unsigned i = 0; i < n; i++) {
		q->r[i].ev = resp_evidence(s, q, &q->r[i], res);
		if (q->r[i].ev & ~WEAK_DNS) strongest = (int)i;
	}
	if (differ) {
		/* the response(s) with evidence are forged; none: the first */
		bool any = false;
		for (unsigned i = 0; i < n; i++) {
			bool ev = (q->r[i].ev & ~WEAK_DNS) != 0;
			bool unlike = !same_answer(&q->r[i], &q->r[strongest >= 0 ? (unsigned)strongest : 0]);
			if (ev || (strongest < 0 && i == 0)) {
				q->r[i].forged = true;
				q->r[i].ev |= 1u << EV_MULTI_ANSWER;
				any = true;
			}
			(void)unlike;
		}
		/* a genuine response identical to a forged one is forged too */
		for (unsigned i = 0; i < n && any; i++)
			for (unsigned j = 0; j < n; j++)
				if (q->r[j].forged && same_answer(&q->r[i], &q->r[j]) && !q->r[i].forged) {
					q->r[i].forged = true;
					q->r[i].ev |= q->r[j].ev;
				}
		/* every response forged?  keep the last-arriving as genuine */
		bool all = true;
		unsigned last = 0;
		for (unsigned i = 0; i < n; i++) { all = all && q->r[i].forged; last = i; }
		if (all && n > 1 && strongest < 0) q->r[last].forged = false;
	} else {
		/* no race: only evidence in the response itself decides now;
		 * the resolver baseline may still be immature (or made of the
		 * injector's own answers) and is applied at retirement */
		for (unsigned i = 0; i < n; i++) {
			q->r[i].ev &= ~(uint32_t)((1u << EV_TTL_MISMATCH) | (1u << EV_EARLY_ANSWER) |
			                          (1u << EV_NO_SOA));
			if (q->r[i].ev & ~WEAK_DNS) q->r[i].forged = true;
		}
	}
	q->mask = 0;
	q->nforged = 0;
	for (unsigned i = 0; i < n; i++) {
		struct dresp *r = &q->r[i];
		if (r->forged) {
			q->nforged++;
			q->mask |= r->ev;
			mark_forged(e, q, r);
			s->forged_responses++;
		} else {
			uint64_t rtt = r->ts >= q->last_q ? r->ts - q->last_q : 0;
			if (res) res_learn(res, r, (uint32_t)(rtt > UINT32_MAX ? UINT32_MAX : rtt));
			put_genuine(e, q, r);
			if (differ) s->genuine_in_race++;
		}
	}
}

static json_t *resp_json(const struct dresp *r, const struct query *q)
{
	json_t *o = json_object(), *ans = json_array(), *codes = json_array();
	char b[64];
	json_object_set_new(o, "forged", json_boolean(r->forged));
	json_object_set_new(o, "ttl", json_integer(r->ttl));
	json_object_set_new(o, "ipid", json_integer(r->ipid));
	json_object_set_new(o, "rcode", json_integer(r->rcode));
	json_object_set_new(o, "delay_us", json_integer((json_int_t)(r->ts >= q->last_q ? r->ts - q->last_q : 0)));
	for (unsigned i = 0; i < r->naddr; i++) {
		struct ts_addr a = { .family = r->afam[i] };
		memcpy(a.a, r->addr[i], 16);
		addr_str(&a, b, sizeof b);
		json_array_append_new(ans, json_string(b));
	}
	json_object_set_new(o, "answers", ans);
	for (unsigned k = 0; k < EV_N; k++)
		if (r->ev & (1u << k)) json_array_append_new(codes, json_string(dns_ev[k].code));
	json_object_set_new(o, "evidence", codes);
	return o;
}

static void emit(struct dns_state *s, struct det_ctx *e, struct query *q)
{
	unsigned n = q->nr < DNS_MAX_RESP ? q->nr : DNS_MAX_RESP;
	struct ev_tuple t = { .src = q->cli, .dst = q->res, .sport = q->cport,
	                      .dport = q->rport, .proto = q->proto, .frames = q->frames };
	uint32_t mask = q->mask;
	if (q->contacted) mask |= 1u << EV_FORGED_IP_CONTACTED;
	json_t *det = json_object(), *rs = json_array(), *c = json_object();
	json_object_set_new(det, "qname", json_string(q->qname));
	json_object_set_new(det, "qtype", json_integer(q->qtype));
	json_object_set_new(det, "id", json_integer(q->id));
	for (unsigned i = 0; i < n; i++) json_array_append_new(rs, resp_json(&q->r[i], q));
	json_object_set_new(det, "responses", rs);
	json_object_set_new(c, "connections", json_integer(q->contacted));
	json_object_set_new(c, "handshake_completed", json_integer(q->handshakes));
	json_object_set_new(c, "reset", json_integer(q->resets));
	json_object_set_new(c, "no_answer", json_integer(q->silent));
	json_object_set_new(det, "forged_ip_contacted", c);
	uint32_t conf_mask = mask & ~(1u << EV_FORGED_IP_CONTACTED);
	struct resolver *res = resolver_of(s, &q->res, false);
	uint8_t peer = res ? res_ttl(res) : 0;
	for (unsigned i = 0; i < n; i++)
		if (!q->r[i].forged && !peer) peer = q->r[i].ttl;
	for (unsigned i = 0; i < n; i++) {
		if (!q->r[i].forged) continue;
		struct inj_obs ob = { 'd', q->r[i].rcode, 0, q->r[i].ipid, q->res.family == 4,
		                      q->r[i].ttl, peer, q->r[i].ts, q->qname, q->hash };
		det_note_injector(e, &ob);
	}
	/* one event per forged response */
	for (int i = 0; i < q->nforged; i++) {
		for (unsigned k = 0; k < EV_N; k++)
			if (conf_mask & (1u << k)) s->hits[k]++;
		if (q->contacted) s->hits[EV_FORGED_IP_CONTACTED]++;
		struct det_event ev = { .tuple = t, .destination = q->qname, .stage = ST_NONE,
		                        .conf = det_confidence(e, conf_mask), .evidence = mask,
		                        .ts = q->r[0].ts,
		                        .details = i + 1 < q->nforged ? json_deep_copy(det) : det };
		det_emit(e, &ev);
		s->events++;
	}
	if (!q->nforged) json_decref(det);
}

/* Leave the table: count, judge (if not yet), emit. */
/* At retirement the resolver baseline holds everything seen since: test
 * each response against it again.  A lone response that now shows
 * evidence is forged; forged race responses gain the baseline codes. */
static void rejudge(struct dns_state *s, struct det_ctx *e, struct query *q)
{
	struct resolver *res = resolver_of(s, &q->res, false);
	unsigned n = q->nr < DNS_MAX_RESP ? q->nr : DNS_MAX_RESP;
	bool race = false;
	for (unsigned i = 0; i < n; i++) race |= (q->r[i].ev & (1u << EV_MULTI_ANSWER)) != 0;
	for (unsigned i = 0; i < n; i++) {
		struct dresp *r = &q->r[i];
		uint32_t m = baseline_evidence(q, r, res);
		if (r->forged) {
			q->mask |= m;
			r->ev |= m;
		} else if (!race && (m & ~WEAK_DNS) && !only_local_ttl(m, r, res)) {
			r->ev |= m;
			r->forged = true;
			q->nforged++;
			q->mask |= r->ev;
			mark_forged(e, q, r);
			s->forged_responses++;
		}
	}
}

static void q_retire(struct dns_state *s, struct det_ctx *e, struct query *q)
{
	if (!q->judged) judge(s, e, q);
	rejudge(s, e, q);
	det_dest_dns(e, q->qname[0] ? q->qname : ".", q->nq, q->nr, q->ts,
	             q->nr ? q->r[0].ts : 0);
	if (q->nforged) emit(s, e, q);
	q_remove(s, q);
}

/* Judge what is past its hold window (marking forged addresses at once);
 * retire (re-judge against the baseline, count, emit) what is past the
 * retire delay.  The age list is in arrival order, and s->jcur points at
 * the first query not yet judged, so neither walk revisits old entries. */
static void expire(struct dns_state *s, struct det_ctx *e, uint64_t now, bool all)
{
	uint64_t hold = (uint64_t)det_opt(e, 0) * 1000;
	struct query *q = s->jcur ? s->jcur : s->head;
	while (q && q->judged) q = q->next;
	for (; q && (all || q->ts + hold <= now); q = q->next) judge(s, e, q);
	s->jcur = q;
	while (s->head && (all || s->head->ts + EMIT_DELAY_US <= now)) q_retire(s, e, s->head);
}

/* ---------- packet path ---------- */

static void fill_resp(struct dresp *r, const struct pkt *pk, const struct dns_msg *m,
                      bool partial)
{
	memset(r, 0, sizeof *r);
	r->partial = partial;
	r->ts = pk->ts;
	r->ttl = pk->ttl;
	r->ipid = pk->ipid;
	r->rcode = m->rcode;
	r->flags = m->flags;
	r->ancount = m->ancount;
	r->dns_ttl = 0;
	for (unsigned i = 0; i < m->nrr && i < DNS_MAX_ANS; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section == 2 && rr->type == 6) r->soa = true;
		if (rr->section != 1) continue;
		bool a = rr->type == 1, aaaa = rr->type == 28;
		if ((a && m->qtype == 28) || (aaaa && m->qtype == 1)) r->type_bad = true;
		if (!a && !aaaa) continue;
		if (r->naddr < DNS_MAX_ADDR) {
			r->afam[r->naddr] = a ? 4 : 6;
			memcpy(r->addr[r->naddr], rr->addr, a ? 4 : 16);
			r->naddr++;
		}
		if (!r->dns_ttl || rr->ttl < r->dns_ttl) r->dns_ttl = rr->ttl;
	}
}

static void on_dns(struct dns_state *s, struct det_ctx *e, const struct pkt *pk,
                   const uint8_t *msg, size_t len)
{
	struct dns_msg m;
	int st = dns_parse(msg, len, &m);
	if ((st != DIS_OK && st != DIS_TRUNCATED) || !m.has_question) {
		s->parse_errors++;
		if (st == DIS_MALFORMED) det_malformed_dns(e);
		return;
	}
	uint64_t h;
	if (!m.qr) {
		s->queries++;
		struct query *q = q_find(s, &pk->src, pk->sport, &pk->dst, m.id, m.qname, m.qtype, &h);
		if (q) { q->nq++; q->last_q = pk->ts; det_keep_packet(e, &q->frames); return; }
		if (s->n >= s->max) {
			s->evicted++;
			q_retire(s, e, s->head);
		}
		q = q_alloc(s);
		q->hash = h;
		q->cli = pk->src; q->cport = pk->sport;
		q->res = pk->dst; q->rport = pk->dport;
		q->id = m.id; q->qtype = m.qtype; q->proto = pk->proto;
		memcpy(q->qname, m.qname, sizeof q->qname);
		q->ts = q->last_q = pk->ts;
		q->nq = 1;
		q->hnext = s->bucket[h & s->mask];
		s->bucket[h & s->mask] = q;
		q->prev = s->tail;
		if (s->tail) s->tail->next = q; else s->head = q;
		s->tail = q;
		s->n++;
		det_keep_packet(e, &q->frames);
		return;
	}
	s->responses++;
	struct query *q = q_find(s, &pk->dst, pk->dport, &pk->src, m.id, m.qname, m.qtype, &h);
	if (!q || q->judged) { s->unsolicited++; return; }
	det_keep_packet(e, &q->frames);
	if (q->nr < DNS_MAX_RESP) {
		fill_resp(&q->r[q->nr], pk, &m, st != DIS_OK || pk->frag);
		/* tentative: a connection may follow before the hold window
		 * ends; judge() marks forged addresses, which then never name
		 * a destination (engine_flow_destination checks) */
		put_genuine(e, q, &q->r[q->nr]);
	}
	q->nr++;
}

/* Follow connections to forged addresses (SYN, SYN-ACK, RST only). */
static void follow_forged(struct dns_state *s, struct det_ctx *e, const struct pkt *pk)
{
	uint8_t fl = pk->tcp.flags;
	const char *name = NULL;
	bool to = (fl & TH_SYN) && !(fl & TH_ACK);
	const struct ts_addr *fa = to ? &pk->dst : &pk->src;
	if (!(fl & (TH_SYN | TH_RST))) return;
	if (!det_addr_forged(e, fa, &name) || !name) return;
	/* the client acts on the latest answer: credit the newest forged
	 * transaction for that name */
	for (struct query *q = s->tail; q; q = q->prev) {
		if (!q->nforged || strcmp(q->qname, name)) continue;
		if (to) q->contacted++;
		else if ((fl & TH_SYN) && (fl & TH_ACK)) q->handshakes++;
		else if (fl & TH_RST) q->resets++;
		break;
	}
}

static void dns_on_packet(void *st, struct det_ctx *e, const struct pkt *pk,
                          const struct flow *f, int dir)
{
	struct dns_state *s = st;
	(void)f; (void)dir;
	if (pk->proto == 17 && (pk->sport == 53 || pk->dport == 53)) {
		if (pk->paylen) on_dns(s, e, pk, pk->payload, pk->paylen);
	} else if (pk->proto == 6) {
		if ((pk->sport == 53 || pk->dport == 53) && pk->paylen > 2) {
			size_t l = ((size_t)pk->payload[0] << 8) | pk->payload[1];
			if (l + 2 <= pk->paylen) on_dns(s, e, pk, pk->payload + 2, l);
		}
		if (s->forged_responses) follow_forged(s, e, pk);
	}
}

/* A TCP connection to a forged address ends: was it answered? */
static enum det_result dns_flow_end(void *st, struct det_ctx *e, const struct flow *f)
{
	struct dns_state *s = st;
	const char *name = NULL;
	if (!s->forged_responses) return DR_NOTHING;
	if (!det_addr_forged(e, &f->srv, &name) || !name) return DR_NOTHING;
	for (struct query *q = s->tail; q; q = q->prev)
		if (q->nforged && !strcmp(q->qname, name)) {
			if (!f->d[1].pkts) q->silent++;
			break;
		}
	return DR_NOTHING;
}

static void dns_tick(void *st, struct det_ctx *e, uint64_t now)
{
	expire(st, e, now, false);
}

/* Before the last flows end: judge every query still in its hold window
 * so forged addresses are marked before those flows are attributed. */
static void dns_drain(void *st, struct det_ctx *e)
{
	struct dns_state *s = st;
	struct query *q = s->jcur ? s->jcur : s->head;
	for (; q; q = q->next)
		if (!q->judged) judge(s, e, q);
	s->jcur = NULL;
}

static void dns_finish(void *st, struct det_ctx *e)
{
	expire(st, e, det_now(e), true);
}

static void *dns_init(struct det_ctx *e)
{
	struct dns_state *s = xcalloc(1, sizeof *s);
	size_t nb = 1024;
	s->max = det_opt(e, 1) ? (unsigned)det_opt(e, 1) : 65536;
	while (nb < s->max) nb <<= 1;
	s->bucket = xcalloc(nb, sizeof *s->bucket);
	s->mask = nb - 1;
	load_forged(s);
	return s;
}

static void dns_free(void *st)
{
	struct dns_state *s = st;
	if (!s) return;
	while (s->head) q_remove(s, s->head);
	while (s->spare) {
		struct query *q = s->spare;
		s->spare = q->next;
		free(q);
	}
	free(s->bucket);
	free(s->forged);
	free(s);
}

static json_t *dns_stats(void *st)
{
	struct dns_state *s = st;
	json_t *o = json_object(), *h = json_object();
	json_object_set_new(o, "queries", json_integer((json_int_t)s->queries));
	json_object_set_new(o, "responses", json_integer((json_int_t)s->responses));
	json_object_set_new(o, "unsolicited", json_integer((json_int_t)s->unsolicited));
	json_object_set_new(o, "pending_evicted", json_integer((json_int_t)s->evicted));
	json_object_set_new(o, "parse_errors", json_integer((json_int_t)s->parse_errors));
	json_object_set_new(o, "forged_responses", json_integer((json_int_t)s->forged_responses));
	json_object_set_new(o, "genuine_in_race", json_integer((json_int_t)s->genuine_in_race));
	for (unsigned k = 0; k < EV_N; k++)
		if (s->hits[k]) json_object_set_new(h, dns_ev[k].code, json_integer((json_int_t)s->hits[k]));
	json_object_set_new(o, "evidence_hits", h);
	return o;
}

const struct detector det_dns_injection = {
	.name = "dns_injection",
	.desc = "DNS answers the resolver did not send",
	.colour = "#9467bd",
	.per_query = true,
	.packets = DET_TCP | DET_UDP,
	.flows = DET_TCP,
	.opts = dns_opts, .nopts = DET_N(dns_opts),
	.ev = dns_ev, .nev = DET_N(dns_ev),
	.init = dns_init,
	.on_packet = dns_on_packet,
	.on_flow_end = dns_flow_end,
	.on_tick = dns_tick,
	.on_drain = dns_drain,
	.on_finish = dns_finish,
	.free = dns_free,
	.stats = dns_stats,
};
