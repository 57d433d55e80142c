/* SPDX-License-Identifier: MIT */
/*
 * test_agg - unit tests of the consumer's aggregation math: bpftrace
 * hist/lhist bucketing and labels, the percentile error bound against
 * exact nearest-rank values, exact count/sum/min/max at the integer
 * extremes, the group-by key cap, and empty keys/tables (NULL arrays of
 * length 0, which UBSan rejects in memcpy/memcmp/qsort).  TAP output with
 * CMOCKA_MESSAGE_OUTPUT=TAP (meson sets it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "output.h"
#include "pair.h"
#include "report.h"

static void label_is(unsigned i, const char *want)
{
	char buf[64];

	dp_hist_label(i, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_hist_buckets(void **state)
{
	assert_int_equal(dp_hist_index_int(-5), 0);
	assert_int_equal(dp_hist_index_int(INT64_MIN), 0);
	assert_int_equal(dp_hist_index_int(0), 1);
	assert_int_equal(dp_hist_index_int(1), 2);
	assert_int_equal(dp_hist_index_int(2), 3);
	assert_int_equal(dp_hist_index_int(3), 3);
	assert_int_equal(dp_hist_index_int(4), 4);
	assert_int_equal(dp_hist_index_int(1023), 11);
	assert_int_equal(dp_hist_index_int(1024), 12);
	assert_int_equal(dp_hist_index_uint(UINT64_MAX), DP_HIST_NBUCKETS - 1);
	assert_int_equal(dp_hist_index_real(-0.1), 0);
	assert_int_equal(dp_hist_index_real(0.5), 1);
	assert_int_equal(dp_hist_index_real(1.5), 2);
	assert_int_equal(dp_hist_index_real(1024.0), 12);
	label_is(0, "(..., 0)");
	label_is(1, "[0]");
	label_is(2, "[1]");
	label_is(3, "[2, 4)");
	label_is(4, "[4, 8)");
	label_is(11, "[512, 1K)");
	label_is(12, "[1K, 2K)");
	label_is(22, "[1M, 2M)");
	label_is(DP_HIST_NBUCKETS - 1, "[8E, 16E)");
}

static void lhist_label_is(const struct dp_lhist_spec *ls, unsigned i, const char *want)
{
	char buf[64];

	dp_lhist_label(ls, i, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_lhist_buckets(void **state)
{
	struct dp_agg_spec s = { 0 };
	char err[256];

	assert_int_equal(dp_agg_parse("lhist(0,100,10)", &s, err, sizeof(err)), 0);
	assert_int_equal(s.lhist.nbuckets, 10);
	assert_int_equal(dp_lhist_index(&s.lhist, -1), 0);
	assert_int_equal(dp_lhist_index(&s.lhist, 0), 1);
	assert_int_equal(dp_lhist_index(&s.lhist, 9.9), 1);
	assert_int_equal(dp_lhist_index(&s.lhist, 99), 10);
	assert_int_equal(dp_lhist_index(&s.lhist, 100), 11);
	lhist_label_is(&s.lhist, 0, "(..., 0)");
	lhist_label_is(&s.lhist, 1, "[0, 10)");
	lhist_label_is(&s.lhist, 10, "[90, 100)");
	lhist_label_is(&s.lhist, 11, "[100, ...)");

	/* A span that is not a multiple of step: the last bucket is cut at max. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(dp_agg_parse("lhist(-50, 45, 10)", &s, err, sizeof(err)), 0);
	assert_int_equal(s.lhist.nbuckets, 10);
	assert_int_equal(dp_lhist_index(&s.lhist, -51), 0);
	assert_int_equal(dp_lhist_index(&s.lhist, -50), 1);
	assert_int_equal(dp_lhist_index(&s.lhist, 44), 10);
	lhist_label_is(&s.lhist, 0, "(..., -50)");
	lhist_label_is(&s.lhist, 10, "[40, 45)");
	lhist_label_is(&s.lhist, 11, "[45, ...)");

	/* bpftrace uses K/M suffixes only when step is a multiple of 1024. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(dp_agg_parse("lhist(0,4096,1024)", &s, err, sizeof(err)), 0);
	lhist_label_is(&s.lhist, 2, "[1K, 2K)");
	lhist_label_is(&s.lhist, 5, "[4K, ...)");
}

static void test_agg_parse(void **state)
{
	struct dp_agg_spec s = { 0 };
	char err[256];

	assert_int_equal(dp_agg_parse("count, p99.9 lhist(0,100,10),hist", &s, err, sizeof(err)), 0);
	assert_int_equal(s.aggs, DP_AGG_COUNT | DP_AGG_P999 | DP_AGG_LHIST | DP_AGG_HIST);
	memset(&s, 0, sizeof(s));
	assert_int_equal(dp_agg_parse("stats,pct", &s, err, sizeof(err)), 0);
	assert_int_equal(s.aggs, DP_AGG_COUNT | DP_AGG_SUM | DP_AGG_MIN | DP_AGG_MAX |
				 DP_AGG_MEAN | DP_AGG_PCTS);
	assert_int_equal(dp_agg_parse("median", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown aggregation 'median'"));
	assert_int_equal(dp_agg_parse("lhist(5,5,1)", &s, err, sizeof(err)), -1);
	assert_int_equal(dp_agg_parse("lhist(0,10)", &s, err, sizeof(err)), -1);
	assert_int_equal(dp_agg_parse("lhist(0,10000000,1)", &s, err, sizeof(err)), -1);
	assert_int_equal(dp_agg_parse("lhist(0,10,0)", &s, err, sizeof(err)), -1);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Every percentile from 0.1 to 100 of `n` values against the sorted truth. */
static void check_percentiles(struct dp_group *g, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	for (double p = 0.1; p <= 100.0; p += 0.1) {
		size_t rank = (size_t)ceil(p / 100.0 * (double)n);
		double exact = v[(rank ? rank : 1) - 1];
		double est = dp_group_percentile(g, p);

		if (fabs(est - exact) > fabs(exact) * DP_PCT_REL_ERROR * (1 + 1e-12))
			fail_msg("p%.1f: estimate %.17g, exact %.17g, bound %.3g", p, est, exact,
				 fabs(exact) * DP_PCT_REL_ERROR);
	}
}

static void test_percentile_bound_ints(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_PCTS };
	struct dp_group g;
	size_t n = 200000;
	double *v = malloc(n * sizeof(*v));
	uint64_t x = 7;

	assert_non_null(v);
	assert_int_equal(dp_group_init(&g, &spec), 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t r = xorshift(&x);
		int64_t val = (int64_t)((r >> 20) >> (r % 44));

		if (r % 5 == 0)
			val = -val;    /* negatives mirror the positive buckets */
		v[i] = (double)val;
		assert_int_equal(dp_group_add_int(&g, &spec, val), 0);
	}
	check_percentiles(&g, v, n);
	dp_group_fini(&g);
	free(v);
}

static void test_percentile_bound_reals(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_PCTS };
	struct dp_group g;
	size_t n = 100000;
	double *v = malloc(n * sizeof(*v));
	uint64_t x = 99;

	assert_non_null(v);
	assert_int_equal(dp_group_init(&g, &spec), 0);
	for (size_t i = 0; i < n; i++) {
		uint64_t r = xorshift(&x);

		v[i] = ldexp((double)(r >> 11) / 9007199254740992.0, (int)(r % 40) - 20);
		assert_int_equal(dp_group_add_real(&g, &spec, v[i]), 0);
	}
	check_percentiles(&g, v, n);
	dp_group_fini(&g);
	free(v);
}

/* Small integers get one bucket each: their percentiles are exact. */
static void test_percentile_small_ints_exact(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_PCTS };
	struct dp_group g;

	assert_int_equal(dp_group_init(&g, &spec), 0);
	for (int64_t i = 1; i <= 200; i++)
		assert_int_equal(dp_group_add_int(&g, &spec, i), 0);
	assert_true(dp_group_percentile(&g, 50) == 100);
	assert_true(dp_group_percentile(&g, 90) == 180);
	assert_true(dp_group_percentile(&g, 99) == 198);
	assert_true(dp_group_percentile(&g, 99.9) == 200);
	assert_true(dp_group_percentile(&g, 100) == 200);
	dp_group_fini(&g);
}

static void test_exact_extremes(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_COUNT | DP_AGG_SUM };
	struct dp_group g;

	assert_int_equal(dp_group_init(&g, &spec), 0);
	assert_int_equal(dp_group_add_uint(&g, &spec, UINT64_MAX), 0);
	assert_int_equal(dp_group_add_uint(&g, &spec, UINT64_MAX), 0);
	assert_int_equal(dp_group_add_int(&g, &spec, INT64_MIN), 0);
	assert_int_equal(g.count, 3);
	/* 2 * (2^64 - 1) - 2^63 needs more than 64 bits: kept exact. */
	assert_true(g.isum == (__int128)2 * UINT64_MAX + INT64_MIN);
	assert_true(g.imin == INT64_MIN);
	assert_true(g.imax == (__int128)UINT64_MAX);
	assert_true(dp_group_is_int(&g));
	assert_int_equal(g.hist[0], 1);
	assert_int_equal(g.hist[DP_HIST_NBUCKETS - 1], 2);
	dp_group_fini(&g);
}

/* A million values in a few orders of magnitude touch few blocks. */
static void test_memory_bounded(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_PCTS };
	struct dp_group g;
	unsigned blocks = 0;

	assert_int_equal(dp_group_init(&g, &spec), 0);
	for (int64_t i = 0; i < 1000000; i++)
		assert_int_equal(dp_group_add_int(&g, &spec, 1024 + i % 7000), 0);
	for (int s = 0; s < 2; s++)
		for (int e = 0; e < DP_LLH_NEXP; e++)
			blocks += g.llh.blk[s][e] != NULL;
	assert_int_equal(blocks, 3);   /* [1K,2K) [2K,4K) [4K,8K) */
	dp_group_fini(&g);
}

static struct dp_group *get_str(struct dp_table *t, struct dp_keybuf *kb, const char *s)
{
	dp_key_reset(kb);
	dp_key_add_str(kb, s, strlen(s));
	return dp_table_get(t, kb->buf, kb->len);
}

static struct dp_group *get_int(struct dp_table *t, struct dp_keybuf *kb, int64_t v, int sign)
{
	dp_key_reset(kb);
	if (sign)
		dp_key_add_int(kb, v);
	else
		dp_key_add_uint(kb, (uint64_t)v);
	return dp_table_get(t, kb->buf, kb->len);
}

static void test_key_cap(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_COUNT };
	struct dp_keybuf kb = {0};
	struct dp_table t;
	const char *keys[] = { "GET", "POST", "PUT", "DELETE", "PATCH" };
	struct dp_group *first[5];
	char buf[64];

	assert_int_equal(dp_table_init(&t, &spec, 3), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 5; i++) {
			struct dp_group *g = get_str(&t, &kb, keys[i]);

			assert_non_null(g);
			dp_group_add_none(g);
			if (!round)
				first[i] = g;
			else
				assert_ptr_equal(g, first[i]);
		}
	assert_int_equal(t.ngroups, 3);
	assert_non_null(t.other);
	assert_ptr_equal(first[3], t.other);
	assert_int_equal(t.other_events, 4);   /* DELETE and PATCH, twice each */
	assert_int_equal(t.other->count, 4);
	assert_int_equal(first[0]->count, 2);
	dp_key_format(buf, sizeof(buf), first[1]->key, first[1]->key_len);
	assert_string_equal(buf, "POST");
	dp_table_fini(&t);
	free(kb.buf);
}

static void test_table_many_keys(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_COUNT };
	struct dp_keybuf kb = {0};
	struct dp_table t;
	struct dp_keyitem it;

	assert_int_equal(dp_table_init(&t, &spec, 100000), 0);
	for (int64_t k = -5000; k < 5000; k++)
		dp_group_add_none(get_int(&t, &kb, k, 1));
	for (int64_t k = -5000; k < 5000; k++) {
		struct dp_group *g = get_int(&t, &kb, k, 1);
		size_t off = 0;

		assert_int_equal(dp_key_next(g->key, g->key_len, &off, &it), 1);
		assert_int_equal(it.kind, 'i');
		assert_int_equal(it.i, k);
		assert_int_equal(g->count, 1);
	}
	assert_int_equal(t.ngroups, 10000);
	assert_null(t.other);
	/* An unsigned key with the same bits is a different key. */
	assert_ptr_not_equal(get_int(&t, &kb, 5, 0), get_int(&t, &kb, 5, 1));
	dp_table_fini(&t);
	free(kb.buf);
}

/* Tuples: equal only item for item; ordered item by item; printed like
 * bpftrace's @[a, b]. */
static void test_key_tuples(void **state)
{
	struct dp_keybuf a = {0}, b = {0};
	char buf[128], big[DP_KEY_STR_MAX + 10];

	dp_key_add_str(&a, "GET", 3);
	dp_key_add_int(&a, -7);
	dp_key_add_uint(&a, 42);
	dp_key_format(buf, sizeof(buf), a.buf, a.len);
	assert_string_equal(buf, "GET, -7, 42");
	dp_key_add_str(&b, "GET", 3);
	dp_key_add_int(&b, -7);
	dp_key_add_uint(&b, 41);
	assert_true(dp_key_cmp(a.buf, a.len, b.buf, b.len) > 0);
	dp_key_reset(&b);
	dp_key_add_str(&b, "GE", 2);
	assert_true(dp_key_cmp(a.buf, a.len, b.buf, b.len) > 0);
	/* "GE" + "T..." must not equal "GET" + "...": lengths are encoded. */
	dp_key_add_str(&b, "T", 1);
	assert_true(a.len != b.len || memcmp(a.buf, b.buf, a.len));
	dp_key_reset(&b);
	dp_key_add_int(&b, -1);
	dp_key_reset(&a);
	dp_key_add_uint(&a, UINT64_MAX);
	assert_true(dp_key_cmp(b.buf, b.len, a.buf, a.len) < 0);
	memset(big, 'x', sizeof(big));
	dp_key_reset(&a);
	assert_int_equal(dp_key_add_str(&a, big, sizeof(big)), 1);
	assert_int_equal(a.len, 6 + DP_KEY_STR_MAX);
	free(a.buf);
	free(b.buf);
}

/* Two readers' groups add up to the group of one reader that saw all. */
static void test_group_merge(void **state)
{
	struct dp_agg_spec spec = {0};
	struct dp_group all, x, y;
	char err[128];

	assert_int_equal(dp_agg_parse("stats,pct,hist,lhist(0,1000,10)", &spec, err, sizeof(err)),
			 0);
	dp_group_init(&all, &spec);
	dp_group_init(&x, &spec);
	dp_group_init(&y, &spec);
	for (int64_t v = -300; v < 5000; v += 7) {
		dp_group_add_int(&all, &spec, v);
		dp_group_add_int(v % 2 ? &x : &y, &spec, v);
	}
	dp_group_add_real(&all, &spec, 0.5);
	dp_group_add_real(&y, &spec, 0.5);
	assert_int_equal(dp_group_merge(&x, &y, &spec), 0);
	assert_int_equal(x.count, all.count);
	assert_true(x.isum == all.isum && x.imin == all.imin && x.imax == all.imax);
	assert_true(x.fsum == all.fsum && x.fmin == all.fmin);
	assert_memory_equal(x.hist, all.hist, sizeof(x.hist));
	assert_memory_equal(x.lhist, all.lhist, (spec.lhist.nbuckets + 2) * sizeof(uint64_t));
	for (double p = 1; p <= 100; p += 3.3)
		assert_true(dp_group_percentile(&x, p) == dp_group_percentile(&all, p));
	dp_group_fini(&all);
	dp_group_fini(&x);
	dp_group_fini(&y);
}

/* Without --by the key is empty and its buffer NULL; without --key a pair's
 * too; an empty report has no groups array.  None of these may reach
 * memcpy/memcmp/qsort as NULL (the ASan+UBSan build halts on it). */
static void test_empty_keys(void **state)
{
	struct dp_agg_spec spec = { .aggs = DP_AGG_COUNT };
	struct dp_report *r = calloc(1, sizeof(*r));
	struct dp_pending *p = dp_pending_new(16);
	struct dp_group *g, **v;
	size_t n = 1, hidden = 1;
	int64_t ts = 0;

	assert_non_null(r);
	assert_non_null(p);
	assert_int_equal(dp_table_init(&r->table, &spec, 0), 0);
	v = dp_sorted_groups(r, &n, &hidden);
	assert_non_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(hidden, 0);
	free(v);
	assert_non_null(g = dp_table_get(&r->table, NULL, 0));
	assert_ptr_equal(dp_table_get(&r->table, NULL, 0), g);
	assert_int_equal(r->table.ngroups, 1);
	assert_int_equal(dp_pending_put(p, NULL, 0, 5), 0);
	assert_int_equal(dp_pending_put(p, NULL, 0, 7), 1);
	assert_int_equal(dp_pending_take(p, NULL, 0, &ts), 1);
	assert_int_equal(ts, 7);
	assert_int_equal(dp_pending_take(p, NULL, 0, &ts), 0);
	dp_pending_free(p);
	dp_table_fini(&r->table);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hist_buckets),
	    cmocka_unit_test(test_lhist_buckets),
	    cmocka_unit_test(test_agg_parse),
	    cmocka_unit_test(test_percentile_bound_ints),
	    cmocka_unit_test(test_percentile_bound_reals),
	    cmocka_unit_test(test_percentile_small_ints_exact),
	    cmocka_unit_test(test_exact_extremes),
	    cmocka_unit_test(test_memory_bounded),
	    cmocka_unit_test(test_key_cap),
	    cmocka_unit_test(test_table_many_keys),
	    cmocka_unit_test(test_key_tuples),
	    cmocka_unit_test(test_group_merge),
	    cmocka_unit_test(test_empty_keys),
	};

	return cmocka_run_group_tests_name("consumer-agg", tests, NULL, NULL);
}
