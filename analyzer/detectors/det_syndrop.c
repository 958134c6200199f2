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
#include "tunables.h"
#include "util.h"

static const struct det_evidence sd_ev[] = {   /* drops.h: DROP_EV_* */
	{ "syn_retransmit", 0, "the client repeated its SYN" },
	{ "repeated", 0, "two or more such connections to the destination" },
	{ "sensor_drops", 0, "the sensor was dropping packets at the time" },
};

static const struct det_option sd_opts[] = {
	{ "syn-timeout", "S", DROP_TIMEOUT_DEF, "SYN/data drop wait before a verdict" },
};

static void *sd_init(struct det_ctx *c)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, SYN_DROP_BASE, DROP_CANDIDATES_MAX);
	(void)c;
	return d;
}

static void sd_free(void *st)
{
	drops_free(st);
	free(st);
}

static enum det_result sd_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct drops *d = st;
	if (!f->syn_seen) return DR_NOTHING;
	if (f->d[1].pkts || f->icmp_count) return DR_NOTHING;   /* answered */
	const struct flow_dir *cl = &f->d[0];
	if (cl->pkts > cl->syn_count) return DR_ASYMMETRIC;     /* client went on */
	uint64_t wait = (uint64_t)det_opt(c, 0) * 1000000;
	if (cl->syn_count < 2 || f->syn_ts + wait > det_end(c)) {
		d->inconclusive++;
		return DR_INCONCLUSIVE;
	}
	return drops_add(d, c, f, f->syn_ts, cl->last_ts, cl->syn_count, ST_POST_SYN) ?
	       DR_INTERFERED : DR_INCONCLUSIVE;
}

static void sd_tick(void *st, struct det_ctx *c, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > SYN_DECIDE_AGE_US)
		drops_decide(d, c, now - SYN_DECIDE_AGE_US);
}

static void sd_finish(void *st, struct det_ctx *c)
{
	drops_decide(st, c, UINT64_MAX);
}

static json_t *sd_stats(void *st) { return drops_stats(st); }

const struct detector det_syn_drop = {
	.name = "syn_drop",
	.desc = "SYNs retransmitted and never answered",
	.colour = "#ff7f0e",
	.flows = DET_TCP,
	.opts = sd_opts, .nopts = DET_N(sd_opts),
	.ev = sd_ev, .nev = DET_N(sd_ev),
	.init = sd_init,
	.on_flow_end = sd_flow_end,
	.on_tick = sd_tick,
	.on_finish = sd_finish,
	.free = sd_free,
	.stats = sd_stats,
};
