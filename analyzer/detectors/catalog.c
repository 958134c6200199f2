/* catalog.c - the names and measurements the report uses, built from
 * the detector registry (detector.h, detectors.c): signature types,
 * evidence codes, colours, measurements (catalog.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "detector.h"
#include "util.h"

/* ---- signature types ---- */

unsigned sig_count(void) { return ndetectors; }

const char *sig_name(unsigned i) { return i < ndetectors ? detectors[i]->name : NULL; }

int sig_index(const char *name)
{
	for (unsigned i = 0; name && i < ndetectors; i++)
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

/* ---- measurements ---- */

const struct det_measure *sig_measures(int i, unsigned *n)
{
	*n = 0;
	if (i < 0 || (unsigned)i >= ndetectors || !detectors[i]->measures) return NULL;
	*n = detectors[i]->nmeasures < SIG_MEASURES_MAX ? detectors[i]->nmeasures : SIG_MEASURES_MAX;
	return detectors[i]->measures;
}

const struct det_measure *sig_measure(const char *type, const char *key)
{
	unsigned n;
	const struct det_measure *m = sig_measures(sig_index(type), &n);
	for (unsigned k = 0; key && k < n; k++)
		if (!strcmp(m[k].key, key)) return &m[k];
	return NULL;
}

uint64_t meas_keep(const struct det_measure *m, uint64_t kept, uint64_t v)
{
	if (!kept || !v) return kept ? kept : v;
	if (m->keep == DET_KEEP_MIN) return v < kept ? v : kept;
	return v > kept ? v : kept;
}

/* ---- evidence codes ---- */

static const char *ev_names[EV_MAX];
static unsigned n_ev;
static uint8_t ev_map[SIG_MAX][32];        /* detector's bit -> report bit */
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
	if (ndetectors >= SIG_MAX) {      /* detectors.c checks its own at compile time */
		ts_err(NULL, "detectors: more than %d", SIG_MAX - 1);
		exit(1);
	}
	for (unsigned d = 0; d < ndetectors; d++) {
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
