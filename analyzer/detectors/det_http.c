/* det_http.c - http_injection: an HTTP response (block page, redirect)
 * that the server did not send (DESIGN.md section 2, "Injected data").
 *
 * Judged when the flow ends, on the server's first payload segment when
 * the server's stream starts with an HTTP status line:
 *   overlap_conflict  the server direction was later retransmitted with the
 *                     same sequence numbers and different bytes (strong)
 *   ttl_mismatch      its TTL is > 1 away from the server's SYN-ACK (strong),
 *                     unless the server's own ACK of the request came just
 *                     before it at its TTL (a proxy or load balancer
 *                     answered the handshake: the server is "rebased", and
 *                     the handshake's round trip gives no early_rst either)
 *   ipid_fixed        >= 1 later server packet reuses its non-zero IPv4 ID
 *                     while the SYN-ACK's differs: one device stamping a
 *                     constant ID (Sandvine PacketLogic 0x3412); genuine
 *                     stacks count, randomise or zero it (strong)
 *   early_rst         sooner after the request than half the vantage-to-
 *                     server round trip (medium; the code word is shared
 *                     with RSTs: "early")
 *   fingerprint       data/injectors.txt (weak)
 * Weak evidence alone is not an injection.  The status, Location and
 * <title> go into the event.
 *
 * A server stream that answers an HTTP request without a status line (a
 * block page sent as bare HTML, forged bytes that won the race) is judged
 * too, more strictly: no_status_line (weak) says only that it is no HTTP
 * response, and it is an injection only with overlap_conflict, or with
 * ttl_mismatch and one more difference from the server's SYN-ACK:
 *   df_mismatch       IPv4 DF bit unlike the SYN-ACK's (medium)
 *   tos_mismatch      DSCP (TOS / traffic class without the ECN bits, which
 *                     data packets set and a SYN-ACK does not) unlike the
 *                     SYN-ACK's (medium)
 */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "fingerprint.h"
#include "util.h"

/* Evidence codes; bit i of a mask = http_ev[i]. */
enum { EV_TTL_MISMATCH, EV_EARLY_RST, EV_FINGERPRINT, EV_IPID_MISMATCH,
       EV_OVERLAP_CONFLICT, EV_IPID_FIXED, EV_NO_STATUS_LINE, EV_DF_MISMATCH,
       EV_TOS_MISMATCH, EV_N };
static const struct det_evidence http_ev[] = {
	{ "ttl_mismatch", W_STRONG, "TTL > 1 away from the server's SYN-ACK" },
	{ "early_rst", W_MEDIUM, "sooner than half the vantage<->server round trip" },
	{ "fingerprint", W_WEAK, "a known injector pattern (data/injectors.txt)" },
	{ "ipid_mismatch", W_WEAK, "IPv4 ID breaks the server's pattern (unused)" },
	{ "overlap_conflict", W_STRONG, "retransmitted later with different bytes" },
	{ "ipid_fixed", W_STRONG, "later server packets reuse its constant IPv4 ID" },
	{ "no_status_line", W_WEAK, "the answer to an HTTP request is no HTTP response" },
	{ "df_mismatch", W_MEDIUM, "IPv4 DF bit unlike the server's SYN-ACK" },
	{ "tos_mismatch", W_MEDIUM, "DSCP unlike the server's SYN-ACK" },
};
_Static_assert(DET_N(http_ev) == EV_N, "http_ev and its enum differ");

#define WEAK ((1u << EV_FINGERPRINT) | (1u << EV_IPID_MISMATCH) | (1u << EV_NO_STATUS_LINE))

/* Per-flow slot: the server's SYN-ACK (DF, TOS) and first payload
 * segment (a block page or redirect would be it); made at the first of
 * them. */
struct http_flow {
	uint64_t ts;
	uint32_t seq, len;
	uint16_t ipid, win;
	uint8_t ttl, flags, tos;
	bool df;
	bool have_first;          /* the fields above are set         */
	bool synack;              /* syn_df, syn_tos are set          */
	bool syn_df;
	uint8_t syn_tos;
	uint16_t same_ipid;       /* later server packets, same ID    */
};

struct http_state {
	struct fingerprints *fp;
	uint64_t responses, injected;
	uint64_t hits[EV_N];
};

static void *http_init(struct det_ctx *c)
{
	struct http_state *s = xcalloc(1, sizeof *s);
	s->fp = fp_load(NULL);
	(void)c;
	return s;
}

static void http_free(void *st)
{
	struct http_state *s = st;
	if (!s) return;
	fp_free(s->fp);
	free(s);
}

/* The text of <title>...</title> in buf (case-insensitive), cleaned. */
static void find_title(const uint8_t *buf, size_t len, char *out, size_t outsz)
{
	out[0] = 0;
	for (size_t i = 0; i + 7 <= len; i++) {
		if (buf[i] != '<' || strncasecmp((const char *)buf + i, "<title>", 7)) continue;
		size_t s = i + 7, e = s;
		while (e < len && buf[e] != '<' && e - s < 200) e++;
		name_clean(buf + s, e - s, out, outsz);
		return;
	}
}

/* The server's non-RST packets: its first payload segment, and how many
 * later ones reuse that segment's IPv4 ID. */
static void http_on_packet(void *st, struct det_ctx *c, const struct pkt *pk,
                           const struct flow *f, int dir)
{
	(void)st;
	if (dir != 1 || (pk->tcp.flags & TH_RST)) return;
	struct http_flow *h = det_flow_state(c, f);
	if ((pk->tcp.flags & TH_SYN) && (pk->tcp.flags & TH_ACK)) {
		if (!h) h = det_flow_state_new(c, f);
		if (!h->synack) {
			h->synack = true;
			h->syn_df = pk->df;
			h->syn_tos = pk->tos;
		}
		return;
	}
	if (h && h->have_first) {
		/* another packet with its ID: not a copy of the response itself
		 * (same seq: a retransmission, or a capture duplicate the dedup
		 * ring no longer held) */
		if (pk->ipver == 4 && pk->ipid && pk->ipid == h->ipid && pk->tcp.seq != h->seq)
			h->same_ipid++;
		return;
	}
	if (!pk->paylen_wire) return;
	if (!h) h = det_flow_state_new(c, f);
	h->have_first = true;
	h->ts = pk->ts;
	h->seq = pk->tcp.seq;
	h->len = pk->paylen_wire;
	h->ipid = pk->ipid;
	h->win = pk->tcp.win;
	h->ttl = pk->ttl;
	h->flags = pk->tcp.flags;
	h->df = pk->df;
	h->tos = pk->tos;
}

static uint32_t evidence(struct http_state *s, const struct flow *f, const struct http_flow *sd)
{
	uint32_t m = 0;
	const struct reasm *ra = &f->d[1].ra;
	if (ra->conflict) m |= 1u << EV_OVERLAP_CONFLICT;
	if (f->synack_ttl && !f->srv_rebased) {
		int d = (int)sd->ttl - (int)f->synack_ttl;
		if (d > 1 || d < -1) m |= 1u << EV_TTL_MISMATCH;
	}
	if (f->srv.family == 4 && sd->ipid && sd->same_ipid >= 1 &&
	    f->synack_ts && f->synack_ipid != sd->ipid)
		m |= 1u << EV_IPID_FIXED;
	uint64_t delay = sd->ts >= f->first_data_ts ? sd->ts - f->first_data_ts : 0;
	/* the handshake's round trip is the front end's when the server
	 * was rebased: it says nothing of how fast the real server answers */
	if (!f->srv_rebased && f->rtt_srv_us >= 1000 && f->rtt_srv_us > 4ull * f->rtt_cli_us &&
	    delay * 2 < f->rtt_srv_us)
		m |= 1u << EV_EARLY_RST;
	struct fp_pkt fp = { sd->flags, sd->ttl, sd->df,
	                     f->srv.family == 4, sd->ipid, sd->win };
	if (fp_match(s->fp, &fp)) m |= 1u << EV_FINGERPRINT;
	return m;
}

/* A server stream without a status line: what else differs from the
 * server's SYN-ACK (IPv4 DF; DSCP, the ECN bits left out). */
static uint32_t shape_evidence(const struct flow *f, const struct http_flow *sd)
{
	uint32_t m = 1u << EV_NO_STATUS_LINE;
	if (!sd->synack || f->srv_rebased) return m;
	if (f->srv.family == 4 && sd->df != sd->syn_df) m |= 1u << EV_DF_MISMATCH;
	if ((sd->tos >> 2) != (sd->syn_tos >> 2)) m |= 1u << EV_TOS_MISMATCH;
	return m;
}

/* Is a stream without a status line an injection?  Its evidence m.  A
 * conflict counts inside the server's first segment only (the race for
 * the first answer; det_tcpinj.c). */
static bool no_status_injected(uint32_t m, const struct flow *f)
{
	if ((m & (1u << EV_OVERLAP_CONFLICT)) && f->d[1].ra.conflict_off < f->srv_first_len)
		return true;
	return (m & (1u << EV_TTL_MISMATCH)) &&
	       (m & ((1u << EV_DF_MISMATCH) | (1u << EV_TOS_MISMATCH)));
}

static json_t *http_details(const struct flow *f, const struct http_flow *sd, int status,
                            const struct strview *loc)
{
	const struct reasm *ra = &f->d[1].ra;
	char where[512] = "", title[256];
	if (loc->len) name_clean(loc->p, loc->len, where, sizeof where);
	find_title(ra->buf, ra->contig, title, sizeof title);
	json_t *det = json_object();
	json_object_set_new(det, "status", status ? json_integer(status) : json_null());
	json_object_set_new(det, "location", where[0] ? json_string(where) : json_null());
	json_object_set_new(det, "title", title[0] ? json_string(title) : json_null());
	json_object_set_new(det, "ttl", json_integer(sd->ttl));
	json_object_set_new(det, "synack_ttl", json_integer(f->synack_ttl));
	json_object_set_new(det, "ipid", json_integer(sd->ipid));
	json_object_set_new(det, "synack_ipid", json_integer(f->synack_ipid));
	json_object_set_new(det, "same_ipid_packets", json_integer(sd->same_ipid));
	json_object_set_new(det, "fin", json_boolean(sd->flags & TH_FIN));
	json_object_set_new(det, "seq", json_integer(sd->seq));
	json_object_set_new(det, "delay_us", json_integer((json_int_t)(sd->ts - f->first_data_ts)));
	if (ra->conflict) json_object_set_new(det, "conflict_offset", json_integer(ra->conflict_off));
	if (!status) {
		char head[64];
		name_clean(ra->buf, ra->contig < 24 ? ra->contig : 24, head, sizeof head);
		json_object_set_new(det, "head", json_string(head));
		json_object_set_new(det, "ip_df", json_boolean(sd->df));
		json_object_set_new(det, "ip_tos", json_integer(sd->tos));
		if (sd->synack) {
			json_object_set_new(det, "synack_df", json_boolean(sd->syn_df));
			json_object_set_new(det, "synack_tos", json_integer(sd->syn_tos));
		}
	}
	return det;
}

static enum det_result http_flow_end(void *st, struct det_ctx *c, const struct flow *f)
{
	struct http_state *s = st;
	const struct reasm *ra = &f->d[1].ra;
	const struct http_flow *sd = det_flow_state(c, f);
	int status = 0;
	struct strview loc = { 0 };
	/* the server's side is judged as the answer to an HTTP request (the
	 * first bytes of every server stream are kept for tcp_injection) */
	if (!sd || !sd->have_first || !f->http_req || !f->first_data_ts || !ra->buf || !ra->contig)
		return DR_NOTHING;
	int st2 = http_response_parse(ra->buf, ra->contig, &status, &loc);
	uint32_t m;
	if ((st2 != DIS_OK && st2 != DIS_TRUNCATED) || !status) {
		/* no HTTP response: judged only on a stream that starts where
		 * the SYN-ACK said */
		status = 0;
		loc = (struct strview){ 0 };
		if (f->midstream || !f->synack_ts) return DR_NOTHING;
		m = evidence(s, f, sd) | shape_evidence(f, sd);
		if (!no_status_injected(m, f)) return DR_NOTHING;
	} else {
		s->responses++;
		m = evidence(s, f, sd);
		if (!(m & ~WEAK)) return DR_NOTHING;
	}
	s->injected++;
	for (unsigned k = 0; k < EV_N; k++)
		if (m & (1u << k)) s->hits[k]++;
	struct inj_obs ob = { 'h', sd->flags, 0, sd->ipid, f->srv.family == 4,
	                      sd->ttl, f->synack_ttl, sd->ts, f->name, f->hash };
	det_note_injector(c, &ob);
	int stage = f->stage >= ST_LATER && f->d[0].data_pkts > 1 ? ST_LATER : ST_POST_PSH;
	struct det_event ev = { .flow = f, .destination = f->name, .stage = stage,
	                        .conf = det_confidence(c, m), .evidence = m, .ts = sd->ts,
	                        .details = http_details(f, sd, status, &loc) };
	det_emit(c, &ev);
	return DR_INTERFERED;
}

static json_t *http_stats(void *st)
{
	struct http_state *s = st;
	json_t *o = json_object(), *h = json_object();
	json_object_set_new(o, "responses", json_integer((json_int_t)s->responses));
	json_object_set_new(o, "injected", json_integer((json_int_t)s->injected));
	for (unsigned k = 0; k < EV_N; k++)
		if (s->hits[k]) json_object_set_new(h, http_ev[k].code, json_integer((json_int_t)s->hits[k]));
	json_object_set_new(o, "evidence_hits", h);
	return o;
}

const struct detector det_http_injection = {
	.name = "http_injection",
	.desc = "HTTP responses (block pages, redirects) or other answers to an HTTP request the server did not send",
	.colour = "#1f77b4",
	.packets = DET_TCP,
	.flows = DET_TCP,
	.flow_state = sizeof(struct http_flow),
	.ev = http_ev, .nev = DET_N(http_ev),
	.init = http_init,
	.on_packet = http_on_packet,
	.on_flow_end = http_flow_end,
	.free = http_free,
	.stats = http_stats,
};
