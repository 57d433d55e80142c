/* SPDX-License-Identifier: MIT */
/*
 * output.c - print a report as text (bpftrace-like), JSON or CSV.
 *
 * Every format carries the same facts, including the ones a reader could
 * be tempted to drop: discarded events and packets, incomplete streams,
 * empty stream files, events folded into "(other)" by the key cap, and why
 * reading stopped early.  Integer results are printed exactly (sums in 128
 * bits); percentiles carry their stated error bound (agg.h).
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const unsigned scalar_aggs[] = {
	DP_AGG_COUNT, DP_AGG_SUM, DP_AGG_MIN, DP_AGG_MAX, DP_AGG_MEAN,
	DP_AGG_P50, DP_AGG_P90, DP_AGG_P99, DP_AGG_P999,
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
		v = dp_group_sum(g);
		break;
	case DP_AGG_MIN:
		if (ints)
			return dp_fmt_i128(buf, len, g->imin);
		v = dp_group_min(g);
		break;
	case DP_AGG_MAX:
		if (ints)
			return dp_fmt_i128(buf, len, g->imax);
		v = dp_group_max(g);
		break;
	case DP_AGG_MEAN:
		v = dp_group_mean(g);
		ints = 0;
		break;
	default:
		v = dp_group_percentile(g, pct_of(agg));
	}
	if (isnan(v))
		snprintf(buf, len, precise ? "null" : "-");
	else if (ints && fabs(v) < 9.2e18)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, precise ? "%.17g" : "%.10g", v);
}

static int cmp_group(const void *a, const void *b)
{
	const struct dp_group *x = *(struct dp_group *const *)a, *y = *(struct dp_group *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	if (x->key_kind == DP_KEY_STR && y->key_kind == DP_KEY_STR)
		return strcmp(x->skey, y->skey);
	return x->ikey < y->ikey ? -1 : x->ikey > y->ikey;
}

/* Groups in bpftrace's order (ascending count), "(other)" last. */
struct dp_group **dp_sorted_groups(const struct dp_report *r, size_t *ret_n)
{
	size_t n = r->table.ngroups;
	struct dp_group **v = malloc((n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	memcpy(v, r->table.groups, n * sizeof(*v));
	if (r->group_by)
		qsort(v, n, sizeof(*v), cmp_group);
	if (r->table.other)
		v[n++] = r->table.other;
	*ret_n = n;
	return v;
}

void dp_fmt_key(char *buf, size_t len, const struct dp_group *g)
{
	if (g->key_kind == DP_KEY_STR || g->key_kind == DP_KEY_OTHER)
		snprintf(buf, len, "%s", g->skey);
	else if (g->key_kind == DP_KEY_INT)
		snprintf(buf, len, "%" PRId64, g->ikey);
	else if (g->key_kind == DP_KEY_UINT)
		snprintf(buf, len, "%" PRIu64, g->ukey);
	else
		buf[0] = 0;
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

static void text_header(FILE *out, const struct dp_report *r)
{
	if (r->live) {
		time_t t = time(NULL);
		char ts[32];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		fprintf(out, "--- %s %s (%s) ---\n", ts, r->live_url, r->ended ? "final" : "live");
	}
	fprintf(out, "event '%s'", r->event);
	if (r->field)
		fprintf(out, ", field %s", r->field);
	if (r->group_by)
		fprintf(out, ", by %s", r->group_by);
	if (r->filter_text)
		fprintf(out, ", filter '%s'", r->filter_text);
	fprintf(out, "\n");
	if (r->ntraces)
		fprintf(out, "traces: %zu\n", r->ntraces);
	fprintf(out, "events: %" PRIu64 " read, %" PRIu64 " matched, %" PRIu64 " filtered out\n",
		r->events_read, r->events_matched, r->events_filtered);
}

static void text_losses(FILE *out, const struct dp_report *r)
{
	struct dp_losses l;

	dp_report_losses(r, &l);
	fprintf(out, "discarded events: %" PRIu64 "%s, discarded packets: %" PRIu64 "%s, "
		"incomplete streams: %" PRIu64 "\n", r->discarded_events,
		r->discarded_events_unknown ? " (+ unknown counts)" : "", r->discarded_packets,
		r->discarded_packets_unknown ? " (+ unknown counts)" : "", l.incomplete_streams);
	for (size_t i = 0; i < l.nnotes; i++)
		fprintf(out, "WARNING: %s\n", l.notes[i]);
}

static void text_groups(FILE *out, const struct dp_report *r, struct dp_group **v, size_t n)
{
	char key[300], val[64];

	for (size_t a = 0; a < sizeof(scalar_aggs) / sizeof(scalar_aggs[0]); a++) {
		if (!(r->spec.aggs & scalar_aggs[a]))
			continue;
		for (size_t i = 0; i < n; i++) {
			dp_fmt_key(key, sizeof(key), v[i]);
			dp_fmt_agg(val, sizeof(val), v[i], scalar_aggs[a], 0);
			if (r->group_by)
				fprintf(out, "@%s[%s]: %s\n", dp_agg_name(scalar_aggs[a]), key, val);
			else
				fprintf(out, "@%s: %s\n", dp_agg_name(scalar_aggs[a]), val);
		}
	}
	for (int lin = 0; lin < 2; lin++) {
		if (!(r->spec.aggs & (lin ? DP_AGG_LHIST : DP_AGG_HIST)))
			continue;
		for (size_t i = 0; i < n; i++) {
			dp_fmt_key(key, sizeof(key), v[i]);
			fprintf(out, "\n@%s%s%s%s:\n", lin ? "lhist" : "hist", r->group_by ? "[" : "",
				r->group_by ? key : "", r->group_by ? "]" : "");
			text_buckets(out, r, v[i], lin);
		}
	}
}

static int print_text(FILE *out, const struct dp_report *r)
{
	struct dp_group **v;
	size_t n;

	if (!(v = dp_sorted_groups(r, &n)))
		return -1;
	text_header(out, r);
	text_losses(out, r);
	fprintf(out, "\n");
	text_groups(out, r, v, n);
	if (r->spec.aggs & DP_AGG_PCTS)
		fprintf(out, "\n(percentiles: log-linear histogram, relative error <= %.2f %%)\n",
			DP_PCT_REL_ERROR * 100);
	free(v);
	return 0;
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
