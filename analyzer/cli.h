/* cli.h - pieces of the command line shared by the subcommands. */
#ifndef TS_CLI_H
#define TS_CLI_H
#include <stdio.h>
#include "engine.h"

struct command {
	const char *name;
	const char *help;
	int (*fn)(int argc, char **argv);
};
extern const struct command commands[];

/* Other subcommands (each in its own file) add themselves here. */
#define CLI_EXTRA_COMMANDS

int cli_engine_opt(int c, const char *arg, struct engine_opts *o);
FILE *cli_open_events(const char *path, char *err);
#endif
