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

static void *dd_init(struct engine *e)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, "data_drop", 0.40, EV_DATA_RETRANSMIT, 4096);
	(void)e;
	return d;
}

static void dd_free(void *st)
{
	drops_free(st);
	free(st);
}

static void dd_flow_end(void *st, struct engine *e, struct flow *f)
{
	struct drops *d = st;
	if (f->proto != 6 || !f->established || !f->first_data_ts) return;
	if (f->first_data_acked || f->nrst) return;
	const struct flow_dir *s = &f->d[1];
	bool server_spoke = s->data_pkts || s->fin || s->rst;
	if (server_spoke && s->last_ts >= f->first_data_ts) return;
	if (!f->first_data_retx) return;
	uint64_t wait = (uint64_t)e->o.syn_timeout_s * 1000000;
	if (f->first_data_ts + wait > e->end) {
		f->out_inconclusive = true;
		d->inconclusive++;
		return;
	}
	if (drops_add(d, e, f, f->first_data_ts, f->d[0].last_ts, 1u + f->first_data_retx,
	              ST_POST_PSH))
		f->out_interfered = true;
	else
		f->out_inconclusive = true;
}

static void dd_tick(void *st, struct engine *e, uint64_t now)
{
	struct drops *d = st;
	if (d->n && now > DATA_DECIDE_AGE_US)
		drops_decide(d, e, now - DATA_DECIDE_AGE_US);
}

static void dd_finish(void *st, struct engine *e)
{
	drops_decide(st, e, UINT64_MAX);
}

static json_t *dd_stats(void *st) { return drops_stats(st); }

const struct detector det_data_drop = {
	.name = "data_drop",
	.init = dd_init,
	.on_flow_end = dd_flow_end,
	.on_tick = dd_tick,
	.on_finish = dd_finish,
	.free = dd_free,
	.stats = dd_stats,
};
