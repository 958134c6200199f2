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
 */
#include <stdlib.h>
#include <string.h>
#include "detector.h"
#include "fingerprint.h"
#include "util.h"

#define WEAK ((1u << EV_FINGERPRINT) | (1u << EV_IPID_MISMATCH))

struct http_state {
	struct fingerprints *fp;
	uint64_t responses, injected;
	uint64_t hits[EV_COUNT];
};

static void *http_init(struct engine *e)
{
	struct http_state *s = xcalloc(1, sizeof *s);
	s->fp = fp_load(NULL);
	(void)e;
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

static uint32_t evidence(struct http_state *s, const struct flow *f)
{
	uint32_t m = 0;
	const struct reasm *ra = &f->d[1].ra;
	if (ra->conflict) m |= 1u << EV_OVERLAP_CONFLICT;
	if (f->synack_ttl && !f->srv_data.rebased) {
		int d = (int)f->srv_data.ttl - (int)f->synack_ttl;
		if (d > 1 || d < -1) m |= 1u << EV_TTL_MISMATCH;
	}
	if (f->srv.family == 4 && f->srv_data.ipid && f->srv_data.same_ipid >= 1 &&
	    f->synack_ts && f->synack_ipid != f->srv_data.ipid)
		m |= 1u << EV_IPID_FIXED;
	uint64_t delay = f->srv_data.ts >= f->first_data_ts ? f->srv_data.ts - f->first_data_ts : 0;
	/* the handshake's round trip is the front end's when the server
	 * was rebased: it says nothing of how fast the real server answers */
	if (!f->srv_data.rebased && f->rtt_srv_us >= 1000 && f->rtt_srv_us > 4ull * f->rtt_cli_us &&
	    delay * 2 < f->rtt_srv_us)
		m |= 1u << EV_EARLY_RST;
	struct fp_pkt fp = { f->srv_data.flags, f->srv_data.ttl, f->srv_data.df,
	                     f->srv.family == 4, f->srv_data.ipid, f->srv_data.win };
	if (fp_match(s->fp, &fp)) m |= 1u << EV_FINGERPRINT;
	return m;
}

static void http_flow_end(void *st, struct engine *e, struct flow *f)
{
	struct http_state *s = st;
	const struct reasm *ra = &f->d[1].ra;
	int status = 0;
	struct strview loc = { 0 };
	if (f->proto != 6 || !f->srv_data.set || !f->first_data_ts || !ra->buf || !ra->contig)
		return;
	int st2 = http_response_parse(ra->buf, ra->contig, &status, &loc);
	if ((st2 != DIS_OK && st2 != DIS_TRUNCATED) || !status) return;
	s->responses++;
	uint32_t m = evidence(s, f);
	if (!(m & ~WEAK)) return;
	s->injected++;
	for (int k = 0; k < EV_COUNT; k++)
		if (m & (1u << k)) s->hits[k]++;
	f->out_interfered = true;
	struct inj_obs ob = { 'h', f->srv_data.flags, 0, f->srv_data.ipid, f->srv.family == 4,
	                      f->srv_data.ttl, f->synack_ttl, f->srv_data.ts, f->name, f->hash };
	inj_note(e->inj, &ob);

	char where[512] = "", title[256];
	if (loc.len) name_clean(loc.p, loc.len, where, sizeof where);
	find_title(ra->buf, ra->contig, title, sizeof title);
	json_t *det = json_object();
	json_object_set_new(det, "status", json_integer(status));
	json_object_set_new(det, "location", where[0] ? json_string(where) : json_null());
	json_object_set_new(det, "title", title[0] ? json_string(title) : json_null());
	json_object_set_new(det, "ttl", json_integer(f->srv_data.ttl));
	json_object_set_new(det, "synack_ttl", json_integer(f->synack_ttl));
	json_object_set_new(det, "ipid", json_integer(f->srv_data.ipid));
	json_object_set_new(det, "synack_ipid", json_integer(f->synack_ipid));
	json_object_set_new(det, "same_ipid_packets", json_integer(f->srv_data.same_ipid));
	json_object_set_new(det, "fin", json_boolean(f->srv_data.flags & TH_FIN));
	json_object_set_new(det, "seq", json_integer(f->srv_data.seq));
	json_object_set_new(det, "delay_us", json_integer((json_int_t)(f->srv_data.ts - f->first_data_ts)));
	if (ra->conflict) json_object_set_new(det, "conflict_offset", json_integer(ra->conflict_off));
	int stage = f->stage >= ST_LATER && f->d[0].data_pkts > 1 ? ST_LATER : ST_POST_PSH;
	engine_event(e, f, NULL, f->name, "http_injection", stage, confidence_of(m), m,
	             f->srv_data.ts, det);
}

static json_t *http_stats(void *st)
{
	struct http_state *s = st;
	json_t *o = json_object(), *h = json_object();
	json_object_set_new(o, "responses", json_integer((json_int_t)s->responses));
	json_object_set_new(o, "injected", json_integer((json_int_t)s->injected));
	for (int k = 0; k < EV_COUNT; k++)
		if (s->hits[k]) json_object_set_new(h, evidence_name(k), json_integer((json_int_t)s->hits[k]));
	json_object_set_new(o, "evidence_hits", h);
	return o;
}

const struct detector det_http_injection = {
	.name = "http_injection",
	.init = http_init,
	.on_flow_end = http_flow_end,
	.free = http_free,
	.stats = http_stats,
};
