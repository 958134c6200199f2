/* det_rst.c - rst_injection: RSTs the claimed sender did not send.
 *
 * Runs when a TCP flow ends.  Each RST is tested against the claimed
 * sender's own behaviour in the flow (Weaver, Sommer, Paxson, NDSS 2009;
 * DESIGN.md section 2):
 *   seq_race       the sender kept sending in-window data/ACK/FIN after it
 *   multi_rst      several RSTs from one side with differing seq/ack and no
 *                  packet from the other side between them (a benign host
 *                  answers each incoming segment with one RST), or a burst
 *                  of >= 3 identical ones
 *   ttl_mismatch   TTL off by > 1 from every TTL the sender used in the flow
 *                  (or, with none, from its baseline across other flows)
 *   early_rst      sooner after its trigger than half the vantage<->sender RTT
 *   fingerprint    a known injector pattern (weak)
 *   ipid_mismatch  IPv4 ID breaks the sender's incrementing pattern (weak)
 * Weak evidence alone never makes an injection: such a RST is genuine.
 * On a flow joined in the middle (its first packet was no SYN) one strong
 * or medium code is not enough either, and the address's TTL baseline
 * from other flows is not used.
 * One event per affected connection.
 */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "fingerprint.h"
#include "tunables.h"
#include "util.h"

/* Evidence codes; bit i of a mask = rst_ev[i]. */
enum { EV_SEQ_RACE, EV_MULTI_RST, EV_TTL_MISMATCH, EV_EARLY_RST, EV_FINGERPRINT,
       EV_IPID_MISMATCH, EV_N };
static const struct det_evidence rst_ev[] = {
	{ "seq_race", W_STRONG, "the sender kept sending in-window after its RST" },
	{ "multi_rst", W_STRONG, "several RSTs one host would not send" },
	{ "ttl_mismatch", W_STRONG, "TTL off by > 1 from every TTL the sender used" },
	{ "early_rst", W_MEDIUM, "sooner than half the vantage<->sender round trip" },
	{ "fingerprint", W_WEAK, "a known injector pattern (data/injectors.txt)" },
	{ "ipid_mismatch", W_WEAK, "IPv4 ID breaks the sender's incrementing pattern" },
};
_Static_assert(DET_N(rst_ev) == EV_N, "rst_ev and its enum differ");

#define WEAK_MASK ((1u << EV_FINGERPRINT) | (1u << EV_IPID_MISMATCH))

struct rst_rec {
	uint64_t ts;              /* arrival                                   */
	uint64_t trigger_ts;      /* last packet from the other side before it */
	uint32_t seq, ack;
	uint16_t ipid, win;
	uint8_t ttl, flags, dir, stage, reserved;
	bool df;
	bool in_window;           /* seq near the sender's own next seq        */
	bool prev_match;          /* TTL within 1 of the sender's previous
	                             packet, which was no SYN: the same box   */
	bool reply;               /* seq equals an ACK the other side sent: the
	                             shape of a RST answering a segment        */
	uint32_t after;           /* sender's in-window packets after it       */
};

/* Per-flow slot: made by the flow's first RST. */
struct rst_flow {
	struct rst_rec rst[RST_MAX];
	uint8_t nrst;
	bool sent[2];             /* this side sent a RST                      */
	uint32_t first_seq[2];    /* its seq                                   */
	uint32_t after_rst[2];    /* non-RST, in-window packets after own RST  */
	uint32_t after_rst_data[2];   /* of those, carrying payload or FIN     */
};

struct rst_state {
	struct fingerprints *fp;
	uint64_t rsts, injected, genuine, refused, weak_only, idle, midstream_one;
	uint64_t hits[EV_N];
};

static void *rst_init(struct det_ctx *c)
{
	struct rst_state *s = xcalloc(1, sizeof *s);
	s->fp = fp_load(NULL);
	(void)c;
	return s;
}

static void rst_free(void *st)
{
	struct rst_state *s = st;
	if (!s) return;
	fp_free(s->fp);
	free(s);
}

static int absdiff(int a, int b) { return a > b ? a - b : b - a; }

/* TTL evidence: 1 mismatch, 0 consistent, -1 unknown.  *ref = the TTL
 * compared against. */
static int ttl_check(struct det_ctx *c, const struct flow *f, const struct rst_rec *r,
                     uint8_t *ref)
{
	const struct flow_dir *d = &f->d[r->dir];
	unsigned samples = 0;
	uint8_t mode = det_ttl_mode(d, &samples);
	*ref = mode;
	/* the same TTL as the sender's packet just before it (not its SYN-ACK,
	 * which a proxy may have sent): the box that was talking reset */
	if (r->prev_match) return 0;
	if (samples) {
		for (int i = 0; i < FLOW_TTL_SLOTS; i++) {
			if (!d->ttl_cnt[i]) continue;
			bool solid = d->ttl_cnt[i] >= 2 || d->ttl_val[i] == mode;
			if (solid && absdiff(d->ttl_val[i], r->ttl) <= 1) return 0;
		}
		return 1;
	}
	/* a connection joined in the middle: another flow's TTL says nothing
	 * of which box of a path sent this one's RST */
	if (f->midstream) return -1;
	const struct ts_addr *who = r->dir ? &f->srv : &f->cli;
	uint8_t b = det_ttl_baseline(c, who, &samples);
	*ref = b;
	if (samples < 2) return -1;
	return absdiff(b, r->ttl) > 1 ? 1 : 0;
}

/* Several RSTs from one side, within a second, in the sender's window,
 * with no packet from the other side between them, that one host would
 * not send:
 *  - differing seq/ack where one of them does not answer a segment (its
 *    seq is no ACK value the other side sent: GFW base+1460, base+4380) -
 *    a closed host answers each arriving segment with seq = its ACK, so a
 *    burst of such replies (server-side captures see a whole burst of
 *    segments go out before the replies come back) is not counted.  A
 *    reply-shaped RST belongs to the burst only if its TTL is within 3 of
 *    a non-reply member's (the genuine host's own RST does not);
 *  - >= 3 identical ones with the same non-zero IPv4 ID (separate packets
 *    from one host get different IDs; Linux "any" duplicates on another
 *    VLAN were already removed). */
static bool multi_rst(const struct rst_flow *rf, unsigned i, bool v4)
{
	const struct rst_rec *r = &rf->rst[i];
	unsigned same = 1;
	if (!r->in_window) return false;
	for (unsigned j = 0; j < rf->nrst; j++) {
		const struct rst_rec *q = &rf->rst[j];
		if (j == i || q->dir != r->dir || !q->in_window) continue;
		uint64_t gap = q->ts > r->ts ? q->ts - r->ts : r->ts - q->ts;
		if (gap > BURST_US) continue;
		const struct rst_rec *a = q->ts < r->ts ? q : r, *b = q->ts < r->ts ? r : q;
		if (b->trigger_ts > a->ts) continue;
		/* a reply-shaped RST after the sender's own reset, with the same
		 * TTL: the closed stack answering a late segment (one whose copy
		 * the capture held and that was dropped as a duplicate) */
		if (!a->reply && b->reply && a->seq != b->seq && a->ttl == b->ttl) continue;
		bool differ = q->seq != r->seq || q->ack != r->ack;
		if (differ && !r->reply) return true;
		if (differ && !q->reply && absdiff(q->ttl, r->ttl) <= 3) return true;
		if (!differ && v4 && r->ipid && q->ipid == r->ipid) same++;
	}
	return same >= 3;
}

/* Index of the first RST record of direction dir. */
static unsigned first_of_dir(const struct rst_flow *rf, uint8_t dir)
{
	for (unsigned j = 0; j < rf->nrst; j++)
		if (rf->rst[j].dir == dir) return j;
	return rf->nrst;
}

static bool ipid_odd(const struct flow *f, const struct rst_rec *r)
{
	const struct flow_dir *d = &f->d[r->dir];
	if (d->ipid_n < 3 || (uint32_t)d->ipid_small + 2 < d->ipid_n) return false;
	uint16_t step = (uint16_t)(r->ipid - d->ipid_last);
	uint16_t back = (uint16_t)(d->ipid_last - r->ipid);
	return step > 1024 && back > 64;
}

/* What rst_evidence() found besides the codes, for the event's detail. */
struct rst_found {
	uint8_t ref;                 /* the endpoint's TTL, 0 = unknown */
	uint64_t delay;              /* after the packet that triggered it */
	const char *fp;              /* matched fingerprint */
};

static uint32_t rst_evidence(struct rst_state *s, struct det_ctx *c, const struct flow *f,
                             const struct rst_flow *rf, unsigned i, struct rst_found *out)
{
	const struct rst_rec *r = &rf->rst[i];
	uint32_t m = 0;
	uint8_t ref = 0;
	const struct flow_dir *d = &f->d[r->dir];
	/* the sender kept talking after this RST (and after its own FIN it
	 * would not: exclude RSTs that follow the sender's FIN) */
	if (r->after && r->in_window && !(d->fin && d->fin_ts < r->ts && !rf->after_rst_data[r->dir]))
		m |= 1u << EV_SEQ_RACE;
	bool after_own_fin = d->fin && d->fin_ts <= r->ts;
	/* the peer reset first: RSTs answering its late segments are
	 * teardown, however many (after the peer's FIN alone they are not:
	 * the GFW's burst can follow a server's quick FIN) */
	const struct flow_dir *peer = &f->d[!r->dir];
	bool after_peer_close = peer->rst && peer->first_rst_ts < r->ts;
	bool v4 = (r->dir ? f->srv.family : f->cli.family) == 4;
	if (!after_own_fin && !after_peer_close && multi_rst(rf, i, v4)) m |= 1u << EV_MULTI_RST;
	int t = ttl_check(c, f, r, &ref);
	if (t == 1) m |= 1u << EV_TTL_MISMATCH;
	/* early_rst only for the endpoint far from the vantage point: its
	 * round trip must be >= 1 ms and dwarf the other side's (a client's
	 * own stack answers in about the time it takes to ACK anyway) */
	uint32_t rtt = r->dir ? f->rtt_srv_us : f->rtt_cli_us;
	uint32_t other = r->dir ? f->rtt_cli_us : f->rtt_srv_us;
	uint64_t delay = r->trigger_ts && r->ts >= r->trigger_ts ? r->ts - r->trigger_ts : 0;
	/* ... and only when the TTL does not vouch for the sender: a host's
	 * own RST can follow a packet we did not see (one injected toward it) */
	if (t != 0 && rtt >= 1000 && rtt > 4ull * other && r->trigger_ts && delay * 2 < rtt)
		m |= 1u << EV_EARLY_RST;
	/* a RST long after the other side went quiet is an idle teardown (a
	 * NAT or firewall timing out), not a reaction to a trigger */
	if (r->trigger_ts && delay > IDLE_RST_US && !(m & (1u << EV_SEQ_RACE)) &&
	    !(m & (1u << EV_MULTI_RST)))
		m = 0, s->idle++;
	struct fp_pkt fp = { r->flags, r->ttl, r->df, (r->dir ? f->srv.family : f->cli.family) == 4,
	                     r->ipid, r->win };
	const char *fpn = fp_match(s->fp, &fp);
	if (fpn) m |= 1u << EV_FINGERPRINT;
	/* a bare RST (no ACK) is Linux's stateless answer, whose ID comes
	 * from another counter than the connection's */
	if (fp.v4 && (r->flags & TH_ACK) && ipid_odd(f, r)) m |= 1u << EV_IPID_MISMATCH;
	/* the sender had closed the connection itself, with its FIN and then
	 * its own RST: a later RST claiming to be from it resets nothing (a
	 * LAN device answering a late retransmission, skype.pcap) */
	if (d->fin && d->fin_ts < r->ts && d->first_rst_ts < r->ts && first_of_dir(rf, r->dir) < i)
		m = 0;
	out->ref = ref;
	out->delay = delay;
	out->fp = fpn;
	return m;
}

/* The detail of one injected RST (built only for those: most RSTs are
 * genuine, and a JSON object each cost more than judging them). */
static json_t *rst_json(const struct rst_rec *r, const struct rst_found *x, uint32_t m)
{
	json_t *rj = json_object();
	json_object_set_new(rj, "from", json_string(r->dir ? "server" : "client"));
	json_object_set_new(rj, "ttl", json_integer(r->ttl));
	json_object_set_new(rj, "endpoint_ttl", x->ref ? json_integer(x->ref) : json_null());
	json_object_set_new(rj, "ipid", json_integer(r->ipid));
	json_object_set_new(rj, "seq", json_integer(r->seq));
	json_object_set_new(rj, "ack", json_integer(r->ack));
	json_object_set_new(rj, "window", json_integer(r->win));
	json_object_set_new(rj, "flags", json_integer(r->flags));
	json_object_set_new(rj, "delay_us", json_integer((json_int_t)x->delay));
	json_object_set_new(rj, "after_packets", json_integer(r->after));
	if (x->fp) json_object_set_new(rj, "fingerprint", json_string(x->fp));
	json_t *codes = json_array();
	for (unsigned k = 0; k < EV_N; k++)
		if (m & (1u << k)) json_array_append_new(codes, json_string(rst_ev[k].code));
	json_object_set_new(rj, "evidence", codes);
	return rj;
}

/* Record a RST from side dir (its first RST_MAX). */
static void note_rst(struct rst_flow *rf, const struct flow *f, int dir, const struct pkt *pk)
{
	const struct flow_dir *d = &f->d[dir], *o = &f->d[!dir];
	if (!rf->sent[dir]) { rf->sent[dir] = true; rf->first_seq[dir] = pk->tcp.seq; }
	if (rf->nrst >= RST_MAX) return;
	struct rst_rec *r = &rf->rst[rf->nrst++];
	r->ts = pk->ts;
	r->trigger_ts = o->last_ts;
	r->seq = pk->tcp.seq;
	r->ack = pk->tcp.ack;
	r->ipid = pk->ipid;
	r->win = pk->tcp.win;
	r->ttl = pk->ttl;
	r->flags = pk->tcp.flags;
	r->reserved = pk->tcp.reserved;
	r->df = pk->df;
	r->dir = (uint8_t)dir;
	r->stage = f->stage ? f->stage : ST_POST_SYN;
	/* tracking left the sender's "previous packet" as it was before
	 * this RST */
	int dt = (int)d->prev_ttl - (int)pk->ttl;
	r->prev_match = d->pkts > 1 && d->prev_ttl && !d->prev_syn && dt <= 1 && dt >= -1;
	for (int i = 0; i < 4; i++)
		if (o->ack_set && o->ack_ring[i] == pk->tcp.seq) r->reply = true;
	/* a RST answering a bogus ACK (e.g. one provoked by a forged SYN-ACK)
	 * carries that ACK as its seq, far from the sender's own sequence
	 * space: it resets nothing of this connection */
	uint32_t dist = pk->tcp.seq - d->next_seq;
	r->in_window = !d->seq_set || dist <= RST_WINDOW || (uint32_t)-dist <= RST_WINDOW;
}

/* A non-RST packet from the side that (supposedly) sent a RST earlier. */
static void after_rst(struct rst_flow *rf, const struct flow *f, int dir, const struct pkt *pk)
{
	uint8_t fl = pk->tcp.flags;
	if ((fl & TH_SYN) && !(fl & TH_ACK)) return;   /* a new attempt */
	/* a SYN-ACK to a SYN the other side sent after this RST: the port
	 * refused the first SYN and accepted the retry (a server that was
	 * starting, Windows retrying a refused connect) */
	if ((fl & TH_SYN) && f->d[!dir].last_syn_ts > f->d[dir].first_rst_ts) return;
	uint32_t dist = pk->tcp.seq - rf->first_seq[dir];
	if (dist > RST_WINDOW && -dist > RST_WINDOW && !(fl & TH_SYN)) return;
	rf->after_rst[dir]++;
	if (pk->paylen_wire || (fl & TH_FIN) || (fl & TH_SYN)) rf->after_rst_data[dir]++;
	for (unsigned i = 0; i < rf->nrst; i++)
		if (rf->rst[i].dir == dir) rf->rst[i].after++;
}

/* Every TCP packet, after tracking (which leaves a RST's sender state as
 * it was before the RST): record RSTs, and what their senders did next. */
static void rst_on_packet(void *st, struct det_ctx *c, const struct pkt *pk,
                          const struct flow *f, int dir)
{
	(void)st;
	if (!f->d[dir].rst) return;       /* tracking: this side sent no RST yet */
	struct rst_flow *rf = det_flow_state(c, f);
	if (pk->tcp.flags & TH_RST) {
		if (!rf) rf = det_flow_state_new(c, f);
		note_rst(rf, f, dir, pk);
	} else if (rf && rf->sent[dir]) {
		after_rst(rf, f, dir, pk);
	}
}

/* A flow without injected RSTs: refused (RST to the SYN) or genuine. */
static enum det_result rst_genuine(struct rst_state *s, const struct flow *f,
                                   const struct rst_flow *rf)
{
	const struct rst_rec *r = &rf->rst[0];
	if (r->stage == ST_POST_SYN && r->dir == 1 && !f->synack_seen) {
		s->refused++;
		return DR_REFUSED;
	}
	s->genuine++;
	return DR_GENUINE_RST;
}

static void rst_note_injector(struct det_ctx *c, const struct flow *f, const struct rst_rec *rr)
{
	uint8_t peer = det_ttl_mode(&f->d[rr->dir], NULL);
	struct inj_obs ob = { 'r', rr->flags, rr->win, rr->ipid,
	                      (rr->dir ? f->srv.family : f->cli.family) == 4, rr->ttl, peer,
	                      rr->ts, f->name, f->hash };
	det_note_injector(c, &ob);
}

static enum det_result rst_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct rst_state *s = st;
	const struct rst_flow *rf = det_flow_state(c, f);
	if (!rf || !rf->nrst) return DR_NOTHING;
	uint32_t mask = 0;
	int stage = 0;
	uint64_t ts = 0;
	unsigned injected = 0;
	json_t *list = json_array();
	for (unsigned i = 0; i < rf->nrst; i++) {
		struct rst_found x;
		uint32_t m = rst_evidence(s, c, f, rf, i, &x);
		s->rsts++;
		if (m && !(m & ~WEAK_MASK)) s->weak_only++;
		if (!(m & ~WEAK_MASK)) continue;     /* no evidence, or weak only: genuine */
		/* a flow seen only in part: one piece of evidence is not enough */
		if (f->midstream && __builtin_popcount(m & ~WEAK_MASK) < 2) { s->midstream_one++; continue; }
		json_array_append_new(list, rst_json(&rf->rst[i], &x, m));
		injected++;
		rst_note_injector(c, f, &rf->rst[i]);
		for (unsigned k = 0; k < EV_N; k++)
			if (m & (1u << k)) s->hits[k]++;
		if (!ts) { ts = rf->rst[i].ts; stage = rf->rst[i].stage; }
		mask |= m;
	}
	if (!injected) {
		json_decref(list);
		return rst_genuine(s, f, rf);
	}
	s->injected++;
	json_t *det = json_object();
	json_object_set_new(det, "rsts", list);
	json_object_set_new(det, "rtt_server_us", json_integer(f->rtt_srv_us));
	json_object_set_new(det, "rtt_client_us", json_integer(f->rtt_cli_us));
	json_object_set_new(det, "injected_count", json_integer(injected));
	struct det_event ev = { .flow = f, .destination = f->name, .stage = stage,
	                        .conf = det_confidence(c, mask), .evidence = mask, .ts = ts,
	                        .details = det };
	det_emit(c, &ev);
	return DR_INTERFERED;
}

static json_t *rst_stats(void *st)
{
	struct rst_state *s = st;
	json_t *o = json_object(), *h = json_object();
	json_object_set_new(o, "rsts", json_integer((json_int_t)s->rsts));
	json_object_set_new(o, "injected_connections", json_integer((json_int_t)s->injected));
	json_object_set_new(o, "genuine_connections", json_integer((json_int_t)s->genuine));
	json_object_set_new(o, "refused_connections", json_integer((json_int_t)s->refused));
	json_object_set_new(o, "weak_only_rsts", json_integer((json_int_t)s->weak_only));
	json_object_set_new(o, "idle_teardown_rsts", json_integer((json_int_t)s->idle));
	json_object_set_new(o, "midstream_single_evidence_rsts", json_integer((json_int_t)s->midstream_one));
	for (unsigned k = 0; k < EV_N; k++)
		if (s->hits[k]) json_object_set_new(h, rst_ev[k].code, json_integer((json_int_t)s->hits[k]));
	json_object_set_new(o, "evidence_hits", h);
	return o;
}

const struct detector det_rst_injection = {
	.name = "rst_injection",
	.desc = "RSTs the claimed sender did not send",
	.colour = "#d62728",
	.packets = DET_TCP,
	.flows = DET_TCP,
	.flow_state = sizeof(struct rst_flow),
	.ev = rst_ev, .nev = DET_N(rst_ev),
	.init = rst_init,
	.on_packet = rst_on_packet,
	.on_flow_end = rst_flow_end,
	.free = rst_free,
	.stats = rst_stats,
};
