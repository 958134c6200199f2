/* ndpi_glue.c - every call into nDPI 4.2 (Debian libndpi-dev) lives here.
 *
 * nDPI 4.2 API: ndpi_init_detection_module(prefs), 5-argument
 * ndpi_detection_process_packet(), ndpi_detection_giveup(mod, flow, 1, &g).
 * The per-flow struct size comes from ndpi_detection_get_sizeof_ndpi_flow_struct().
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <ndpi/ndpi_api.h>
#include "ndpi_glue.h"
#include "tunables.h"

struct ndpi_ctx {
	struct ndpi_detection_module_struct *mod;
	size_t flow_size;
	struct ndpi_flow_struct *scratch;     /* for host matches */
	void **spare;                         /* NDPI_SPARE_MAX slots */
	unsigned nspare;
};

struct ndpi_ctx *ndpi_ctx_new(void)
{
	struct ndpi_ctx *n = calloc(1, sizeof *n);
	if (!n) return NULL;
	n->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (!n->mod) { free(n); return NULL; }
	NDPI_PROTOCOL_BITMASK all;
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(n->mod, &all);
	ndpi_finalize_initialization(n->mod);
	n->flow_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
	n->spare = calloc(NDPI_SPARE_MAX, sizeof *n->spare);
	if (!n->spare) { ndpi_exit_detection_module(n->mod); free(n); return NULL; }
	return n;
}

void ndpi_ctx_free(struct ndpi_ctx *n)
{
	if (!n) return;
	if (n->scratch) ndpi_free_flow(n->scratch);
	while (n->nspare) {                   /* data freed at release: zero it */
		struct ndpi_flow_struct *f = n->spare[--n->nspare];
		memset(f, 0, n->flow_size);
		ndpi_free_flow(f);
	}
	free(n->spare);
	ndpi_exit_detection_module(n->mod);
	free(n);
}

static uint16_t pick(ndpi_protocol p)
{
	return p.app_protocol != NDPI_PROTOCOL_UNKNOWN ? p.app_protocol : p.master_protocol;
}

bool ndpi_feed(struct ndpi_ctx *n, void **state, const uint8_t *l3, size_t len,
               uint64_t ts_us, uint16_t *proto)
{
	struct ndpi_flow_struct *f = *state;
	if (!f) {
		f = n->nspare ? n->spare[--n->nspare] : ndpi_flow_malloc(n->flow_size);
		if (!f) return true;
		memset(f, 0, n->flow_size);
		*state = f;
	}
	if (len > 0xffff) len = 0xffff;
	ndpi_protocol p = ndpi_detection_process_packet(n->mod, f, l3, (unsigned short)len,
	                                                ts_us / 1000);
	*proto = pick(p);
	return p.app_protocol != NDPI_PROTOCOL_UNKNOWN;
}

uint16_t ndpi_finish(struct ndpi_ctx *n, void **state)
{
	struct ndpi_flow_struct *f = *state;
	uint8_t guessed = 0;
	if (!f) return 0;
	ndpi_protocol p = ndpi_detection_giveup(n->mod, f, 1, &guessed);
	return pick(p);
}

const char *ndpi_host(void *state)
{
	struct ndpi_flow_struct *f = state;
	if (!f || !f->host_server_name[0]) return NULL;
	return (const char *)f->host_server_name;
}

void ndpi_flow_release(struct ndpi_ctx *n, void *state)
{
	if (!state) return;
	if (!n || n->nspare >= NDPI_SPARE_MAX) { ndpi_free_flow(state); return; }
	ndpi_free_flow_data(state);
	n->spare[n->nspare++] = state;
}

const char *ndpi_proto_label(struct ndpi_ctx *n, uint16_t proto)
{
	if (!n || proto == NDPI_PROTOCOL_UNKNOWN) return NULL;
	return ndpi_get_proto_name(n->mod, proto);
}

bool ndpi_proto_social(struct ndpi_ctx *n, uint16_t proto)
{
	if (!n || proto == NDPI_PROTOCOL_UNKNOWN) return false;
	ndpi_protocol p = { 0 };
	p.app_protocol = proto;
	ndpi_protocol_category_t c = ndpi_get_proto_category(n->mod, p);
	return c == NDPI_PROTOCOL_CATEGORY_SOCIAL_NETWORK || c == NDPI_PROTOCOL_CATEGORY_CHAT;
}

uint16_t ndpi_ip_service(struct ndpi_ctx *n, const struct ts_addr *a)
{
	struct in_addr in;
	if (!n || a->family != 4) return 0;
	memcpy(&in.s_addr, a->a, 4);
	return ndpi_network_ptree_match(n->mod, &in);
}

uint16_t ndpi_quic_service(struct ndpi_ctx *n, const char *host)
{
	ndpi_protocol_match_result m;
	if (!n->scratch && (n->scratch = ndpi_flow_malloc(n->flow_size)) != NULL)
		memset(n->scratch, 0, n->flow_size);
	if (!n->scratch) return NDPI_PROTOCOL_QUIC;
	ndpi_free_flow_data(n->scratch);
	memset(n->scratch, 0, n->flow_size);
	memset(&m, 0, sizeof m);
	uint16_t id = ndpi_match_host_subprotocol(n->mod, n->scratch, (char *)host,
	                                          (u_int)strlen(host), &m, NDPI_PROTOCOL_QUIC);
	return id != NDPI_PROTOCOL_UNKNOWN ? id : NDPI_PROTOCOL_QUIC;
}
