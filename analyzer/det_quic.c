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
#include "util.h"

#define QUIC_DECIDE_AGE_US (120ULL * 1000000)
#define ALIVE_SLOTS 1024

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

static void *qd_init(struct engine *e)
{
	struct quic_state *s = xcalloc(1, sizeof *s);
	drops_init(&s->d, "quic_drop", 0.25, EV_INITIAL_RETRANSMIT, 4096);
	s->d.need_repeat = true;
	s->d.residual = true;
	(void)e;
	return s;
}

static void qd_free(void *st)
{
	drops_free(&((struct quic_state *)st)->d);
	free(st);
}

static void qd_packet(void *st, struct engine *e, const struct pkt *pk, struct flow *f, int dir)
{
	struct quic_state *s = st;
	(void)e;
	if (pk->proto == 17 && f && dir == 1 && f->proto == 17)
		*alive_slot(s, &pk->src) = pk->src;
	else if ((pk->proto == 1 || pk->proto == 58) && pk->icmp.quoted && pk->icmp.iproto == 17 &&
	         addr_eq(&pk->src, &pk->icmp.idst))
		*alive_slot(s, &pk->src) = pk->src;
}

static void qd_flow_end(void *st, struct engine *e, struct flow *f)
{
	struct quic_state *qs = st;
	struct drops *d = &qs->d;
	if (f->proto != 17 || f->sport != 443 || !f->quic_initials) return;
	if (f->d[1].pkts || f->icmp_count) return;
	if (addr_eq(alive_slot(qs, &f->srv), &f->srv)) {
		qs->alive_elsewhere++;
		d->inconclusive++;
		return;
	}
	uint64_t wait = (uint64_t)e->o.syn_timeout_s * 1000000;
	if (f->d[0].first_ts + wait > e->end) {
		d->inconclusive++;
		return;
	}
	drops_add(d, e, f, f->d[0].first_ts, f->d[0].last_ts, f->quic_initials, ST_POST_SYN);
}

static void qd_tick(void *st, struct engine *e, uint64_t now)
{
	struct drops *d = &((struct quic_state *)st)->d;
	if (d->n && now > QUIC_DECIDE_AGE_US)
		drops_decide(d, e, now - QUIC_DECIDE_AGE_US);
}

static void qd_finish(void *st, struct engine *e)
{
	drops_decide(&((struct quic_state *)st)->d, e, UINT64_MAX);
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
	.init = qd_init,
	.on_packet = qd_packet,
	.packets = DET_UDP | DET_ICMP,
	.on_flow_end = qd_flow_end,
	.on_tick = qd_tick,
	.on_finish = qd_finish,
	.free = qd_free,
	.stats = qd_stats,
};
