/* det_datadrop.c - data_drop: the handshake completed, the client's first
 * data was retransmitted and never acknowledged, and nothing more came
 * from the server (no data, FIN or RST after it).  Stage post_psh; a flow
 * whose data was sent less than the SYN timeout before the end of input is
 * inconclusive.  Confidence from repetition, see drops.c.
 *
 * request_unacked: a client that gives up before its first retransmission
 * (a short application timeout, a large minimum RTO) leaves no
 * data_retransmit.  Its connection counts when the server sent nothing at
 * all after its SYN-ACK - no ACK of the request, none of the client's
 * FIN, no data, FIN or RST - and the client closed only after waiting at
 * least REQ_WAIT_US (RFC 6298's minimum RTO; a live server ACKs within
 * its delayed-ACK time, <= 500 ms by RFC 1122) and 4 round trips of the
 * handshake.  A fire-and-forget client (request and FIN at once) waits
 * for nothing and is no candidate; a server that ACKs the request or the
 * FIN is alive.  Like every drop it stays below 0.5 for one connection
 * (verdict.c): only repetition to one destination accuses. */
#include <stdlib.h>
#include "detector.h"
#include "drops.h"
#include "tunables.h"
#include "util.h"

/* drops.h: DROP_EV_* first; data_drop has no residual, so its own code
 * takes that place */
enum { DD_EV_REQUEST_UNACKED = DROP_EV_RESIDUAL };
static const struct det_evidence dd_ev[] = {
	{ "data_retransmit", 0, "the client repeated its first data" },
	{ "repeated", 0, "two or more such connections to the destination" },
	{ "sensor_drops", 0, "the sensor was dropping packets at the time" },
	{ "request_unacked", 0, "request and FIN never acknowledged, server silent after its SYN-ACK, the client gave up after >= 1 s" },
};
_Static_assert(DET_N(dd_ev) == DD_EV_REQUEST_UNACKED + 1, "dd_ev and its enum differ");

static const struct det_option dd_opts[] = {
	{ "syn-timeout", "S", DROP_TIMEOUT_DEF, "SYN/data drop wait before a verdict" },
};

static void *dd_init(struct det_ctx *c)
{
	struct drops *d = xcalloc(1, sizeof *d);
	drops_init(d, DATA_DROP_BASE, DROP_CANDIDATES_MAX);
	(void)c;
	return d;
}

static void dd_free(void *st)
{
	drops_free(st);
	free(st);
}

/* The request_unacked pattern (above): *waited = the client's wait. */
static bool request_unacked(const struct flow *f, uint64_t *waited)
{
	const struct flow_dir *cl = &f->d[0], *s = &f->d[1];
	if (f->first_data_retx || f->midstream || !f->synack_ts) return false;
	/* every server packet was its SYN-ACK (or a copy of it) */
	if (s->rst || s->fin || s->data_pkts || s->pkts != s->syn_count) return false;
	if (!(cl->fin || cl->rst) || cl->last_ts < f->first_data_ts) return false;
	uint64_t w = cl->last_ts - f->first_data_ts;
	uint64_t rtt4 = 4ull * ((uint64_t)f->rtt_srv_us + f->rtt_cli_us);
	*waited = w;
	return w >= REQ_WAIT_US && w >= rtt4;
}

static enum det_result dd_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct drops *d = st;
	if (!f->established || !f->first_data_ts) return DR_NOTHING;
	uint64_t waited;
	if (!f->first_data_acked && request_unacked(f, &waited))
		return drops_add_ev(d, c, f, f->first_data_ts, f->d[0].last_ts, 1, ST_POST_PSH,
		                    1u << DD_EV_REQUEST_UNACKED) ? DR_INTERFERED : DR_INCONCLUSIVE;
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
	.desc = "first data retransmitted (or the client gave up waiting), never acknowledged, server silent",
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
