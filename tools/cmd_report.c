/* SPDX-License-Identifier: MIT */
/* Placeholder: `dynprobe report` lands with its own change. */
#include <stdio.h>
#include "commands.h"

int cmd_report(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "dynprobe report: not available in this build\n");
	return 1;
}
