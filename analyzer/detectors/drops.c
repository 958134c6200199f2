/* drops.c - confidence for dropped SYNs / data from repetition.
 *
 * One unanswered connection is weak evidence (a server can be down);
 * blackholing is credible with repetition (DESIGN.md 3, issue #3):
 *   base (per signature)
 *   + 0.25  two or more such connections to the same destination
 *   + 0.15  the destination is named (DNS/SNI/Host) or on the target list
 *   + 0.10  other connections in the capture were answered (network works)
 *   + 0.05  three or more tries in this connection
 *   - 0.20  the sensor was dropping packets at the time (live capture)
 * (the values: tunables.h)
 */
#include <stdlib.h>
#include <string.h>
#include "drops.h"
#include "tunables.h"
#include "util.h"

void drops_init(struct drops *d, double base, unsigned max)
{
	memset(d, 0, sizeof *d);
	d->base = base;
	d->max = max ? max : DROP_CANDIDATES_MAX;
	d->v = xcalloc(d->max, sizeof *d->v);
}

void drops_free(struct drops *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		free(d->v[i].name);
		evf_free(d->v[i].frames);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static struct drop_hist *hist_of(struct drops *d, const char *name, bool create)
{
	for (unsigned i = 0; i < d->nhist; i++)
		if (!strcmp(d->hist[i].name, name)) return &d->hist[i];
	if (!create) return NULL;
	struct drop_hist *h = d->nhist < DROP_HIST ? &d->hist[d->nhist++]
	                                           : &d->hist[d->hpos++ % DROP_HIST];
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "%s", name);
	return h;
}

/* Services listen on well-known and registered ports; the dynamic range
 * (RFC 6335 6: 49152-65535) is where peer-to-peer applications and NAT
 * traversal try peers that are often offline.  An unanswered attempt to
 * such a port of an address nobody named is no blocked service. */
static bool peer_port(const struct flow *f)
{
	return f->sport >= 49152 && f->name_src < NS_NDPI_IP;
}

bool drops_add(struct drops *d, struct det_ctx *e, const struct flow *f, uint64_t ts,
               uint64_t last_ts, uint32_t tries, int stage)
{
	return drops_add_ev(d, e, f, ts, last_ts, tries, stage, 0);
}

bool drops_add_ev(struct drops *d, struct det_ctx *e, const struct flow *f, uint64_t ts,
                  uint64_t last_ts, uint32_t tries, int stage, uint32_t ev)
{
	if (peer_port(f)) {
		d->inconclusive++;
		return false;
	}
	if (d->residual) {
		struct drop_hist *h = hist_of(d, f->name, true);
		if (!h->n || ts < h->first) h->first = ts;
		if (ts > h->last) h->last = ts;
		h->n++;
	}
	if (d->n >= d->max) drops_decide(d, e, UINT64_MAX);
	struct drop_cand *c = &d->v[d->n++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(f->name);
	det_tuple_of(&c->t, f);
	c->ts = ts;
	c->last_ts = last_ts;
	c->tries = tries;
	c->stage = stage;
	c->ev = ev;
	c->named = f->name_src >= NS_DNS || det_is_target(e, f->name);
	c->sensor_dropping = det_sensor_dropping(e);
	c->frames = det_take_packets(e, f);   /* ours now */
	c->t.frames = c->frames;
	return true;
}

/* How many candidates share c's destination, and over how long a span
 * of time their attempts lie (*span_us). */
static unsigned same_dest(const struct drops *d, const struct drop_cand *c, uint64_t *span_us)
{
	unsigned n = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].name, c->name)) {
			n++;
			if (d->v[i].ts < lo) lo = d->v[i].ts;
			if (d->v[i].ts > hi) hi = d->v[i].ts;
		}
	const struct drop_hist *h = d->residual ? hist_of((struct drops *)d, c->name, false) : NULL;
	if (h && h->first < lo) lo = h->first;
	if (h && h->last > hi) hi = h->last;
	if (span_us) *span_us = hi - lo;
	return n;
}

static void emit(struct drops *d, struct det_ctx *e, struct drop_cand *c, unsigned repeat,
                 uint64_t span)
{
	double conf = d->base, part;
	/* the retransmission code only when this connection retransmitted
	 * (a QUIC flow with one Initial can be an event by repetition) */
	uint32_t mask = (c->tries >= 2 ? 1u << DROP_EV_RETRANSMIT : 0) | c->ev;
	if (repeat >= 2) { conf += VERDICT_REPEAT_BONUS; mask |= 1u << DROP_EV_REPEATED; }
	/* unanswered attempts to one destination spread over minutes: the
	 * blocking persisted (the GFW's residual blocking holds a server or
	 * 4-tuple for 90-180 s after a trigger) */
	if (d->residual && repeat >= 3 && span >= RESIDUAL_SPAN_US) mask |= 1u << DROP_EV_RESIDUAL;
	if (c->named) conf += DROP_NAMED_BONUS;
	if (det_answered_flows(e)) conf += VERDICT_ANSWERED_BONUS;
	if (c->tries >= DROP_TRIES_MIN) conf += DROP_TRIES_BONUS;
	if (c->sensor_dropping) { conf -= DROP_SENSOR_MALUS; mask |= 1u << DROP_EV_SENSOR_DROPS; }
	if (conf < 0) conf = 0;
	/* the connection's own part: what the report's signature keeps */
	part = d->base + (c->named ? DROP_NAMED_BONUS : 0) + (c->tries >= DROP_TRIES_MIN ? DROP_TRIES_BONUS : 0) -
	       (c->sensor_dropping ? DROP_SENSOR_MALUS : 0);
	json_t *det = json_object();
	json_object_set_new(det, "tries", json_integer(c->tries));
	json_object_set_new(det, "unanswered_span_s", json_integer((json_int_t)(span / 1000000)));
	json_object_set_new(det, "waited_us", json_integer((json_int_t)(c->last_ts - c->ts)));
	json_object_set_new(det, "connections_to_destination", json_integer(repeat));
	json_object_set_new(det, "other_connections_answered", json_integer((json_int_t)det_answered_flows(e)));
	json_object_set_new(det, "source_port_above_dest_port", json_boolean(c->t.sport > c->t.dport));
	uint64_t est;
	if (det_dest_established(e, c->name, &est))
		json_object_set_new(det, "destination_reached_over_tcp", json_boolean(est > 0));
	struct det_event ev = { .tuple = c->t, .destination = c->name, .stage = c->stage,
	                        .conf = conf, .evidence = mask, .ts = c->ts, .details = det,
	                        .repetition = true, .part = part };
	det_emit(e, &ev);
	d->decided++;
}

void drops_decide(struct drops *d, struct det_ctx *e, uint64_t before)
{
	unsigned keep = 0, due = 0;
	for (unsigned i = 0; i < d->n; i++)
		if (before == UINT64_MAX || d->v[i].ts < before) due++;
	if (!due) return;                 /* the common case, every tick */
	unsigned *rep = xcalloc(d->n ? d->n : 1, sizeof *rep);
	uint64_t *span = xcalloc(d->n ? d->n : 1, sizeof *span);
	for (unsigned i = 0; i < d->n; i++)
		if (before == UINT64_MAX || d->v[i].ts < before) rep[i] = same_dest(d, &d->v[i], &span[i]);
	for (unsigned i = 0; i < d->n; i++) {
		struct drop_cand *c = &d->v[i];
		if (c->ts < before || before == UINT64_MAX) {
			if (d->need_repeat && c->tries < 2 && rep[i] < 2) d->inconclusive++;
			else emit(d, e, c, rep[i], span[i]);
			free(c->name);
			evf_free(c->frames);
		} else {
			d->v[keep++] = *c;
		}
	}
	d->n = keep;
	free(rep);
	free(span);
}

json_t *drops_stats(const struct drops *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "events", json_integer((json_int_t)d->decided));
	json_object_set_new(o, "inconclusive", json_integer((json_int_t)d->inconclusive));
	return o;
}
