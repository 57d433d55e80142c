/* SPDX-License-Identifier: MIT */
/* Placeholder: `dynprobe tp` lands with its own change. */
#include <stdio.h>
#include "commands.h"

int cmd_tp(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "dynprobe tp: not available in this build\n");
	return 1;
}
