/* SPDX-License-Identifier: MIT */
/*
 * agg.h - bounded-memory aggregation of numeric event fields.
 *
 * One `struct dp_group` holds everything one bpftrace map entry would:
 * count, exact sum/min/max, a bpftrace-style log2 histogram, an optional
 * linear histogram and a log-linear histogram (HDR-style) from which the
 * percentiles are read.  A `struct dp_table` maps group-by keys (strings or
 * integers) to groups and caps how many keys it keeps.
 *
 * Percentiles: a value v != 0 falls into the bucket given by its binary
 * exponent e and the top DP_LLH_SUB_BITS (7) bits of its mantissa, i.e. a
 * bucket [lo, lo + 2^(e-7)) with lo >= 2^e.  The estimate is the bucket's
 * midpoint, so |estimate - exact| <= 2^-8 * |exact| (0.39 %) for
 * 2^-64 <= |v| < 2^65; integers with |v| < 256 are exact.  Memory: 128
 * counters (1 KiB) per binary order of magnitude actually seen, allocated
 * the first time that order is hit, never per event; kept only when a
 * percentile is asked for (or sorted by).
 */
#ifndef DYNPROBE_CONSUMER_AGG_H
#define DYNPROBE_CONSUMER_AGG_H

#include <stddef.h>
#include <stdint.h>

#define DP_LLH_SUB_BITS 7
#define DP_LLH_SUB (1u << DP_LLH_SUB_BITS)
#define DP_LLH_EXP_MIN (-64)
#define DP_LLH_EXP_MAX 64
#define DP_LLH_NEXP (DP_LLH_EXP_MAX - DP_LLH_EXP_MIN + 1)
/* Relative error bound of a percentile estimate (see above). */
#define DP_PCT_REL_ERROR (1.0 / (double)(2u * DP_LLH_SUB))

#define DP_HIST_NBUCKETS 66     /* (..., 0), [0], [1], [2, 4), ... [2^63, 2^64) */
#define DP_LHIST_MAX_BUCKETS 100000
#define DP_DEFAULT_MAX_KEYS 1024

/* Which aggregations to print (every group computes the cheap ones). */
enum {
	DP_AGG_COUNT = 1u << 0,
	DP_AGG_SUM = 1u << 1,
	DP_AGG_MIN = 1u << 2,
	DP_AGG_MAX = 1u << 3,
	DP_AGG_MEAN = 1u << 4,
	DP_AGG_P50 = 1u << 5,
	DP_AGG_P90 = 1u << 6,
	DP_AGG_P99 = 1u << 7,
	DP_AGG_P999 = 1u << 8,
	DP_AGG_HIST = 1u << 9,
	DP_AGG_LHIST = 1u << 10,
};
#define DP_AGG_PCTS (DP_AGG_P50 | DP_AGG_P90 | DP_AGG_P99 | DP_AGG_P999)
#define DP_AGG_NEEDS_FIELD (~(unsigned)DP_AGG_COUNT)

struct dp_lhist_spec {
	int64_t min, max, step;
	uint32_t nbuckets;      /* linear buckets, without the two open ends */
};

struct dp_agg_spec {
	unsigned aggs;          /* DP_AGG_* */
	struct dp_lhist_spec lhist;
	int want_llh; /* keep the log-linear histogram without printing percentiles */
};

/* The log-linear histogram costs a few ns per value: only when read. */
static inline int dp_spec_llh(const struct dp_agg_spec *s)
{
	return (s->aggs & DP_AGG_PCTS) || s->want_llh;
}

struct dp_llh {
	uint64_t zero;
	uint64_t *blk[2][DP_LLH_NEXP]; /* [negative][exponent] */
};

struct dp_group {
	uint64_t count;         /* events aggregated */
	uint64_t nint, nflt;    /* how many were integers / reals */
	__int128 isum, imin, imax;
	double fsum, fmin, fmax;
	uint64_t nan;           /* NaN reals: counted, not bucketed */
	uint64_t hist[DP_HIST_NBUCKETS];
	uint64_t *lhist;        /* nbuckets + 2 when lhist is asked for */
	struct dp_llh llh;
	/* The key: an encoded tuple (dp_key_*), empty without group-by. */
	const uint8_t *key;
	uint32_t key_len;
	int other; /* the shared "(other)" group */
	uint64_t hash;
};

/*
 * Group-by keys are tuples of strings and integers, encoded into one byte
 * string so that one hash and one memcmp find a group whatever the number
 * of keys: per item a tag ('i' int64, 'u' uint64: 8 bytes follow; 's': a
 * 4-byte length, the bytes and a NUL).  Strings longer than
 * DP_KEY_STR_MAX are cut there (and counted by the caller).
 */
#define DP_KEY_STR_MAX 1024
#define DP_MAX_KEYS 8

struct dp_keybuf {
	uint8_t *buf;
	size_t len, cap;
	int oom;
};

struct dp_keyitem {
	int kind; /* 'i', 'u' or 's' */
	int64_t i;
	uint64_t u;
	const char *s;
	uint32_t len;
};

static inline void dp_key_reset(struct dp_keybuf *k)
{
	k->len = 0;
}
/* Returns 1 when the string was cut at DP_KEY_STR_MAX. */
int dp_key_add_str(struct dp_keybuf *k, const char *s, size_t len);
void dp_key_add_int(struct dp_keybuf *k, int64_t v);
void dp_key_add_uint(struct dp_keybuf *k, uint64_t v);
/* Item at *off of an encoded key; 0 at the end (or on a malformed key). */
int dp_key_next(const uint8_t *key, size_t len, size_t *off, struct dp_keyitem *it);
/* Item-wise order: integers numerically, strings bytewise. */
int dp_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* bpftrace's rendering: "GET, 1234". */
void dp_key_format(char *buf, size_t len, const uint8_t *key, size_t klen);
uint64_t dp_hash_bytes(const void *p, size_t n);

struct dp_table {
	const struct dp_agg_spec *spec;
	struct dp_group **slots;  /* open addressing, power of two */
	size_t nslots;
	struct dp_group **groups; /* insertion order */
	size_t ngroups, cap_groups;
	size_t max_keys;
	struct dp_group *other;   /* events whose key did not fit */
	uint64_t other_events;
	struct dp_arena_chunk *chunks; /* key bytes */
};

/* Parse "count,sum,p99,hist,lhist(0,100,10)" (comma/space separated;
 * "stats" = count,sum,min,max,mean; "pct" = the four percentiles).
 * Returns 0, or -1 with a message in err. */
int dp_agg_parse(const char *text, struct dp_agg_spec *spec, char *err, size_t errlen);
const char *dp_agg_name(unsigned bit);

/* Group values. */
int dp_group_init(struct dp_group *g, const struct dp_agg_spec *spec);
void dp_group_fini(struct dp_group *g);
int dp_group_add_int(struct dp_group *g, const struct dp_agg_spec *spec, int64_t v);
int dp_group_add_uint(struct dp_group *g, const struct dp_agg_spec *spec, uint64_t v);
int dp_group_add_real(struct dp_group *g, const struct dp_agg_spec *spec, double v);
static inline void dp_group_add_none(struct dp_group *g) { g->count++; }

/* Results.  dp_group_is_int: every value was an integer (results exact). */
int dp_group_is_int(const struct dp_group *g);
double dp_group_sum(const struct dp_group *g);
double dp_group_min(const struct dp_group *g);
double dp_group_max(const struct dp_group *g);
double dp_group_mean(const struct dp_group *g);
/* Nearest-rank percentile (0 < p <= 100) estimate, see the bound above. */
double dp_group_percentile(const struct dp_group *g, double p);

/* Histogram buckets: index helpers and bpftrace labels. */
unsigned dp_hist_index_int(int64_t v);
unsigned dp_hist_index_uint(uint64_t v);
unsigned dp_hist_index_real(double v);
/* Bounds of hist bucket i: [lo, hi); lo_inf for (..., 0). */
void dp_hist_bounds(unsigned i, double *lo, double *hi, int *lo_inf);
void dp_hist_label(unsigned i, char *buf, size_t len);
unsigned dp_lhist_index(const struct dp_lhist_spec *ls, double v);
void dp_lhist_label(const struct dp_lhist_spec *ls, unsigned i, char *buf, size_t len);
void dp_lhist_bounds(const struct dp_lhist_spec *ls, unsigned i, double *lo, double *hi,
		     int *lo_inf, int *hi_inf);

/* Group table. */
int dp_table_init(struct dp_table *t, const struct dp_agg_spec *spec, size_t max_keys);
void dp_table_fini(struct dp_table *t);
/* Drop every group (a new --interval), keeping the settings. */
int dp_table_clear(struct dp_table *t);
/* The group for an encoded key, created on first sight; past max_keys,
 * the shared "(other)" group.  NULL only on allocation failure. */
struct dp_group *dp_table_get(struct dp_table *t, const uint8_t *key, size_t len);
/* The "(other)" group, created if needed (merging readers' results). */
struct dp_group *dp_table_other(struct dp_table *t);
/* Add everything `src` counted into `dst` (results of parallel readers). */
int dp_group_merge(struct dp_group *dst, const struct dp_group *src,
		   const struct dp_agg_spec *spec);

#endif
