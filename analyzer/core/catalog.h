/* catalog.h - the names the report uses (signature types, evidence
 * codes, colours), taken from the detector registry (detectors.c), so
 * that the report modules never name a detector or an evidence code. */
#ifndef TS_CATALOG_H
#define TS_CATALOG_H

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

#endif
