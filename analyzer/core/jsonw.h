/* jsonw.h - the one writer of JSON text: reports, tamper events (JSONL
 * and Kafka messages), capture stats lines, the HTML data block.  Nothing
 * else in tamperscope calls json_dumps(); jsonw.c states the rules
 * (escaping, invalid UTF-8, numbers, key order) they all share.
 *
 * jsonw_dumps()/jsonw_dumpf() serialise a jansson tree to the same bytes
 * as json_dumps with JSON_SORT_KEYS, JSON_REAL_PRECISION(prec) and
 * JSON_INDENT(indent) (JSON_COMPACT when indent is 0); prec 0 = 17 digits,
 * jansson's default.
 *
 * The emitter (struct jw) lets one function describe a JSON value once and
 * produce either a jansson tree or that same text directly, without a tree
 * in between: the destinations of a long capture are most of a report, and
 * building, dumping and freeing their tree cost more than the analysis.
 * In text mode an object's keys must come in sorted (strcmp) order, as
 * JSON_SORT_KEYS would write them; a checking emitter's jw_misordered()
 * tells if they did not.
 */
#ifndef TS_JSONW_H
#define TS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* NUL-terminated text, its length in *len; the caller frees it. */
char *jsonw_dumps(const json_t *v, int indent, int prec, size_t *len);
/* Write to f (no trailing newline); 0 or -1 on a write error. */
int jsonw_dumpf(const json_t *v, int indent, int prec, FILE *f);
/* One JSON Lines record: text[0..len) and a newline written and flushed
 * under flockfile, so lines from several threads never interleave; 0 or
 * -1 on a write error. */
int jsonw_line(FILE *f, const char *text, size_t len);
/* Object o with one more member, key, in sorted place: its value is
 * JSON text (for depth 1 at this indent) that value(ctx, f) writes to f,
 * returning 0 or -1 on a write error. */
int jsonw_dumpf_splice(const json_t *o, int indent, int prec, const char *key,
                       int (*value)(const void *ctx, FILE *f), const void *ctx, FILE *f);

struct jw;
struct jw *jw_new_tree(void);
/* Text for a value nested `depth` levels deep in the final document;
 * with check, the order of every object's keys is verified (tests). */
struct jw *jw_new_text(int indent, int prec, int depth, bool check);
/* The same text written to f as it is made (JW_FLUSH bytes at a time),
 * not kept: finish with jw_close_file(). */
struct jw *jw_new_file(FILE *f, int indent, int prec, int depth, bool check);
/* Inside an object key names the member; inside an array it is ignored. */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end(struct jw *w);
/* Text, to write one array in parts at once: jw_new_more(w) is a second
 * writer (in memory, w's settings) for the array open in w, which has
 * an element in it already; its elements start with a separator and it
 * writes no '['.  jw_splice() appends that part's text (not closed with
 * jw_end) to w and frees `more`; a file writer writes it out from where
 * it is.  Meanwhile w may go on with the elements before that part. */
struct jw *jw_new_more(const struct jw *w);
void jw_splice(struct jw *w, struct jw *more);
void jw_str(struct jw *w, const char *key, const char *s);     /* NULL: null */
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_real(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
void jw_time(struct jw *w, const char *key, uint64_t ts_us);   /* 0: null */
/* A jansson value (NULL: null) written by the same rules, its object
 * keys sorted: for parts built as trees (a detector's event details). */
void jw_json(struct jw *w, const char *key, const json_t *v);
bool jw_misordered(const struct jw *w);
/* Finish: the tree (tree mode) or the text (text mode); frees w. */
json_t *jw_take_tree(struct jw *w);
char *jw_take_text(struct jw *w, size_t *len);
/* Finish a writer from jw_new_file: the rest written out; 0, or -1 when
 * a write failed; frees w. */
int jw_close_file(struct jw *w);

#endif
