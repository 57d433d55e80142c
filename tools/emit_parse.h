/* SPDX-License-Identifier: MIT */
/*
 * emit_parse.h - the text parsers of `dynprobe emit`: argument values,
 * logger lines, numeric options and backend lists.  Kept apart from the
 * command so that the fuzz targets (tests/fuzz/fuzz_emit_*.c) link exactly
 * the code the command runs.  None of them prints: each returns -1 with a
 * reason in `why` that the caller places in context (option, line number).
 */
#ifndef DYNPROBE_TOOLS_EMIT_PARSE_H
#define DYNPROBE_TOOLS_EMIT_PARSE_H

#include <stddef.h>

#include <dynprobe.h>

/* The whole of `text` as a value of type t: integers in decimal or 0x hex,
 * in the declared range; doubles as strtod reads them, finite or not; a
 * str as is (the arg points into text). */
int emit_parse_value(enum dynprobe_type t, const char *text, struct dynprobe_arg *ret,
		     char *why, size_t whylen);

/* One logger line of `len` bytes in a buffer of len + 1 (getline's), its
 * newline and a CR before it stripped here, modified in place:
 * tab-separated fields, one per type; a last str argument takes the rest of
 * the line, tabs included.  Empty fields are fields.  A NUL byte, too few or
 * too many fields, or a bad value is an error.  args point into line. */
int emit_parse_line(const enum dynprobe_type *types, size_t nargs, char *line, size_t len,
		    struct dynprobe_arg *args, char *why, size_t whylen);

/* A whole decimal integer in [min, max]. */
int emit_parse_long(const char *text, long min, long max, long *ret, char *why, size_t whylen);
/* A finite number of seconds >= 0. */
int emit_parse_seconds(const char *text, double *ret, char *why, size_t whylen);
/* usdt | lttng | both | all, or a comma-separated list (usdt,lttng): the
 * syntax of DYNPROBE_BACKENDS. */
int emit_parse_backends(const char *text, unsigned int *ret, char *why, size_t whylen);

#endif
