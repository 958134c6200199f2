/* det_tcpinj.c - tcp_injection: data the server did not send, on a TCP
 * stream that is not HTTP (DESIGN.md section 2, "Injected data"; HTTP
 * streams are det_http's, which reports the same evidence as
 * http_injection).
 *
 *   overlap_conflict  the server's first bytes (tcp_track.c reassembles
 *                     the first KiB of every server stream) arrived twice
 *                     at the same sequence numbers with different content:
 *                     one of the two copies was forged (Quantum Insert and
 *                     other races; Zeek's rexmit_inconsistency, Suricata's
 *                     reassembly_overlap_different_data) (strong)
 *
 * Only a conflict inside the first segment the server's side sent counts:
 * an injector races the server's first answer (its forged copy arrives
 * first, the real one after it, or the other way round).  Conflicts deep
 * in a stream come from broken middleboxes and tunnels too
 * (whatsapp_voice_and_message.pcap: an OpenVPN client's server resends
 * 169 bytes over 18 it had sent, 600 bytes into the stream).
 * A capture duplicate is dropped before tracking, and an ordinary
 * retransmission repeats the same bytes: neither is a conflict.  A
 * keep-alive probe (one byte below the next seq, any content) is not
 * compared.  Judged when the flow ends, on flows seen from their SYN.
 */
#include <stdlib.h>
#include "detector.h"
#include "util.h"

enum { EV_OVERLAP_CONFLICT, EV_N };
static const struct det_evidence ti_ev[] = {
	{ "overlap_conflict", W_STRONG, "retransmitted later with different bytes" },
};
_Static_assert(DET_N(ti_ev) == EV_N, "ti_ev and its enum differ");

struct ti_state { uint64_t events; };

static void *ti_init(struct det_ctx *c)
{
	(void)c;
	return xcalloc(1, sizeof(struct ti_state));
}

static void ti_free(void *st) { free(st); }

static enum det_result ti_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct ti_state *s = st;
	const struct reasm *ra = &f->d[1].ra;
	/* HTTP streams: http_injection; mid-stream flows: no known start */
	if (!ra->conflict || f->http_req || f->midstream || !f->synack_ts) return DR_NOTHING;
	if (ra->base != f->d[1].isn + 1 || ra->conflict_off >= f->srv_first_len) return DR_NOTHING;
	uint32_t m = 1u << EV_OVERLAP_CONFLICT;
	json_t *det = json_object();
	json_object_set_new(det, "conflict_offset", json_integer(ra->conflict_off));
	json_object_set_new(det, "synack_ttl", json_integer(f->synack_ttl));
	json_object_set_new(det, "delay_us", json_integer((json_int_t)(
		f->first_data_ts && ra->conflict_ts >= f->first_data_ts ? ra->conflict_ts - f->first_data_ts : 0)));
	int stage = !f->first_data_ts ? ST_POST_ACK
	            : f->stage >= ST_LATER && f->d[0].data_pkts > 1 ? ST_LATER : ST_POST_PSH;
	struct det_event ev = { .flow = f, .destination = f->name, .stage = stage,
	                        .conf = det_confidence(c, m), .evidence = m,
	                        .ts = ra->conflict_ts, .details = det };
	det_emit(c, &ev);
	s->events++;
	return DR_INTERFERED;
}

static json_t *ti_stats(void *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "events", json_integer((json_int_t)((struct ti_state *)st)->events));
	return o;
}

const struct detector det_tcp_injection = {
	.name = "tcp_injection",
	.desc = "data the server did not send on a non-HTTP TCP stream (different bytes at one seq)",
	.colour = "#17becf",
	.flows = DET_TCP,
	.ev = ti_ev, .nev = DET_N(ti_ev),
	.init = ti_init,
	.on_flow_end = ti_flow_end,
	.free = ti_free,
	.stats = ti_stats,
};
