/* SPDX-License-Identifier: MIT */
/*
 * buckets.c - bpftrace-compatible hist/lhist bucketing and labels.
 *
 * hist: bucket 0 holds every negative value (bpftrace prints it as
 * `(..., 0)`), 1 holds 0, 2 holds 1, and bucket i >= 3 holds
 * [2^(i-2), 2^(i-1)).  Reals are bucketed by their floor, so `[0]` means
 * [0, 1) for them.  lhist(min,max,step): bucket 0 is (..., min), 1..n are
 * the steps, n+1 is [max, ...).  Labels use bpftrace's K/M/G/T/P/E
 * suffixes (hist: powers of 1024; lhist: only when step is a multiple of
 * 1024, like bpftrace).
 */
#include "agg.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

unsigned dp_hist_index_uint(uint64_t v)
{
	return v ? 2u + 63u - (unsigned)__builtin_clzll(v) : 1u;
}

unsigned dp_hist_index_int(int64_t v)
{
	return v < 0 ? 0u : dp_hist_index_uint((uint64_t)v);
}

unsigned dp_hist_index_real(double v)
{
	int e;

	if (v < 0)
		return 0;
	if (v < 1)
		return 1;
	if (v >= 18446744073709551616.0)
		return DP_HIST_NBUCKETS - 1;
	frexp(v, &e);           /* v = m * 2^e, m in [0.5, 1): floor(log2 v) = e - 1 */
	return (unsigned)(e + 1);
}

void dp_hist_bounds(unsigned i, double *lo, double *hi, int *lo_inf)
{
	*lo_inf = i == 0;
	if (i == 0) {
		*lo = -INFINITY;
		*hi = 0;
	} else if (i == 1) {
		*lo = 0;
		*hi = 1;
	} else {
		*lo = ldexp(1.0, (int)i - 2);
		*hi = ldexp(1.0, (int)i - 1);
	}
}

static void pow2_label(unsigned power, char *buf, size_t len)
{
	static const char suffix[] = " KMGTPE";
	unsigned s = power / 10;

	if (s > 6)
		s = 6;
	power -= s * 10;
	if (s)
		snprintf(buf, len, "%" PRIu64 "%c", (uint64_t)1 << power, suffix[s]);
	else
		snprintf(buf, len, "%" PRIu64, (uint64_t)1 << power);
}

void dp_hist_label(unsigned i, char *buf, size_t len)
{
	char a[24], b[24];

	if (i == 0) {
		snprintf(buf, len, "(..., 0)");
	} else if (i == 1) {
		snprintf(buf, len, "[0]");
	} else if (i == 2) {
		snprintf(buf, len, "[1]");
	} else {
		pow2_label(i - 2, a, sizeof(a));
		pow2_label(i - 1, b, sizeof(b));
		snprintf(buf, len, "[%s, %s)", a, b);
	}
}

unsigned dp_lhist_index(const struct dp_lhist_spec *ls, double v)
{
	if (v < (double)ls->min)
		return 0;
	if (v >= (double)ls->max)
		return ls->nbuckets + 1;
	return 1u + (unsigned)((floor(v) - (double)ls->min) / (double)ls->step);
}

static void lhist_number(const struct dp_lhist_spec *ls, int64_t n, char *buf, size_t len)
{
	if (ls->step % 1024 == 0 && n != 0 && n % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRId64 "M", n / (1024 * 1024));
	else if (ls->step % 1024 == 0 && n != 0 && n % 1024 == 0)
		snprintf(buf, len, "%" PRId64 "K", n / 1024);
	else
		snprintf(buf, len, "%" PRId64, n);
}

void dp_lhist_bounds(const struct dp_lhist_spec *ls, unsigned i, double *lo, double *hi,
		     int *lo_inf, int *hi_inf)
{
	*lo_inf = i == 0;
	*hi_inf = i == ls->nbuckets + 1;
	if (i == 0) {
		*lo = -INFINITY;
		*hi = (double)ls->min;
	} else if (i == ls->nbuckets + 1) {
		*lo = (double)ls->max;
		*hi = INFINITY;
	} else {
		*lo = (double)ls->min + (double)(i - 1) * (double)ls->step;
		*hi = *lo + (double)ls->step;
		if (*hi > (double)ls->max)
			*hi = (double)ls->max;
	}
}

void dp_lhist_label(const struct dp_lhist_spec *ls, unsigned i, char *buf, size_t len)
{
	char a[32], b[32];
	double lo, hi;
	int lo_inf, hi_inf;

	dp_lhist_bounds(ls, i, &lo, &hi, &lo_inf, &hi_inf);
	if (lo_inf) {
		lhist_number(ls, ls->min, a, sizeof(a));
		snprintf(buf, len, "(..., %s)", a);
	} else if (hi_inf) {
		lhist_number(ls, ls->max, a, sizeof(a));
		snprintf(buf, len, "[%s, ...)", a);
	} else {
		lhist_number(ls, (int64_t)lo, a, sizeof(a));
		lhist_number(ls, (int64_t)hi, b, sizeof(b));
		snprintf(buf, len, "[%s, %s)", a, b);
	}
}
