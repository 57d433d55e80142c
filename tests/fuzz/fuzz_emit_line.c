/* SPDX-License-Identifier: MIT */
/*
 * fuzz_emit_line.c - one line of `dynprobe emit --stdin` (the logger):
 * byte 0 is the number of arguments (mod 13), the next ones their types,
 * the rest the line as getline() returns it (any bytes, NULs included, in
 * a buffer one byte longer).  Accepted lines give every argument a value
 * of its type, strings inside the line buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dynprobe_type types[] = {
	DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16, DYNPROBE_I32,
	DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum dynprobe_type sig[DYNPROBE_MAX_ARGS];
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	size_t nargs, len;
	char why[512], *line;

	if (size < 1)
		return 0;
	nargs = data[0] % (DYNPROBE_MAX_ARGS + 1);
	if (size < 1 + nargs)
		return 0;
	for (size_t i = 0; i < nargs; i++)
		sig[i] = types[data[1 + i] % (sizeof(types) / sizeof(types[0]))];
	len = size - 1 - nargs;
	line = malloc(len + 1);
	if (!line)
		return 0;
	memcpy(line, data + 1 + nargs, len);
	line[len] = '\0';
	if (emit_parse_line(sig, nargs, line, len, args, why, sizeof(why)) == 0) {
		for (size_t i = 0; i < nargs; i++) {
			if (sig[i] != DYNPROBE_STR)
				continue;
			/* A string argument points into the line and is
			 * terminated inside it. */
			if (args[i].v.s < line || args[i].v.s > line + len ||
			    strlen(args[i].v.s) > (size_t)(line + len - args[i].v.s))
				abort();
		}
	}
	free(line);
	return 0;
}
