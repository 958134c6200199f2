/* det_throttle.c - throttling: a destination whose connections are held
 * at a low, flat rate by a policer that drops what goes above it (issue
 * #15; Russia's TSPU on twimg.com / t.co, Xue et al., IMC 2021: about
 * 130 kbit/s per flow), while the same client's other destinations run
 * much faster in the same period.
 *
 * Per connection (server -> client; header fields only, so a capture cut
 * by its snaplen measures the same):
 *  - goodput: in-order bytes the client acknowledged (highest ACK - server
 *    ISN - 1, FIN excluded) over the time from the server's first data to
 *    the last ACK that advanced;
 *  - loss: server segments above the highest seq seen (a gap: dropped
 *    before the vantage point), server segments below it (a retransmission
 *    or the fill of such a gap), client duplicate ACKs; and in how many
 *    distinct seconds of the transfer any of it happened.
 * Connections are held until the end of input (or until the table is
 * full) and judged together:
 *  - judged: >= 64 KiB delivered over >= 2 s of transfer (a short or small
 *    transfer is slow-start and round trips, not a rate);
 *  - rate_cap: the goodputs of the destination's judged connections that
 *    overlap this one lie within a factor 1.5 of each other, and their sum
 *    is at most 1/4 of the best goodput any other destination of the same
 *    client got within 60 s of it (a slow access link slows every
 *    destination: their sum then comes near the others' rate);
 *  - policer_loss: >= 10 % of the bytes were lost (gap or retransmitted
 *    bytes over delivered + lost) in at least 3 distinct seconds of the
 *    transfer: the rate is held down by repeated drops, not by one
 *    slow-start overshoot; a slow or pacing server loses nothing.  (Seen
 *    after the policer, a burst dropped whole leaves no trace but a
 *    retransmission timeout, so loss cannot be required all along.)
 * An event needs both.  Its confidence comes from repetition (verdict.h):
 * a part of 0.30, +0.25 for two or more throttled connections to the
 * destination, +0.10 when connections in the capture were answered; one
 * connection stays at 0.45 or below.  Stage post_psh: the cap applies
 * after the client's request (the ClientHello / Host is the trigger). */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "tunables.h"
#include "util.h"

enum { EV_RATE_CAP, EV_POLICER_LOSS, EV_REPEATED };

static const struct det_evidence thr_ev[] = {
	{ "rate_cap", 0, "goodput flat at a rate <= 1/4 of the client's other destinations" },
	{ "policer_loss", 0, "loss all along the transfer holds the rate down" },
	{ "repeated", 0, "two or more such connections to the destination" },
};

/* Per-flow slot: made on the server's first data segment. */
struct thr_flow {
	uint32_t base;            /* server ISN + 1                           */
	uint32_t hi;              /* highest server seq + len, relative       */
	uint32_t acked;           /* highest client ACK, relative (<= hi)     */
	uint64_t first_ts;        /* server's first data                      */
	uint64_t adv_ts;          /* last ACK that advanced                   */
	uint32_t data_pkts, gaps, below, dupacks;
	uint64_t gap_bytes, below_bytes;
	uint32_t loss_secs;       /* distinct seconds (from first_ts) with loss */
	uint64_t last_loss_sec;   /* + 1; 0 = none                            */
	uint64_t loss_first, loss_last;   /* first and last loss signal       */
	uint32_t acked_at_loss;   /* acked bytes at the first loss signal     */
	uint64_t idle_at_loss;    /* idle time before it                      */
	uint64_t last_data_ts;    /* server's latest data segment             */
	uint64_t idle;            /* silences >= THR_IDLE_US with nothing
	                             outstanding (application-limited time)   */
};

/* One finished connection with enough data to be compared. */
struct thr_rec {
	char *name;
	struct ev_tuple t;
	uint64_t start, end;      /* first server data .. last advancing ACK  */
	uint64_t active;          /* end - start without the idle pauses      */
	double cap;               /* goodput after the first loss (bits/s)    */
	uint64_t bytes;
	double bps;
	uint64_t lost;
	uint64_t loss_first, loss_last;   /* first and last loss signal       */
	uint32_t loss_secs, gaps, below, dupacks, data_pkts;
	bool judged;
};

struct thr {
	struct thr_rec *v;
	unsigned n;
	uint64_t measured, judged, events, capped_no_loss;
};

static void *thr_init(struct det_ctx *c)
{
	struct thr *t = xcalloc(1, sizeof *t);
	t->v = xcalloc(THR_MAX_REC, sizeof *t->v);
	(void)c;
	return t;
}

static void thr_release(struct thr *t)
{
	for (unsigned i = 0; i < t->n; i++) free(t->v[i].name);
	t->n = 0;
}

static void thr_free(void *st)
{
	struct thr *t = st;
	thr_release(t);
	free(t->v);
	free(t);
}

static void loss_at(struct thr_flow *s, uint64_t ts)
{
	uint64_t sec = (ts - s->first_ts) / 1000000 + 1;
	if (!s->loss_first) {
		s->loss_first = ts;
		s->acked_at_loss = s->acked;
		s->idle_at_loss = s->idle;
	}
	s->loss_last = ts;
	if (sec != s->last_loss_sec) {
		s->loss_secs++;
		s->last_loss_sec = sec;
	}
}

static void thr_packet(void *st, struct det_ctx *c, const struct pkt *pk, const struct flow *f,
                       int dir)
{
	(void)st;
	if (!f || pk->proto != 6 || !f->synack_seen || !f->d[1].isn_set) return;
	if (pk->tcp.flags & (TH_SYN | TH_RST)) return;
	struct thr_flow *s = det_flow_state(c, f);
	if (dir == 1) {
		if (!pk->paylen_wire) return;
		if (!s) {
			s = det_flow_state_new(c, f);
			s->base = f->d[1].isn + 1;
			s->first_ts = pk->ts;
		}
		uint32_t rel = pk->tcp.seq - s->base, end = rel + pk->paylen_wire;
		/* everything delivered and the server silent for a second or
		 * more: it had nothing to send (keep-alive, a page's next
		 * request); a retransmission timeout is shorter */
		uint64_t since = s->last_data_ts > s->adv_ts ? s->last_data_ts : s->adv_ts;
		if (s->data_pkts && s->acked == s->hi && pk->ts >= since + THR_IDLE_US)
			s->idle += pk->ts - since;
		s->last_data_ts = pk->ts;
		s->data_pkts++;
		if ((int32_t)(rel - s->hi) > 0) {          /* bytes never seen */
			s->gaps++;
			s->gap_bytes += rel - s->hi;
			loss_at(s, pk->ts);
		} else if ((int32_t)(rel - s->hi) < 0) {   /* below the highest */
			s->below++;
			s->below_bytes += pk->paylen_wire;
			loss_at(s, pk->ts);
		}
		if ((int32_t)(end - s->hi) > 0) s->hi = end;
		return;
	}
	if (!s || !(pk->tcp.flags & TH_ACK)) return;
	uint32_t a = pk->tcp.ack - s->base;
	if ((int32_t)(a - s->hi) > 0) a = s->hi;       /* a FIN's sequence number */
	if ((int32_t)(a - s->acked) > 0) {
		s->acked = a;
		s->adv_ts = pk->ts;
	} else if (a == s->acked && !pk->paylen_wire && !(pk->tcp.flags & TH_FIN) &&
	           s->hi != s->acked) {
		s->dupacks++;                                /* data outstanding */
	}
}

static void thr_decide(struct thr *t, struct det_ctx *c);

static enum det_result thr_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct thr *t = st;
	const struct thr_flow *s = det_flow_state(c, f);
	if (!s || s->acked < THR_MIN_BYTES || s->adv_ts <= s->first_ts + s->idle) return DR_NOTHING;
	if (t->n >= THR_MAX_REC) {
		/* full (a long live capture): judge what is held, start again */
		thr_decide(t, c);
	}
	struct thr_rec *r = &t->v[t->n++];
	memset(r, 0, sizeof *r);
	r->name = xstrdup(det_flow_name(c, f));
	det_tuple_of(&r->t, f);
	r->t.frames = NULL;
	r->start = s->first_ts;
	r->end = s->adv_ts;
	r->active = s->adv_ts - s->first_ts - s->idle;
	r->bytes = s->acked;
	r->bps = (double)s->acked * 8e6 / (double)r->active;
	/* bytes sent again (or arriving to fill a hole): a gap the client
	 * acknowledged without a fill is a packet the capture missed */
	r->lost = s->below_bytes;
	r->loss_secs = s->loss_secs;
	/* the rate the policer holds: from the first drop (the bucket's
	 * burst spent) to the end; the goodput before it includes the burst */
	r->cap = r->bps;
	if (s->loss_first && s->adv_ts > s->loss_first + (s->idle - s->idle_at_loss) &&
	    s->acked > s->acked_at_loss)
		r->cap = (double)(s->acked - s->acked_at_loss) * 8e6 /
		         (double)(s->adv_ts - s->loss_first - (s->idle - s->idle_at_loss));
	r->loss_first = s->loss_first;
	r->loss_last = s->loss_last;
	r->gaps = s->gaps;
	r->below = s->below;
	r->dupacks = s->dupacks;
	r->data_pkts = s->data_pkts;
	r->judged = r->active >= THR_MIN_US;
	t->measured++;
	t->judged += r->judged;
	return DR_NOTHING;
}

static bool overlap(const struct thr_rec *a, const struct thr_rec *b, uint64_t slack)
{
	return a->start <= b->end + slack && b->start <= a->end + slack;
}

/* Loss holding the rate down: enough of it, and all along the transfer. */
static bool policer_loss(const struct thr_rec *r)
{
	return (double)r->lost >= THR_LOSS_RATIO * (double)(r->bytes + r->lost) &&
	       r->loss_secs >= THR_LOSS_SECS;
}

static void thr_decide(struct thr *t, struct det_ctx *c)
{
	for (unsigned i = 0; i < t->n; i++) {
		const struct thr_rec *r = &t->v[i];
		if (!r->judged) continue;
		/* the destination's overlapping judged connections: their sum,
		 * and whether they run at about the same rate */
		double sum = 0, ref = 0, lo = r->bps, hi = lo;
		const char *refname = NULL;
		unsigned same = 0;
		for (unsigned j = 0; j < t->n; j++) {
			const struct thr_rec *q = &t->v[j];
			if (!addr_eq(&q->t.src, &r->t.src)) continue;
			if (!strcmp(q->name, r->name)) {
				if (!q->judged || !overlap(q, r, 0)) continue;
				sum += q->bps;
				same++;
				if (q->bps < lo) lo = q->bps;
				if (q->bps > hi) hi = q->bps;
			} else if (overlap(q, r, THR_WINDOW_US) && q->bps > ref) {
				ref = q->bps;    /* another destination, same period */
				refname = q->name;
			}
		}
		bool cap = ref > 0 && sum * THR_RATIO <= ref && hi <= lo * THR_FLAT;
		if (!cap) continue;
		if (!policer_loss(r)) {
			t->capped_no_loss++;    /* slow, lossless: a slow server */
			continue;
		}
		uint32_t mask = 1u << EV_RATE_CAP | 1u << EV_POLICER_LOSS;
		json_t *det = json_object();
		json_object_set_new(det, "cap_bps", json_integer((json_int_t)(r->cap + 0.5)));
		json_object_set_new(det, "goodput_bps", json_integer((json_int_t)(r->bps + 0.5)));
		json_object_set_new(det, "comparison_bps", json_integer((json_int_t)(ref + 0.5)));
		json_object_set_new(det, "comparison_destination", json_string(refname));
		json_object_set_new(det, "destination_sum_bps", json_integer((json_int_t)(sum + 0.5)));
		json_object_set_new(det, "delivered_bytes", json_integer((json_int_t)r->bytes));
		json_object_set_new(det, "duration_us", json_integer((json_int_t)(r->end - r->start)));
		json_object_set_new(det, "active_us", json_integer((json_int_t)r->active));
		json_object_set_new(det, "lost_bytes", json_integer((json_int_t)r->lost));
		json_object_set_new(det, "loss_seconds", json_integer(r->loss_secs));
		json_object_set_new(det, "loss_first_us", json_integer((json_int_t)(r->loss_first - r->start)));
		json_object_set_new(det, "loss_last_us", json_integer((json_int_t)(r->loss_last - r->start)));
		json_object_set_new(det, "server_data_segments", json_integer(r->data_pkts));
		json_object_set_new(det, "server_seq_gaps", json_integer(r->gaps));
		json_object_set_new(det, "server_below_highest", json_integer(r->below));
		json_object_set_new(det, "client_dup_acks", json_integer(r->dupacks));
		json_object_set_new(det, "overlapping_connections", json_integer(same));
		/* the event line's confidence as known now (verdict.h) */
		double part = THR_PART, conf = part;
		if (same >= 2) conf += 0.25;
		if (det_answered_flows(c)) conf += 0.10;
		if (same < 2 && conf > 0.45) conf = 0.45;
		struct det_event ev = { .tuple = r->t, .destination = r->name, .stage = ST_POST_PSH,
		                        .conf = conf, .evidence = mask, .ts = r->start,
		                        .details = det, .repetition = true, .part = part };
		det_emit(c, &ev);
		t->events++;
	}
	thr_release(t);
}

static void thr_finish(void *st, struct det_ctx *c)
{
	thr_decide(st, c);
}

static json_t *thr_stats(void *st)
{
	const struct thr *t = st;
	json_t *o = json_object();
	json_object_set_new(o, "events", json_integer((json_int_t)t->events));
	json_object_set_new(o, "measured", json_integer((json_int_t)t->measured));
	json_object_set_new(o, "judged", json_integer((json_int_t)t->judged));
	json_object_set_new(o, "capped_without_loss", json_integer((json_int_t)t->capped_no_loss));
	return o;
}

/* Kept on the destination's signature: the highest cap of its
 * connections and the lowest rate it was compared with ("cap 133 kbit/s
 * vs 755.1 Mbit/s"); both merge exactly. */
static const struct det_measure thr_measures[] = {
	{ "cap_bps", DET_KEEP_MAX, "cap", DET_UNIT_BPS },
	{ "comparison_bps", DET_KEEP_MIN, "vs", DET_UNIT_BPS },
};

const struct detector det_throttling = {
	.name = "throttling",
	.desc = "goodput held flat far below the client's other destinations by a lossy policer",
	.colour = "#17becf",
	.packets = DET_TCP,
	.flows = DET_TCP,
	.flow_state = sizeof(struct thr_flow),
	.ev = thr_ev, .nev = DET_N(thr_ev),
	.measures = thr_measures, .nmeasures = DET_N(thr_measures),
	.init = thr_init,
	.on_packet = thr_packet,
	.on_flow_end = thr_flow_end,
	.on_finish = thr_finish,
	.free = thr_free,
	.stats = thr_stats,
};
