/* SPDX-License-Identifier: MIT */
/*
 * emit_parse.c - see emit_parse.h.  Strict on purpose: `--count abc` must
 * not mean "forever" (atol's 0), `-1` must not pass as a count, and a
 * logger line with a bad field is rejected on its own rather than fired
 * with a half-parsed value.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_parse.h"

static int why_fmt(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int why_fmt(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_signed(enum dynprobe_type t)
{
	return t == DYNPROBE_I8 || t == DYNPROBE_I16 || t == DYNPROBE_I32 || t == DYNPROBE_I64;
}

static int type_bits(enum dynprobe_type t)
{
	switch (t) {
	case DYNPROBE_I8: case DYNPROBE_U8: return 8;
	case DYNPROBE_I16: case DYNPROBE_U16: return 16;
	case DYNPROBE_I32: case DYNPROBE_U32: return 32;
	default: return 64;
	}
}

/* Decimal, or hex after 0x; no leading blanks (strto* would skip them,
 * while a trailing blank is refused: be consistent). */
static int int_base(const char *text)
{
	const char *p = text + (*text == '-' || *text == '+');

	return p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
}

static int parse_int(enum dynprobe_type t, const char *text, struct dynprobe_arg *ret)
{
	int bits = type_bits(t);
	char *end = NULL;

	errno = 0;
	if (is_signed(t)) {
		long long v = strtoll(text, &end, int_base(text));
		long long lim = bits == 64 ? LLONG_MAX : (1LL << (bits - 1)) - 1;
		if (v > lim || v < -lim - 1)
			errno = ERANGE;
		*ret = dynprobe_arg_i(v);
	} else {
		unsigned long long v = strtoull(text, &end, int_base(text));
		if (text[0] == '-' || (bits < 64 && v >> bits))
			errno = ERANGE;
		*ret = dynprobe_arg_u(v);
	}
	if (end == text || *end)
		return -EINVAL;
	return errno ? -ERANGE : 0;
}

int emit_parse_value(enum dynprobe_type t, const char *text, struct dynprobe_arg *ret,
		     char *why, size_t whylen)
{
	const char *tname = dynprobe_type_name(t);
	char *end = NULL;
	int r;

	if (!tname)
		return why_fmt(why, whylen, "unknown type %d", (int)t);
	if (t == DYNPROBE_STR) {
		*ret = dynprobe_arg_s(text);
		return 0;
	}
	if (!*text)
		return why_fmt(why, whylen, "empty value, expected %s", tname);
	if (strchr(" \t\n\v\f\r", *text))
		return why_fmt(why, whylen, "'%s' is not a valid %s (leading blank)", text, tname);
	if (t == DYNPROBE_DOUBLE) {
		errno = 0;
		double d = strtod(text, &end);
		*ret = dynprobe_arg_d(d);
		r = end == text || *end ? -EINVAL : errno == ERANGE && fabs(d) > 1 ? -ERANGE : 0;
	} else {
		r = parse_int(t, text, ret);
	}
	if (r == -ERANGE)
		return why_fmt(why, whylen, "'%s' is not a valid %s (out of range)", text, tname);
	if (r < 0)
		return why_fmt(why, whylen, "'%s' is not a valid %s", text, tname);
	return 0;
}

static size_t count_fields(const char *line)
{
	size_t n = 1;

	for (; *line; line++)
		n += *line == '\t';
	return n;
}

int emit_parse_line(const enum dynprobe_type *types, size_t nargs, char *line, size_t len,
		    struct dynprobe_arg *args, char *why, size_t whylen)
{
	char *field = line, *tab;
	char sub[200];

	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len))
		return why_fmt(why, whylen, "NUL byte in the line");
	line[len] = '\0';
	for (size_t i = 0; i < nargs; i++) {
		bool rest = i + 1 == nargs && types[i] == DYNPROBE_STR;
		if (!field)
			return why_fmt(why, whylen, "%zu field%s, the probe takes %zu (tab-separated)",
				       i, i == 1 ? "" : "s", nargs);
		tab = rest ? NULL : strchr(field, '\t');
		if (tab)
			*tab = '\0';
		if (emit_parse_value(types[i], field, &args[i], sub, sizeof(sub)) < 0)
			return why_fmt(why, whylen, "field %zu: %s", i + 1, sub);
		field = tab ? tab + 1 : NULL;
	}
	if (field && nargs)
		return why_fmt(why, whylen, "%zu fields, the probe takes %zu (tab-separated)",
			       nargs + count_fields(field), nargs);
	return 0;
}

int emit_parse_long(const char *text, long min, long max, long *ret, char *why, size_t whylen)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (!*text || strchr(" \t\n\v\f\r", *text) || end == text || *end)
		return why_fmt(why, whylen, "'%s' is not a whole number", text);
	if (errno == ERANGE || v < min || v > max)
		return max == LONG_MAX
			       ? why_fmt(why, whylen, "'%s' is out of range (%ld or more)", text, min)
			       : why_fmt(why, whylen, "'%s' is out of range (%ld to %ld)", text, min, max);
	*ret = v;
	return 0;
}

int emit_parse_seconds(const char *text, double *ret, char *why, size_t whylen)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (!*text || strchr(" \t\n\v\f\r", *text) || end == text || *end)
		return why_fmt(why, whylen, "'%s' is not a number of seconds", text);
	if (errno == ERANGE || !isfinite(v) || v < 0 || v > 1e9)
		return why_fmt(why, whylen, "'%s' is out of range (0 to 1e9 seconds)", text);
	*ret = v;
	return 0;
}

int emit_parse_backends(const char *text, unsigned int *ret, char *why, size_t whylen)
{
	unsigned int m = 0;
	const char *p = text;

	for (;;) {
		size_t n = strcspn(p, ",");
		if (n == 4 && !strncmp(p, "usdt", 4))
			m |= DYNPROBE_BACKEND_USDT;
		else if (n == 5 && !strncmp(p, "lttng", 5))
			m |= DYNPROBE_BACKEND_LTTNG;
		else if ((n == 4 && !strncmp(p, "both", 4)) || (n == 3 && !strncmp(p, "all", 3)))
			m |= DYNPROBE_BACKEND_ALL;
		else
			return why_fmt(why, whylen,
				       "'%s': use usdt, lttng, or both (usdt,lttng)", text);
		if (!p[n])
			break;
		p += n + 1;
	}
	*ret = m;
	return 0;
}
