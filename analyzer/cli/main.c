/* main.c - command line: `tamperscope analyze|...`.  The only place that
 * decides exit codes: 0 ok, 1 usage, 2 input unreadable/invalid,
 * 3 output error (4: out of memory). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture.h"
#include "heap.h"
#include "cli.h"
#include "outputs.h"
#include "pipeline.h"
#include "progress.h"
#include "report.h"
#include "tunables.h"
#include "util.h"

static volatile int g_stop;

enum { O_THREADS = O_CLI_LAST };

static void on_signal(int sig) { (void)sig; g_stop = 1; }

static void usage_analyze(FILE *f)
{
	fprintf(f,
	"usage: tamperscope analyze [options] FILE...   (pcap or pcapng; - = stdin)\n"
	"  -o FILE             write the report to FILE (default: stdout)\n"
	"  -e FILE             JSONL tamper event stream (- = stdout)\n"
	"  --format json|text  report format (text: aligned table for people); default:\n"
	"                      text when stdout is a terminal and there is no -o, else json\n"
	"  --text FILE         also write the text table to FILE\n"
	"  -f EXPR             BPF filter\n"
	"  --targets FILE      replace the social-media target list\n"
	"  -c N                stop after N packets\n"
	"  -q                  quiet: no summary, and no progress line (shown while reading\n"
	"                      when stderr is a terminal), on stderr\n"
	"  --threads N         1: one thread; 2 (the default on 2 or more cores): read and\n"
	"                      decode in one, the rest in another; more than 2 adds\n"
	"                      nothing yet.  The output is the same whatever N\n");
	cli_det_usage(f);
	fprintf(f,
	"  --max-flows N       flow table cap (default 262144)\n"
	"  --tcp-idle S / --udp-idle S   idle timeouts (default 300 / 60)\n"
	"  --reasm-bytes N     per-direction reassembly budget (default 16384)\n"
	"  --min-confidence X  'interfered' threshold (default 0.5)\n"
	"  --no-ndpi           do not classify with nDPI\n"
	"  --evidence DIR      write each interfered flow/query's packets to DIR/<community id>.pcap\n"
	"                      (first 64 packets; at most --evidence-max per destination and signature)\n"
	"  --evidence-max N    evidence files per destination and signature (default 5)\n"
	OUTPUTS_USAGE
	"  -h, --help          this help;  --version\n"
	"exit: 0 ok, 1 usage, 2 input unreadable/invalid, 3 output error\n");
}

static const struct option analyze_opts[] = {
	{ "format", required_argument, 0, O_FORMAT },
	{ "threads", required_argument, 0, O_THREADS },
	CLI_ENGINE_LONG_OPTS
	{ "text", required_argument, 0, O_TEXT },
	{ "help", no_argument, 0, 'h' },
	{ "version", no_argument, 0, O_VERSION },
	OUTPUTS_LONG_OPTS
	{ 0, 0, 0, 0 },
};

static int num(const char *s, unsigned long *out)
{
	char *e;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || !*s || *e) return -1;
	*out = v;
	return 0;
}

/* Parse an engine tuning option shared by analyze and capture; 1 if
 * handled, -1 bad value, 0 not ours. */
int cli_engine_opt(int c, const char *arg, struct engine_opts *o)
{
	unsigned long v = 0;
	int r = cli_det_opt(c, arg, o);
	if (r) return r;
	switch (c) {
	case O_TARGETS: o->targets_file = arg; return 1;
	case O_EVIDENCE: o->evidence_dir = arg; return 1;
	case O_EVMAX:
		if (num(arg, &v) || !v || v > 100000) return -1;
		o->evidence_per_sig = (unsigned)v;
		return 1;
	case O_NONDPI: o->use_ndpi = false; return 1;
	case O_MINC: {
		char *e;
		double d = strtod(arg, &e);
		if (*e || d < 0 || d > 1) return -1;
		o->min_confidence = d;
		return 1;
	}
	case O_MAXF: case O_TIDLE: case O_UIDLE: case O_REASM:
		if (num(arg, &v) || v > 100000000UL) return -1;
		if (c == O_MAXF) o->max_flows = (unsigned)(v ? v : 1);
		if (c == O_TIDLE) o->tcp_idle_s = (unsigned)v;
		if (c == O_UIDLE) o->udp_idle_s = (unsigned)v;
		if (c == O_REASM) o->reasm_bytes = (unsigned)(v > 1048576 ? 1048576 : v);
		return 1;
	default:
		return 0;
	}
}

FILE *cli_open_events(const char *path, char *err)
{
	if (!path) return NULL;
	if (!strcmp(path, "-")) return stdout;
	FILE *f = fopen(path, "a");
	if (!f) snprintf(err, 256, "%s: %s", path, strerror(errno));
	else setvbuf(f, NULL, _IOLBF, 0);
	return f;
}


/* --threads' default: the number of cores, capped at THREADS_MAX. */
static unsigned long default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 1 : n > THREADS_MAX ? THREADS_MAX : (unsigned long)n;
}

/* Read the files into e: in this thread, or (threads > 1) with the rest
 * of the packet path in a thread of its own (pipeline.c). */
static int read_input(struct engine *e, unsigned long threads, const char *const *files,
                      int nfiles, const char *filter, uint64_t count, struct offline_result *res)
{
	char err[256];
	struct pipeline *pl = threads > 1 ? pipeline_new(e, err) : NULL;
	if (threads > 1 && !pl) ts_err(NULL, "%s; going on in one thread", err);
	if (!pl) return capture_offline(e, files, nfiles, filter, count, &g_stop, res);
	int rc = capture_offline_to(pipeline_sink(pl), files, nfiles, filter, count, &g_stop, res);
	pipeline_finish(pl);
	return rc;
}

static int cmd_analyze(int argc, char **argv)
{
	struct engine_opts o;
	const char *out = "-", *events = NULL, *filter = NULL, *text = NULL;
	bool as_text = false, quiet = false, out_set = false, fmt_set = false;
	unsigned long count = 0, threads = default_threads();
	int c;
	char err[256] = "";
	struct outputs xo = OUTPUTS_INIT;

	heap_hugepages();         /* before any thread: see heap.c */
	engine_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:e:f:c:qh", cli_long_opts(analyze_opts), NULL)) != -1) {
		int r = cli_engine_opt(c, optarg, &o);
		if (r < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
		if (r > 0) continue;
		if ((r = outputs_opt(c, optarg, &xo)) < 0) { ts_err(NULL, "bad value for option: %s", optarg); return 1; }
		if (r > 0) continue;
		switch (c) {
		case 'o': out = optarg; out_set = true; break;
		case 'e': events = optarg; break;
		case 'f': filter = optarg; break;
		case 'c': if (num(optarg, &count)) { ts_err(NULL, "-c: not a number: %s", optarg); return 1; } break;
		case 'q': quiet = true; break;
		case O_THREADS:
			if (num(optarg, &threads) || !threads || threads > 64) {
				ts_err(NULL, "--threads: a number from 1 to 64: %s", optarg);
				return 1;
			}
			break;
		case O_TEXT: text = optarg; break;
		case O_FORMAT:
			if (!strcmp(optarg, "text")) as_text = true;
			else if (strcmp(optarg, "json")) { ts_err(NULL, "--format: json or text"); return 1; }
			fmt_set = true;
			break;
		case 'h': usage_analyze(stdout); return 0;
		case O_VERSION: printf("%s %s\n", TS_NAME, TS_VERSION); return 0;
		default: usage_analyze(stderr); return 1;
		}
	}
	if (optind >= argc) { usage_analyze(stderr); return 1; }
	if (!out_set && !fmt_set) as_text = isatty(STDOUT_FILENO);   /* people get the table */

	o.events = cli_open_events(events, err);
	if (events && !o.events) { ts_err(NULL, "%s", err); return 3; }
	int orc = outputs_start(&xo, &o, err);
	if (orc) { ts_err(NULL, "%s", err); return orc; }
	struct engine *e = engine_new(&o, err);
	if (!e) { ts_err(NULL, "%s", err); outputs_close(&xo, err); return 2; }
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	struct offline_result res;
	const char *const *files = (const char *const *)&argv[optind];
	int nfiles = argc - optind;
	if (!quiet && isatty(STDERR_FILENO) && !(o.events == stdout && isatty(STDOUT_FILENO)))
		progress_start(files, nfiles);     /* not when event lines share the terminal */
	int rc = read_input(e, threads, files, nfiles, filter, count, &res);
	progress_stop();
	if (rc == 1) { engine_free(e); outputs_close(&xo, err); return 1; }
	engine_finish(e);

	struct report_source src = { .files = (const char **)files, .nfiles = nfiles,
	                             .filter = filter, .truncated = res.truncated,
	                             .threads = (unsigned)threads };
	int wrc;
	if (!as_text && !text && !outputs_need_tree(&xo)) {
		/* the JSON file alone: written without a tree of destinations */
		wrc = report_write_engine(e, &src, out, err, quiet ? NULL : stderr);
		if (wrc) { ts_err(NULL, "%s", err); rc = 3; }
	} else {
		json_t *r = report_build(e, &src);
		if (outputs_enrich(&xo, r, err)) { ts_err(NULL, "%s", err); rc = 2; }
		wrc = as_text ? report_write_text_path(r, out, err) : report_write_json(r, out, err);
		if (!wrc && text) wrc = report_write_text_path(r, text, err);
		if (!wrc) wrc = outputs_html(&xo, r, err);
		if (wrc) { ts_err(NULL, "%s", err); rc = 3; }
		if (!quiet && !wrc) report_summary(r, stderr);
		json_decref(r);
	}
	engine_free(e);
	/* engine_event() does not check its writes: a full disk only shows
	 * as the stream's error flag (fclose() succeeds when nothing is left
	 * in the buffer). */
	if (o.events) {
		const char *why = NULL;
		if (ferror(o.events) || fflush(o.events))
			why = "write error, event stream incomplete";
		if (o.events != stdout && fclose(o.events) && !why) why = strerror(errno);
		if (why && rc != 3) ts_err(events, "%s", why);
		if (why) rc = 3;
	}
	if (outputs_close(&xo, err)) { ts_err(NULL, "%s", err); rc = 3; }
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tamperscope COMMAND [options]\n"
	           "commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->help);
	fprintf(f, "`tamperscope COMMAND -h` for a command's options;  -h, --help  this help;\n"
	           "--version  the version;  man tamperscope  the manual.\n");
}

const struct command commands[] = {
	{ "analyze", "analyse pcap/pcapng files, write the report", cmd_analyze },
	CLI_EXTRA_COMMANDS
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc < 2) { usage(stderr); return 1; }
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) { usage(stdout); return 0; }
	if (!strcmp(argv[1], "--version")) { printf("%s %s\n", TS_NAME, TS_VERSION); return 0; }
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1])) return c->fn(argc - 1, argv + 1);
	ts_err(NULL, "unknown command '%s'", argv[1]);
	usage(stderr);
	return 1;
}
