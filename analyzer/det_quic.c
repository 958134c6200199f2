/* det_quic.c - quic_drop: QUIC Initials (UDP 443, any version) that the
 * client repeats with no server packet ever coming back.
 *
 * A flow is a candidate when the client sent long-header packets, the
 * server sent nothing and no ICMP error quoted it, and its first packet
 * is at least the SYN timeout before the end of input.  An event needs
 * repetition: >= 2 Initials in the flow, or >= 2 such flows to the same
 * destination (clients such as curl start a new 4-tuple per attempt).
 * Destinations are named by the Initial's SNI (nDPI).  Confidence as for
 * dropped SYNs (drops.c).  Each event records whether the source port was
 * above the destination port (the GFW's QUIC filter is documented to fire
 * only then) and whether the same name was reached over TCP (fallback).
 */
#include <stdlib.h>
#include "detector.h"
#include "drops.h"
#include "util.h"

#define QUIC_DECIDE_AGE_US (120ULL * 1000000)

static const struct det_evidence qd_ev[] = {   /* drops.h: DROP_EV_* */
	{ "initial_retransmit", 0, "the client repeated its Initial" },
	{ "repeated", 0, "two or more such flows to the destination" },
	{ "sensor_drops", 0, "the sensor was dropping packets at the time" },
	{ "residual", 0, "unanswered attempts spread over a minute or more" },
};

static const struct det_option qd_opts[] = {
	{ "syn-timeout", "S", 3, "SYN/data drop wait before a verdict" },
};

/* Per-flow slot: made by the client's first long-header packet. */
struct quic_flow { uint32_t initials; };

static void *qd_init(struct det_ctx *c)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, 0.25, 4096);
	d->need_repeat = true;
	d->residual = true;
	(void)c;
	return d;
}

static void qd_free(void *st)
{
	drops_free(st);
	free(st);
}

/* Count the client's QUIC long-header packets (RFC 9000 17.2: form bit,
 * a non-zero version) to port 443. */
static void qd_on_packet(void *st, struct det_ctx *c, const struct pkt *pk,
                         const struct flow *f, int dir)
{
	(void)st;
	if (dir != 0 || f->sport != 443 || pk->paylen < 5 || !(pk->payload[0] & 0x80) ||
	    !(pk->payload[1] | pk->payload[2] | pk->payload[3] | pk->payload[4]))
		return;
	struct quic_flow *q = det_flow_state(c, f);
	if (!q) q = det_flow_state_new(c, f);
	q->initials++;
}

static enum det_result qd_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct drops *d = st;
	const struct quic_flow *q = det_flow_state(c, f);
	if (f->sport != 443 || !q) return DR_NOTHING;
	if (f->d[1].pkts || f->icmp_count) return DR_NOTHING;
	uint64_t wait = (uint64_t)det_opt(c, 0) * 1000000;
	if (f->d[0].first_ts + wait > det_end(c)) {
		d->inconclusive++;
		return DR_INCONCLUSIVE;
	}
	/* unanswered: not a clean connection, event or not */
	drops_add(d, c, f, f->d[0].first_ts, f->d[0].last_ts, q->initials, ST_POST_SYN);
	return DR_INTERFERED;
}

static void qd_tick(void *st, struct det_ctx *c, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > QUIC_DECIDE_AGE_US)
		drops_decide(d, c, now - QUIC_DECIDE_AGE_US);
}

static void qd_finish(void *st, struct det_ctx *c)
{
	drops_decide(st, c, UINT64_MAX);
}

static json_t *qd_stats(void *st) { return drops_stats(st); }

const struct detector det_quic_drop = {
	.name = "quic_drop",
	.desc = "QUIC Initials repeated with no server packet back",
	.colour = "#e377c2",
	.packets = DET_UDP,
	.flows = DET_UDP,
	.flow_state = sizeof(struct quic_flow),
	.opts = qd_opts, .nopts = DET_N(qd_opts),
	.ev = qd_ev, .nev = DET_N(qd_ev),
	.init = qd_init,
	.on_packet = qd_on_packet,
	.on_flow_end = qd_flow_end,
	.on_tick = qd_tick,
	.on_finish = qd_finish,
	.free = qd_free,
	.stats = qd_stats,
};
