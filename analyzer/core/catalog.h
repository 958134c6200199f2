/* catalog.h - the names the report uses (signature types, evidence
 * codes, colours, measurements), taken from the detector registry
 * (detectors.c; built in catalog.c), so that the engine and the report
 * modules never name a detector, an evidence code or a measurement. */
#ifndef TS_CATALOG_H
#define TS_CATALOG_H

#include "tunables.h"

#include <stdbool.h>
#include <stdint.h>

/* Signature types: one per detector, in registry order.  SIG_MAX bounds
 * the registry at compile time (detectors.c checks it). */
#define SIG_MAX 16
unsigned sig_count(void);
const char *sig_name(unsigned i);
/* Index of signature type name, or -1. */
int sig_index(const char *name);
/* The HTML colour of a signature type ("#7f7f7f" for unknown ones). */
const char *sig_colour(const char *name);
/* Do the type's events count DNS transactions rather than connections? */
bool sig_per_query(const char *name);

/* Evidence codes: the union of the detectors' tables, by name, in
 * registry order (a code two detectors share is one code).  An event's
 * report mask has bit g for code g; at most EV_MAX codes (checked when
 * the catalog is built: exits with a message beyond that). */
#define EV_MAX 32
unsigned ev_count(void);
const char *evidence_name(int g);     /* "?" out of range */
/* Map a detector's own evidence mask (bit i = its table entry i) to the
 * report's mask. */
uint32_t ev_global_mask(unsigned det, uint32_t local);

/* Measurements: numbers a signature type's events carry in their details
 * that the destination's signature keeps (the detector's .measures, e.g.
 * a measured rate cap).  Positive integers; 0 or absent = not measured.
 * The signature keeps one value per key, the report writes it under the
 * same key, and two values (two events, two merged reports) combine by
 * the measure's rule; text and HTML show it as "label value unit". */
enum det_keep { DET_KEEP_MAX, DET_KEEP_MIN };
enum det_unit {
	DET_UNIT_NONE,          /* a plain number                            */
	DET_UNIT_BPS            /* bits per second: "133 kbit/s"             */
};
struct det_measure {
	const char *key;        /* in the event's details and the signature  */
	enum det_keep keep;     /* how two values combine                    */
	const char *label;      /* before the value for people ("cap")       */
	enum det_unit unit;
};
/* The measurements of signature type i (sig_index), *n of them; NULL
 * and 0 for an unknown type or one without. */
const struct det_measure *sig_measures(int i, unsigned *n);
/* The measurement `key` of signature type `type`, or NULL. */
const struct det_measure *sig_measure(const char *type, const char *key);
/* Combine a kept value with a new one by m's rule (0 = none). */
uint64_t meas_keep(const struct det_measure *m, uint64_t kept, uint64_t v);

#endif
