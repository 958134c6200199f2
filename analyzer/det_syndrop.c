/* det_syndrop.c - syn_drop: a SYN retransmitted and never answered.
 *
 * Decided when the flow ends: the client sent >= 2 SYNs and nothing came
 * back (no SYN-ACK, RST or ICMP error quoting it).  Not a verdict when
 *  - only one SYN was seen (no retransmission): inconclusive;
 *  - the first SYN is closer than the SYN timeout to the end of input;
 *  - the client sent more than SYNs (ACKs, data) while nothing from the
 *    server was seen: the capture is asymmetric.
 * Confidence from repetition, see drops.c.
 */
#include <stdlib.h>
#include "detector.h"
#include "drops.h"
#include "util.h"

#define SYN_DECIDE_AGE_US (120ULL * 1000000)

static void *sd_init(struct engine *e)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, "syn_drop", 0.25, EV_SYN_RETRANSMIT, 4096);
	(void)e;
	return d;
}

static void sd_free(void *st)
{
	drops_free(st);
	free(st);
}

static void sd_flow_end(void *st, struct engine *e, struct flow *f)
{
	struct drops *d = st;
	if (f->proto != 6 || !f->syn_seen) return;
	if (f->d[1].pkts || f->icmp_count) return;          /* answered */
	const struct flow_dir *c = &f->d[0];
	if (c->pkts > c->syn_count) {                       /* client went on */
		f->out_asymmetric = true;
		return;
	}
	uint64_t wait = (uint64_t)e->o.syn_timeout_s * 1000000;
	if (c->syn_count < 2 || f->syn_ts + wait > e->end) {
		f->out_inconclusive = true;
		d->inconclusive++;
		return;
	}
	if (drops_add(d, e, f, f->syn_ts, c->last_ts, c->syn_count, ST_POST_SYN))
		f->out_interfered = true;
	else
		f->out_inconclusive = true;
}

static void sd_tick(void *st, struct engine *e, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > SYN_DECIDE_AGE_US)
		drops_decide(d, e, now - SYN_DECIDE_AGE_US);
}

static void sd_finish(void *st, struct engine *e)
{
	drops_decide(st, e, UINT64_MAX);
}

static json_t *sd_stats(void *st) { return drops_stats(st); }

const struct detector det_syn_drop = {
	.name = "syn_drop",
	.init = sd_init,
	.on_flow_end = sd_flow_end,
	.on_tick = sd_tick,
	.on_finish = sd_finish,
	.free = sd_free,
	.stats = sd_stats,
};
