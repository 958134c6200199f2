/* html.h - the report as ONE self-contained HTML page (inline CSS and
 * inline SVG, no script, no external resource: it must open inside a
 * censored network).  Every string from the report is HTML-escaped; the
 * report JSON itself is embedded as a non-executed data block
 * (<script type="application/json" id="tamperscope-report">, with < > &
 * written as \u003c \u003e \u0026). */
#ifndef TS_HTML_H
#define TS_HTML_H

#include <stdio.h>
#include <jansson.h>

/* Render report r to f.  Returns 0, or -1 on a write error. */
int html_write(const json_t *r, FILE *f);

/* Write the HTML page to path atomically (temp file + rename, like
 * report.c); "-" = stdout.  Returns 0, or -1 with err (256 bytes). */
int html_write_path(const json_t *report, const char *path, char *err);



/* Escape s for HTML text and attribute values (& < > " ' and control
 * characters) into f. */
void html_escape(FILE *f, const char *s);

/* Parse an RFC 3339 time as written by the report ("...Z", optional
 * fraction) to seconds since the epoch; -1 when absent or malformed. */
double html_parse_time(const char *s);

#endif
