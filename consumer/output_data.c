/* SPDX-License-Identifier: MIT */
/*
 * output_data.c - machine-readable reports (JSON, CSV) and the loss facts.
 *
 * JSON: one object per report (one line per refresh in live mode, so a
 * consumer can read it line by line); with --interval, one line per
 * interval ("interval": {begin_ns, end_ns...}, its counters and groups),
 * then a summary line ("summary": true) with the totals and warnings.
 * CSV: one table with the columns group,metric,bucket,low,high,value; run
 * facts (events read, discarded events...) are rows with an empty group,
 * so nothing needs a side channel.  With --interval two columns come
 * first, interval_begin_ns and interval_end_ns (empty on summary rows).
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

static uint64_t incomplete_streams(const struct dp_report *r)
{
	uint64_t open = r->c.streams_begun - r->c.streams_ended;

	/* A live stream still open mid-session, or one left at --end, is
	 * not (yet) incomplete; one that failed to decode is. */
	if ((r->live && !r->ended && !r->interrupted && !r->incomplete_reason[0]) || r->stop)
		open = 0;
	if (open < r->c.streams_failed)
		open = r->c.streams_failed;
	return open + r->c.skipped_files;
}

static void note_losses(const struct dp_report *r, struct dp_losses *l)
{
	if (r->incomplete_reason[0])
		note(l, "incomplete: %s", r->incomplete_reason);
	if (r->c.discarded_events)
		note(l,
		     "the tracer discarded %" PRIu64 " events (its ring buffers were full): "
		     "the results miss them",
		     r->c.discarded_events);
	if (r->c.discarded_packets)
		note(l,
		     "%" PRIu64 " packets are missing (discarded by the tracer, or lost): the "
		     "results miss their events",
		     r->c.discarded_packets);
	if (r->c.discarded_events_unknown || r->c.discarded_packets_unknown)
		note(l,
		     "%" PRIu64 " discarded-events and %" PRIu64 " discarded-packets notices "
		     "carry no count: more was lost than the totals say",
		     r->c.discarded_events_unknown, r->c.discarded_packets_unknown);
	for (size_t i = 0; i < r->nnotes; i++)
		note(l, "%s", r->notes[i]);
	if (r->notes_dropped)
		note(l, "%" PRIu64 " more damaged or missing files (not listed)", r->notes_dropped);
	if (r->traces_without_streams)
		note(l, "%" PRIu64 " trace(s) hold metadata but no data stream file: their "
		     "events are missing", r->traces_without_streams);
	if (r->empty_stream_files)
		note(l, "%" PRIu64 " empty data stream file(s): nothing was ever flushed to them",
		     r->empty_stream_files);
}

void dp_report_losses(const struct dp_report *r, struct dp_losses *l)
{
	memset(l, 0, sizeof(*l));
	l->incomplete_streams = incomplete_streams(r);
	for (size_t i = 0; i < r->table.ngroups; i++)
		l->nan_values += r->table.groups[i]->nan;
	if (r->table.other)
		l->nan_values += r->table.other->nan;
	note_losses(r, l);
	if (r->table.other_events)
		note(l, "group-by key limit (%zu) reached: %" PRIu64 " events with further keys "
		     "were counted under '(other)' (raise --max-keys)", r->table.max_keys,
		     r->table.other_events);
	if (r->c.keys_cut)
		note(l, "%" PRIu64 " string keys longer than %d bytes were cut there",
		     r->c.keys_cut, DP_KEY_STR_MAX);
	if (r->classes_without_field)
		note(l,
		     "%" PRIu64 " event class(es) matching '%s' lack field '%s' and were skipped",
		     r->classes_without_field, r->pair_text ? r->pair_text : r->event,
		     r->missing_field ? r->missing_field : "?");
	if (r->c.pending_dropped)
		note(l, "%" PRIu64 " --pair starts were dropped: more than %u were open at once",
		     r->c.pending_dropped, 1u << 20);
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

/* The key: null without --by, a scalar for one key, an array for more. */
static void json_key(FILE *out, const struct dp_report *r, const struct dp_group *g)
{
	struct dp_keyitem it;
	size_t off = 0;
	int i = 0;

	if (!r->nkeys) {
		fputs("null", out);
		return;
	}
	if (g->other) {
		json_str(out, "(other)");
		return;
	}
	if (r->nkeys > 1)
		fputc('[', out);
	for (; dp_key_next(g->key, g->key_len, &off, &it); i++) {
		fputs(i ? "," : "", out);
		if (it.kind == 's')
			json_str(out, it.s);
		else if (it.kind == 'i')
			fprintf(out, "%" PRId64, it.i);
		else
			fprintf(out, "%" PRIu64, it.u);
	}
	if (r->nkeys > 1)
		fputc(']', out);
}

static void json_group(FILE *out, const struct dp_report *r, const struct dp_group *g)
{
	char buf[64];

	fputs("{\"key\":", out);
	json_key(out, r, g);
	fprintf(out, ",\"other\":%s,\"count\":%" PRIu64, g->other ? "true" : "false", g->count);
	for (size_t a = 1; a < DP_NSCALAR_AGGS; a++) {
		if (!(r->spec.aggs & dp_scalar_aggs[a]))
			continue;
		dp_fmt_agg(buf, sizeof(buf), g, dp_scalar_aggs[a], 1);
		fprintf(out, ",\"%s\":%s", dp_agg_name(dp_scalar_aggs[a]), buf);
	}
	if (r->spec.aggs & DP_AGG_HIST)
		json_buckets(out, r, g, 0);
	if (r->spec.aggs & DP_AGG_LHIST)
		json_buckets(out, r, g, 1);
	fputc('}', out);
}

static int json_groups(FILE *out, const struct dp_report *r)
{
	struct dp_group **v;
	size_t n, hidden;

	if (!(v = dp_sorted_groups(r, &n, &hidden)))
		return -1;
	fprintf(out, ",\"keys\":%zu,\"keys_shown\":%zu,\"groups\":[", r->table.ngroups,
		n - (r->table.other != NULL));
	for (size_t i = 0; i < n; i++) {
		fputs(i ? "," : "", out);
		json_group(out, r, v[i]);
	}
	fputc(']', out);
	free(v);
	return 0;
}

static void json_counters(FILE *out, const struct dp_counters *c)
{
	fprintf(out,
		",\"events_read\":%" PRIu64 ",\"events_matched\":%" PRIu64
		",\"events_filtered\":%" PRIu64 ",\"events_outside\":%" PRIu64 ",\"pairs\":%" PRIu64
		",\"unmatched_starts\":%" PRIu64 ",\"open_starts\":%" PRIu64
		",\"unmatched_ends\":%" PRIu64 ",\"discarded_events\":%" PRIu64
		",\"discarded_events_without_count\":%" PRIu64 ",\"discarded_packets\":%" PRIu64
		",\"discarded_packets_without_count\":%" PRIu64,
		c->events_read, c->events_matched, c->events_filtered, c->events_outside, c->pairs,
		c->unmatched_starts, c->open_starts, c->unmatched_ends, c->discarded_events,
		c->discarded_events_unknown, c->discarded_packets, c->discarded_packets_unknown);
}

static void json_query(FILE *out, const struct dp_report *r)
{
	fputs("{\"event\":", out);
	json_str(out, r->pair_text ? NULL : r->event);
	fputs(",\"pair\":", out);
	json_str(out, r->pair_text);
	fputs(",\"pair_key\":", out);
	json_str(out, r->pair_text ? r->pair_key_text : NULL);
	fputs(",\"field\":", out);
	json_str(out, r->field);
	fputs(",\"group_by\":", out);
	json_str(out, r->group_by);
	fputs(",\"key_names\":[", out);
	for (unsigned i = 0; i < r->nkeys; i++) {
		fputs(i ? "," : "", out);
		json_str(out, r->fields.names[r->key_slot[i]]);
	}
	fputs("],\"filter\":", out);
	json_str(out, r->filter_text);
	fputs(",\"begin\":", out);
	json_str(out, r->begin_text);
	fputs(",\"end\":", out);
	json_str(out, r->end_text);
	fprintf(out, ",\"interval_ns\":%" PRIu64 ",\"sort\":", r->interval_ns);
	json_str(out, r->sort_text);
	fprintf(out, ",\"descending\":%s,\"top\":%zu", r->cfg.descending ? "true" : "false",
		r->cfg.top);
}

static void json_facts(FILE *out, const struct dp_report *r, const struct dp_losses *l)
{
	json_query(out, r);
	fputs(",\"source\":", out);
	json_str(out, r->live ? r->live_url : "files");
	fputs(",\"traces\":[", out);
	for (size_t i = 0; i < r->ntraces; i++) {
		fputs(i ? "," : "", out);
		json_str(out, r->tr[i].dir);
	}
	fprintf(out, "],\"final\":%s", (!r->live || r->ended) ? "true" : "false");
	json_counters(out, &r->c);
	fprintf(out,
		",\"incomplete_streams\":%" PRIu64 ",\"empty_stream_files\":%" PRIu64
		",\"traces_without_streams\":%" PRIu64
		",\"max_keys\":%zu,\"other_key_events\":%" PRIu64
		",\"percentile_relative_error\":%.17g,\"warnings\":[",
		l->incomplete_streams, r->empty_stream_files, r->traces_without_streams,
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

	dp_report_losses(r, &l);
	json_facts(out, r, &l);
	if (r->interval_ns)
		fprintf(out, ",\"summary\":true,\"intervals\":%" PRIu64, r->nintervals);
	else if (json_groups(out, r))
		return -1;
	fputs("}\n", out);
	return 0;
}

int dp_print_json_interval(FILE *out, struct dp_report *r)
{
	struct dp_counters c;

	dp_interval_counters(r, &c);
	fprintf(out,
		"{\"interval\":{\"index\":%" PRIu64 ",\"begin_ns\":%" PRId64 ",\"end_ns\":%" PRId64
		",\"intervals\":%" PRIu64 "}",
		r->nintervals, r->ivl_begin, r->ivl_end, r->ivl_span);
	json_counters(out, &c);
	if (json_groups(out, r))
		return -1;
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
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

static void csv_fact(FILE *out, const char *pre, const char *name, uint64_t v)
{
	fprintf(out, "%s,%s,,,,%" PRIu64 "\n", pre, name, v);
}

static void csv_buckets(FILE *out, const char *pre, const struct dp_report *r,
			const struct dp_group *g, const char *key, int lin)
{
	const uint64_t *c = lin ? g->lhist : g->hist;
	unsigned n = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS, a, b;
	char label[64];
	double lo, hi;
	int lo_inf, hi_inf = 0;

	for (unsigned i = a = 0; dp_bucket_range(c, n, &a, &b) && a + i <= b; i++) {
		bucket(r, lin, a + i, &lo, &hi, &lo_inf, &hi_inf, label, sizeof(label));
		fputs(pre, out);
		csv_field(out, key);
		fprintf(out, ",%s,", lin ? "lhist" : "hist");
		csv_field(out, label);
		fprintf(out, ",%.17g,%.17g,%" PRIu64 "\n", lo, hi, c[a + i]);
	}
}

static void csv_counters(FILE *out, const char *pre, const struct dp_counters *c)
{
	csv_fact(out, pre, "events_read", c->events_read);
	csv_fact(out, pre, "events_matched", c->events_matched);
	csv_fact(out, pre, "events_filtered", c->events_filtered);
	csv_fact(out, pre, "events_outside", c->events_outside);
	csv_fact(out, pre, "pairs", c->pairs);
	csv_fact(out, pre, "unmatched_starts", c->unmatched_starts);
	csv_fact(out, pre, "open_starts", c->open_starts);
	csv_fact(out, pre, "unmatched_ends", c->unmatched_ends);
	csv_fact(out, pre, "discarded_events", c->discarded_events);
	csv_fact(out, pre, "discarded_events_without_count", c->discarded_events_unknown);
	csv_fact(out, pre, "discarded_packets", c->discarded_packets);
	csv_fact(out, pre, "discarded_packets_without_count", c->discarded_packets_unknown);
}

static int csv_groups(FILE *out, const char *pre, const struct dp_report *r)
{
	struct dp_group **v;
	char key[1200], val[64];
	size_t n, hidden;

	if (!(v = dp_sorted_groups(r, &n, &hidden)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		dp_fmt_key(key, sizeof(key), v[i]);
		for (size_t a = 0; a < DP_NSCALAR_AGGS; a++) {
			if (!(r->spec.aggs & dp_scalar_aggs[a]) &&
			    dp_scalar_aggs[a] != DP_AGG_COUNT)
				continue;
			dp_fmt_agg(val, sizeof(val), v[i], dp_scalar_aggs[a], 1);
			fputs(pre, out);
			csv_field(out, key);
			fprintf(out, ",%s,,,,%s\n", dp_agg_name(dp_scalar_aggs[a]),
				strcmp(val, "null") ? val : "");
		}
		if (r->spec.aggs & DP_AGG_HIST)
			csv_buckets(out, pre, r, v[i], key, 0);
		if (r->spec.aggs & DP_AGG_LHIST)
			csv_buckets(out, pre, r, v[i], key, 1);
	}
	free(v);
	return 0;
}

static void csv_header(FILE *out, const struct dp_report *r)
{
	fprintf(out, "%sgroup,metric,bucket,low,high,value\n",
		r->interval_ns ? "interval_begin_ns,interval_end_ns," : "");
}

int dp_print_csv(FILE *out, const struct dp_report *r)
{
	const char *pre = r->interval_ns ? ",," : "";
	struct dp_losses l;

	dp_report_losses(r, &l);
	if (!r->interval_ns || !r->header_printed)
		csv_header(out, r);
	csv_fact(out, pre, "final", !r->live || r->ended);
	csv_counters(out, pre, &r->c);
	csv_fact(out, pre, "incomplete_streams", l.incomplete_streams);
	csv_fact(out, pre, "empty_stream_files", r->empty_stream_files);
	csv_fact(out, pre, "other_key_events", r->table.other_events);
	if (r->interval_ns)
		csv_fact(out, pre, "intervals", r->nintervals);
	else
		csv_fact(out, pre, "keys", r->table.ngroups);
	for (size_t i = 0; i < l.nnotes; i++) {
		fprintf(out, "%s,warning,,,,", pre);
		csv_field(out, l.notes[i]);
		fputc('\n', out);
	}
	return r->interval_ns ? 0 : csv_groups(out, pre, r);
}

int dp_print_csv_interval(FILE *out, struct dp_report *r)
{
	struct dp_counters c;
	char pre[64];

	if (!r->header_printed) {
		csv_header(out, r);
		r->header_printed = 1;
	}
	snprintf(pre, sizeof(pre), "%" PRId64 ",%" PRId64 ",", r->ivl_begin, r->ivl_end);
	dp_interval_counters(r, &c);
	csv_counters(out, pre, &c);
	csv_fact(out, pre, "keys", r->table.ngroups);
	return csv_groups(out, pre, r) || ferror(out) ? -1 : 0;
}
