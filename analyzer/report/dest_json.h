/* dest_json.h - the destination table (dest.h) as the report's
 * `destinations` array, and the verdicts that array carries. */
#ifndef TS_DEST_JSON_H
#define TS_DEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "dest.h"

/* Serialise: the destinations array, sorted (social media first, then
 * interfered, then by connections).  min_conf decides "interfered". */
json_t *dest_json(struct dest_table *t, double min_conf);
/* The same array as JSON text (jsonw.h) for a document where it sits
 * `depth` levels deep; with misordered set, the key order is checked
 * and *misordered reports a slip that would make it differ from
 * dest_json's sorted dump. */
char *dest_text(struct dest_table *t, double min_conf, int indent, int prec, int depth,
                size_t *len, bool *misordered);
/* How many destinations, and how many of them "interfered". */
void dest_verdicts(struct dest_table *t, double min_conf, unsigned *n, unsigned *interfered);

#endif
