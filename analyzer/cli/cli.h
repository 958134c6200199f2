/* cli.h - pieces of the command line shared by the subcommands. */
#ifndef TS_CLI_H
#define TS_CLI_H
#include <getopt.h>
#include <stdio.h>
#include "engine.h"

struct command {
	const char *name;
	const char *help;
	int (*fn)(int argc, char **argv);
};
extern const struct command commands[];

/* Long-option ids shared by the subcommands (cli_engine_opt() knows the
 * engine ones); a subcommand's own ids start at O_CLI_LAST. */
enum { O_FORMAT = 256, O_TARGETS, O_MAXF, O_TIDLE, O_UIDLE, O_REASM,
       O_MINC, O_NONDPI, O_VERSION, O_TEXT, O_EVIDENCE, O_EVMAX, O_CLI_LAST };

/* The engine options every report-producing subcommand takes
 * (cli_engine_opt() handles them). */
#define CLI_ENGINE_LONG_OPTS \
	{ "targets", required_argument, 0, O_TARGETS }, \
	{ "max-flows", required_argument, 0, O_MAXF }, \
	{ "tcp-idle", required_argument, 0, O_TIDLE }, \
	{ "udp-idle", required_argument, 0, O_UIDLE }, \
	{ "reasm-bytes", required_argument, 0, O_REASM }, \
	{ "min-confidence", required_argument, 0, O_MINC }, \
	{ "no-ndpi", no_argument, 0, O_NONDPI }, \
	{ "evidence", required_argument, 0, O_EVIDENCE }, \
	{ "evidence-max", required_argument, 0, O_EVMAX },

/* Other subcommands (each in its own file) add themselves here. */
int cmd_capture(int argc, char **argv);     /* cmd_capture.c */
int cmd_report(int argc, char **argv);      /* cmd_report.c */
int cmd_merge(int argc, char **argv);       /* cmd_merge.c */
#define CLI_EXTRA_COMMANDS \
	{ "capture", "capture live from an interface, write events and reports", cmd_capture }, \
	{ "report", "render a report JSON as text, HTML or JSON", cmd_report }, \
	{ "merge", "merge reports from several sensors or time windows", cmd_merge },

int cli_engine_opt(int c, const char *arg, struct engine_opts *o);

/* Detector options (cli_det.c), ids from O_DETOPT on. */
#define O_DETOPT 1024
/* base (ending with a zero entry) followed by the detectors' options;
 * made once per base, valid until a call with another base. */
struct option *cli_long_opts(const struct option *base);
/* One help line per detector option. */
void cli_det_usage(FILE *f);
/* Option c with its argument into o: 1 handled, -1 bad value, 0 not a
 * detector option. */
int cli_det_opt(int c, const char *arg, struct engine_opts *o);
FILE *cli_open_events(const char *path, char *err);
#endif
