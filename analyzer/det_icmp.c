/* det_icmp.c - icmp_prohibited: ICMP/ICMPv6 "administratively prohibited"
 * answering a client's SYN, QUIC Initial or DNS query.
 *
 * Codes: ICMPv4 type 3 codes 9, 10 (net/host prohibited) and 13
 * (communication administratively prohibited, RFC 1812); ICMPv6 type 1
 * codes 1 (administratively prohibited), 5 (source address failed
 * policy), 6 (reject route) (RFC 4443).  The quoted header names the flow;
 * it never creates one.  One event per quoted flow, at the ICMP's arrival.
 * Evidence: icmp_prohibited (strong: a device says it is blocking), plus
 * off_path_source (medium) when the ICMP comes from an address other than
 * the blocked destination (a middlebox on the path).  An ICMP from the
 * destination itself is its own firewall refusing: the flow is refused,
 * no event.
 */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "util.h"

struct icmp_state { uint64_t seen, events, refused; };

static bool prohibited(const struct pkt *pk)
{
	const struct icmp_meta *m = &pk->icmp;
	if (pk->proto == 1) return m->type == 3 && (m->code == 9 || m->code == 10 || m->code == 13);
	return m->type == 1 && (m->code == 1 || m->code == 5 || m->code == 6);
}

static void *icmp_init(struct engine *e)
{
	(void)e;
	return xcalloc(1, sizeof(struct icmp_state));
}

static void icmp_on_packet(void *st, struct engine *e, const struct pkt *pk,
                           struct flow *unused, int dir)
{
	struct icmp_state *s = st;
	const struct icmp_meta *m = &pk->icmp;
	(void)unused; (void)dir;
	if ((pk->proto != 1 && pk->proto != 58) || !m->quoted || !prohibited(pk)) return;
	s->seen++;
	int fdir = 0;
	struct flow *f = ft_find(e->ft, m->iproto, &m->isrc, m->isport, &m->idst, m->idport, &fdir);
	/* from the destination itself: its own firewall refusing the port
	 * (iptables REJECT --reject-with icmp-admin-prohibited), no more a
	 * censor than a RST from a closed port is */
	if (addr_eq(&pk->src, &m->idst)) {
		s->refused++;
		if (f) f->out_refused = true;
		return;
	}
	if (f && f->icmp_count > 1) return;            /* already reported */
	char name[256];
	const char *dn = f ? engine_flow_destination(e, f) : dnsc_get(e->dnsc, &m->idst, pk->ts);
	if (dn) snprintf(name, sizeof name, "%s", dn);
	else addr_str(&m->idst, name, sizeof name);
	uint32_t mask = 1u << EV_ICMP_PROHIBITED;
	if (!addr_eq(&pk->src, &m->idst)) mask |= 1u << EV_OFF_PATH_SOURCE;
	char from[64];
	addr_str(&pk->src, from, sizeof from);
	json_t *det = json_object();
	json_object_set_new(det, "icmp_type", json_integer(m->type));
	json_object_set_new(det, "icmp_code", json_integer(m->code));
	json_object_set_new(det, "icmp_from", json_string(from));
	json_object_set_new(det, "icmp_ttl", json_integer(pk->ttl));
	struct ev_tuple t = { .src = m->isrc, .dst = m->idst, .sport = m->isport,
	                      .dport = m->idport, .proto = m->iproto };
	int stage = f && f->proto == 6 && f->synack_seen && f->stage ? f->stage : ST_POST_SYN;
	struct ev_frames *own = NULL;        /* --evidence: the ICMP itself too */
	engine_keep_frame(e, f ? &f->evidence : &own);
	t.frames = own;
	if (f) f->out_interfered = true;
	engine_event(e, f, f ? NULL : &t, name, "icmp_prohibited", stage,
	             confidence_of(mask), mask, pk->ts, det);
	evf_free(own);
	s->events++;
}

static void icmp_free(void *st) { free(st); }

static json_t *icmp_stats(void *st)
{
	struct icmp_state *s = st;
	json_t *o = json_object();
	json_object_set_new(o, "prohibited_seen", json_integer((json_int_t)s->seen));
	json_object_set_new(o, "events", json_integer((json_int_t)s->events));
	json_object_set_new(o, "refused_by_destination", json_integer((json_int_t)s->refused));
	return o;
}

const struct detector det_icmp_prohibited = {
	.name = "icmp_prohibited",
	.init = icmp_init,
	.on_packet = icmp_on_packet,
	.packets = DET_ICMP,
	.free = icmp_free,
	.stats = icmp_stats,
};
