/* naming.c - attribution from the packets themselves: the TLS SNI or
 * HTTP Host of a TCP flow's client bytes, the SNI of a QUIC Initial.
 * The DNS name cache (attrib.c) and nDPI (engine.c) do the rest. */
#include <stdlib.h>
#include "naming.h"
#include "tcp_track.h"
#include "util.h"

static void set_name(struct flow *f, const struct strview *v, int src)
{
	char buf[256];
	if (!v->len) return;
	name_clean(v->p, v->len, buf, sizeof buf);
	if (!buf[0]) return;
	flow_set_name(f, buf);
	f->name_src = (uint8_t)src;
}

void naming_client_bytes(struct flow *f)
{
	struct reasm *r = &f->d[0].ra;
	struct strview v = { 0 };
	int st;
	if (f->sni_state || !r->buf || !r->contig) return;
	if (r->buf[0] == 0x16) {
		uint8_t scratch[4096];
		st = tls_sni_parse(r->buf, r->contig, scratch, sizeof scratch, &v);
		if (st == DIS_OK) set_name(f, &v, NS_SNI);
	} else {
		st = http_host_parse(r->buf, r->contig, &v);
		if (st == DIS_OK || st == DIS_TRUNCATED) f->http_req = true;
		if (st == DIS_OK) set_name(f, &v, NS_HOST);
	}
	if (st != DIS_TRUNCATED || r->contig >= r->cap) {
		f->sni_state = 1;
		reasm_release(r);           /* named (or never will be) */
	}
}

bool naming_quic_initial(struct flow *f, const struct pkt *pk)
{
	static _Thread_local uint8_t scratch[2048];
	struct strview v;
	char buf[256];
	if (quic_initial_sni(pk->payload, pk->paylen, scratch, sizeof scratch, &v) != DIS_OK)
		return false;
	name_clean(v.p, v.len, buf, sizeof buf);
	if (!buf[0]) return false;
	flow_set_name(f, buf);
	f->name_src = NS_QUIC;
	return true;
}
