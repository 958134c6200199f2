/* cmd_report.c - `tamperscope report`: render a report JSON written by
 * analyze, capture or merge as text, HTML or (re-written) JSON. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "html.h"
#include "merge.h"
#include "outputs.h"
#include "report.h"
#include "util.h"

static void usage_report(FILE *f)
{
	fprintf(f,
	"usage: tamperscope report [options] SUMMARY.json   (- = stdin)\n"
	"  --format text|html|json   output format (default: from -o's extension\n"
	"                      .html/.htm/.json, else text)\n"
	"  -o FILE             output file (default: stdout); written atomically\n"
	"  --asn-db FILE       MaxMind ASN .mmdb: add asn, as_org\n"
	"  --geo-db FILE       MaxMind Country/City .mmdb: add country\n"
	"  --psl               add registrable_domain (Public Suffix List)\n"
	"  --psl-group         merge destinations sharing a registrable domain\n"
	"  --min-confidence X  'interfered' threshold for --psl-group (default 0.5)\n"
	"  -h, --help          this help\n"
	"exit: 0 ok, 1 usage, 2 input unreadable/invalid, 3 output error\n");
}

/* Load and check one report; NULL with err. */
json_t *report_load(const char *path, char *err);
json_t *report_load(const char *path, char *err)
{
	json_error_t je;
	json_t *r = !strcmp(path, "-") ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
	if (!r) {
		if (je.line > 0) snprintf(err, 256, "%.100s: line %d: %.120s", path, je.line, je.text);
		else snprintf(err, 256, "%.100s: %.120s", path, je.text);
		return NULL;
	}
	char e[256];
	if (merge_check(r, e)) {
		snprintf(err, 256, "%.80s: %.170s", path, e);
		json_decref(r);
		return NULL;
	}
	return r;
}

/* Write r as fmt ("json", "text", "html") to path; 0 or -1 with err. */
int report_render(const json_t *r, const char *fmt, const char *path, char *err);
int report_render(const json_t *r, const char *fmt, const char *path, char *err)
{
	if (!strcmp(fmt, "html")) return ts_write_atomic(path, err, html_write, r);
	if (!strcmp(fmt, "text")) return ts_write_atomic(path, err, report_write_text, r);
	return report_write_json(r, path, err);
}

/* Format from --format, else from the output's extension, else dflt. */
const char *report_format(const char *fmt, const char *out, const char *dflt);
const char *report_format(const char *fmt, const char *out, const char *dflt)
{
	if (fmt) return fmt;
	const char *dot = out ? strrchr(out, '.') : NULL;
	if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm"))) return "html";
	if (dot && !strcmp(dot, ".json")) return "json";
	if (dot && !strcmp(dot, ".txt")) return "text";
	return dflt;
}

static const struct option report_opts[] = {
	{ "format", required_argument, 0, O_FORMAT },
	{ "min-confidence", required_argument, 0, O_MINC },
	{ "help", no_argument, 0, 'h' },
	OUTPUTS_LONG_OPTS
	{ 0, 0, 0, 0 },
};

static bool fmt_ok(const char *f)
{
	return !strcmp(f, "text") || !strcmp(f, "html") || !strcmp(f, "json");
}

int cmd_report(int argc, char **argv)
{
	const char *out = "-", *fmt = NULL;
	struct outputs xo = OUTPUTS_INIT;
	struct engine_opts eo;
	char err[256] = "";
	int c;

	engine_opts_default(&eo);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", report_opts, NULL)) != -1) {
		int r;
		if (c == O_MINC) {
			if ((r = cli_engine_opt(c, optarg, &eo)) < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
			continue;
		}
		if ((r = outputs_opt(c, optarg, &xo)) < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
		if (r > 0) {
			if (c == O_OUT_HTML || c == O_OUT_KAFKA || c == O_OUT_TOPIC || c == O_OUT_SENSOR || c == O_OUT_KOPT) {
				ts_err(NULL, "report: option not supported here (use --format html -o FILE)");
				return 1;
			}
			continue;
		}
		switch (c) {
		case 'o': out = optarg; break;
		case O_FORMAT:
			if (!fmt_ok(optarg)) { ts_err(NULL, "--format: text, html or json"); return 1; }
			fmt = optarg;
			break;
		case 'h': usage_report(stdout); return 0;
		default: usage_report(stderr); return 1;
		}
	}
	if (optind != argc - 1) { usage_report(stderr); return 1; }
	xo.enrich.min_confidence = eo.min_confidence;
	if (enrich_check(&xo.enrich, err)) { ts_err(NULL, "%s", err); return 2; }
	json_t *r = report_load(argv[optind], err);
	if (!r) { ts_err(NULL, "%s", err); return 2; }
	if (enrich_report(r, &xo.enrich, err)) { ts_err(NULL, "%s", err); json_decref(r); return 2; }
	int rc = 0;
	if (report_render(r, report_format(fmt, out, "text"), out, err)) { ts_err(NULL, "%s", err); rc = 3; }
	json_decref(r);
	return rc;
}
