/* engine.c - the packet path: decode, flows, TCP tracking, attribution,
 * detectors, events.
 *
 * Owns everything it creates.  Detectors see it only through det_api.h
 * (det_api.c), return their verdict on a flow, and report through
 * det_emit(); the engine adds their verdicts up per destination.
 */
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "community_id.h"
#include "detector.h"
#include "engine_int.h"
#include "jsonw.h"
#include "tcp_track.h"
#include "tunables.h"
#include "util.h"

void engine_opts_default(struct engine_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_flows = 262144;
	o->tcp_idle_s = 300;
	o->udp_idle_s = 60;
	o->dns_cache_max = 131072;
	o->dest_max = 65536;
	o->reasm_bytes = 16384;
	o->min_confidence = 0.5;
	o->use_ndpi = true;
	o->ndpi_max_pkts = 4;
}

static void flow_end(void *ctx, struct flow *f);

int engine_opts_set_det(struct engine_opts *o, const char *name, unsigned long v)
{
	for (unsigned i = 0; i < o->ndet_opts; i++)
		if (!strcmp(o->det_opts[i].name, name)) { o->det_opts[i].v = v; return 0; }
	if (o->ndet_opts >= ENGINE_DET_OPTS) return -1;
	o->det_opts[o->ndet_opts].name = name;
	o->det_opts[o->ndet_opts++].v = v;
	return 0;
}

/* A detector option's value: set in o, else the detector's default. */
static unsigned long det_opt_value(const struct engine_opts *o, const struct det_option *d)
{
	for (unsigned i = 0; i < o->ndet_opts; i++)
		if (!strcmp(o->det_opts[i].name, d->name)) return o->det_opts[i].v;
	return d->def;
}

/* Per class (bit k of DET_*), the detectors that want its packets and
 * its flows' ends; the detectors with a tick. */
static void hooks_init(struct engine *e)
{
	struct det_hooks *h = &e->hooks;
	h->tick = xcalloc(e->ndet, sizeof *h->tick);
	for (unsigned k = 0; k < DET_CLASSES; k++) {
		h->pkt[k] = xcalloc(e->ndet, sizeof *h->pkt[k]);
		h->end[k] = xcalloc(e->ndet, sizeof *h->end[k]);
	}
	for (unsigned i = 0; i < e->ndet; i++) {
		const struct detector *d = e->det[i].d;
		for (unsigned k = 0; k < DET_CLASSES; k++) {
			if (d->on_packet && (d->packets & 1u << k)) h->pkt[k][h->npkt[k]++] = &e->det[i];
			if (d->on_flow_end && (d->flows & 1u << k)) h->end[k][h->nend[k]++] = &e->det[i];
		}
		if (d->on_tick) h->tick[h->ntick++] = &e->det[i];
	}
}

static void hooks_free(struct det_hooks *h)
{
	free(h->tick);
	for (unsigned k = 0; k < DET_CLASSES; k++) {
		free(h->pkt[k]);
		free(h->end[k]);
	}
}

/* One context per registered detector; a flow slot type for each one
 * with per-flow state. */
static void detectors_init(struct engine *e)
{
	e->ndet = ndetectors;
	e->det = xcalloc(ndetectors, sizeof *e->det);
	e->slot_types = xcalloc(ndetectors, sizeof *e->slot_types);
	unsigned nslot = 0;
	for (unsigned i = 0; i < ndetectors; i++) {
		const struct detector *d = detectors[i];
		struct det_ctx *c = &e->det[i];
		c->e = e;
		c->d = d;
		c->idx = i;
		c->slot = -1;
		if (d->flow_state) {
			e->slot_types[nslot] = (struct ft_slot_type){ d->flow_state, d->flow_free };
			c->slot = (int)nslot++;
		}
		c->opt = xcalloc(d->nopts ? d->nopts : 1, sizeof *c->opt);
		for (unsigned k = 0; k < d->nopts; k++) c->opt[k] = det_opt_value(&e->o, &d->opts[k]);
	}
	ft_slots(e->ft, nslot, e->slot_types);
	for (unsigned i = 0; i < ndetectors; i++)
		e->det[i].st = detectors[i]->init ? detectors[i]->init(&e->det[i]) : NULL;
	hooks_init(e);
}

struct engine *engine_new(const struct engine_opts *o, char *err)
{
	struct engine *e = xcalloc(1, sizeof *e);
	e->o = *o;
	e->targets = targets_load(o->targets_file, err);
	if (!e->targets) { free(e); return NULL; }
	if (o->use_ndpi) {
		e->ndpi = ndpi_ctx_new();
		if (!e->ndpi) {
			snprintf(err, 256, "nDPI initialisation failed");
			targets_free(e->targets);
			free(e);
			return NULL;
		}
	}
	e->ft = ft_new(o->max_flows, o->tcp_idle_s, o->udp_idle_s, flow_end, e);
	e->dt = dest_new(o->dest_max);
	e->dnsc = o->shared_dnsc ? o->shared_dnsc : dnsc_new(o->dns_cache_max, 300);
	e->bl = bl_new(65536);
	e->inj = inj_new(8192);
	e->dropped = -1;
	e->last_dlt = -1;
	detectors_init(e);
	return e;
}

struct dest *engine_dest(struct engine *e, const char *name)
{
	bool created;
	struct dest *d = dest_get_new(e->dt, name, &created);
	if (!d || !created) return d;
	const char *svc = NULL;
	if (targets_match(e->targets, name, &svc)) dest_set_meta(d, svc, true);
	return d;
}

/* The flow's counters into its destination; res = the detectors'
 * verdicts (bit r = some detector returned enum det_result r). */
static void flow_to_dest(struct engine *e, struct flow *f, unsigned res)
{
	struct dest *d = engine_dest(e, f->name);
	if (!d) return;
	if (f->name_src >= NS_DNS) dest_add_host(d, f->name);
	if (!dnsc_forged(e->dnsc, &f->srv, NULL)) dest_add_ip(d, &f->srv);
	uint16_t p = f->ndpi_proto;
	if (p) {
		const char *label = ndpi_proto_label(e->ndpi, p);
		bool social = ndpi_proto_social(e->ndpi, p);
		if (label && strcmp(label, "Unknown") && strcmp(label, "TLS") &&
		    strcmp(label, "HTTP") && strcmp(label, "QUIC") && strcmp(label, "DNS"))
			dest_set_meta(d, label, social);
		else if (social)
			dest_set_meta(d, NULL, true);
	}
	uint64_t first = f->d[0].first_ts ? f->d[0].first_ts : f->d[1].first_ts;
	uint64_t last = f->d[0].last_ts > f->d[1].last_ts ? f->d[0].last_ts : f->d[1].last_ts;
	dest_seen(d, first);
	dest_seen(d, last);
	/* clean: the server answered and no detector saw interference (an
	 * unanswered QUIC flow is no more clean than an unanswered SYN) */
	if (!(res & 1u << DR_INTERFERED) && f->d[1].pkts) dest_clean_conn(d, first);
	if (f->proto != 6) {
		struct dest_udp *u = dest_udp(d);
		u->flows++;
		if (f->d[0].pkts && f->d[1].pkts) u->answered++;
		return;
	}
	struct dest_tcp *t = dest_tcp(d);
	t->connections++;
	if (f->established || (f->midstream && f->d[0].pkts && f->d[1].pkts)) t->established++;
	if (res & 1u << DR_GENUINE_RST) t->genuine_rst++;
	if (res & 1u << DR_REFUSED) t->refused++;
	if (res & 1u << DR_INCONCLUSIVE) t->inconclusive++;
	if (res & 1u << DR_ASYMMETRIC) t->asymmetric++;
}

/* DNS flows (UDP port 53) are transactions, not connections: no
 * destination, not counted as answered; detectors see them only when
 * they ask for DET_DNS.  Returns the class's bit number. */
static unsigned flow_class(const struct flow *f)
{
	if (f->proto == 6) return 0;                              /* DET_TCP */
	if (f->proto == 17) return f->cport == 53 || f->sport == 53 ? 4 : 1;
	return 3;                                                 /* DET_OTHER */
}

static void flow_end(void *ctx, struct flow *f)
{
	struct engine *e = ctx;
	unsigned cls = flow_class(f), res = 0;
	const struct det_hooks *h = &e->hooks;
	if (f->ndpi && !f->ndpi_done) {
		uint16_t p = ndpi_finish(e->ndpi, &f->ndpi);
		if (p) f->ndpi_proto = p;
		f->ndpi_done = true;
	}
	if (1u << cls != DET_DNS) {
		engine_flow_destination(e, f);
		if ((f->proto == 6 && f->synack_seen) || (f->proto == 17 && f->d[1].pkts))
			dest_set_answered(e->dt, ++e->answered_flows);
	}
	for (unsigned i = 0; i < h->nend[cls]; i++) {
		struct det_ctx *c = h->end[cls][i];
		res |= 1u << c->d->on_flow_end(c->st, c, f);
	}
	if (f->proto == 6 || (1u << cls == DET_UDP && (f->sport == 443 || attr_social_udp(e, f))))
		flow_to_dest(e, f, res);
	ndpi_flow_release(e->ndpi, f->ndpi);
	f->ndpi = NULL;
}

static uint64_t pkt_time(const struct pcap_pkthdr *h)
{
	if (h->ts.tv_sec < 0 || h->ts.tv_usec < 0) return 0;
	return (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)(h->ts.tv_usec % 1000000);
}

static void tick(struct engine *e)
{
	ft_expire(e->ft, e->now);
	for (unsigned i = 0; i < e->hooks.ntick; i++) {
		struct det_ctx *c = e->hooks.tick[i];
		c->d->on_tick(c->st, c, e->now);
	}
}

/* Tracking: the flow's counters; TCP's state machine and reassembly. */
static void track(struct engine *e, struct flow *f, int dir, const struct pkt *pk)
{
	if (pk->proto == 6) {
		tcp_track(f, dir, pk, e->o.reasm_bytes, e->bl);
	} else {
		struct flow_dir *d = &f->d[dir];
		d->pkts++;
		d->bytes += pk->wirelen;
		if (!d->first_ts) d->first_ts = pk->ts;
		d->last_ts = pk->ts;
	}
}

void engine_decode(int dlt, const struct pcap_pkthdr *h, const uint8_t *bytes,
                   struct engine_decoded *d)
{
	d->why = MAL_NONE;
	d->st = packet_decode(dlt, bytes, h->caplen, h->len, pkt_time(h), &d->pk, &d->why);
}

void engine_packet(struct engine *e, int dlt, const struct pcap_pkthdr *h,
                   const uint8_t *bytes)
{
	struct engine_decoded d;
	engine_decode(dlt, h, bytes, &d);
	engine_packet_decoded(e, dlt, h, bytes, &d);
}

void engine_packet_decoded(struct engine *e, int dlt, const struct pcap_pkthdr *h,
                           const uint8_t *bytes, struct engine_decoded *d)
{
	struct pkt *pk = &d->pk;
	enum mal_reason why = d->why;
	uint64_t ts = pkt_time(h);

	e->packets++;
	e->bytes += h->len;
	if (ts < e->now) e->time_backwards++;
	else e->now = ts;
	if (!e->start || ts < e->start) e->start = ts;
	if (ts > e->end) e->end = ts;

	e->cur_dlt = dlt;
	e->cur_h = h;
	e->cur_bytes = bytes;
	if (!ts) pk->ts = e->now;         /* no time: the latest packet's */
	int st = d->st;
	if (e->now >= e->next_tick) {
		tick(e);
		e->next_tick = e->now + TICK_US;
	}
	if (st == DIS_UNSUPPORTED && !pk->ipver) {
		if (why == MAL_NONE && pk->ethertype == 0xffff) e->unknown_dlt++;
		else e->non_ip++;
		return;
	}
	if (st == DIS_TRUNCATED && pk->l4_valid && (pk->proto == 6 || pk->proto == 17)) {
		/* cut by the snap length inside the TCP options or payload: the
		 * fixed header is there, which is all the tracking needs */
		e->truncated++;
	} else if (st != DIS_OK) {
		if (why != MAL_NONE && why < MAL_COUNT) e->malformed[why]++;
		e->malformed_total++;
		if (!pk->ipver || !pk->proto) return;
		/* a bad TCP option still leaves a usable header */
		if (!(pk->proto == 6 && why == MAL_TCP_OPT)) return;
	}
	if (pk->frag) {
		e->fragments++;
		if (!pk->frag_first) return;
	}
	struct flow *f = NULL;
	int dir = 0;
	if (pk->proto == 6 || pk->proto == 17) {
		if (pk->proto == 6) bl_prefetch(e->bl, &pk->src);   /* read by tcp_track() */
		f = ft_lookup(e->ft, pk, true, &dir);
		if (pk->proto == 6 && tcp_is_duplicate(f, dir, pk)) { e->duplicates++; return; }
		track(e, f, dir, pk);
		attr_packet(e, f, dir, pk);
	} else if (pk->proto == 1 || pk->proto == 58) {
		f = attr_icmp(e, pk, &dir);
	}
	unsigned cls = pk->proto == 6 ? 0 : pk->proto == 17 ? 1 :      /* DET_* bit */
	               (pk->proto == 1 || pk->proto == 58) ? 2 : 3;
	const struct det_hooks *hk = &e->hooks;
	for (unsigned i = 0; i < hk->npkt[cls]; i++) {
		struct det_ctx *c = hk->pkt[cls][i];
		c->d->on_packet(c->st, c, pk, f, dir);
	}
}

void engine_refused(struct engine *e, uint32_t wirelen)
{
	e->packets++;
	e->bytes += wirelen;
	e->unknown_dlt++;
}

void engine_advance(struct engine *e, uint64_t ts)
{
	if (ts <= e->now) return;
	e->now = ts;
	if (ts > e->end) e->end = ts;
	if (e->now >= e->next_tick) {
		tick(e);
		e->next_tick = e->now + TICK_US;
	}
}

void engine_finish(struct engine *e)
{
	tick(e);
	for (unsigned i = 0; i < e->ndet; i++)
		if (e->det[i].d->on_drain) e->det[i].d->on_drain(e->det[i].st, &e->det[i]);
	ft_flush(e->ft);
	for (unsigned i = 0; i < e->ndet; i++)
		if (e->det[i].d->on_finish) e->det[i].d->on_finish(e->det[i].st, &e->det[i]);
}

void engine_free(struct engine *e)
{
	if (!e) return;
	ft_free(e->ft);            /* runs flow_end: detectors still alive */
	for (unsigned i = 0; i < e->ndet; i++) {
		if (e->det[i].d->free) e->det[i].d->free(e->det[i].st);
		free(e->det[i].opt);
	}
	free(e->det);
	free(e->slot_types);
	hooks_free(&e->hooks);
	dest_free(e->dt);
	if (!e->o.shared_dnsc) dnsc_free(e->dnsc);
	bl_free(e->bl);
	inj_free(e->inj);
	targets_free(e->targets);
	ndpi_ctx_free(e->ndpi);
	free(e);
}

/* ---- events ---- */

void engine_keep_frame(struct engine *e, struct ev_frames **pf)
{
	if (!e->o.evidence_dir || !e->cur_h) return;
	evf_add(pf, e->cur_dlt, e->cur_h, e->cur_bytes, EVIDENCE_PKTS, EVIDENCE_BYTES);
}

static void write_evidence(struct engine *e, struct dest *d, const char *sig,
                           const struct ev_frames *fr, const char *cid)
{
	char err[256];
	if (!e->o.evidence_dir || !fr || !fr->n || !d) return;
	if (!dest_evidence_slot(d, sig, e->o.evidence_per_sig ? e->o.evidence_per_sig : 5)) return;
	if (evf_write(fr, e->o.evidence_dir, cid, err)) {
		if (!e->evidence_errors++) ts_err(e->o.evidence_dir, "%s", err);
		return;
	}
	e->evidence_files++;
}

/* The event's flow counters (JSON keys in sorted order). */
static void flow_counts(struct jw *w, const struct ev_tuple *t)
{
	jw_obj(w, "flow");
	if (t->has_counts) {
		jw_int(w, "bytes_toclient", (int64_t)t->bytes[1]);
		jw_int(w, "bytes_toserver", (int64_t)t->bytes[0]);
		jw_int(w, "pkts_toclient", (int64_t)t->pkts[1]);
		jw_int(w, "pkts_toserver", (int64_t)t->pkts[0]);
	}
	jw_end(w);
}

/* The evidence object: the report codes in evmask (true) and the
 * detector's details, which win on a shared key.  Consumes details. */
static json_t *event_evidence(uint32_t evmask, json_t *details)
{
	json_t *ev = json_object();
	for (unsigned i = 0; i < ev_count(); i++)
		if (evmask & (1u << i)) json_object_set_new(ev, evidence_name((int)i), json_true());
	if (details) json_object_update(ev, details);
	json_decref(details);
	return ev;
}

/* What an event line says besides its tuple and details. */
struct event_head {
	const char *destination, *signature, *service, *cid;
	int stage;
	double conf;
	uint64_t ts;
};

static const char *proto_name(uint8_t proto)
{
	return proto == 6 ? "TCP" : proto == 17 ? "UDP" : proto == 1 ? "ICMP" : "IPv6-ICMP";
}

/* One event as a JSON line (no newline), written by jsonw in key order;
 * the caller frees it.  Consumes details. */
static char *event_line(const struct event_head *h, const struct ev_tuple *t, uint32_t evmask,
                        json_t *details, size_t *len)
{
	char a[64], b[64];
	addr_str(&t->src, a, sizeof a);
	addr_str(&t->dst, b, sizeof b);
	json_t *ev = event_evidence(evmask, details);
	struct jw *w = jw_new_text(0, 0, 0, false);
	jw_obj(w, NULL);
	jw_str(w, "community_id", h->cid);
	jw_real(w, "confidence", h->conf);
	jw_str(w, "dest_ip", b);
	jw_int(w, "dest_port", t->dport);
	jw_str(w, "destination", h->destination);
	jw_str(w, "event_type", "tamper");
	jw_json(w, "evidence", ev);
	flow_counts(w, t);
	jw_str(w, "proto", proto_name(t->proto));
	jw_str(w, "service", h->service);
	jw_str(w, "signature", h->signature);
	jw_str(w, "src_ip", a);
	jw_int(w, "src_port", t->sport);
	jw_str(w, "stage", stage_name(h->stage));
	jw_time(w, "timestamp", h->ts);
	jw_end(w);
	json_decref(ev);
	return jw_take_text(w, len);
}

static void event_x(struct engine *e, const struct flow *f, const struct ev_tuple *t,
                    const char *destination, const char *signature, int stage, double conf,
                    const double *part, uint32_t evmask, uint64_t ts, json_t *details);

void engine_event(struct engine *e, const struct flow *f, const struct ev_tuple *t,
                  const char *destination, const char *signature, int stage,
                  double conf, uint32_t evmask, uint64_t ts, json_t *details)
{
	event_x(e, f, t, destination, signature, stage, conf, NULL, evmask, ts, details);
}

void engine_rep_event(struct engine *e, const struct ev_tuple *t, const char *destination,
                      const char *signature, int stage, double conf, double part,
                      uint32_t evmask, uint64_t ts, json_t *details)
{
	event_x(e, NULL, t, destination, signature, stage, conf, &part, evmask, ts, details);
}

/* One event; part (repetition signatures): the connection's own part of
 * the confidence, which is what the destination's signature keeps. */
static void event_x(struct engine *e, const struct flow *f, const struct ev_tuple *t,
                    const char *destination, const char *signature, int stage, double conf,
                    const double *part, uint32_t evmask, uint64_t ts, json_t *details)
{
	struct ev_tuple tu;
	char cid[64] = "";
	if (f) {
		det_tuple_of(&tu, f);
		t = &tu;
	}
	if (conf > 1) conf = 1;
	conf = (double)(int)(conf * 100 + 0.5) / 100;
	community_id_v1(&t->src, t->sport, &t->dst, t->dport, t->proto, 0, cid, sizeof cid);
	e->events++;
	struct dest *d = engine_dest(e, destination);
	if (d) {
		if (part) dest_rep_signature(d, signature, stage, *part, t->dport, evmask, ts, cid);
		else dest_signature(d, signature, stage, conf, evmask, ts, cid);
		write_evidence(e, d, signature, t->frames, cid);
		/* the numbers the detector declares as measurements */
		dest_signature_measures(d, signature, stage, details);
	}
	if (!e->o.events && !e->o.event_sink) { json_decref(details); return; }

	struct event_head h = { destination, signature, NULL, cid, stage, conf, ts };
	targets_match(e->targets, destination, &h.service);
	size_t n = 0;
	char *line = event_line(&h, t, evmask, details, &n);
	if (e->o.events) jsonw_line(e->o.events, line, n);   /* whole lines, even with workers */
	if (e->o.event_sink) e->o.event_sink(e->o.event_sink_ctx, line);
	free(line);
}
