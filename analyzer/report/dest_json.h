/* dest_json.h - the destination table (dest.h) as the report's
 * `destinations` array, and the verdicts that array carries. */
#ifndef TS_DEST_JSON_H
#define TS_DEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "dest.h"

/* Serialise: the destinations array, sorted (social media first, then
 * interfered, then by connections).  min_conf decides "interfered". */
json_t *dest_json(struct dest_table *t, double min_conf);
/* The same array as JSON text (jsonw.h) for a document where it sits
 * `depth` levels deep; with misordered set, the key order is checked
 * and *misordered reports a slip that would make it differ from
 * dest_json's sorted dump.  With threads > 1 and at least
 * REPORT_SPLIT_MIN destinations, a second thread writes the later half
 * (the same text). */
char *dest_text(struct dest_table *t, double min_conf, int indent, int prec, int depth,
                unsigned threads, size_t *len, bool *misordered);
/* The same text written to f as it is made (a long report's text is
 * not held whole); 0, or -1 when a write failed. */
int dest_write(struct dest_table *t, double min_conf, int indent, int prec, int depth,
               unsigned threads, FILE *f);
/* How many destinations, and how many of them "interfered". */
void dest_verdicts(struct dest_table *t, double min_conf, unsigned *n, unsigned *interfered);

#endif
