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
	fprintf(out, "\n`dynprobe help COMMAND` (or `dynprobe COMMAND --help`) describes each one;\n"
		     "`dynprobe --version` prints the version.  Manual: man dynprobe.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* `dynprobe help [COMMAND]`, as git and perf do. */
static int help(int argc, char **argv)
{
	const struct command *c;
	char *args[] = { NULL, (char *)"--help", NULL };

	if (argc < 3) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[2]);
	if (!c) {
		fprintf(stderr, "dynprobe: unknown command '%s'\n", argv[2]);
		usage(stderr);
		return 2;
	}
	args[0] = argv[2];
	return c->run(2, args);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return help(argc, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("dynprobe %s\n", DYNPROBE_VERSION);
		return 0;
	}
	c = find_command(argv[1]);
	if (c)
		return c->run(argc - 1, argv + 1);
	fprintf(stderr, "dynprobe: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
