/* SPDX-License-Identifier: MIT */
/*
 * output.h - helpers shared by the text, JSON, CSV and SVG writers.
 */
#ifndef DYNPROBE_CONSUMER_OUTPUT_H
#define DYNPROBE_CONSUMER_OUTPUT_H

#include "report.h"

#define DP_MAX_NOTES 8

/* Data-loss facts and warnings every format must show. */
struct dp_losses {
	uint64_t incomplete_streams;
	uint64_t nan_values;
	size_t nnotes;
	const char *notes[DP_MAX_NOTES];
	char buf[DP_MAX_NOTES][600];
};

void dp_report_losses(const struct dp_report *r, struct dp_losses *l);
void dp_fmt_i128(char *buf, size_t len, __int128 v);
void dp_fmt_agg(char *buf, size_t len, const struct dp_group *g, unsigned agg, int precise);
void dp_fmt_key(char *buf, size_t len, const struct dp_group *g);
struct dp_group **dp_sorted_groups(const struct dp_report *r, size_t *ret_n);
int dp_bucket_range(const uint64_t *c, unsigned n, unsigned *first, unsigned *last);
int dp_print_json(FILE *out, const struct dp_report *r);
int dp_print_csv(FILE *out, const struct dp_report *r);

#endif
