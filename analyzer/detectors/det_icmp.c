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

/* Evidence codes; bit i of a mask = icmp_ev[i]. */
enum { EV_ICMP_PROHIBITED, EV_OFF_PATH_SOURCE, EV_N };
static const struct det_evidence icmp_ev[] = {
	{ "icmp_prohibited", W_STRONG, "an ICMP error saying administratively prohibited" },
	{ "off_path_source", W_MEDIUM, "sent by an address other than the destination" },
};
_Static_assert(DET_N(icmp_ev) == EV_N, "icmp_ev and its enum differ");

/* Per-flow slot: made when a prohibited-ICMP event names the flow. */
struct icmp_flow { bool reported, refused; };

struct icmp_state { uint64_t seen, events, refused; };

static bool prohibited(const struct pkt *pk)
{
	const struct icmp_meta *m = &pk->icmp;
	if (pk->proto == 1) return m->type == 3 && (m->code == 9 || m->code == 10 || m->code == 13);
	return m->type == 1 && (m->code == 1 || m->code == 5 || m->code == 6);
}

static void *icmp_init(struct det_ctx *c)
{
	(void)c;
	return xcalloc(1, sizeof(struct icmp_state));
}

static json_t *icmp_details(const struct pkt *pk)
{
	const struct icmp_meta *m = &pk->icmp;
	char from[64];
	addr_str(&pk->src, from, sizeof from);
	json_t *det = json_object();
	json_object_set_new(det, "icmp_type", json_integer(m->type));
	json_object_set_new(det, "icmp_code", json_integer(m->code));
	json_object_set_new(det, "icmp_from", json_string(from));
	json_object_set_new(det, "icmp_ttl", json_integer(pk->ttl));
	return det;
}

/* f = the flow the ICMP error quotes (attribution linked it), or NULL. */
static void icmp_on_packet(void *st, struct det_ctx *c, const struct pkt *pk,
                           const struct flow *f, int dir)
{
	struct icmp_state *s = st;
	const struct icmp_meta *m = &pk->icmp;
	(void)dir;
	if (!m->quoted || !prohibited(pk)) return;
	s->seen++;
	struct icmp_flow *fl = f ? det_flow_state(c, f) : NULL;
	if (fl && fl->reported) return;            /* one event per flow */
	/* from the destination itself: its own firewall refusing the port
	 * (iptables REJECT --reject-with icmp-admin-prohibited), no more a
	 * censor than a RST from a closed port is */
	if (addr_eq(&pk->src, &m->idst)) {
		s->refused++;
		if (f) {
			if (!fl) fl = det_flow_state_new(c, f);
			fl->refused = true;
		}
		return;
	}
	char name[256];
	const char *dn = f ? det_flow_name(c, f) : det_addr_name(c, &m->idst, pk->ts);
	if (dn) snprintf(name, sizeof name, "%s", dn);
	else addr_str(&m->idst, name, sizeof name);
	uint32_t mask = 1u << EV_ICMP_PROHIBITED;
	if (!addr_eq(&pk->src, &m->idst)) mask |= 1u << EV_OFF_PATH_SOURCE;
	struct det_event ev = {
		.flow = f, .destination = name,
		.tuple = { .src = m->isrc, .dst = m->idst, .sport = m->isport,
		           .dport = m->idport, .proto = m->iproto },
		.stage = f && f->proto == 6 && f->synack_seen && f->stage ? f->stage : ST_POST_SYN,
		.conf = det_confidence(c, mask), .evidence = mask, .ts = pk->ts,
		.details = icmp_details(pk), .with_packet = true,
	};
	if (f) {
		if (!fl) fl = det_flow_state_new(c, f);
		fl->reported = true;
	}
	det_emit(c, &ev);
	s->events++;
}

/* A flow with a prohibited-ICMP event was interfered with; one the
 * destination itself refused was refused. */
static enum det_result icmp_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	const struct icmp_flow *fl = det_flow_state(c, f);
	(void)st;
	if (!fl) return DR_NOTHING;
	return fl->reported ? DR_INTERFERED : fl->refused ? DR_REFUSED : DR_NOTHING;
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
	.desc = "ICMP administratively-prohibited answering a SYN, Initial or query",
	.colour = "#bcbd22",
	.packets = DET_ICMP,
	.flows = DET_TCP | DET_UDP,
	.flow_state = sizeof(struct icmp_flow),
	.ev = icmp_ev, .nev = DET_N(icmp_ev),
	.init = icmp_init,
	.on_packet = icmp_on_packet,
	.on_flow_end = icmp_flow_end,
	.free = icmp_free,
	.stats = icmp_stats,
};
