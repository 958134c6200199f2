/* jsonw.h - fast serialiser for jansson trees (same bytes as json_dumps
 * with JSON_SORT_KEYS, JSON_REAL_PRECISION(prec) and JSON_INDENT(indent),
 * or JSON_COMPACT when indent is 0). */
#ifndef TS_JSONW_H
#define TS_JSONW_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* NUL-terminated text, its length in *len; the caller frees it. */
char *jsonw_dumps(const json_t *v, int indent, int prec, size_t *len);
/* Write to f (no trailing newline); 0 or -1 on a write error. */
int jsonw_dumpf(const json_t *v, int indent, int prec, FILE *f);

#endif
