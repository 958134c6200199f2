/* cmd_merge.c - `tamperscope merge`: several reports (sensors, time
 * windows) into one.  See merge.h for the rules. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "html.h"
#include "merge.h"
#include "outputs.h"
#include "util.h"

json_t *report_load(const char *path, char *err);                 /* cmd_report.c */
int report_render(const json_t *r, const char *fmt, const char *path, char *err);
const char *report_format(const char *fmt, const char *out, const char *dflt);

static void usage_merge(FILE *f)
{
	fprintf(f,
	"usage: tamperscope merge [options] A.json B.json ...   (- = stdin, once)\n"
	"  -o FILE             merged report (default: stdout); written atomically\n"
	"  --format json|text|html   output format (default: from -o's extension, else json)\n"
	"  --html FILE         also write the merged report as HTML\n"
	"  --text FILE         also write the text table\n"
	"  --min-confidence X  'interfered' threshold for the recomputed verdicts (default 0.5)\n"
	"  --asn-db FILE, --geo-db FILE, --psl, --psl-group   enrichment (see analyze)\n"
	"  -h, --help          this help\n"
	"Counts add, first/last seen widen, hosts/ips/examples are bounded unions,\n"
	"signatures merge by (type, stage) (confidence = max), verdicts are recomputed.\n"
	"exit: 0 ok, 1 usage, 2 input unreadable/invalid, 3 output error\n");
}

static const struct option merge_opts[] = {
	{ "format", required_argument, 0, O_FORMAT },
	{ "text", required_argument, 0, O_TEXT },
	{ "min-confidence", required_argument, 0, O_MINC },
	{ "help", no_argument, 0, 'h' },
	OUTPUTS_LONG_OPTS
	{ 0, 0, 0, 0 },
};

int cmd_merge(int argc, char **argv)
{
	const char *out = "-", *fmt = NULL, *text = NULL;
	struct outputs xo = OUTPUTS_INIT;
	struct engine_opts eo;
	char err[256] = "";
	int c, r;

	engine_opts_default(&eo);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", merge_opts, NULL)) != -1) {
		if (c == O_MINC) {
			if (cli_engine_opt(c, optarg, &eo) < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
			continue;
		}
		if ((r = outputs_opt(c, optarg, &xo)) < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
		if (r > 0) {
			if (c == O_OUT_KAFKA || c == O_OUT_TOPIC || c == O_OUT_SENSOR || c == O_OUT_KOPT) {
				ts_err(NULL, "merge: Kafka options belong to analyze/capture");
				return 1;
			}
			continue;
		}
		switch (c) {
		case 'o': out = optarg; break;
		case O_TEXT: text = optarg; break;
		case O_FORMAT:
			if (strcmp(optarg, "json") && strcmp(optarg, "text") && strcmp(optarg, "html")) {
				ts_err(NULL, "--format: json, text or html");
				return 1;
			}
			fmt = optarg;
			break;
		case 'h': usage_merge(stdout); return 0;
		default: usage_merge(stderr); return 1;
		}
	}
	if (optind >= argc) { usage_merge(stderr); return 1; }
	xo.enrich.min_confidence = eo.min_confidence;
	if (enrich_check(&xo.enrich, err)) { ts_err(NULL, "%s", err); return 2; }

	size_t n = (size_t)(argc - optind), stdin_uses = 0;
	json_t **in = xcalloc(n, sizeof *in);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(argv[optind + (int)i], "-") && stdin_uses++) {
			ts_err(NULL, "merge: stdin (-) can be read only once");
			rc = 1;
			break;
		}
		in[i] = report_load(argv[optind + (int)i], err);
		if (!in[i]) { ts_err(NULL, "%s", err); rc = 2; break; }
	}
	if (!rc) {
		json_t *m = merge_reports(in, n, eo.min_confidence);
		if (enrich_report(m, &xo.enrich, err)) { ts_err(NULL, "%s", err); rc = 2; }
		if (!rc && report_render(m, report_format(fmt, out, "json"), out, err)) { ts_err(NULL, "%s", err); rc = 3; }
		if (!rc && text && report_render(m, "text", text, err)) { ts_err(NULL, "%s", err); rc = 3; }
		if (!rc && outputs_html(&xo, m, err)) { ts_err(NULL, "%s", err); rc = 3; }
		json_decref(m);
	}
	for (size_t i = 0; i < n; i++) json_decref(in[i]);
	free(in);
	return rc;
}
