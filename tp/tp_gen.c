/* SPDX-License-Identifier: MIT */
/*
 * tp_gen.c - generate the C source of an LTTng tracepoint provider.
 *
 * One file per provider, which is at the same time the provider's
 * tracepoint header (lttng-ust re-includes it through
 * LTTNG_UST_TRACEPOINT_INCLUDE, hence the fixed build name dynprobe-tp.c),
 * the probe definitions (LTTNG_UST_TRACEPOINT_CREATE_PROBES) and the
 * tracepoint definitions (LTTNG_UST_TRACEPOINT_DEFINE).  For
 *
 *	provider app
 *	probe request u64:latency str:path
 *
 * it declares
 *
 *	LTTNG_UST_TRACEPOINT_EVENT(app, request,
 *		LTTNG_UST_TP_ARGS(const union dp_tp_value *, dp_v),
 *		LTTNG_UST_TP_FIELDS(
 *			lttng_ust_field_integer(uint64_t, latency, dp_v[0].u)
 *			lttng_ust_field_string(path, dp_v[1].s ? dp_v[1].s : "(null)")))
 *
 * (one array argument: lttng-ust takes at most 10, dynprobe allows 12) and
 * `lttng list -u -f` then shows
 *
 *	PID: 4354 - Name: /usr/bin/app
 *	      app:request (loglevel: TRACE_DEBUG_LINE (13)) (type: tracepoint)
 *	        field: path (string)
 *	        field: latency (integer)
 *
 * (lttng lists fields last to first; traces keep the declared order)
 *
 * and exports one struct dp_tp_desc (tp.h) listing, per event, a fire
 * function that records the event unconditionally (the caller has already
 * read the tracepoint's state through the pointer next to it), plus
 * attach/detach functions that re-run the lttng-ust probe registration
 * constructor/destructor so a provider can be unregistered without
 * dlclose(), and the state-mirror functions (emit_mirrors() below) with
 * which the library places extra call-site records where dynprobe.h's
 * inline check reads.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp.h"

struct sbuf {
	char *p;
	size_t len, cap;
	int err;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = -EINVAL;
			return;
		}
		if (b->p && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 8192;
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

static int validate_probe(const char *provider, const struct dp_probe_desc *p)
{
	/* The one validator (tp_names.c) refuses macros, reserved names and
	 * names that clash with lttng-ust's; the generated file also #errors
	 * on any other macro (emit_macro_guard). */
	if (!p)
		return -EINVAL;
	if (dp_name_check(p->name, DP_NAME_PROBE) < 0)
		return -DYNPROBE_ENAME;
	/* lttng-ust: "provider:event" plus NUL must fit in 256 bytes. */
	if (strlen(provider) + 1 + strlen(p->name) >= 256)
		return -DYNPROBE_ENAME;
	if (p->nargs > DYNPROBE_MAX_ARGS)
		return -DYNPROBE_EARGS;
	for (size_t i = 0; i < p->nargs; i++) {
		if (p->types[i] <= DYNPROBE_TYPE_NONE || p->types[i] >= DYNPROBE_TYPE_MAX)
			return -DYNPROBE_ETYPE;
		if (dp_name_check(p->arg_names[i], DP_NAME_FIELD) < 0)
			return -DYNPROBE_ENAME;
		/* Duplicate field names make an unreadable CTF trace. */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->arg_names[i], p->arg_names[j])) {
				dp_logl(DYNPROBE_LOG_WARN, "lttng: %s:%s: field '%s' appears twice", provider,
				       p->name, p->arg_names[i]);
				return -DYNPROBE_ENAME;
			}
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The same event twice is either refused by lttng-ust or recorded twice
 * per call.  Sorted, not pairwise: a 1,000-probe provider loads in
 * milliseconds. */
static int check_duplicates(const struct dp_provider_desc *desc)
{
	const char **names;
	int r = 0;

	if (desc->nprobes < 2)
		return 0;
	names = malloc(desc->nprobes * sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < desc->nprobes; i++)
		names[i] = desc->probes[i]->name;
	qsort(names, desc->nprobes, sizeof(*names), cmp_names);
	for (size_t i = 1; i < desc->nprobes && r == 0; i++)
		if (!strcmp(names[i], names[i - 1])) {
			dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: probe '%s' appears twice", desc->name,
				names[i]);
			r = -DYNPROBE_ENAME;
		}
	free(names);
	return r;
}

int dp_tp_validate(const struct dp_provider_desc *desc)
{
	int r;

	if (!desc)
		return -EINVAL;
	if (dp_name_check(desc->name, DP_NAME_PROVIDER) < 0)
		return -DYNPROBE_ENAME;
	if (desc->nprobes && !desc->probes)
		return -EINVAL;
	for (size_t i = 0; i < desc->nprobes; i++) {
		r = validate_probe(desc->name, desc->probes[i]);
		if (r < 0)
			return r;
	}
	return check_duplicates(desc);
}

int dp_tp_signature(const struct dp_probe_desc *p, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (size_t i = 0; i < p->nargs; i++) {
		int n = snprintf(buf + off, len - off, "%s%s %s", i ? "," : "",
				 dynprobe_type_name(p->types[i]), p->arg_names[i]);
		if (n < 0 || (size_t)n >= len - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return 0;
}

/* One lttng_ust_field_* line per argument.  The core has already converted
 * the values to the declared types; the casts only pick the width. */
static void emit_field(struct sbuf *b, enum dynprobe_type t, const char *name, size_t i)
{
	static const char *const ctype[DYNPROBE_TYPE_MAX] = {
		[DYNPROBE_I8] = "int8_t", [DYNPROBE_U8] = "uint8_t",
		[DYNPROBE_I16] = "int16_t", [DYNPROBE_U16] = "uint16_t",
		[DYNPROBE_I32] = "int32_t", [DYNPROBE_U32] = "uint32_t",
		[DYNPROBE_I64] = "int64_t", [DYNPROBE_U64] = "uint64_t",
	};

	switch (t) {
	case DYNPROBE_STR:
		/* lttng-ust would strlen(NULL): record a marker instead. */
		sb_printf(b, "\t\tlttng_ust_field_string(%s, dp_v[%zu].s ? dp_v[%zu].s : \"(null)\")\n",
			  name, i, i);
		break;
	case DYNPROBE_DOUBLE:
		sb_printf(b, "\t\tlttng_ust_field_float(double, %s, dp_v[%zu].d)\n", name, i);
		break;
	case DYNPROBE_I8: case DYNPROBE_I16: case DYNPROBE_I32: case DYNPROBE_I64:
		sb_printf(b, "\t\tlttng_ust_field_integer(%s, %s, dp_v[%zu].i)\n", ctype[t], name, i);
		break;
	default:
		sb_printf(b, "\t\tlttng_ust_field_integer(%s, %s, dp_v[%zu].u)\n", ctype[t], name, i);
		break;
	}
}

static void emit_head(struct sbuf *b, const struct dp_provider_desc *d)
{
	sb_printf(b, "/* Generated by dynprobe (tp generator %d) for LTTng provider \"%s\".\n"
		  " * Do not edit: regenerate with `dynprobe tp`. */\n",
		  DP_TP_GENERATOR_VERSION, d->name);
	for (size_t i = 0; i < d->nprobes; i++) {
		char sig[DYNPROBE_MAX_ARGS * (DYNPROBE_MAX_PROBE_NAME + 10)];
		dp_tp_signature(d->probes[i], sig, sizeof(sig));
		sb_printf(b, "/* probe %s(%s) loglevel %d */\n", d->probes[i]->name, sig,
			  d->probes[i]->lttng_loglevel);
	}
	sb_printf(b, "#ifndef DYNPROBE_TP_TOP\n#define DYNPROBE_TP_TOP\n"
		  "/* Compiler-predefined names a probe may well use. */\n"
		  "#undef linux\n#undef unix\n#undef i386\n"
		  "#define LTTNG_UST_TRACEPOINT_CREATE_PROBES\n"
		  "#define LTTNG_UST_TRACEPOINT_DEFINE\n"
		  "#define LTTNG_UST_TRACEPOINT_PROVIDER %s\n"
		  "#define LTTNG_UST_TRACEPOINT_INCLUDE \"dynprobe-tp.c\"\n"
		  "#include <stddef.h>\n#include <stdint.h>\n%s\n"
		  "#endif\n\n",
		  d->name, DP_TP_ABI(DP_TP_ABI_TEXT));
}

static void emit_events(struct sbuf *b, const struct dp_provider_desc *d)
{
	sb_printf(b, "#if !defined(DYNPROBE_TP_EVENTS) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)\n"
		  "#define DYNPROBE_TP_EVENTS\n#include <lttng/tracepoint.h>\n\n");
	for (size_t i = 0; i < d->nprobes; i++) {
		const struct dp_probe_desc *p = d->probes[i];
		sb_printf(b, "LTTNG_UST_TRACEPOINT_EVENT(%s, %s,\n"
			  "\tLTTNG_UST_TP_ARGS(const union dp_tp_value *, dp_v),\n"
			  "\tLTTNG_UST_TP_FIELDS(\n", d->name, p->name);
		for (size_t a = 0; a < p->nargs; a++)
			emit_field(b, p->types[a], p->arg_names[a], a);
		sb_printf(b, "\t)\n)\n");
		if (p->lttng_loglevel > DYNPROBE_LOGLEVEL_UNSET)
			sb_printf(b, "LTTNG_UST_TRACEPOINT_LOGLEVEL(%s, %s, %d)\n", d->name, p->name,
				  p->lttng_loglevel - 1);
		sb_printf(b, "\n");
	}
	sb_printf(b, "#endif\n\n");
}

/* A name that is a macro at this point would have been expanded inside the
 * lttng-ust macros: fail the build instead of aborting at registration. */
static void emit_macro_guard(struct sbuf *b, const char *name)
{
	sb_printf(b, "#ifdef %s\n#error \"dynprobe: name '%s' is a preprocessor macro; rename it\"\n#endif\n",
		  name, name);
}

/*
 * State mirrors.  lttng-ust writes an event's enabled state into every
 * registered call-site record (struct lttng_ust_tracepoint) of that name,
 * wherever it lives.  dp_tp_mirror_init() fills one more record per event,
 * in memory the library chose so that its state lands where the inline
 * check reads, and dp_tp_mirror_register() registers them as one more
 * tracepoint section; firing still goes through the object's own records.
 * Fields are set one by one: the 4 bytes after `state` (padding, asserted
 * below) may hold the library's USDT semaphore.
 */
static void emit_mirrors(struct sbuf *b, const struct dp_provider_desc *d)
{
	sb_printf(b, "_Static_assert(offsetof(struct lttng_ust_tracepoint, probes) >=\n"
		  "\toffsetof(struct lttng_ust_tracepoint, state) + 8, \"room after state\");\n"
		  "static struct lttng_ust_tracepoint *const dp_tp_records[] = {\n");
	for (size_t i = 0; i < d->nprobes; i++)
		sb_printf(b, "\t&lttng_ust_tracepoint_%s___%s,\n", d->name, d->probes[i]->name);
	sb_printf(b, "\tNULL\n};\n\n"
		  "static int dp_tp_mirror_init(uint32_t event, void *record)\n{\n"
		  "\tconst struct lttng_ust_tracepoint *s;\n"
		  "\tstruct lttng_ust_tracepoint *t = record;\n\n"
		  "\tif (event >= %zu)\n\t\treturn -1;\n"
		  "\ts = dp_tp_records[event];\n"
		  "\tt->struct_size = s->struct_size;\n"
		  "\tt->provider_name = s->provider_name;\n"
		  "\tt->event_name = s->event_name;\n"
		  "\tt->state = 0;\n"
		  "\tt->probes = NULL;\n"
		  "\tt->tracepoint_provider_ref = s->tracepoint_provider_ref;\n"
		  "\tt->signature = s->signature;\n"
		  "\treturn 0;\n}\n\n"
		  "static int dp_tp_mirror_register(void *const *records, uint32_t n)\n{\n"
		  "\tif (!lttng_ust_tracepoint_dlopen_ptr ||\n"
		  "\t    !lttng_ust_tracepoint_dlopen_ptr->lttng_ust_tracepoint_module_register)\n"
		  "\t\treturn -1;\n"
		  "\treturn lttng_ust_tracepoint_dlopen_ptr->lttng_ust_tracepoint_module_register(\n"
		  "\t\t(struct lttng_ust_tracepoint *const *)records, (int)n);\n}\n\n"
		  "static void dp_tp_mirror_unregister(void *const *records)\n{\n"
		  "\tif (lttng_ust_tracepoint_dlopen_ptr &&\n"
		  "\t    lttng_ust_tracepoint_dlopen_ptr->lttng_ust_tracepoint_module_unregister)\n"
		  "\t\tlttng_ust_tracepoint_dlopen_ptr->lttng_ust_tracepoint_module_unregister(\n"
		  "\t\t\t(struct lttng_ust_tracepoint *const *)records);\n}\n\n",
		  d->nprobes);
}

static void emit_tail(struct sbuf *b, const struct dp_provider_desc *d)
{
	sb_printf(b, "#ifndef DYNPROBE_TP_TAIL\n#define DYNPROBE_TP_TAIL\n"
		  "#include <lttng/tracepoint-event.h>\n\n");
	emit_macro_guard(b, d->name);
	for (size_t i = 0; i < d->nprobes; i++) {
		emit_macro_guard(b, d->probes[i]->name);
		for (size_t a = 0; a < d->probes[i]->nargs; a++)
			emit_macro_guard(b, d->probes[i]->arg_names[a]);
	}
	for (size_t i = 0; i < d->nprobes; i++)
		sb_printf(b, "\nstatic void dp_tp_fire_%zu(const union dp_tp_value *v)\n"
			  "{\n\tlttng_ust_do_tracepoint(%s, %s, v);\n}\n",
			  i, d->name, d->probes[i]->name);
	sb_printf(b, "\nstatic void dp_tp_attach(void) { lttng_ust__events_init__%s(); }\n"
		  "static void dp_tp_detach(void) { lttng_ust__events_exit__%s(); }\n\n",
		  d->name, d->name);
	emit_mirrors(b, d);
	sb_printf(b, "static const struct dp_tp_event dp_tp_events[] = {\n");
	for (size_t i = 0; i < d->nprobes; i++) {
		const struct dp_probe_desc *p = d->probes[i];
		char sig[DYNPROBE_MAX_ARGS * (DYNPROBE_MAX_PROBE_NAME + 10)];
		dp_tp_signature(p, sig, sizeof(sig));
		sb_printf(b, "\t{ sizeof(struct dp_tp_event), %zu, \"%s\", \"%s\",\n"
			  "\t  &lttng_ust_tracepoint_%s___%s.state, dp_tp_fire_%zu, %d },\n",
			  p->nargs, p->name, sig, d->name, p->name, i, p->lttng_loglevel);
	}
	/* Keep the array non-empty for a provider without probes. */
	sb_printf(b, "\t{ 0, 0, 0, 0, 0, 0, 0 }\n};\n\n"
		  "__attribute__((visibility(\"default\")))\n"
		  "const struct dp_tp_desc %s = {\n"
		  "\tsizeof(struct dp_tp_desc), %d, %d, %zu, sizeof(struct dp_tp_event),\n"
		  "\t\"%s\", LTTNG_UST_VERSION, dp_tp_events, dp_tp_attach, dp_tp_detach,\n"
		  "\tsizeof(struct lttng_ust_tracepoint), offsetof(struct lttng_ust_tracepoint, state),\n"
		  "\tdp_tp_mirror_init, dp_tp_mirror_register, dp_tp_mirror_unregister,\n"
		  "};\n#endif\n",
		  DP_TP_DESC_SYMBOL, DP_TP_ABI_MAJOR, DP_TP_ABI_MINOR, d->nprobes, d->name);
}

int dp_tp_generate(const struct dp_provider_desc *desc, char **ret_src)
{
	struct sbuf b = { 0 };
	int r;

	*ret_src = NULL;
	r = dp_tp_validate(desc);
	if (r < 0)
		return r;
	emit_head(&b, desc);
	emit_events(&b, desc);
	emit_tail(&b, desc);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*ret_src = b.p;
	return 0;
}
