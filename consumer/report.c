/* SPDX-License-Identifier: MIT */
/*
 * report.c - build a query from its textual parts and release it.
 *
 * All parsing (aggregations, keys, the filter expression, times, the
 * pair, the sort order) happens here, once, before any trace is opened, so
 * a typo fails fast with a one-line message and the per-event path never
 * looks at text again.  Every field name the query uses gets a slot
 * (expr.h), resolved per event class by the sink.
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pair.h"

static char *dup_or_null(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		*oom = 1;
	return d;
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
	r->cfg.interval = r->interval_text = dup_or_null(cfg->interval, &oom);
	r->cfg.begin = r->begin_text = dup_or_null(cfg->begin, &oom);
	r->cfg.end = r->end_text = dup_or_null(cfg->end, &oom);
	r->cfg.pair = r->pair_text = dup_or_null(cfg->pair, &oom);
	r->cfg.pair_key = r->pair_key_text =
	    dup_or_null(cfg->pair_key ? cfg->pair_key : "vtid", &oom);
	r->cfg.sort = r->sort_text = dup_or_null(cfg->sort ? cfg->sort : "count", &oom);
	r->inputs = calloc(cfg->ninputs + 1, sizeof(*r->inputs));
	if (!r->inputs)
		return -ENOMEM;
	for (size_t i = 0; i < cfg->ninputs; i++)
		r->inputs[i] = dup_or_null(cfg->inputs[i], &oom);
	r->cfg.inputs = (const char *const *)r->inputs;
	if (r->cfg.refresh <= 0)
		r->cfg.refresh = 1;
	if (r->cfg.watchdog <= 0)
		r->cfg.watchdog = 30;
	return oom ? -ENOMEM : 0;
}

/* "a,b, c" -> slots; `what` names the option in messages. */
static int parse_names(struct dp_report *r, const char *list, int *slots, unsigned *n,
		       const char *what, char *err, size_t errlen)
{
	const char *p = list;

	*n = 0;
	for (;;) {
		const char *start, *end;
		int slot;

		while (isspace((unsigned char)*p))
			p++;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (end == start) {
			snprintf(err, errlen, "%s '%s': empty name", what, list);
			return -1;
		}
		for (const char *q = start; q < end; q++)
			if (!isalnum((unsigned char)*q) && *q != '_') {
				snprintf(err, errlen, "%s '%s': '%.*s' is not a field name", what,
					 list, (int)(end - start), start);
				return -1;
			}
		if (*n == DP_MAX_KEYS) {
			snprintf(err, errlen, "%s '%s': at most %d names", what, list, DP_MAX_KEYS);
			return -1;
		}
		if ((slot = dp_fieldset_add(&r->fields, start, (size_t)(end - start))) < 0) {
			snprintf(err, errlen, "too many distinct fields (at most %d)",
				 DP_MAX_SLOTS);
			return -1;
		}
		slots[(*n)++] = slot;
		if (!*p++)
			return 0;
	}
}

/* Parse aggregations; the default depends on whether there is a value. */
static int setup_aggs(struct dp_report *r, char *err, size_t errlen)
{
	const char *text = r->aggs_text;
	int has_value = r->field || r->pair_text;

	if (!text || !*text)
		text = has_value ? "stats,pct,hist" : "count";
	if (dp_agg_parse(text, &r->spec, err, errlen))
		return -1;
	if (!r->spec.aggs) {
		snprintf(err, errlen, "no aggregation given");
		return -1;
	}
	if ((r->spec.aggs & DP_AGG_NEEDS_FIELD) && !has_value) {
		snprintf(err, errlen, "aggregation '%s' needs a value field (--field)",
			 dp_agg_name(r->spec.aggs & DP_AGG_NEEDS_FIELD & -(r->spec.aggs & DP_AGG_NEEDS_FIELD)));
		return -1;
	}
	return 0;
}

static int setup_pair(struct dp_report *r, char *err, size_t errlen)
{
	char *comma;

	if (!r->pair_text)
		return 0;
	if (r->field) {
		snprintf(err, errlen, "--pair aggregates the durations: it takes no --field");
		return -1;
	}
	if (strcmp(r->event, "*")) {
		snprintf(err, errlen, "--pair START,END names the events: drop --event");
		return -1;
	}
	comma = strchr(r->pair_text, ',');
	if (!comma || comma == r->pair_text || !comma[1] || strchr(comma + 1, ',')) {
		snprintf(err, errlen, "bad --pair '%s' (expected START_EVENT,END_EVENT)",
			 r->pair_text);
		return -1;
	}
	if (!(r->pair_start = strndup(r->pair_text, (size_t)(comma - r->pair_text))) ||
	    !(r->pair_end = strdup(comma + 1)) ||
	    !(r->pending = dp_pending_new(DP_DEFAULT_MAX_PENDING))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return parse_names(r, r->pair_key_text, r->pair_slot, &r->npair, "--key", err, errlen);
}

static int setup_time(struct dp_report *r, char *err, size_t errlen)
{
	if (r->interval_text && dp_parse_duration(r->interval_text, &r->interval_ns, err, errlen))
		return -1;
	if (r->begin_text && dp_parse_time(r->begin_text, &r->begin, err, errlen))
		return -1;
	if (r->end_text && dp_parse_time(r->end_text, &r->end, err, errlen))
		return -1;
	if (r->begin.kind == r->end.kind && r->begin.kind && r->begin.ns >= r->end.ns) {
		snprintf(err, errlen, "--begin %s is not before --end %s", r->begin_text,
			 r->end_text);
		return -1;
	}
	if (r->interval_ns && r->svg_path) {
		snprintf(err, errlen, "--svg draws one histogram: not with --interval");
		return -1;
	}
	r->ordered = r->interval_ns || r->begin.kind || r->end.kind || r->pair_text;
	return 0;
}

static int setup_sort(struct dp_report *r, char *err, size_t errlen)
{
	struct dp_agg_spec s = {0};
	char e[256];

	if (!strcmp(r->sort_text, "count")) {
		r->sort_by = DP_SORT_COUNT;
		return 0;
	}
	if (!strcmp(r->sort_text, "key")) {
		r->sort_by = DP_SORT_KEY;
		return 0;
	}
	if (dp_agg_parse(r->sort_text, &s, e, sizeof(e)) || !s.aggs || (s.aggs & (s.aggs - 1)) ||
	    (s.aggs & (DP_AGG_HIST | DP_AGG_LHIST))) {
		snprintf(err, errlen,
			 "bad --sort '%s' (count, key, sum, min, max, mean, p50, "
			 "p90, p99 or p99.9)",
			 r->sort_text);
		return -1;
	}
	if (!r->field && !r->pair_text) {
		snprintf(err, errlen, "--sort %s needs a value field (--field)", r->sort_text);
		return -1;
	}
	r->sort_by = DP_SORT_AGG;
	r->sort_agg = s.aggs;
	r->spec.want_llh = (s.aggs & DP_AGG_PCTS) != 0;
	return 0;
}

static int setup_fields(struct dp_report *r, char *err, size_t errlen)
{
	r->val_slot = -1;
	if (r->field &&
	    (r->val_slot = dp_fieldset_add(&r->fields, r->field, strlen(r->field))) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (r->group_by && parse_names(r, r->group_by, r->key_slot, &r->nkeys, "--by", err, errlen))
		return -1;
	if (r->filter_text && dp_expr_parse(&r->filter, r->filter_text, &r->fields, err, errlen))
		return -1;
	return 0;
}

struct dp_report *dp_report_new(const struct dp_report_config *cfg, char *err, size_t errlen)
{
	struct dp_report *r = calloc(1, sizeof(*r));

	snprintf(err, errlen, "out of memory");
	if (!r)
		return NULL;
	r->filter.root = -1;
	if (copy_config(r, cfg) || setup_aggs(r, err, errlen) || setup_fields(r, err, errlen) ||
	    setup_pair(r, err, errlen) || setup_time(r, err, errlen) || setup_sort(r, err, errlen))
		goto err;
	if (dp_table_init(&r->table, &r->spec, cfg->max_keys)) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	r->live = r->live_url != NULL;
	r->out = stdout;
	return r;
err:
	dp_report_free(r);
	return NULL;
}

void dp_report_note(struct dp_report *r, const char *fmt, ...)
{
	char buf[600];
	va_list ap;

	if (r->nnotes == DP_MAX_REPORT_NOTES) {
		r->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->nnotes; i++)
		if (!strcmp(r->notes[i], buf))
			return;
	if ((r->notes[r->nnotes] = strdup(buf)))
		r->nnotes++;
}

static void free_strings(struct dp_report *r)
{
	char **owned[] = {
	    &r->event,	   &r->field,	      &r->group_by,	 &r->filter_text, &r->aggs_text,
	    &r->svg_path,  &r->live_url,      &r->interval_text, &r->begin_text,  &r->end_text,
	    &r->pair_text, &r->pair_key_text, &r->sort_text,	 &r->pair_start,  &r->pair_end,
	};

	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		free(*owned[i]);
		*owned[i] = NULL;
	}
}

struct dp_report *dp_report_free(struct dp_report *r)
{
	if (!r)
		return NULL;
	dp_table_fini(&r->table);
	dp_pending_free(r->pending);
	dp_expr_fini(&r->filter);
	dp_fieldset_fini(&r->fields);
	free(r->keybuf.buf);
	for (size_t i = 0; r->inputs && r->inputs[i]; i++)
		free(r->inputs[i]);
	free(r->inputs);
	dp_remove_shadows(r);
	for (size_t i = 0; i < r->ntraces; i++) {
		free(r->tr[i].dir);
		for (size_t j = 0; j < r->tr[i].nfiles; j++)
			free(r->tr[i].files[j]);
		free(r->tr[i].files);
		free(r->tr[i].sizes);
	}
	free(r->tr);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	for (size_t i = 0; i < r->streams_cap; i++)
		free(r->streams[i].name);
	free(r->streams);
	free(r->ecs);
	free_strings(r);
	if (r->out && r->out != stdout && r->out != stderr)
		fclose(r->out);
	free(r);
	return NULL;
}
