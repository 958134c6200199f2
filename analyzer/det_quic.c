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

static void *qd_init(struct engine *e)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, "quic_drop", 0.25, EV_INITIAL_RETRANSMIT, 4096);
	d->need_repeat = true;
	d->residual = true;
	(void)e;
	return d;
}

static void qd_free(void *st)
{
	drops_free(st);
	free(st);
}

static void qd_flow_end(void *st, struct engine *e, struct flow *f)
{
	struct drops *d = st;
	if (f->proto != 17 || f->sport != 443 || !f->quic_initials) return;
	if (f->d[1].pkts || f->icmp_count) return;
	uint64_t wait = (uint64_t)e->o.syn_timeout_s * 1000000;
	if (f->d[0].first_ts + wait > e->end) {
		d->inconclusive++;
		return;
	}
	drops_add(d, e, f, f->d[0].first_ts, f->d[0].last_ts, f->quic_initials, ST_POST_SYN);
}

static void qd_tick(void *st, struct engine *e, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > QUIC_DECIDE_AGE_US)
		drops_decide(d, e, now - QUIC_DECIDE_AGE_US);
}

static void qd_finish(void *st, struct engine *e)
{
	drops_decide(st, e, UINT64_MAX);
}

static json_t *qd_stats(void *st) { return drops_stats(st); }

const struct detector det_quic_drop = {
	.name = "quic_drop",
	.init = qd_init,
	.on_flow_end = qd_flow_end,
	.on_tick = qd_tick,
	.on_finish = qd_finish,
	.free = qd_free,
	.stats = qd_stats,
};
