/* SPDX-License-Identifier: MIT */
/*
 * agg.c - the aggregation math behind `dynprobe report` (see agg.h).
 *
 * Everything here is called once per matching event, so the add paths do
 * no allocation except the first time a group meets a new binary order of
 * magnitude (at most DP_LLH_NEXP * 2 times per group) and no formatting.
 * Labels follow bpftrace's output: hist buckets `[0]`, `[1]`, `[2, 4)`,
 * `[1K, 2K)`, negatives in `(..., 0)`; lhist `(..., min)`, `[lo, hi)`,
 * `[max, ...)`.
 */
#include "agg.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bits;
} agg_names[] = {
	{ "count", DP_AGG_COUNT }, { "sum", DP_AGG_SUM }, { "min", DP_AGG_MIN },
	{ "max", DP_AGG_MAX }, { "mean", DP_AGG_MEAN }, { "avg", DP_AGG_MEAN },
	{ "p50", DP_AGG_P50 }, { "p90", DP_AGG_P90 }, { "p99", DP_AGG_P99 },
	{ "p99.9", DP_AGG_P999 }, { "p999", DP_AGG_P999 }, { "hist", DP_AGG_HIST },
	{ "stats", DP_AGG_COUNT | DP_AGG_SUM | DP_AGG_MIN | DP_AGG_MAX | DP_AGG_MEAN },
	{ "pct", DP_AGG_PCTS },
};

const char *dp_agg_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(agg_names) / sizeof(agg_names[0]); i++)
		if (agg_names[i].bits == bit)
			return agg_names[i].name;
	return bit == DP_AGG_LHIST ? "lhist" : "?";
}

static int parse_i64(const char *s, const char *end, int64_t *ret)
{
	char buf[32], *e;
	size_t n = (size_t)(end - s);

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	*ret = strtoll(buf, &e, 0);
	return (errno || *e) ? -1 : 0;
}

/* "lhist(min,max,step)" starting at s; *end gets the char after ')'. */
static int parse_lhist(const char *s, const char **end, struct dp_lhist_spec *ls,
		       char *err, size_t errlen)
{
	const char *p = s + strlen("lhist"), *c1, *c2, *close;
	__int128 span;

	if (*p != '(' || !(close = strchr(p, ')')) || !(c1 = memchr(p, ',', (size_t)(close - p))) ||
	    !(c2 = memchr(c1 + 1, ',', (size_t)(close - c1 - 1))))
		goto bad;
	if (parse_i64(p + 1, c1, &ls->min) || parse_i64(c1 + 1, c2, &ls->max) ||
	    parse_i64(c2 + 1, close, &ls->step))
		goto bad;
	if (ls->step <= 0 || ls->max <= ls->min) {
		snprintf(err, errlen, "lhist: need min < max and step > 0");
		return -1;
	}
	span = ((__int128)ls->max - ls->min + ls->step - 1) / ls->step;
	if (span > DP_LHIST_MAX_BUCKETS) {
		snprintf(err, errlen, "lhist: more than %d buckets; use a larger step",
			 DP_LHIST_MAX_BUCKETS);
		return -1;
	}
	ls->nbuckets = (uint32_t)span;
	*end = close + 1;
	return 0;
bad:
	snprintf(err, errlen, "bad lhist syntax in '%s' (expected lhist(MIN,MAX,STEP))", s);
	return -1;
}

int dp_agg_parse(const char *text, struct dp_agg_spec *spec, char *err, size_t errlen)
{
	const char *p = text;

	while (*p) {
		size_t n = 0, i;

		if (*p == ',' || isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (!strncmp(p, "lhist", 5) && (p[5] == '(' || !p[5] || p[5] == ',')) {
			if (parse_lhist(p, &p, &spec->lhist, err, errlen))
				return -1;
			spec->aggs |= DP_AGG_LHIST;
			continue;
		}
		while (p[n] && p[n] != ',' && !isspace((unsigned char)p[n]))
			n++;
		for (i = 0; i < sizeof(agg_names) / sizeof(agg_names[0]); i++)
			if (strlen(agg_names[i].name) == n && !strncmp(agg_names[i].name, p, n))
				break;
		if (i == sizeof(agg_names) / sizeof(agg_names[0])) {
			snprintf(err, errlen,
				 "unknown aggregation '%.*s' (count sum min max mean stats "
				 "p50 p90 p99 p99.9 pct hist lhist(MIN,MAX,STEP))", (int)n, p);
			return -1;
		}
		spec->aggs |= agg_names[i].bits;
		p += n;
	}
	return 0;
}

int dp_group_init(struct dp_group *g, const struct dp_agg_spec *spec)
{
	memset(g, 0, sizeof(*g));
	g->fmin = INFINITY;
	g->fmax = -INFINITY;
	if (spec->aggs & DP_AGG_LHIST) {
		g->lhist = calloc(spec->lhist.nbuckets + 2u, sizeof(*g->lhist));
		if (!g->lhist)
			return -ENOMEM;
	}
	return 0;
}

void dp_group_fini(struct dp_group *g)
{
	free(g->lhist);
	g->lhist = NULL;
	for (int s = 0; s < 2; s++)
		for (int e = 0; e < DP_LLH_NEXP; e++) {
			free(g->llh.blk[s][e]);
			g->llh.blk[s][e] = NULL;
		}
}

/* Log-linear bucket of a real: exponent and top mantissa bits, read
 * straight from the IEEE-754 representation (no log, no division). */
static int llh_add(struct dp_llh *h, double v)
{
	uint64_t bits;
	int neg, e;
	unsigned sub;

	memcpy(&bits, &v, sizeof(bits));
	neg = (int)(bits >> 63);
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	if (v == 0 || e < DP_LLH_EXP_MIN) {
		h->zero++;
		return 0;
	}
	sub = (unsigned)(bits >> (52 - DP_LLH_SUB_BITS)) & (DP_LLH_SUB - 1);
	if (e > DP_LLH_EXP_MAX) {       /* also +-inf: clamp to the top bucket */
		e = DP_LLH_EXP_MAX;
		sub = DP_LLH_SUB - 1;
	}
	uint64_t **slot = &h->blk[neg][e - DP_LLH_EXP_MIN];
	if (__builtin_expect(!*slot, 0)) {
		*slot = calloc(DP_LLH_SUB, sizeof(**slot));
		if (!*slot)
			return -ENOMEM;
	}
	(*slot)[sub]++;
	return 0;
}

/* Integers of either signedness: exact in the 128-bit sum, min and max;
 * `hist_index` is the log2 bucket, which depends on the signedness. */
static int group_add_integer(struct dp_group *g, const struct dp_agg_spec *spec, __int128 v,
			     unsigned hist_index)
{
	if (!g->nint++)
		g->imin = g->imax = v;
	else if (v < g->imin)
		g->imin = v;
	else if (v > g->imax)
		g->imax = v;
	g->isum += v;
	g->count++;
	g->hist[hist_index]++;
	if (spec->aggs & DP_AGG_LHIST)
		g->lhist[dp_lhist_index(&spec->lhist, (double)v)]++;
	return dp_spec_llh(spec) ? llh_add(&g->llh, (double)v) : 0;
}

int dp_group_add_int(struct dp_group *g, const struct dp_agg_spec *spec, int64_t v)
{
	return group_add_integer(g, spec, v, dp_hist_index_int(v));
}

int dp_group_add_uint(struct dp_group *g, const struct dp_agg_spec *spec, uint64_t v)
{
	return group_add_integer(g, spec, v, dp_hist_index_uint(v));
}

int dp_group_add_real(struct dp_group *g, const struct dp_agg_spec *spec, double v)
{
	g->count++;
	if (isnan(v)) {         /* no order: counted, kept out of everything else */
		g->nan++;
		return 0;
	}
	g->nflt++;
	if (v < g->fmin)
		g->fmin = v;
	if (v > g->fmax)
		g->fmax = v;
	g->fsum += v;
	g->hist[dp_hist_index_real(v)]++;
	if (spec->aggs & DP_AGG_LHIST)
		g->lhist[dp_lhist_index(&spec->lhist, v)]++;
	return dp_spec_llh(spec) ? llh_add(&g->llh, v) : 0;
}

/* Log-linear blocks add bucket by bucket; a block only one side has is
 * allocated on the other. */
static int llh_merge(struct dp_llh *dst, const struct dp_llh *src)
{
	dst->zero += src->zero;
	for (int s = 0; s < 2; s++)
		for (int e = 0; e < DP_LLH_NEXP; e++) {
			if (!src->blk[s][e])
				continue;
			if (!dst->blk[s][e] &&
			    !(dst->blk[s][e] = calloc(DP_LLH_SUB, sizeof(uint64_t))))
				return -ENOMEM;
			for (unsigned i = 0; i < DP_LLH_SUB; i++)
				dst->blk[s][e][i] += src->blk[s][e][i];
		}
	return 0;
}

int dp_group_merge(struct dp_group *dst, const struct dp_group *src, const struct dp_agg_spec *spec)
{
	if (src->nint && (!dst->nint || src->imin < dst->imin))
		dst->imin = src->imin;
	if (src->nint && (!dst->nint || src->imax > dst->imax))
		dst->imax = src->imax;
	dst->count += src->count;
	dst->nint += src->nint;
	dst->nflt += src->nflt;
	dst->isum += src->isum;
	dst->fsum += src->fsum;
	dst->fmin = src->fmin < dst->fmin ? src->fmin : dst->fmin;
	dst->fmax = src->fmax > dst->fmax ? src->fmax : dst->fmax;
	dst->nan += src->nan;
	for (unsigned i = 0; i < DP_HIST_NBUCKETS; i++)
		dst->hist[i] += src->hist[i];
	if ((spec->aggs & DP_AGG_LHIST) && dst->lhist && src->lhist)
		for (uint32_t i = 0; i < spec->lhist.nbuckets + 2; i++)
			dst->lhist[i] += src->lhist[i];
	return llh_merge(&dst->llh, &src->llh);
}

int dp_group_is_int(const struct dp_group *g)
{
	return g->nflt == 0 && g->nan == 0;
}

double dp_group_sum(const struct dp_group *g)
{
	return (double)g->isum + g->fsum;
}

double dp_group_min(const struct dp_group *g)
{
	double m = g->fmin;

	if (g->nint && (double)g->imin < m)
		m = (double)g->imin;
	return (g->nint || g->nflt) ? m : NAN;
}

double dp_group_max(const struct dp_group *g)
{
	double m = g->fmax;

	if (g->nint && (double)g->imax > m)
		m = (double)g->imax;
	return (g->nint || g->nflt) ? m : NAN;
}

double dp_group_mean(const struct dp_group *g)
{
	uint64_t n = g->nint + g->nflt;

	return n ? dp_group_sum(g) / (double)n : NAN;
}

/* Midpoint of a log-linear bucket; integer data keeps buckets narrower
 * than 1 exact by answering their lower bound (which is the integer). */
static double llh_estimate(int e, unsigned sub, int neg, int ints)
{
	double w = ldexp(1.0, e - DP_LLH_SUB_BITS);
	double lo = ldexp(1.0, e) + sub * w;
	double est = (ints && w <= 1.0) ? lo : lo + w / 2;

	return neg ? -est : est;
}

/* Walk buckets in increasing value order until `rank` values are covered. */
double dp_group_percentile(const struct dp_group *g, double p)
{
	uint64_t n = g->nint + g->nflt, seen = 0, rank;
	int ints = dp_group_is_int(g);
	double est = NAN;

	if (!n)
		return NAN;
	rank = (uint64_t)ceil(p / 100.0 * (double)n);
	if (rank < 1)
		rank = 1;
	for (int e = DP_LLH_NEXP - 1; e >= 0 && isnan(est); e--)
		for (int s = DP_LLH_SUB - 1; g->llh.blk[1][e] && s >= 0; s--)
			if ((seen += g->llh.blk[1][e][s]) >= rank) {
				est = llh_estimate(e + DP_LLH_EXP_MIN, (unsigned)s, 1, ints);
				break;
			}
	if (isnan(est) && (seen += g->llh.zero) >= rank)
		est = 0;
	for (int e = 0; e < DP_LLH_NEXP && isnan(est); e++)
		for (unsigned s = 0; g->llh.blk[0][e] && s < DP_LLH_SUB; s++)
			if ((seen += g->llh.blk[0][e][s]) >= rank) {
				est = llh_estimate(e + DP_LLH_EXP_MIN, s, 0, ints);
				break;
			}
	/* The exact answer lies in [min, max]: never report beyond them. */
	if (est < dp_group_min(g))
		est = dp_group_min(g);
	if (est > dp_group_max(g))
		est = dp_group_max(g);
	return est;
}
