/* SPDX-License-Identifier: MIT */
/*
 * tp_spec.c - the text spec of `dynprobe tp`.
 *
 * One provider per file, line oriented; `#` starts a comment, blank lines
 * are ignored, words are separated by blanks:
 *
 *	# the app's probes
 *	provider app
 *	probe request u64:latency str:path loglevel=info
 *	probe tick
 *	probe ratio double i32        # fields default to arg0, arg1, ...
 *
 * `provider NAME` comes first and once.  `probe NAME ARG... [loglevel=LEVEL]`
 * where ARG is TYPE or TYPE:FIELD and TYPE is a dynprobe_type_parse() name
 * (i8 u8 i16 u16 i32 u32 i64 u64 str double, aliases int uint string float),
 * the same signature language as the command line, and LEVEL is the LTTng
 * event's log level, anything dynprobe_loglevel_parse() accepts (emerg ..
 * debug, TRACE_INFO, case-insensitive).  Names are C identifiers.
 *
 * Every error names its line and the word at fault, and is found on the
 * line that has it: names are checked with the generator's own rules
 * (dp_tp_validate) as soon as they are read, not once the file is done.
 * The text is counted, not NUL-terminated: a NUL byte is an error (a spec
 * is text; a NUL would otherwise hide every line after it).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp.h"

#define SPEC_MAX_PROBES 4096
#define SPEC_BLANKS " \t\r\v\f"

struct spec_parser {
	struct dp_tp_spec *spec;
	unsigned line;
	size_t cap;            /* probes allocated */
	unsigned *probe_lines; /* where each probe was declared */
	char *err;
	size_t errlen;
};

static int fail(struct spec_parser *ps, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct spec_parser *ps, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen)
		return code;
	n = snprintf(ps->err, ps->errlen, "line %u: ", ps->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/* The generator's rules, applied to one probe (or to the provider alone
 * when p is NULL), so a bad name is reported where it is written. */
static bool names_ok(const char *provider, const struct dp_probe_desc *p)
{
	const struct dp_probe_desc *probes[1] = { p };
	struct dp_provider_desc d = { .name = provider, .nprobes = p ? 1 : 0, .probes = probes };

	return dp_tp_validate(&d) == 0;
}

static const char *default_arg_name(size_t i)
{
	static const char *const names[DYNPROBE_MAX_ARGS] = {
		"arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
		"arg6", "arg7", "arg8", "arg9", "arg10", "arg11",
	};
	return names[i];
}

/* `TYPE[:FIELD]`; field names point into the spec's own string copy. */
static int parse_arg(struct spec_parser *ps, struct dp_probe_desc *p, char *word)
{
	char *colon = strchr(word, ':');
	const char *field = colon ? colon + 1 : NULL;
	size_t i = p->nargs;

	if (i >= DYNPROBE_MAX_ARGS)
		return fail(ps, -DYNPROBE_EARGS, "probe %s: more than %d arguments", p->name,
			    DYNPROBE_MAX_ARGS);
	if (colon)
		*colon = '\0';
	if (dynprobe_type_parse(word, &p->types[i]) < 0)
		return fail(ps, -DYNPROBE_ETYPE,
			    "probe %s: unknown type '%s' (i8 u8 i16 u16 i32 u32 i64 u64 str double)",
			    p->name, word);
	p->arg_names[i] = field && *field ? field : default_arg_name(i);
	for (size_t j = 0; j < i; j++)
		if (!strcmp(p->arg_names[j], p->arg_names[i]))
			return fail(ps, -DYNPROBE_ENAME, "probe %s: field '%s' appears twice",
				    p->name, p->arg_names[i]);
	p->nargs++;
	if (field && *field && !names_ok(ps->spec->desc.name, p))
		return fail(ps, -DYNPROBE_ENAME,
			    "probe %s: invalid field name '%s' (a C identifier of at most %d characters)",
			    p->name, field, DYNPROBE_MAX_PROBE_NAME);
	return 0;
}

static int parse_loglevel(struct spec_parser *ps, struct dp_probe_desc *p, const char *level)
{
	if (p->lttng_loglevel)
		return fail(ps, -EINVAL, "probe %s: more than one loglevel=", p->name);
	if (dynprobe_loglevel_parse(level, &p->lttng_loglevel) < 0)
		return fail(ps, -EINVAL,
			    "probe %s: unknown log level '%s' (emerg alert crit err warning notice info debug_system ... debug_line debug)",
			    p->name, level);
	return 0;
}

static int probe_name(struct spec_parser *ps, struct dp_probe_desc *p, char *name)
{
	struct dp_tp_spec *s = ps->spec;

	p->name = name;
	if (!names_ok(s->desc.name, p))
		return fail(ps, -DYNPROBE_ENAME,
			    "invalid probe name '%s' (a C identifier of at most %d characters)",
			    name, DYNPROBE_MAX_PROBE_NAME);
	for (size_t i = 0; i + 1 < s->desc.nprobes; i++)
		if (!strcmp(s->probes[i].name, name))
			return fail(ps, -EEXIST, "probe '%s' already declared on line %u", name,
				    ps->probe_lines[i]);
	return 0;
}

/* Room for more probes: doubling, so a spec of a few probes (the usual
 * case, and the fuzzer's) allocates little. */
static int grow(struct spec_parser *ps)
{
	struct dp_tp_spec *s = ps->spec;
	size_t cap = ps->cap ? ps->cap * 2 : 16;
	struct dp_probe_desc *probes = realloc(s->probes, cap * sizeof(*probes));
	unsigned *lines;

	if (!probes)
		return -ENOMEM;
	s->probes = probes;
	lines = realloc(ps->probe_lines, cap * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	ps->probe_lines = lines;
	ps->cap = cap;
	return 0;
}

static int parse_probe(struct spec_parser *ps, char **save)
{
	struct dp_tp_spec *s = ps->spec;
	char *word = strtok_r(NULL, SPEC_BLANKS, save);
	struct dp_probe_desc *p;
	int r;

	if (!s->desc.name)
		return fail(ps, -EINVAL, "'probe' before 'provider'");
	if (!word)
		return fail(ps, -EINVAL, "usage: probe NAME [TYPE[:FIELD]]... [loglevel=LEVEL]");
	if (s->desc.nprobes >= SPEC_MAX_PROBES)
		return fail(ps, -E2BIG, "more than %d probes", SPEC_MAX_PROBES);
	if (s->desc.nprobes == ps->cap && grow(ps) < 0)
		return fail(ps, -ENOMEM, "out of memory");
	ps->probe_lines[s->desc.nprobes] = ps->line;
	p = &s->probes[s->desc.nprobes++];
	*p = (struct dp_probe_desc){ 0 };
	r = probe_name(ps, p, word);
	while (r == 0 && (word = strtok_r(NULL, SPEC_BLANKS, save))) {
		if (!strncmp(word, "loglevel=", 9))
			r = parse_loglevel(ps, p, word + 9);
		else if (p->lttng_loglevel)
			r = fail(ps, -EINVAL, "probe %s: '%s' after loglevel= (it comes last)",
				 p->name, word);
		else
			r = parse_arg(ps, p, word);
	}
	return r;
}

static int parse_provider(struct spec_parser *ps, char **save)
{
	struct dp_tp_spec *s = ps->spec;
	char *name = strtok_r(NULL, SPEC_BLANKS, save);

	if (s->desc.name)
		return fail(ps, -EINVAL, "only one provider per spec");
	if (!name || strtok_r(NULL, SPEC_BLANKS, save))
		return fail(ps, -EINVAL, "usage: provider NAME");
	if (!names_ok(name, NULL))
		return fail(ps, -DYNPROBE_ENAME,
			    "invalid provider name '%s' (a C identifier of at most %d characters)",
			    name, DYNPROBE_MAX_PROVIDER_NAME);
	s->desc.name = name;
	return 0;
}

static int parse_line(struct spec_parser *ps, char *text)
{
	char *save = NULL, *kw;

	text[strcspn(text, "#")] = '\0';
	kw = strtok_r(text, SPEC_BLANKS, &save);
	if (!kw)
		return 0;
	if (!strcmp(kw, "provider"))
		return parse_provider(ps, &save);
	if (!strcmp(kw, "probe"))
		return parse_probe(ps, &save);
	return fail(ps, -EINVAL, "unknown keyword '%s' (provider, probe)", kw);
}

static int parse_lines(struct spec_parser *ps, size_t len)
{
	char *cur = ps->spec->strings, *end = cur + len, *nl;
	int r;

	for (; cur < end; cur = nl + 1) {
		nl = memchr(cur, '\n', (size_t)(end - cur));
		if (!nl)
			nl = end; /* the copy has a NUL there */
		ps->line++;
		if (memchr(cur, '\0', (size_t)(nl - cur)))
			return fail(ps, -EINVAL, "NUL byte in the text (is this a spec file?)");
		*nl = '\0';
		r = parse_line(ps, cur);
		if (r < 0)
			return r;
	}
	if (!ps->spec->desc.name)
		return fail(ps, -EINVAL, "no 'provider' line (the file is empty or all comments)");
	return 0;
}

static struct dp_tp_spec *spec_alloc(const char *text, size_t len)
{
	struct dp_tp_spec *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->strings = malloc(len + 1);
	if (!s->strings)
		return dp_tp_spec_free(s);
	memcpy(s->strings, text, len);
	s->strings[len] = '\0';
	return s;
}

int dp_tp_spec_parse_n(const char *text, size_t len, struct dp_tp_spec **ret_spec, char *err,
		       size_t errlen)
{
	struct spec_parser ps = { .err = err, .errlen = errlen };
	int r = -ENOMEM;

	*ret_spec = NULL;
	if (errlen)
		err[0] = '\0';
	if (!text && len)
		return -EINVAL;
	ps.spec = spec_alloc(text ? text : "", len);
	if (!ps.spec)
		goto err;
	r = parse_lines(&ps, len);
	if (r < 0)
		goto err;
	r = -ENOMEM;
	ps.spec->probe_ptrs = calloc(ps.spec->desc.nprobes + 1, sizeof(*ps.spec->probe_ptrs));
	if (!ps.spec->probe_ptrs)
		goto err;
	for (size_t i = 0; i < ps.spec->desc.nprobes; i++)
		ps.spec->probe_ptrs[i] = &ps.spec->probes[i];
	ps.spec->desc.probes = ps.spec->probe_ptrs;
	/* Each name was checked where it was read; this is the generator's
	 * whole-provider check, kept as a backstop. */
	r = dp_tp_validate(&ps.spec->desc);
	if (r < 0) {
		fail(&ps, r, "the generator refuses this provider (DYNPROBE_DEBUG=1 says why)");
		goto err;
	}
	free(ps.probe_lines);
	*ret_spec = ps.spec;
	return 0;
err:
	free(ps.probe_lines);
	dp_tp_spec_free(ps.spec);
	return r;
}

int dp_tp_spec_parse(const char *text, struct dp_tp_spec **ret_spec, char *err, size_t errlen)
{
	return dp_tp_spec_parse_n(text, text ? strlen(text) : 0, ret_spec, err, errlen);
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
