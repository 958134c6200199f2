/* cli_det.c - the detectors' options on the command line: long options,
 * help lines and values, all from the registry (detector.h).  An option
 * several detectors declare is one option. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "detector.h"
#include "util.h"

/* The distinct options, registry order; made once (reachable: no leak). */
static const struct det_option **uniq;
static unsigned nuniq;

static void uniq_build(void)
{
	unsigned max = 0;
	if (uniq) return;
	for (unsigned i = 0; i < ndetectors; i++) max += detectors[i]->nopts;
	uniq = xcalloc(max ? max : 1, sizeof *uniq);
	for (unsigned i = 0; i < ndetectors; i++)
		for (unsigned k = 0; k < detectors[i]->nopts; k++) {
			const struct det_option *o = &detectors[i]->opts[k];
			unsigned j = 0;
			while (j < nuniq && strcmp(uniq[j]->name, o->name)) j++;
			if (j == nuniq) uniq[nuniq++] = o;
		}
}

struct option *cli_long_opts(const struct option *base)
{
	static struct option *all;
	static const struct option *for_base;
	unsigned nb = 0;
	if (all && for_base == base) return all;     /* getopt calls it per option */
	for_base = base;
	uniq_build();
	while (base[nb].name) nb++;
	free(all);
	all = xcalloc(nb + nuniq + 1, sizeof *all);
	memcpy(all, base, nb * sizeof *all);
	for (unsigned j = 0; j < nuniq; j++)
		all[nb + j] = (struct option){ uniq[j]->name, required_argument, 0,
		                               O_DETOPT + (int)j };
	return all;
}

void cli_det_usage(FILE *f)
{
	char opt[64];
	uniq_build();
	for (unsigned j = 0; j < nuniq; j++) {
		snprintf(opt, sizeof opt, "--%s %s", uniq[j]->name, uniq[j]->arg);
		fprintf(f, "  %-20s%s (default %lu)\n", opt, uniq[j]->help, uniq[j]->def);
	}
}

int cli_det_opt(int c, const char *arg, struct engine_opts *o)
{
	char *e;
	uniq_build();
	if (c < O_DETOPT || c >= O_DETOPT + (int)nuniq) return 0;
	errno = 0;
	unsigned long v = strtoul(arg, &e, 10);
	if (errno || !*arg || *e || v > 100000000UL) return -1;
	return engine_opts_set_det(o, uniq[c - O_DETOPT]->name, v) ? -1 : 1;
}
