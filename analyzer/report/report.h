/* report.h - the tamperscope.report/1 document (DESIGN.md section 5). */
#ifndef TS_REPORT_H
#define TS_REPORT_H

#include <stdio.h>
#include <jansson.h>
#include "engine.h"

struct report_source {
	const char **files;        /* NULL when live */
	int nfiles;
	const char *interface;
	const char *filter;
	bool truncated;            /* input ended early (partial report) */
	unsigned threads;          /* threads that may write the report (0: 1) */
};

/* Build the report from the engine's state (after engine_finish for a
 * final report; any time for an interim one).  Caller owns the result. */
json_t *report_build(struct engine *e, const struct report_source *src);

/* Write JSON to path atomically (temp file + rename); "-" = stdout.
 * Returns 0, or -1 with err (256 bytes) filled. */
int report_write_json(const json_t *r, const char *path, char *err);
/* Build and write the JSON report in one go, the destinations straight
 * from the engine as text (no jansson tree for the bulk of a large
 * report): the same bytes as report_write_json(report_build(...)).  For
 * when nothing else (enrichment, HTML, text) needs the report as a tree.
 * With summary set, report_summary's line goes there after a good write. */
int report_write_engine(struct engine *e, const struct report_source *src, const char *path,
                        char *err, FILE *summary);
/* The aligned per-destination table for people. */
int report_write_text(const json_t *r, FILE *out);
/* A signature's measurements (catalog.h: those its type declares, in
 * their order) for people, e.g. "cap 133 kbit/s vs 755.1 Mbit/s"; ""
 * when it has none. */
void report_sig_measures(const json_t *sig, char *buf, size_t sz);
int report_write_text_path(const json_t *r, const char *path, char *err);
/* One line for people: packets (and kernel drops when known), flows,
 * destinations, interfered destinations. */
void report_summary(const json_t *r, FILE *out);
/* Write r through fn to path: a temporary file in the same directory,
 * fsync, rename; in place for "-" (stdout), symlinks and device nodes.
 * 0, or -1 with err (256 bytes) filled and no file left behind. */
int ts_write_atomic(const char *path, char *err, int (*fn)(const json_t *, FILE *),
                    const json_t *r);
/* The same for any writer fn(ctx, file). */
int ts_write_atomic_fn(const char *path, char *err, int (*fn)(const void *, FILE *),
                       const void *ctx);

#endif
