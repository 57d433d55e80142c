/* SPDX-License-Identifier: MIT */
/*
 * output_data.c - machine-readable reports (JSON, CSV) and the loss facts.
 *
 * JSON: one object per report (one line per refresh in live mode, so a
 * consumer can read it line by line).  CSV: one table with the columns
 * group,metric,bucket,low,high,value; run facts (events read, discarded
 * events...) are rows with an empty group, so nothing needs a side channel.
 */
#include "output.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>

static void note(struct dp_losses *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct dp_losses *l, const char *fmt, ...)
{
	va_list ap;

	if (l->nnotes == DP_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->buf[l->nnotes], sizeof(l->buf[0]), fmt, ap);
	va_end(ap);
	l->notes[l->nnotes] = l->buf[l->nnotes];
	l->nnotes++;
}

void dp_report_losses(const struct dp_report *r, struct dp_losses *l)
{
	memset(l, 0, sizeof(*l));
	/* A live stream still open mid-session is not (yet) incomplete. */
	if (!r->live || r->ended || r->interrupted || r->incomplete_reason[0])
		l->incomplete_streams = r->streams_begun - r->streams_ended;
	l->incomplete_streams += r->nskipped;
	for (size_t i = 0; i < r->table.ngroups; i++)
		l->nan_values += r->table.groups[i]->nan;
	if (r->table.other)
		l->nan_values += r->table.other->nan;
	if (r->incomplete_reason[0])
		note(l, "incomplete: %s", r->incomplete_reason);
	if (r->discarded_events_unknown || r->discarded_packets_unknown)
		note(l, "%" PRIu64 " discarded-events and %" PRIu64 " discarded-packets notices "
		     "carry no count: more was lost than the totals say",
		     r->discarded_events_unknown, r->discarded_packets_unknown);
	for (size_t i = 0; i < r->nskipped && i < sizeof(r->skipped) / sizeof(r->skipped[0]); i++)
		note(l, "stream file %s is truncated or corrupt (babeltrace2 cannot index it): "
		     "skipped, its events are missing", r->skipped[i] ? r->skipped[i] : "?");
	if (r->traces_without_streams)
		note(l, "%" PRIu64 " trace(s) hold metadata but no data stream file: their "
		     "events are missing", r->traces_without_streams);
	if (r->empty_stream_files)
		note(l, "%" PRIu64 " empty data stream file(s): nothing was ever flushed to them",
		     r->empty_stream_files);
	if (r->table.other_events)
		note(l, "group-by key limit (%zu) reached: %" PRIu64 " events with further keys "
		     "were counted under '(other)' (raise --max-keys)", r->table.max_keys,
		     r->table.other_events);
	if (r->classes_without_field)
		note(l, "%" PRIu64 " event class(es) matching '%s' lack field '%s' and were skipped",
		     r->classes_without_field, r->event, r->missing_field ? r->missing_field : "?");
	if (l->nan_values)
		note(l, "%" PRIu64 " NaN value(s): counted, left out of sum/min/max/mean/"
		     "percentiles/histograms", l->nan_values);
}

static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_num(FILE *out, double v)
{
	if (isnan(v))
		fputs("null", out);
	else if (isinf(v))
		fputs(v < 0 ? "-1e999" : "1e999", out);
	else
		fprintf(out, "%.17g", v);
}

/* Bucket i of the report's hist (log2) or lhist: its bounds and label. */
static void bucket(const struct dp_report *r, int lin, unsigned i, double *lo, double *hi,
		   int *lo_inf, int *hi_inf, char *label, size_t len)
{
	if (lin) {
		dp_lhist_bounds(&r->spec.lhist, i, lo, hi, lo_inf, hi_inf);
		dp_lhist_label(&r->spec.lhist, i, label, len);
	} else {
		dp_hist_bounds(i, lo, hi, lo_inf);
		dp_hist_label(i, label, len);
	}
}

static void json_buckets(FILE *out, const struct dp_report *r, const struct dp_group *g, int lin)
{
	const uint64_t *c = lin ? g->lhist : g->hist;
	unsigned n = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS, a, b;
	char label[64];
	double lo, hi;
	int lo_inf, hi_inf = 0;

	fprintf(out, ",\"%s\":[", lin ? "lhist" : "hist");
	for (unsigned i = 0; dp_bucket_range(c, n, &a, &b) && i + a <= b; i++) {
		bucket(r, lin, a + i, &lo, &hi, &lo_inf, &hi_inf, label, sizeof(label));
		fprintf(out, "%s{\"label\":", i ? "," : "");
		json_str(out, label);
		fputs(",\"low\":", out);
		if (lo_inf) fputs("null", out); else json_num(out, lo);
		fputs(",\"high\":", out);
		if (hi_inf) fputs("null", out); else json_num(out, hi);
		fprintf(out, ",\"count\":%" PRIu64 "}", c[a + i]);
	}
	fputc(']', out);
}

static void json_group(FILE *out, const struct dp_report *r, const struct dp_group *g)
{
	static const unsigned aggs[] = { DP_AGG_SUM, DP_AGG_MIN, DP_AGG_MAX, DP_AGG_MEAN,
					 DP_AGG_P50, DP_AGG_P90, DP_AGG_P99, DP_AGG_P999 };
	char buf[300];

	fputs("{\"key\":", out);
	if (!r->group_by) {
		fputs("null", out);
	} else if (g->key_kind == DP_KEY_INT || g->key_kind == DP_KEY_UINT) {
		dp_fmt_key(buf, sizeof(buf), g);
		fputs(buf, out);
	} else {
		json_str(out, g->skey);
	}
	fprintf(out, ",\"other\":%s,\"count\":%" PRIu64, g->key_kind == DP_KEY_OTHER ? "true" : "false",
		g->count);
	for (size_t a = 0; a < sizeof(aggs) / sizeof(aggs[0]); a++) {
		if (!(r->spec.aggs & aggs[a]))
			continue;
		dp_fmt_agg(buf, sizeof(buf), g, aggs[a], 1);
		fprintf(out, ",\"%s\":%s", dp_agg_name(aggs[a]), buf);
	}
	if (r->spec.aggs & DP_AGG_HIST)
		json_buckets(out, r, g, 0);
	if (r->spec.aggs & DP_AGG_LHIST)
		json_buckets(out, r, g, 1);
	fputc('}', out);
}

static void json_facts(FILE *out, const struct dp_report *r, const struct dp_losses *l)
{
	fputs("{\"event\":", out);
	json_str(out, r->event);
	fputs(",\"field\":", out);
	json_str(out, r->field);
	fputs(",\"group_by\":", out);
	json_str(out, r->group_by);
	fputs(",\"filter\":", out);
	json_str(out, r->filter_text);
	fputs(",\"source\":", out);
	json_str(out, r->live ? r->live_url : "files");
	fputs(",\"traces\":[", out);
	for (size_t i = 0; i < r->ntraces; i++) {
		fputs(i ? "," : "", out);
		json_str(out, r->traces[i]);
	}
	fprintf(out, "],\"final\":%s,\"events_read\":%" PRIu64 ",\"events_matched\":%" PRIu64
		",\"events_filtered\":%" PRIu64 ",\"discarded_events\":%" PRIu64
		",\"discarded_events_without_count\":%" PRIu64 ",\"discarded_packets\":%" PRIu64
		",\"discarded_packets_without_count\":%" PRIu64 ",\"incomplete_streams\":%" PRIu64
		",\"empty_stream_files\":%" PRIu64 ",\"traces_without_streams\":%" PRIu64
		",\"keys\":%zu,\"max_keys\":%zu,\"other_key_events\":%" PRIu64
		",\"percentile_relative_error\":%.17g,\"warnings\":[",
		(!r->live || r->ended) ? "true" : "false", r->events_read, r->events_matched,
		r->events_filtered, r->discarded_events, r->discarded_events_unknown,
		r->discarded_packets, r->discarded_packets_unknown, l->incomplete_streams,
		r->empty_stream_files, r->traces_without_streams, r->table.ngroups,
		r->table.max_keys, r->table.other_events, DP_PCT_REL_ERROR);
	for (size_t i = 0; i < l->nnotes; i++) {
		fputs(i ? "," : "", out);
		json_str(out, l->notes[i]);
	}
	fputc(']', out);
}

int dp_print_json(FILE *out, const struct dp_report *r)
{
	struct dp_losses l;
	struct dp_group **v;
	size_t n;

	if (!(v = dp_sorted_groups(r, &n)))
		return -1;
	dp_report_losses(r, &l);
	json_facts(out, r, &l);
	fputs(",\"groups\":[", out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "," : "", out);
		json_group(out, r, v[i]);
	}
	fputs("]}\n", out);
	free(v);
	return 0;
}

static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_fact(FILE *out, const char *name, uint64_t v)
{
	fprintf(out, ",%s,,,,%" PRIu64 "\n", name, v);
}

static void csv_buckets(FILE *out, const struct dp_report *r, const struct dp_group *g,
			const char *key, int lin)
{
	const uint64_t *c = lin ? g->lhist : g->hist;
	unsigned n = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS, a, b;
	char label[64];
	double lo, hi;
	int lo_inf, hi_inf = 0;

	for (unsigned i = a = 0; dp_bucket_range(c, n, &a, &b) && a + i <= b; i++) {
		bucket(r, lin, a + i, &lo, &hi, &lo_inf, &hi_inf, label, sizeof(label));
		csv_field(out, key);
		fprintf(out, ",%s,", lin ? "lhist" : "hist");
		csv_field(out, label);
		fprintf(out, ",%.17g,%.17g,%" PRIu64 "\n", lo, hi, c[a + i]);
	}
}

int dp_print_csv(FILE *out, const struct dp_report *r)
{
	static const unsigned aggs[] = { DP_AGG_COUNT, DP_AGG_SUM, DP_AGG_MIN, DP_AGG_MAX,
		DP_AGG_MEAN, DP_AGG_P50, DP_AGG_P90, DP_AGG_P99, DP_AGG_P999 };
	struct dp_losses l;
	struct dp_group **v;
	char key[300], val[64];
	size_t n;

	if (!(v = dp_sorted_groups(r, &n)))
		return -1;
	dp_report_losses(r, &l);
	fputs("group,metric,bucket,low,high,value\n", out);
	csv_fact(out, "final", !r->live || r->ended);
	csv_fact(out, "events_read", r->events_read);
	csv_fact(out, "events_matched", r->events_matched);
	csv_fact(out, "events_filtered", r->events_filtered);
	csv_fact(out, "discarded_events", r->discarded_events);
	csv_fact(out, "discarded_events_without_count", r->discarded_events_unknown);
	csv_fact(out, "discarded_packets", r->discarded_packets);
	csv_fact(out, "discarded_packets_without_count", r->discarded_packets_unknown);
	csv_fact(out, "incomplete_streams", l.incomplete_streams);
	csv_fact(out, "empty_stream_files", r->empty_stream_files);
	csv_fact(out, "other_key_events", r->table.other_events);
	for (size_t i = 0; i < l.nnotes; i++) {
		fputs(",warning,,,,", out);
		csv_field(out, l.notes[i]);
		fputc('\n', out);
	}
	for (size_t i = 0; i < n; i++) {
		dp_fmt_key(key, sizeof(key), v[i]);
		for (size_t a = 0; a < sizeof(aggs) / sizeof(aggs[0]); a++) {
			if (!(r->spec.aggs & aggs[a]) && aggs[a] != DP_AGG_COUNT)
				continue;
			dp_fmt_agg(val, sizeof(val), v[i], aggs[a], 1);
			csv_field(out, key);
			fprintf(out, ",%s,,,,%s\n", dp_agg_name(aggs[a]), strcmp(val, "null") ? val : "");
		}
		if (r->spec.aggs & DP_AGG_HIST)
			csv_buckets(out, r, v[i], key, 0);
		if (r->spec.aggs & DP_AGG_LHIST)
			csv_buckets(out, r, v[i], key, 1);
	}
	free(v);
	return 0;
}
