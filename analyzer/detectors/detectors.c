/* detectors.c - the detector registry and the catalog of report names
 * built from it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "detector.h"
#include "util.h"

/* ADD YOUR DETECTOR HERE: one line each.  Order matters: callbacks run
 * in this order, so later detectors see what earlier ones concluded. */
#define DETECTOR_LIST(X)        \
	X(det_rst_injection)    \
	X(det_syn_drop)         \
	X(det_data_drop)        \
	X(det_dns_injection)    \
	X(det_http_injection)   \
	X(det_tcp_injection)    \
	X(det_quic_drop)        \
	X(det_icmp_prohibited)  \
	X(det_throttling)       \
	/* end of the list */

#define DECLARE(d) extern const struct detector d;
#define ENTRY(d) &d,
DETECTOR_LIST(DECLARE)

const struct detector *const detectors[] = { DETECTOR_LIST(ENTRY) };

#define NDET (sizeof detectors / sizeof detectors[0])
const unsigned ndetectors = NDET;

_Static_assert(NDET < SIG_MAX, "more detectors than catalog.h SIG_MAX allows");

/* ---- signature types ---- */

unsigned sig_count(void) { return NDET; }

const char *sig_name(unsigned i) { return i < NDET ? detectors[i]->name : NULL; }

int sig_index(const char *name)
{
	for (unsigned i = 0; name && i < NDET; i++)
		if (!strcmp(detectors[i]->name, name)) return (int)i;
	return -1;
}

const char *sig_colour(const char *name)
{
	int i = sig_index(name);
	return i >= 0 && detectors[i]->colour ? detectors[i]->colour : "#7f7f7f";
}

bool sig_per_query(const char *name)
{
	int i = sig_index(name);
	return i >= 0 && detectors[i]->per_query;
}

/* ---- evidence codes ---- */

static const char *ev_names[EV_MAX];
static unsigned n_ev;
static uint8_t ev_map[NDET][32];        /* detector's bit -> report bit */
static pthread_once_t ev_once = PTHREAD_ONCE_INIT;

static unsigned ev_intern(const char *code)
{
	for (unsigned g = 0; g < n_ev; g++)
		if (!strcmp(ev_names[g], code)) return g;
	if (n_ev >= EV_MAX) {
		ts_err(NULL, "detectors: more than %d evidence codes", EV_MAX);
		exit(1);
	}
	ev_names[n_ev] = code;
	return n_ev++;
}

static void ev_build(void)
{
	for (unsigned d = 0; d < NDET; d++) {
		if (detectors[d]->nev > 32) {
			ts_err(NULL, "%s: more than 32 evidence codes", detectors[d]->name);
			exit(1);
		}
		for (unsigned i = 0; i < detectors[d]->nev; i++)
			ev_map[d][i] = (uint8_t)ev_intern(detectors[d]->ev[i].code);
	}
}

unsigned ev_count(void)
{
	pthread_once(&ev_once, ev_build);
	return n_ev;
}

const char *evidence_name(int g)
{
	pthread_once(&ev_once, ev_build);
	return g >= 0 && (unsigned)g < n_ev ? ev_names[g] : "?";
}

uint32_t ev_global_mask(unsigned det, uint32_t local)
{
	uint32_t m = 0;
	pthread_once(&ev_once, ev_build);
	for (unsigned i = 0; local && i < 32; i++, local >>= 1)
		if (local & 1) m |= 1u << ev_map[det][i];
	return m;
}
