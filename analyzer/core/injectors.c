/* injectors.c - cluster the packets detectors judged injected into
 * injector fingerprints.
 *
 * Observations are kept (bounded) and clustered when the report is built.
 * Key: kind, TCP flags, window (RSTs), and the IPv4 ID when that exact
 * value recurs among injected packets (a device stamping a constant ID,
 * e.g. 0x3412), else "varies"; an ID equal to -1 - 13 x window (GFW type
 * 2) is one pattern whatever the window.  TTL is not part of the key (the GFW
 * randomises it); each cluster reports its TTL range and, when the range
 * is tight (<= 2), a hop distance: the nearest common initial TTL (32, 64,
 * 128, 255) at or above the observed one, minus the observed one.  That
 * estimate assumes the injector starts from a common initial TTL and that
 * the path is symmetric; an injector that copies or randomises TTLs gives
 * no estimate (null).  The impersonated server's distance is estimated the
 * same way from its own packets, for comparison.
 */
#include <stdlib.h>
#include <string.h>
#include "injectors.h"
#include "tunables.h"
#include "util.h"

struct obs {
	struct inj_obs o;
	char dest[128];
};

struct injectors {
	struct obs *v;
	unsigned n, max;
	uint64_t dropped;
};

struct injectors *inj_new(unsigned max_obs)
{
	struct injectors *t = xcalloc(1, sizeof *t);
	t->max = max_obs ? max_obs : 4096;
	return t;
}

void inj_free(struct injectors *t)
{
	if (!t) return;
	free(t->v);
	free(t);
}

void inj_note(struct injectors *t, const struct inj_obs *o)
{
	if (t->n >= t->max) { t->dropped++; return; }
	if (!t->v) t->v = xcalloc(t->max, sizeof *t->v);
	struct obs *x = &t->v[t->n++];
	x->o = *o;
	snprintf(x->dest, sizeof x->dest, "%s", o->destination ? o->destination : "?");
	x->o.destination = NULL;
}

static int initial_ttl(int ttl)
{
	static const int init[] = { 32, 64, 128, 255 };
	for (int i = 0; i < 4; i++)
		if (ttl <= init[i]) return init[i];
	return 255;
}

struct cluster {
	char kind;
	uint8_t flags;
	uint16_t win;
	int ipid;                    /* -1 varies */
	unsigned events;
	uint8_t ttl_min, ttl_max;
	unsigned ttl_hist[256];
	unsigned peer_n;
	unsigned peer_hops_sum;
	char *dests[INJ_MAX_DESTS];
	unsigned ndest, ndest_more;
	uint64_t first, last;
};

/* Does this window value recur in another connection's injected packets? */
static bool win_recurs(const struct injectors *t, const struct inj_obs *o)
{
	for (unsigned i = 0; i < t->n; i++) {
		const struct inj_obs *x = &t->v[i].o;
		if (x->kind == o->kind && x->win == o->win && x->flow != o->flow) return true;
	}
	return false;
}

/* In how many connections, and how often in this one, does ID recur? */
static unsigned ipid_flows(const struct injectors *t, const struct inj_obs *o, unsigned *same_flow)
{
	unsigned n = 0;
	uint64_t first_other = 0;
	bool other2 = false;
	*same_flow = 0;
	for (unsigned i = 0; i < t->n; i++) {
		const struct inj_obs *x = &t->v[i].o;
		if (!x->v4 || x->ipid != o->ipid) continue;
		if (x->flow == o->flow) { (*same_flow)++; continue; }
		if (!first_other) first_other = x->flow;
		else if (x->flow != first_other) other2 = true;
	}
	n = 1 + (first_other != 0) + other2;
	return n;
}

static void add_dest(struct cluster *c, const char *d)
{
	for (unsigned i = 0; i < c->ndest; i++)
		if (!strcmp(c->dests[i], d)) return;
	if (c->ndest < INJ_MAX_DESTS) c->dests[c->ndest++] = xstrdup(d);
	else c->ndest_more++;
}

static void flags_str(uint8_t f, char *b)
{
	static const char n[] = "FSRPAUEC";
	int o = 0;
	for (int i = 0; i < 8; i++)
		if (f & (1 << i)) b[o++] = n[i];
	b[o] = 0;
}

static int cl_cmp(const void *a, const void *b)
{
	const struct cluster *x = a, *y = b;
	return x->events < y->events ? 1 : x->events > y->events ? -1 : 0;
}

json_t *inj_json(const struct injectors *t)
{
	struct cluster *cl = xcalloc(INJ_MAX_CLUSTERS, sizeof *cl);
	unsigned ncl = 0;
	for (unsigned i = 0; i < t->n; i++) {
		const struct inj_obs *o = &t->v[i].o;
		/* the exact ID when it recurs across connections (a device
		 * constant); -3 when it only repeats within one burst */
		unsigned same = 0;
		unsigned nfl = o->v4 && o->ipid ? ipid_flows(t, o, &same) : 0;
		int ipid = nfl >= 2 ? o->ipid : (same >= 2 ? -3 : -1);
		/* window: part of the key when it is a constant (recurs across
		 * connections, e.g. 1980-1982); 0xffff stands for "varies" */
		uint16_t win = o->kind != 'r' ? 0 : win_recurs(t, o) ? o->win : 0xffff;
		if (ipid == -3 && win == 0xffff) win = 0xffff;
		/* GFW type 2 derives the ID from the window: one pattern */
		if (o->kind == 'r' && o->v4 && o->ipid == (uint16_t)(0xffffu - (uint32_t)o->win * 13u)) {
			ipid = -2;
			win = 0;
		}
		struct cluster *c = NULL;
		for (unsigned k = 0; k < ncl && !c; k++)
			if (cl[k].kind == o->kind && cl[k].flags == o->flags && cl[k].win == win &&
			    cl[k].ipid == ipid)
				c = &cl[k];
		if (!c) {
			if (ncl >= INJ_MAX_CLUSTERS) continue;
			c = &cl[ncl++];
			c->kind = o->kind; c->flags = o->flags; c->win = win; c->ipid = ipid;
			c->ttl_min = 255; c->ttl_max = 0;
		}
		c->events++;
		if (o->ttl < c->ttl_min) c->ttl_min = o->ttl;
		if (o->ttl > c->ttl_max) c->ttl_max = o->ttl;
		c->ttl_hist[o->ttl]++;
		if (o->peer_ttl) {
			c->peer_n++;
			c->peer_hops_sum += (unsigned)(initial_ttl(o->peer_ttl) - o->peer_ttl);
		}
		if (!c->first || o->ts < c->first) c->first = o->ts;
		if (o->ts > c->last) c->last = o->ts;
		add_dest(c, t->v[i].dest);
	}
	qsort(cl, ncl, sizeof *cl, cl_cmp);
	json_t *a = json_array();
	for (unsigned k = 0; k < ncl; k++) {
		struct cluster *c = &cl[k];
		json_t *o = json_object(), *p = json_object(), *ds = json_array();
		char id[16], fl[12];
		unsigned mode = 0;
		for (unsigned v = 0; v < 256; v++)
			if (c->ttl_hist[v] > c->ttl_hist[mode]) mode = v;
		snprintf(id, sizeof id, "inj-%u", k + 1);
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "kind", json_string(c->kind == 'r' ? "rst" :
		                                           c->kind == 'h' ? "http_response" : "dns_answer"));
		if (c->kind == 'd') {
			json_object_set_new(p, "rcode", json_integer(c->flags));
		} else {
			flags_str(c->flags, fl);
			json_object_set_new(p, "tcp_flags", json_string(fl));
		}
		if (c->kind == 'r' && c->ipid != -2)
			json_object_set_new(p, "window", c->win == 0xffff ? json_string("varies")
			                                                  : json_integer(c->win));
		json_object_set_new(p, "ipid", c->ipid >= 0 ? json_integer(c->ipid) :
		                               json_string(c->ipid == -2 ? "-1-13*window" :
		                                           c->ipid == -3 ? "same within burst" : "varies"));
		json_object_set_new(p, "ttl_min", json_integer(c->ttl_min));
		json_object_set_new(p, "ttl_max", json_integer(c->ttl_max));
		json_object_set_new(p, "ttl_mode", json_integer(mode));
		json_object_set_new(o, "pattern", p);
		for (unsigned i = 0; i < c->ndest; i++) {
			json_array_append_new(ds, json_string(c->dests[i]));
			free(c->dests[i]);
		}
		json_object_set_new(o, "destinations", ds);
		json_object_set_new(o, "destination_count", json_integer(c->ndest + c->ndest_more));
		json_object_set_new(o, "events", json_integer(c->events));
		bool tight = c->ttl_max - c->ttl_min <= 2;
		json_object_set_new(o, "hop_distance",
		                    tight ? json_integer(initial_ttl((int)mode) - (int)mode) : json_null());
		json_object_set_new(o, "server_hop_distance",
		                    c->peer_n ? json_integer((c->peer_hops_sum + c->peer_n / 2) / c->peer_n)
		                              : json_null());
		json_object_set_new(o, "first_seen", json_time(c->first));
		json_object_set_new(o, "last_seen", json_time(c->last));
		json_array_append_new(a, o);
	}
	free(cl);
	return a;
}
