/* det_quic.c - quic_drop: QUIC Initials (UDP 443, any version) that the
 * client repeats with no server packet ever coming back.
 *
 * A flow is a candidate when the client sent long-header packets, the
 * server sent nothing and no ICMP error quoted it, and its first packet
 * is at least the SYN timeout before the end of input.  An event needs
 * repetition: >= 2 Initials in the flow, or >= 2 such flows to the same
 * destination (clients such as curl start a new 4-tuple per attempt).
 * Only Initials of versions clients send count (quic_known_version: not
 * the greased ones a server may ignore, not DNSCrypt's DNS on 443), and a
 * host that answered UDP on another port, or whose own stack sent an ICMP
 * error for one, is alive over UDP: its silence on 443 is its own.
 * Destinations are named by the Initial's SNI (nDPI).  Confidence as for
 * dropped SYNs (drops.c).  Each event records whether the source port was
 * above the destination port (the GFW's QUIC filter is documented to fire
 * only then) and whether the same name was reached over TCP (fallback).
 */
#include <stdlib.h>
#include "detector.h"
#include "drops.h"
#include "tunables.h"
#include "util.h"

/* Hosts that answered UDP on some port (a Version Negotiation, an
 * application's reply) or whose own stack sent an ICMP error for one of
 * their ports: alive and reachable over UDP, so silence on 443 is the
 * host's (no QUIC there), not a path dropping Initials to it.  A small
 * direct-mapped set: a collision forgets a host, which only keeps the
 * old behaviour for it. */
struct quic_state {
	struct drops d;
	struct ts_addr alive[ALIVE_SLOTS];
	uint64_t alive_elsewhere;
};

static struct ts_addr *alive_slot(struct quic_state *s, const struct ts_addr *a)
{
	return &s->alive[addr_hash(a, 11) & (ALIVE_SLOTS - 1)];
}

static const struct det_evidence qd_ev[] = {   /* drops.h: DROP_EV_* */
	{ "initial_retransmit", 0, "the client repeated its Initial" },
	{ "repeated", 0, "two or more such flows to the destination" },
	{ "sensor_drops", 0, "the sensor was dropping packets at the time" },
	{ "residual", 0, "unanswered attempts spread over a minute or more" },
};

static const struct det_option qd_opts[] = {
	{ "syn-timeout", "S", DROP_TIMEOUT_DEF, "SYN/data drop wait before a verdict" },
};

/* Per-flow slot: made by the client's first long-header packet. */
struct quic_flow { uint32_t initials; };

static void *qd_init(struct det_ctx *c)
{
	struct quic_state *s = xcalloc(1, sizeof *s);
	drops_init(&s->d, QUIC_DROP_BASE, DROP_CANDIDATES_MAX);
	s->d.need_repeat = true;
	s->d.residual = true;
	(void)c;
	return s;
}

static void qd_free(void *st)
{
	drops_free(&((struct quic_state *)st)->d);
	free(st);
}

/* Count the client's QUIC long-header packets (RFC 9000 17.2) of a known
 * version to port 443; remember hosts alive over UDP. */
static void qd_on_packet(void *st, struct det_ctx *c, const struct pkt *pk,
                         const struct flow *f, int dir)
{
	struct quic_state *s = st;
	if (pk->proto == 1 || pk->proto == 58) {        /* the host's own ICMP */
		if (pk->icmp.quoted && pk->icmp.iproto == 17 && addr_eq(&pk->src, &pk->icmp.idst))
			*alive_slot(s, &pk->src) = pk->src;
		return;
	}
	if (!f) return;
	if (dir == 1) { *alive_slot(s, &pk->src) = pk->src; return; }
	if (f->sport != 443 || pk->paylen < 5 || !(pk->payload[0] & 0x80) ||
	    !quic_known_version(be32_at(pk->payload + 1)))
		return;
	struct quic_flow *q = det_flow_state(c, f);
	if (!q) q = det_flow_state_new(c, f);
	q->initials++;
}

static enum det_result qd_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct quic_state *qs = st;
	struct drops *d = &qs->d;
	const struct quic_flow *q = det_flow_state(c, f);
	if (f->sport != 443 || !q) return DR_NOTHING;
	if (f->d[1].pkts || f->icmp_count) return DR_NOTHING;
	if (addr_eq(alive_slot(qs, &f->srv), &f->srv)) {
		qs->alive_elsewhere++;
		d->inconclusive++;
		return DR_INCONCLUSIVE;
	}
	uint64_t wait = (uint64_t)det_opt(c, 0) * 1000000;
	if (f->d[0].first_ts + wait > det_end(c)) {
		d->inconclusive++;
		return DR_INCONCLUSIVE;
	}
	/* unanswered: not a clean connection, event or not */
	return drops_add(d, c, f, f->d[0].first_ts, f->d[0].last_ts, q->initials, ST_POST_SYN) ?
	       DR_INTERFERED : DR_INCONCLUSIVE;
}

static void qd_tick(void *st, struct det_ctx *c, uint64_t now)
{
	struct drops *d = &((struct quic_state *)st)->d;
	if (d->n && now > QUIC_DECIDE_AGE_US)
		drops_decide(d, c, now - QUIC_DECIDE_AGE_US);
}

static void qd_finish(void *st, struct det_ctx *c)
{
	drops_decide(&((struct quic_state *)st)->d, c, UINT64_MAX);
}

static json_t *qd_stats(void *st)
{
	struct quic_state *s = st;
	json_t *o = drops_stats(&s->d);
	json_object_set_new(o, "answered_elsewhere", json_integer((json_int_t)s->alive_elsewhere));
	return o;
}

const struct detector det_quic_drop = {
	.name = "quic_drop",
	.desc = "QUIC Initials repeated with no server packet back",
	.colour = "#e377c2",
	.packets = DET_UDP | DET_ICMP,
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
