/* SPDX-License-Identifier: MIT */
/*
 * report.c - build a query from its textual parts and release it.
 *
 * All parsing (aggregations, the filter expression) happens here, once,
 * before any trace is opened, so a typo fails fast with a one-line message
 * and the per-event path never looks at text again.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
}

static int parse_op(const char **p)
{
	static const struct { const char *s; int op; } ops[] = {
		{ "==", DP_OP_EQ }, { "!=", DP_OP_NE }, { "<=", DP_OP_LE },
		{ ">=", DP_OP_GE }, { "<", DP_OP_LT }, { ">", DP_OP_GT }, { "=", DP_OP_EQ },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(*p, ops[i].s, strlen(ops[i].s))) {
			*p += strlen(ops[i].s);
			return ops[i].op;
		}
	return -1;
}

/* The value: a quoted string, an integer, a real, or a bare word. */
static int parse_filter_value(struct dp_filter *f, const char *v)
{
	size_t n = strlen(v);
	char *end;

	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		f->text = strndup(v + 1, n - 2);
		return f->text ? 0 : -ENOMEM;
	}
	if (!(f->text = strndup(v, n)))
		return -ENOMEM;
	if (!n)
		return 0;
	errno = 0;
	if (f->text[0] == '-') {
		long long i = strtoll(f->text, &end, 0);
		f->i = i;
	} else {
		unsigned long long u = strtoull(f->text, &end, 0);
		f->i = u;
	}
	if (!errno && !*end) {
		f->is_num = f->is_int = 1;
		f->d = (double)f->i;
		return 0;
	}
	f->d = strtod(f->text, &end);
	f->is_num = !*end && !isnan(f->d);
	return 0;
}

static int parse_filter(struct dp_filter *f, const char *text, char *err, size_t errlen)
{
	const char *p = text, *start;

	while (isspace((unsigned char)*p))
		p++;
	start = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == start)
		goto bad;
	if (!(f->field = strndup(start, (size_t)(p - start))))
		return -ENOMEM;
	while (isspace((unsigned char)*p))
		p++;
	if ((f->op = parse_op(&p)) < 0)
		goto bad;
	while (isspace((unsigned char)*p))
		p++;
	if (parse_filter_value(f, p))
		return -ENOMEM;
	if (!f->is_num && f->op != DP_OP_EQ && f->op != DP_OP_NE) {
		snprintf(err, errlen, "filter '%s': strings compare only with == and !=", text);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad filter '%s' (expected FIELD OP VALUE, OP one of "
		 "== != < <= > >=)", text);
	return -EINVAL;
}

static int copy_config(struct dp_report *r, const struct dp_report_config *cfg)
{
	int oom = 0;

	r->cfg = *cfg;
	r->cfg.event = r->event = dup_or_null(cfg->event ? cfg->event : "*", &oom);
	r->cfg.field = r->field = dup_or_null(cfg->field, &oom);
	r->cfg.group_by = r->group_by = dup_or_null(cfg->group_by, &oom);
	r->cfg.filter = r->filter_text = dup_or_null(cfg->filter, &oom);
	r->cfg.aggs = r->aggs_text = dup_or_null(cfg->aggs, &oom);
	r->cfg.svg_path = r->svg_path = dup_or_null(cfg->svg_path, &oom);
	r->cfg.live_url = r->live_url = dup_or_null(cfg->live_url, &oom);
	r->inputs = calloc(cfg->ninputs + 1, sizeof(*r->inputs));
	if (!r->inputs)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->ninputs; i++)
		r->inputs[i] = dup_or_null(cfg->inputs[i], &oom);
	r->cfg.inputs = (const char *const *)r->inputs;
	if (r->cfg.interval <= 0)
		r->cfg.interval = 1;
	return oom ? -ENOMEM : 0;
}

/* Parse aggregations; the default depends on whether a field was given. */
static int setup_aggs(struct dp_report *r, char *err, size_t errlen)
{
	const char *text = r->aggs_text;

	if (!text || !*text)
		text = r->field ? "stats,pct,hist" : "count";
	if (dp_agg_parse(text, &r->spec, err, errlen))
		return -EINVAL;
	if (!r->spec.aggs) {
		snprintf(err, errlen, "no aggregation given");
		return -EINVAL;
	}
	if ((r->spec.aggs & DP_AGG_NEEDS_FIELD) && !r->field) {
		snprintf(err, errlen, "aggregation '%s' needs a value field (--field)",
			 dp_agg_name(r->spec.aggs & DP_AGG_NEEDS_FIELD & -(r->spec.aggs & DP_AGG_NEEDS_FIELD)));
		return -EINVAL;
	}
	return 0;
}

struct dp_report *dp_report_new(const struct dp_report_config *cfg, char *err, size_t errlen)
{
	struct dp_report *r = calloc(1, sizeof(*r));

	snprintf(err, errlen, "out of memory");
	if (!r || copy_config(r, cfg))
		goto err;
	if (setup_aggs(r, err, errlen))
		goto err;
	if (r->filter_text && parse_filter(&r->filter, r->filter_text, err, errlen))
		goto err;
	if (dp_table_init(&r->table, &r->spec, cfg->max_keys)) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	if (!r->group_by && !(r->single = dp_table_get_none(&r->table)))
		goto err;
	r->live = r->live_url != NULL;
	r->out = stdout;
	return r;
err:
	dp_report_free(r);
	return NULL;
}

struct dp_report *dp_report_free(struct dp_report *r)
{
	if (!r)
		return NULL;
	dp_table_fini(&r->table);
	for (size_t i = 0; r->inputs && r->inputs[i]; i++)
		free(r->inputs[i]);
	dp_remove_shadows(r);
	for (size_t i = 0; i < r->ntraces; i++)
		free(r->traces[i]);
	free(r->traces);
	free(r->shadows);
	free(r->groups);
	for (size_t i = 0; i < sizeof(r->skipped) / sizeof(r->skipped[0]); i++)
		free(r->skipped[i]);
	free(r->inputs);
	free(r->event);
	free(r->field);
	free(r->group_by);
	free(r->filter_text);
	free(r->aggs_text);
	free(r->svg_path);
	free(r->live_url);
	free(r->filter.field);
	free(r->filter.text);
	free(r->ecs);
	if (r->out && r->out != stdout && r->out != stderr)
		fclose(r->out);
	free(r);
	return NULL;
}
