/* det_datadrop.c - data_drop: the handshake completed, the client's first
 * data was retransmitted and never acknowledged, and nothing more came
 * from the server (no data, FIN or RST after it).  Stage post_psh; a flow
 * whose data was sent less than the SYN timeout before the end of input is
 * inconclusive.  Confidence from repetition, see drops.c. */
#include <stdlib.h>
#include "detector.h"
#include "drops.h"
#include "util.h"

#define DATA_DECIDE_AGE_US (120ULL * 1000000)

static const struct det_evidence dd_ev[] = {   /* drops.h: DROP_EV_* */
	{ "data_retransmit", 0, "the client repeated its first data" },
	{ "repeated", 0, "two or more such connections to the destination" },
	{ "sensor_drops", 0, "the sensor was dropping packets at the time" },
};

static const struct det_option dd_opts[] = {
	{ "syn-timeout", "S", 3, "SYN/data drop wait before a verdict" },
};

static void *dd_init(struct det_ctx *c)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, 0.40, 4096);
	(void)c;
	return d;
}

static void dd_free(void *st)
{
	drops_free(st);
	free(st);
}

static enum det_result dd_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct drops *d = st;
	if (!f->established || !f->first_data_ts) return DR_NOTHING;
	if (f->first_data_acked || f->d[0].rst || f->d[1].rst) return DR_NOTHING;
	const struct flow_dir *s = &f->d[1];
	bool server_spoke = s->data_pkts || s->fin || s->rst;
	if (server_spoke && s->last_ts >= f->first_data_ts) return DR_NOTHING;
	if (!f->first_data_retx) return DR_NOTHING;
	uint64_t wait = (uint64_t)det_opt(c, 0) * 1000000;
	if (f->first_data_ts + wait > det_end(c)) {
		d->inconclusive++;
		return DR_INCONCLUSIVE;
	}
	return drops_add(d, c, f, f->first_data_ts, f->d[0].last_ts, 1u + f->first_data_retx,
	                 ST_POST_PSH) ? DR_INTERFERED : DR_INCONCLUSIVE;
}

static void dd_tick(void *st, struct det_ctx *c, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > DATA_DECIDE_AGE_US)
		drops_decide(d, c, now - DATA_DECIDE_AGE_US);
}

static void dd_finish(void *st, struct det_ctx *c)
{
	drops_decide(st, c, UINT64_MAX);
}

static json_t *dd_stats(void *st) { return drops_stats(st); }

const struct detector det_data_drop = {
	.name = "data_drop",
	.desc = "first data retransmitted, never acknowledged, server silent",
	.colour = "#8c564b",
	.flows = DET_TCP,
	.opts = dd_opts, .nopts = DET_N(dd_opts),
	.ev = dd_ev, .nev = DET_N(dd_ev),
	.init = dd_init,
	.on_flow_end = dd_flow_end,
	.on_tick = dd_tick,
	.on_finish = dd_finish,
	.free = dd_free,
	.stats = dd_stats,
};
