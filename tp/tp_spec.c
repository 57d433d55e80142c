/* SPDX-License-Identifier: MIT */
/*
 * tp_spec.c - the text spec of `dynprobe tp`.
 *
 * One provider per file, line oriented; `#` starts a comment, blank lines
 * are ignored, words are separated by blanks:
 *
 *	# the app's probes
 *	provider app
 *	probe request u64:latency str:path
 *	probe tick
 *	probe ratio double i32        # fields default to arg0, arg1, ...
 *
 * `provider NAME` comes first and once.  `probe NAME ARG...` where ARG is
 * TYPE or TYPE:FIELD and TYPE is a dynprobe_type_parse() name (i8 u8 i16
 * u16 i32 u32 i64 u64 str double, aliases int uint string float), the same
 * signature language as the command line.  Names are C identifiers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp.h"

#define SPEC_MAX_PROBES 4096

static int fail(char *err, size_t errlen, unsigned line, int code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, unsigned line, int code, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "line %u: ", line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* Parse `TYPE[:FIELD]` into probe argument i; field names point into the
 * spec's own string copy. */
static int parse_arg(struct dp_probe_desc *p, char *word, unsigned line, char *err, size_t errlen)
{
	char *colon = strchr(word, ':');
	size_t i = p->nargs;

	if (i >= DYNPROBE_MAX_ARGS)
		return fail(err, errlen, line, -DYNPROBE_EARGS, "probe %s: more than %d arguments",
			    p->name, DYNPROBE_MAX_ARGS);
	if (colon)
		*colon = '\0';
	if (dynprobe_type_parse(word, &p->types[i]) < 0)
		return fail(err, errlen, line, -DYNPROBE_ETYPE, "probe %s: unknown type '%s'",
			    p->name, word);
	p->arg_names[i] = colon ? colon + 1 : NULL;
	p->nargs++;
	return 0;
}

static int parse_probe(struct dp_tp_spec *s, char *rest, unsigned line, char *err, size_t errlen)
{
	char *save = NULL, *word = strtok_r(rest, " \t\r", &save);
	struct dp_probe_desc *p;
	int r;

	if (!s->desc.name)
		return fail(err, errlen, line, -EINVAL, "'probe' before 'provider'");
	if (!word)
		return fail(err, errlen, line, -EINVAL, "'probe' needs a name");
	if (s->desc.nprobes >= SPEC_MAX_PROBES)
		return fail(err, errlen, line, -E2BIG, "too many probes");
	p = &s->probes[s->desc.nprobes++];
	p->name = word;
	while ((word = strtok_r(NULL, " \t\r", &save))) {
		r = parse_arg(p, word, line, err, errlen);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_line(struct dp_tp_spec *s, char *text, unsigned line, char *err, size_t errlen)
{
	char *save = NULL, *kw;

	text[strcspn(text, "#")] = '\0';
	kw = strtok_r(text, " \t\r", &save);
	if (!kw)
		return 0;
	if (!strcmp(kw, "provider")) {
		char *name = strtok_r(NULL, " \t\r", &save);
		if (s->desc.name)
			return fail(err, errlen, line, -EINVAL, "only one provider per spec");
		if (!name || strtok_r(NULL, " \t\r", &save))
			return fail(err, errlen, line, -EINVAL, "usage: provider NAME");
		s->desc.name = name;
		return 0;
	}
	if (!strcmp(kw, "probe"))
		return parse_probe(s, save, line, err, errlen);
	return fail(err, errlen, line, -EINVAL, "unknown keyword '%s' (provider, probe)", kw);
}

/* Default field names "argN" live in a static table: they never change. */
static const char *default_arg_name(size_t i)
{
	static const char *const names[DYNPROBE_MAX_ARGS] = {
		"arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
		"arg6", "arg7", "arg8", "arg9", "arg10", "arg11",
	};
	return names[i];
}

static int spec_finish(struct dp_tp_spec *s, unsigned lines, char *err, size_t errlen)
{
	int r;

	if (!s->desc.name)
		return fail(err, errlen, lines, -EINVAL, "no 'provider' line");
	for (size_t i = 0; i < s->desc.nprobes; i++) {
		for (size_t a = 0; a < s->probes[i].nargs; a++)
			if (!s->probes[i].arg_names[a] || !*s->probes[i].arg_names[a])
				s->probes[i].arg_names[a] = default_arg_name(a);
		s->probe_ptrs[i] = &s->probes[i];
	}
	s->desc.probes = s->probe_ptrs;
	r = dp_tp_validate(&s->desc);
	if (r < 0)
		return fail(err, errlen, lines, r,
			    "invalid or duplicate name (C identifiers; provider <= %d, probe and field <= %d chars)",
			    DYNPROBE_MAX_PROVIDER_NAME, DYNPROBE_MAX_PROBE_NAME);
	return 0;
}

int dp_tp_spec_parse(const char *text, struct dp_tp_spec **ret_spec, char *err, size_t errlen)
{
	struct dp_tp_spec *s = calloc(1, sizeof(*s));
	unsigned line = 0;
	char *cur, *nl;
	int r = -ENOMEM;

	*ret_spec = NULL;
	if (errlen)
		err[0] = '\0';
	if (!s)
		return -ENOMEM;
	s->strings = strdup(text);
	s->probes = calloc(SPEC_MAX_PROBES, sizeof(*s->probes));
	s->probe_ptrs = calloc(SPEC_MAX_PROBES, sizeof(*s->probe_ptrs));
	if (!s->strings || !s->probes || !s->probe_ptrs)
		goto err;
	for (cur = s->strings; cur && *cur; cur = nl) {
		nl = strchr(cur, '\n');
		if (nl)
			*nl++ = '\0';
		r = parse_line(s, cur, ++line, err, errlen);
		if (r < 0)
			goto err;
	}
	r = spec_finish(s, line, err, errlen);
	if (r < 0)
		goto err;
	*ret_spec = s;
	return 0;
err:
	dp_tp_spec_free(s);
	return r;
}

struct dp_tp_spec *dp_tp_spec_free(struct dp_tp_spec *s)
{
	if (s) {
		free(s->strings);
		free(s->probes);
		free(s->probe_ptrs);
		free(s);
	}
	return NULL;
}
