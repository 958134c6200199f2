/* merge.h - merge tamperscope.report/1 documents from several sensors or
 * time windows into one (`tamperscope merge`).
 *
 * Counts add; first/last seen, capture start/end widen; hosts, ips and
 * signature examples are unions kept sorted and bounded (16, 16, 5 - the
 * smallest values are kept, which keeps the merge commutative and
 * associative); signatures merge by (type, stage): counts and evidence
 * counts add, confidence is the maximum (a repetition signature's -
 * syn_drop, data_drop, quic_drop - is recomputed from its merged count,
 * its `basis` and the capture's answered connections by verdict.h's
 * function, as analysing the whole capture would), onset the earliest, `stopped`
 * comes from the input that saw the signature last; hourly timeline
 * buckets add; verdicts are recomputed with dest.c's rule; injectors
 * merge by id.  `source` becomes {"files": [...], "merged": [each input's
 * source]} (nested merges are flattened). */
#ifndef TS_MERGE_H
#define TS_MERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "tunables.h"


/* Minimal shape check of one input: schema tamperscope.report/1, an
 * object `capture`, an array `destinations` of objects with a string
 * `destination`.  0 ok, -1 with err (256 bytes). */
int merge_check(const json_t *r, char *err);

/* Merge n >= 1 reports (not modified).  min_conf: threshold for
 * "interfered" (0.5 by default).  Caller owns the result. */
json_t *merge_reports(json_t *const *in, size_t n, double min_conf);

/* The verdict rule of dest.c applied to a destination object. */
const char *merge_verdict(const json_t *d, double min_conf);

/* Sort a destinations array in place: social media first, then
 * interfered, then by connections (desc), then by name. */
void merge_sort_destinations(json_t *dests);

/* Replace destinations sharing the string field `key` (e.g.
 * "registrable_domain") by one merged destination named after the key's
 * value; destinations without the field stay as they are. */
void merge_group_destinations(json_t *report, const char *key, double min_conf);

#endif
