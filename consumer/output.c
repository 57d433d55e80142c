/* SPDX-License-Identifier: MIT */
/*
 * output.c - print a report as text (bpftrace-like), JSON or CSV, whole
 * or one --interval at a time.
 *
 * Every format carries the same facts, including the ones a reader could
 * be tempted to drop: discarded events and packets, incomplete streams,
 * empty stream files, damaged files, events folded into "(other)" by the
 * key cap, unmatched --pair events, and why reading stopped early.
 * Integer results are printed exactly (sums in 128 bits); percentiles
 * carry their stated error bound (agg.h).  Keyed output is sorted like
 * bpftrace's print(@) (ascending, the largest last) unless --sort and
 * --desc say otherwise; --top N keeps the N greatest.
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const unsigned dp_scalar_aggs[DP_NSCALAR_AGGS] = {
    DP_AGG_COUNT, DP_AGG_SUM, DP_AGG_MIN, DP_AGG_MAX,  DP_AGG_MEAN,
    DP_AGG_P50,	  DP_AGG_P90, DP_AGG_P99, DP_AGG_P999,
};

void dp_fmt_i128(char *buf, size_t len, __int128 v)
{
	char tmp[48];
	int i = (int)sizeof(tmp) - 1, neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

	tmp[i] = 0;
	do {
		tmp[--i] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (neg)
		tmp[--i] = '-';
	snprintf(buf, len, "%s", tmp + i);
}

static double pct_of(unsigned agg)
{
	return agg == DP_AGG_P50 ? 50 : agg == DP_AGG_P90 ? 90 : agg == DP_AGG_P99 ? 99 : 99.9;
}

/* A scalar result as a double (sorting); NaN when there is no value. */
double dp_agg_value(const struct dp_group *g, unsigned agg)
{
	switch (agg) {
	case DP_AGG_COUNT:
		return (double)g->count;
	case DP_AGG_SUM:
		return g->nint || g->nflt ? dp_group_sum(g) : NAN;
	case DP_AGG_MIN:
		return dp_group_min(g);
	case DP_AGG_MAX:
		return dp_group_max(g);
	case DP_AGG_MEAN:
		return dp_group_mean(g);
	default:
		return dp_group_percentile(g, pct_of(agg));
	}
}

/* One scalar result as text; exact integers when all values were integers. */
void dp_fmt_agg(char *buf, size_t len, const struct dp_group *g, unsigned agg, int precise)
{
	int ints = dp_group_is_int(g) && g->nint;
	double v;

	switch (agg) {
	case DP_AGG_COUNT:
		snprintf(buf, len, "%" PRIu64, g->count);
		return;
	case DP_AGG_SUM:
		if (ints || !g->nflt)
			return dp_fmt_i128(buf, len, g->isum);
		break;
	case DP_AGG_MIN:
		if (ints)
			return dp_fmt_i128(buf, len, g->imin);
		break;
	case DP_AGG_MAX:
		if (ints)
			return dp_fmt_i128(buf, len, g->imax);
		break;
	case DP_AGG_MEAN:
		ints = 0;
		break;
	}
	v = dp_agg_value(g, agg);
	if (isnan(v))
		snprintf(buf, len, precise ? "null" : "-");
	else if (ints && fabs(v) < 9.2e18)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, precise ? "%.17g" : "%.10g", v);
}

static const struct dp_report *g_sort_report;

static int cmp_metric(const struct dp_group *x, const struct dp_group *y, const struct dp_report *r)
{
	double a, b;

	switch (r->sort_by) {
	case DP_SORT_COUNT:
		return (x->count > y->count) - (x->count < y->count);
	case DP_SORT_KEY:
		return dp_key_cmp(x->key, x->key_len, y->key, y->key_len);
	}
	if (r->sort_agg == DP_AGG_SUM && dp_group_is_int(x) && dp_group_is_int(y))
		return (x->isum > y->isum) - (x->isum < y->isum);
	a = dp_agg_value(x, r->sort_agg);
	b = dp_agg_value(y, r->sort_agg);
	if (isnan(a) || isnan(b))
		return isnan(b) - isnan(a);
	return (a > b) - (a < b);
}

/* Ascending by the sort metric, ties by key: the greatest last. */
static int cmp_group(const void *pa, const void *pb)
{
	const struct dp_group *x = *(struct dp_group *const *)pa,
			      *y = *(struct dp_group *const *)pb;
	int c = cmp_metric(x, y, g_sort_report);

	return c ? c : dp_key_cmp(x->key, x->key_len, y->key, y->key_len);
}

struct dp_group **dp_sorted_groups(const struct dp_report *r, size_t *ret_n, size_t *ret_hidden)
{
	size_t n = r->table.ngroups, skip = 0;
	struct dp_group **v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	/* An empty table has no groups array (NULL): memcpy/qsort must not see it. */
	if (n) {
		memcpy(v, r->table.groups, n * sizeof(*v));
		g_sort_report = r;
		qsort(v, n, sizeof(*v), cmp_group);
	}
	if (r->cfg.top && n > r->cfg.top)
		skip = n - r->cfg.top;
	if (skip)
		memmove(v, v + skip, (n - skip) * sizeof(*v));
	n -= skip;
	for (size_t i = 0; r->cfg.descending && i < n / 2; i++) {
		struct dp_group *t = v[i];

		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	if (r->table.other)
		v[n++] = r->table.other;
	*ret_n = n;
	*ret_hidden = skip;
	return v;
}

void dp_fmt_key(char *buf, size_t len, const struct dp_group *g)
{
	if (g->other)
		snprintf(buf, len, "(other)");
	else
		dp_key_format(buf, len, g->key, g->key_len);
}

/* [first, last] non-empty buckets, as bpftrace trims its histograms. */
int dp_bucket_range(const uint64_t *c, unsigned n, unsigned *first, unsigned *last)
{
	unsigned i, j;

	for (i = 0; i < n && !c[i]; i++)
		;
	if (i == n)
		return 0;
	for (j = n - 1; !c[j]; j--)
		;
	*first = i;
	*last = j;
	return 1;
}

static void text_buckets(FILE *out, const struct dp_report *r, const struct dp_group *g,
			 int lin)
{
	const uint64_t *c = lin ? g->lhist : g->hist;
	unsigned n = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS, a, b;
	uint64_t max = 0;
	char label[64], bar[53];

	if (!dp_bucket_range(c, n, &a, &b))
		return;
	for (unsigned i = a; i <= b; i++)
		max = c[i] > max ? c[i] : max;
	for (unsigned i = a; i <= b; i++) {
		size_t w = (size_t)((double)c[i] * 52 / (double)max);

		if (lin)
			dp_lhist_label(&r->spec.lhist, i, label, sizeof(label));
		else
			dp_hist_label(i, label, sizeof(label));
		memset(bar, '@', w);
		bar[w] = 0;
		fprintf(out, "%-16s%8" PRIu64 " |%-52s|\n", label, c[i], bar);
	}
}

/* "event 'x', field f, by a,b, filter '...'" */
static void text_query(FILE *out, const struct dp_report *r)
{
	char d[32];

	if (r->pair_text)
		fprintf(out, "pair '%s' by %s, duration in ns", r->pair_text, r->pair_key_text);
	else
		fprintf(out, "event '%s'", r->event);
	if (r->field)
		fprintf(out, ", field %s", r->field);
	if (r->group_by)
		fprintf(out, ", by %s", r->group_by);
	if (r->filter_text)
		fprintf(out, ", filter '%s'", r->filter_text);
	if (r->begin_text)
		fprintf(out, ", begin %s", r->begin_text);
	if (r->end_text)
		fprintf(out, ", end %s", r->end_text);
	if (r->interval_ns) {
		dp_format_duration(d, sizeof(d), r->interval_ns);
		fprintf(out, ", interval %s", d);
	}
	fprintf(out, "\n");
}

static void text_events(FILE *out, const struct dp_report *r, const struct dp_counters *c)
{
	fprintf(out, "events: %" PRIu64 " read, %" PRIu64 " matched, %" PRIu64 " filtered out",
		c->events_read, c->events_matched, c->events_filtered);
	if (r->begin.kind || r->end.kind)
		fprintf(out, ", %" PRIu64 " outside --begin/--end", c->events_outside);
	fprintf(out, "\n");
	if (r->pair_text)
		fprintf(out,
			"pairs: %" PRIu64 " complete; unmatched: %" PRIu64 " starts (%" PRIu64
			" still open at the end), %" PRIu64 " ends\n",
			c->pairs, c->unmatched_starts, c->open_starts, c->unmatched_ends);
}

static void text_header(FILE *out, const struct dp_report *r)
{
	if (r->live) {
		time_t t = time(NULL);
		char ts[32];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		fprintf(out, "--- %s %s (%s) ---\n", ts, r->live_url, r->ended ? "final" : "live");
	}
	text_query(out, r);
	if (r->ntraces)
		fprintf(out, "traces: %zu\n", r->ntraces);
	if (r->interval_ns)
		fprintf(out, "intervals: %" PRIu64 "\n", r->nintervals);
	text_events(out, r, &r->c);
}

static void text_losses(FILE *out, const struct dp_report *r)
{
	struct dp_losses l;

	dp_report_losses(r, &l);
	fprintf(out,
		"discarded events: %" PRIu64 "%s, discarded packets: %" PRIu64 "%s, "
		"incomplete streams: %" PRIu64 "\n",
		r->c.discarded_events, r->c.discarded_events_unknown ? " (+ unknown counts)" : "",
		r->c.discarded_packets, r->c.discarded_packets_unknown ? " (+ unknown counts)" : "",
		l.incomplete_streams);
	for (size_t i = 0; i < l.nnotes; i++)
		fprintf(out, "WARNING: %s\n", l.notes[i]);
}

static void text_groups(FILE *out, const struct dp_report *r, struct dp_group **v, size_t n,
			size_t hidden)
{
	char key[1200], val[64];

	for (size_t a = 0; a < DP_NSCALAR_AGGS; a++) {
		if (!(r->spec.aggs & dp_scalar_aggs[a]))
			continue;
		for (size_t i = 0; i < n; i++) {
			dp_fmt_key(key, sizeof(key), v[i]);
			dp_fmt_agg(val, sizeof(val), v[i], dp_scalar_aggs[a], 0);
			if (r->nkeys)
				fprintf(out, "@%s[%s]: %s\n", dp_agg_name(dp_scalar_aggs[a]), key,
					val);
			else
				fprintf(out, "@%s: %s\n", dp_agg_name(dp_scalar_aggs[a]), val);
		}
	}
	for (int lin = 0; lin < 2; lin++) {
		if (!(r->spec.aggs & (lin ? DP_AGG_LHIST : DP_AGG_HIST)))
			continue;
		for (size_t i = 0; i < n; i++) {
			dp_fmt_key(key, sizeof(key), v[i]);
			fprintf(out, "\n@%s%s%s%s:\n", lin ? "lhist" : "hist", r->nkeys ? "[" : "",
				r->nkeys ? key : "", r->nkeys ? "]" : "");
			text_buckets(out, r, v[i], lin);
		}
	}
	if (hidden)
		fprintf(out, "(top %zu of %zu keys by %s; %zu not shown)\n", r->cfg.top,
			r->table.ngroups, r->sort_text, hidden);
}

static int print_text(FILE *out, const struct dp_report *r)
{
	struct dp_group **v = NULL;
	size_t n = 0, hidden = 0;

	if (!r->interval_ns && !(v = dp_sorted_groups(r, &n, &hidden)))
		return -1;
	if (r->interval_ns)
		fprintf(out, "--- summary ---\n");
	text_header(out, r);
	text_losses(out, r);
	if (!r->interval_ns) {
		fprintf(out, "\n");
		text_groups(out, r, v, n, hidden);
		if (r->spec.aggs & DP_AGG_PCTS)
			fprintf(
			    out,
			    "\n(percentiles: log-linear histogram, relative error <= %.2f %%)\n",
			    DP_PCT_REL_ERROR * 100);
	}
	free(v);
	return 0;
}

/* This interval's counters: totals minus those when it began. */
void dp_interval_counters(const struct dp_report *r, struct dp_counters *c)
{
	const uint64_t *now = (const uint64_t *)&r->c, *base = (const uint64_t *)&r->ivl_base;
	uint64_t *d = (uint64_t *)c;

	for (size_t i = 0; i < DP_NCOUNTERS; i++)
		d[i] = now[i] - base[i];
}

static int print_interval_text(FILE *out, struct dp_report *r)
{
	struct dp_counters c;
	struct dp_group **v;
	size_t n, hidden;
	char a[32], b[32];

	if (!r->header_printed) {
		text_query(out, r);
		fprintf(out, "\n");
		r->header_printed = 1;
	}
	dp_interval_counters(r, &c);
	dp_format_tod(a, sizeof(a), r->ivl_begin);
	dp_format_tod(b, sizeof(b), r->ivl_end);
	if (r->ivl_span > 1) {
		fprintf(out, "%s - %s: %" PRIu64 " intervals without events\n\n", a, b,
			r->ivl_span);
		return 0;
	}
	fprintf(out,
		"%s - %s: %" PRIu64 " read, %" PRIu64 " matched, %" PRIu64 " filtered out, "
		"%" PRIu64 " discarded events\n",
		a, b, c.events_read, c.events_matched, c.events_filtered, c.discarded_events);
	if (!(v = dp_sorted_groups(r, &n, &hidden)))
		return -1;
	text_groups(out, r, v, n, hidden);
	fprintf(out, "\n");
	free(v);
	return 0;
}

int dp_report_print_interval(struct dp_report *r, FILE *out)
{
	switch (r->cfg.format) {
	case DP_FORMAT_JSON:
		return dp_print_json_interval(out, r);
	case DP_FORMAT_CSV:
		return dp_print_csv_interval(out, r);
	default:
		return print_interval_text(out, r);
	}
}

int dp_report_print(struct dp_report *r, FILE *out)
{
	int rc;

	switch (r->cfg.format) {
	case DP_FORMAT_JSON:
		rc = dp_print_json(out, r);
		break;
	case DP_FORMAT_CSV:
		rc = dp_print_csv(out, r);
		break;
	default:
		rc = print_text(out, r);
	}
	if (rc || ferror(out)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot write the report");
		return -1;
	}
	return 0;
}
