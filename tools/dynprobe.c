/* SPDX-License-Identifier: MIT */
/* dynprobe - command-line front end: dispatches to one sub-command. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "emit", cmd_emit, "declare one probe on the command line and fire it" },
	{ "list", cmd_list, "list dynprobe providers and probes in running processes" },
	{ "tp", cmd_tp, "build an LTTng provider object ahead of time from a spec" },
	{ "report", cmd_report, "aggregate LTTng traces (count, hist, lhist, percentiles)" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: dynprobe COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`dynprobe COMMAND --help` describes each command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dynprobe %s\n", DYNPROBE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "dynprobe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
