/* SPDX-License-Identifier: MIT */
/*
 * output.h - helpers shared by the text, JSON, CSV and SVG writers.
 */
#ifndef DYNPROBE_CONSUMER_OUTPUT_H
#define DYNPROBE_CONSUMER_OUTPUT_H

#include "report.h"

#define DP_MAX_NOTES (DP_MAX_REPORT_NOTES + 12)
#define DP_NSCALAR_AGGS 9

/* Data-loss facts and warnings every format must show. */
struct dp_losses {
	uint64_t incomplete_streams;
	uint64_t nan_values;
	size_t nnotes;
	const char *notes[DP_MAX_NOTES];
	char buf[DP_MAX_NOTES][700];
};

extern const unsigned dp_scalar_aggs[DP_NSCALAR_AGGS];

void dp_report_losses(const struct dp_report *r, struct dp_losses *l);
void dp_fmt_i128(char *buf, size_t len, __int128 v);
double dp_agg_value(const struct dp_group *g, unsigned agg);
void dp_fmt_agg(char *buf, size_t len, const struct dp_group *g, unsigned agg, int precise);
void dp_fmt_key(char *buf, size_t len, const struct dp_group *g);
/* Groups to print: sorted, --top applied ("hidden" more), "(other)" last. */
struct dp_group **dp_sorted_groups(const struct dp_report *r, size_t *ret_n, size_t *ret_hidden);
int dp_bucket_range(const uint64_t *c, unsigned n, unsigned *first, unsigned *last);
void dp_interval_counters(const struct dp_report *r, struct dp_counters *c);
int dp_print_json(FILE *out, const struct dp_report *r);
int dp_print_csv(FILE *out, const struct dp_report *r);
int dp_print_json_interval(FILE *out, struct dp_report *r);
int dp_print_csv_interval(FILE *out, struct dp_report *r);

#endif
