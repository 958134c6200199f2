/* det_api.c - the engine's side of det_api.h: what detectors may ask of
 * it, each call a thin pass to the module that owns the answer.  Flows
 * reach detectors const; the few calls that change one (naming it,
 * keeping or handing over its packets, its slots) are the engine's own
 * bookkeeping, done here on the flow it owns. */
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "detector.h"
#include "engine_int.h"
#include "tcp_track.h"
#include "util.h"

uint64_t det_now(const struct det_ctx *c) { return c->e->now; }
uint64_t det_end(const struct det_ctx *c) { return c->e->end; }

unsigned long det_opt(const struct det_ctx *c, unsigned i)
{
	return i < c->d->nopts ? c->opt[i] : 0;
}

double det_confidence(const struct det_ctx *c, uint32_t mask)
{
	double keep = 1.0;
	for (unsigned i = 0; i < c->d->nev; i++)
		if (mask & (1u << i)) keep *= 1.0 - c->d->ev[i].weight;
	return 1.0 - keep;
}

const char *det_evidence_code(const struct det_ctx *c, unsigned i)
{
	return i < c->d->nev ? c->d->ev[i].code : "?";
}

void det_tuple_of(struct ev_tuple *t, const struct flow *f)
{
	memset(t, 0, sizeof *t);
	t->src = f->cli; t->dst = f->srv; t->sport = f->cport; t->dport = f->sport;
	t->proto = f->proto;
	t->has_counts = true;
	for (int i = 0; i < 2; i++) { t->pkts[i] = f->d[i].pkts; t->bytes[i] = f->d[i].bytes; }
	t->frames = f->evidence;
}

void det_emit(struct det_ctx *c, const struct det_event *ev)
{
	struct flow *f = (struct flow *)ev->flow;     /* the engine's own */
	struct ev_frames *own = NULL;
	struct ev_tuple t = ev->tuple;
	if (ev->with_packet) {
		engine_keep_frame(c->e, f ? &f->evidence : &own);
		if (!f) t.frames = own;
	}
	if (ev->repetition && !f)
		engine_rep_event(c->e, &t, ev->destination, c->d->name, ev->stage, ev->conf, ev->part,
		                 ev_global_mask(c->idx, ev->evidence), ev->ts, ev->details);
	else
		engine_event(c->e, f, f ? NULL : &t, ev->destination, c->d->name, ev->stage, ev->conf,
		             ev_global_mask(c->idx, ev->evidence), ev->ts, ev->details);
	evf_free(own);
}

void det_keep_packet(struct det_ctx *c, struct ev_frames **pf)
{
	engine_keep_frame(c->e, pf);
}

struct ev_frames *det_take_packets(struct det_ctx *c, const struct flow *f)
{
	struct flow *w = (struct flow *)f;
	struct ev_frames *fr = w->evidence;
	(void)c;
	w->evidence = NULL;
	return fr;
}

void det_malformed_dns(struct det_ctx *c) { c->e->malformed[MAL_DNS]++; }

void det_note_injector(struct det_ctx *c, const struct inj_obs *o) { inj_note(c->e->inj, o); }

void *det_flow_state(const struct det_ctx *c, const struct flow *f)
{
	return c->slot >= 0 ? ft_slot(f, (unsigned)c->slot) : NULL;
}

void *det_flow_state_new(struct det_ctx *c, const struct flow *f)
{
	if (c->slot < 0) return NULL;
	return ft_slot_new(c->e->ft, (struct flow *)f, (unsigned)c->slot);
}

const char *det_flow_name(struct det_ctx *c, const struct flow *f)
{
	return engine_flow_destination(c->e, (struct flow *)f);
}

const char *det_addr_name(struct det_ctx *c, const struct ts_addr *addr, uint64_t ts)
{
	return dnsc_get(c->e->dnsc, addr, ts);
}

bool det_addr_forged(struct det_ctx *c, const struct ts_addr *addr, const char **name)
{
	return dnsc_forged(c->e->dnsc, addr, name);
}

void det_dns_genuine(struct det_ctx *c, const struct ts_addr *addr, const char *name,
                     uint32_t ttl, uint64_t ts)
{
	dnsc_put(c->e->dnsc, addr, name, ttl, ts);
}

void det_dns_forged(struct det_ctx *c, const struct ts_addr *addr, const char *name)
{
	dnsc_mark_forged(c->e->dnsc, addr, name);
}

uint8_t det_ttl_baseline(const struct det_ctx *c, const struct ts_addr *addr,
                         unsigned *samples)
{
	return bl_ttl(c->e->bl, addr, samples);
}

uint8_t det_ttl_mode(const struct flow_dir *d, unsigned *samples)
{
	return flow_ttl_mode(d, samples);
}

uint64_t det_answered_flows(const struct det_ctx *c) { return c->e->answered_flows; }

bool det_is_target(const struct det_ctx *c, const char *name)
{
	return targets_match(c->e->targets, name, NULL);
}

bool det_sensor_dropping(const struct det_ctx *c) { return c->e->sensor_dropping; }

bool det_dest_established(struct det_ctx *c, const char *name, uint64_t *n)
{
	struct dest *d = dest_get(c->e->dt, name);
	if (!d) return false;
	*n = dest_tcp(d)->established;
	return true;
}

void det_dest_dns(struct det_ctx *c, const char *name, unsigned queries,
                  unsigned responses, uint64_t first, uint64_t last)
{
	struct dest *d = engine_dest(c->e, name);
	if (!d) return;
	dest_dns(d, queries, responses);
	dest_seen(d, first);
	if (last) dest_seen(d, last);
}
