/* attribution.c - the attribution stage: which destination a flow or an
 * ICMP error belongs to, before any detector looks at the packet.
 *
 * Names, best first (DESIGN.md 1): TLS SNI and HTTP Host from the
 * client's reassembled bytes (naming.c), a QUIC Initial's SNI (naming.c
 * or nDPI), the DNS answer cache (attrib.c), nDPI's IP-based service, the
 * bare address.  nDPI only sees what our own dissectors cannot name.
 * Detectors ask through det_api.h (det_flow_name, det_addr_name, ...).
 */
#include <stdlib.h>
#include <string.h>
#include "engine_int.h"
#include "naming.h"
#include "util.h"

/* nDPI's IP-list service of an address, through a small direct-mapped
 * cache: many flows share a server, and the patricia lookup is not free. */
static uint16_t ip_service(struct engine *e, const struct ts_addr *a)
{
	if (!e->ndpi || a->family != 4) return 0;
	struct ipsvc *c = &e->ipsvc[addr_hash(a, 5) & (IPSVC_SLOTS - 1)];
	if (c->set && addr_eq(&c->a, a)) return c->proto;
	c->a = *a;
	c->proto = ndpi_ip_service(e->ndpi, a);
	c->set = true;
	return c->proto;
}

/* f's destination name becomes s (from source src): the string is kept
 * when it does not change (detectors ask again at a flow's end). */
static const char *set_dest(struct flow *f, const char *s, int src)
{
	if (!f->name || strcmp(f->name, s)) flow_set_name(f, s);
	f->name_src = (uint8_t)src;
	return f->name;
}

/* Destination precedence (DESIGN.md 1): SNI > Host > QUIC SNI (nDPI) >
 * DNS answer name > nDPI IP-based service > bare IP. */
const char *engine_flow_destination(struct engine *e, struct flow *f)
{
	char buf[256];
	if (f->name && f->name_src >= NS_QUIC) return f->name;
	if (f->ndpi) {
		const char *h = ndpi_host(f->ndpi);
		if (h && *h) {
			name_clean((const uint8_t *)h, strlen(h), buf, sizeof buf);
			if (buf[0]) return set_dest(f, buf, NS_QUIC);
		}
	}
	if (!f->dns_name && e->o.shared_dnsc) {
		/* shared cache: the answer may have been seen by another worker
		 * after this flow's first packet was processed here */
		uint64_t t0 = f->d[0].first_ts ? f->d[0].first_ts : f->d[1].first_ts;
		f->dns_name = dnsc_get_dup(e->dnsc, &f->srv, t0);
	}
	if (f->dns_name && !dnsc_forged(e->dnsc, &f->srv, NULL))
		return set_dest(f, f->dns_name, NS_DNS);
	uint16_t svc = ip_service(e, &f->srv);
	if (svc && !f->ndpi_proto) f->ndpi_proto = svc;
	const char *label = svc ? ndpi_proto_label(e->ndpi, svc) : NULL;
	if (label && *label && strcmp(label, "Unknown")) {
		name_clean((const uint8_t *)label, strlen(label), buf, sizeof buf);
		return set_dest(f, buf, NS_NDPI_IP);
	}
	addr_str(&f->srv, buf, sizeof buf);
	return set_dest(f, buf, NS_IP);
}

/* A QUIC client Initial on any port: an IETF long header (form and fixed
 * bits, RFC 8999 5.1 / RFC 9000 17.2) in a datagram padded to 1200 bytes
 * (RFC 9000 14.1), or a gQUIC public header carrying a "Q0nn" version. */
static bool quic_shaped(const struct pkt *pk)
{
	const uint8_t *p = pk->payload;
	size_t n = pk->paylen;
	if (n >= 1200 && (p[0] & 0xc0) == 0xc0) return true;
	if (n >= 13 && (p[0] & 0x01) && (p[0] & 0x80) == 0) {
		size_t v = (p[0] & 0x08) ? 9 : 1;    /* after the 8-byte CID */
		return p[v] == 'Q' && p[v + 1] == '0';
	}
	return false;
}

/* A QUIC client Initial (IETF, any version but negotiation) or a gQUIC
 * packet carrying its version: the packets with the SNI. */
static bool quic_initial(const struct pkt *pk)
{
	if (pk->paylen >= 5 && (pk->payload[0] & 0xc0) == 0xc0)
		return quic_long_initial(pk->payload, pk->paylen);
	return quic_shaped(pk);
}

/* Servers a client has sent a QUIC Initial to (a small direct-mapped
 * set): a later flow to one that does not open with an Initial is the
 * middle of a QUIC connection, with no SNI for DPI to find. */
static struct ts_addr *quic_slot(struct engine *e, const struct ts_addr *a)
{
	return &e->quicsrv[addr_hash(a, 7) & (IPSVC_SLOTS - 1)];
}

static bool quic_server(struct engine *e, const struct ts_addr *a)
{
	return addr_eq(quic_slot(e, a), a);
}

/* The SNI of a QUIC client Initial through our own dissector (naming.c):
 * on success the flow is named and nDPI is not run on it (its host match
 * gives the service it would have given).  Anything else (other versions,
 * gQUIC, a ClientHello spread over packets) is left to nDPI. */
static bool quic_sni(struct engine *e, struct flow *f, const struct pkt *pk)
{
	if (!naming_quic_initial(f, pk)) return false;
	f->ndpi_proto = ndpi_quic_service(e->ndpi, f->name);
	f->ndpi_done = true;
	if (!f->ndpi_pkts) e->dpi_flows++;
	return true;
}

/* nDPI's DPI is the expensive part of the packet path, so it only sees
 * what our own dissectors cannot name: packets that carry payload (the
 * handshake tells it nothing), of flows without an SNI/Host/DNS name that
 * began in the capture, at most
 * ndpi_max_pkts of them.  Of UDP it sees only QUIC (port 443, or a packet
 * shaped like a QUIC Initial): the QUIC SNI is the one thing DPI gives a
 * UDP flow that reaches a report (other UDP flows become no destination,
 * and ICMP naming uses the SNI alone); and of a server known to speak
 * QUIC only the client's Initials, which hold the SNI.  Other protocols
 * on port 443 (DNSCrypt, Viber) still go to it whole.
 * Service names for named flows come from the target list. */
static void ndpi_step(struct engine *e, struct flow *f, int dir, const struct pkt *pk)
{
	if (!e->ndpi || f->ndpi_done) return;
	if (f->name_src >= NS_HOST || f->sni_state) {
		if (f->name_src >= NS_HOST || f->ndpi_pkts == 0) { f->ndpi_done = true; return; }
	}
	if (!pk->paylen) return;
	/* a TCP flow the DNS already named needs no DPI either, nor one
	 * joined mid-stream (DPI keys on the first bytes of a connection) */
	if (f->proto == 6 && (f->dns_name || f->midstream)) { f->ndpi_done = true; return; }
	if (f->proto == 17 && f->sport != 443 && !f->ndpi_pkts && !quic_shaped(pk)) {
		f->ndpi_done = true;
		return;
	}
	/* a QUIC server: only the client's Initials carry the SNI; without
	 * one first, this flow is a QUIC connection joined in the middle */
	if (f->proto == 17 && !(dir == 0 && quic_initial(pk)) && quic_server(e, &f->srv)) {
		if (!f->ndpi_pkts) f->ndpi_done = true;
		return;
	}
	if (f->proto == 17 && dir == 0 && quic_sni(e, f, pk)) return;
	uint16_t p = 0;
	const uint8_t *l3 = pk->l3;
	size_t len = pk->l3len;
	if (!l3 || !len) return;
	if (!f->ndpi_pkts) e->dpi_flows++;
	f->ndpi_pkts++;
	if (ndpi_feed(e->ndpi, &f->ndpi, l3, len, pk->ts, &p)) {
		f->ndpi_proto = p;
		f->ndpi_done = true;
	} else if (f->ndpi_pkts >= e->o.ndpi_max_pkts) {
		p = ndpi_finish(e->ndpi, &f->ndpi);
		if (p) f->ndpi_proto = p;
		f->ndpi_done = true;
	}
}

struct flow *attr_icmp(struct engine *e, const struct pkt *pk, int *dir)
{
	const struct icmp_meta *m = &pk->icmp;
	if (!m->quoted) return NULL;
	e->icmp_quotes++;
	struct flow *f = ft_find(e->ft, m->iproto, &m->isrc, m->isport, &m->idst, m->idport, dir);
	if (!f) return NULL;
	e->icmp_matched++;
	if (!f->icmp_count) {
		f->icmp_type = m->type;
		f->icmp_code = m->code;
		f->icmp_ts = pk->ts;
		f->icmp_from = pk->src;
	}
	f->icmp_count++;
	return f;
}


void attr_packet(struct engine *e, struct flow *f, int dir, const struct pkt *pk)
{
	if (f->d[0].pkts + f->d[1].pkts == 1)       /* the flow's first packet */
		f->dns_name = dnsc_get_dup(e->dnsc, &f->srv, pk->ts);
	if (pk->proto == 6 && dir == 0 && pk->paylen_wire && !(pk->tcp.flags & TH_RST))
		naming_client_bytes(f);
	if (pk->proto == 17 && dir == 0 && quic_initial(pk)) *quic_slot(e, &f->srv) = f->srv;
	ft_touch(e->ft, f, pk->ts);
	if (e->o.evidence_dir) engine_keep_frame(e, &f->evidence);
	bool dns = pk->proto == 17 && (pk->sport == 53 || pk->dport == 53);
	if (!dns) ndpi_step(e, f, dir, pk);
}


bool attr_social_udp(struct engine *e, const struct flow *f)
{
	if (f->proto != 17 || f->sport == 53 || f->cport == 53) return false;
	uint16_t svc = ip_service(e, &f->srv);
	return svc && ndpi_proto_social(e->ndpi, svc);
}
