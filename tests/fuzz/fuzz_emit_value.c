/* SPDX-License-Identifier: MIT */
/*
 * fuzz_emit_value.c - `dynprobe emit`'s value and option parsers
 * (tools/emit_parse.c).  The first byte picks the parser: one of the ten
 * argument types, or --count / --wait-attached / --backend; the rest is the
 * text, as it arrives from argv (NUL-terminated).  An accepted value must be
 * in its declared range.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const enum dynprobe_type types[] = {
	DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16, DYNPROBE_I32,
	DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE,
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static void check_range(enum dynprobe_type t, const struct dynprobe_arg *a)
{
	switch (t) {
	case DYNPROBE_I8: if (a->v.i < INT8_MIN || a->v.i > INT8_MAX) abort(); break;
	case DYNPROBE_U8: if (a->v.u > UINT8_MAX) abort(); break;
	case DYNPROBE_I16: if (a->v.i < INT16_MIN || a->v.i > INT16_MAX) abort(); break;
	case DYNPROBE_U16: if (a->v.u > UINT16_MAX) abort(); break;
	case DYNPROBE_I32: if (a->v.i < INT32_MIN || a->v.i > INT32_MAX) abort(); break;
	case DYNPROBE_U32: if (a->v.u > UINT32_MAX) abort(); break;
	default: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dynprobe_arg arg;
	unsigned int backends;
	char why[256], *text;
	double seconds;
	long n;

	if (size < 1)
		return 0;
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % (NTYPES + 3)) {
	case NTYPES:
		if (emit_parse_long(text, 0, LONG_MAX, &n, why, sizeof(why)) == 0 && n < 0)
			abort();
		break;
	case NTYPES + 1:
		if (emit_parse_seconds(text, &seconds, why, sizeof(why)) == 0 &&
		    !(seconds >= 0 && seconds <= 1e9))
			abort();
		break;
	case NTYPES + 2:
		if (emit_parse_backends(text, &backends, why, sizeof(why)) == 0 &&
		    (!backends || backends & ~(unsigned)DYNPROBE_BACKEND_ALL))
			abort();
		break;
	default:
		if (emit_parse_value(types[data[0] % (NTYPES + 3)], text, &arg, why,
				     sizeof(why)) == 0)
			check_range(types[data[0] % (NTYPES + 3)], &arg);
		break;
	}
	free(text);
	return 0;
}
