/* SPDX-License-Identifier: MIT */
/*
 * test_query - unit tests of the query language and the input checks:
 * the --filter predicate (parsing, precedence, errors, evaluation with
 * integers of both signs, reals, strings and LTTng-style globs, type
 * checks), durations and trace-time points, the --pair map (replacement,
 * deletion that keeps every other key reachable), and the metadata and
 * index validators on hand-built damaged inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "pair.h"
#include "timefmt.h"
#include "validate.h"

/* A fake event: values by slot. */
struct fake {
	struct dp_value v[DP_MAX_SLOTS];
	unsigned fetched;
};

static const struct dp_value *fake_fetch(void *ctx, unsigned slot)
{
	struct fake *f = ctx;

	f->fetched |= 1u << slot;
	return &f->v[slot];
}

/* Parse `text`, name its slots by `names`, evaluate against `f`. */
static int eval_on(const char *text, struct fake *f, struct dp_fieldset *fs)
{
	struct dp_expr x;
	char err[256];
	int r;

	assert_int_equal(dp_expr_parse(&x, text, fs, err, sizeof(err)), 0);
	r = dp_expr_eval(&x, fake_fetch, f);
	dp_expr_fini(&x);
	return r;
}

static void set_str(struct fake *f, unsigned slot, const char *s)
{
	f->v[slot].kind = DP_FK_STR;
	f->v[slot].s = s;
	f->v[slot].len = strlen(s);
}

static void test_filter_eval(void **state)
{
	struct dp_fieldset fs = {0};
	struct fake f = {0};

	/* Slots follow first appearance: vpid 0, arg0 1, arg1 2, sv 3, rv 4. */
	assert_int_equal(dp_fieldset_add(&fs, "vpid", 4), 0);
	assert_int_equal(dp_fieldset_add(&fs, "arg0", 4), 1);
	assert_int_equal(dp_fieldset_add(&fs, "arg1", 4), 2);
	assert_int_equal(dp_fieldset_add(&fs, "sv", 2), 3);
	assert_int_equal(dp_fieldset_add(&fs, "rv", 2), 4);
	f.v[0] = (struct dp_value){.kind = DP_FK_UINT, .u = 42};
	set_str(&f, 1, "GET");
	f.v[2] = (struct dp_value){.kind = DP_FK_UINT, .u = UINT64_MAX};
	f.v[3] = (struct dp_value){.kind = DP_FK_INT, .i = -5};
	f.v[4] = (struct dp_value){.kind = DP_FK_F64, .d = 2.5};

	assert_true(eval_on("vpid == 42 && str(arg0) == \"GET\"", &f, &fs));
	assert_false(eval_on("vpid == 42 && arg0 == \"POST\"", &f, &fs));
	assert_true(eval_on("vpid != 42 || arg0 == 'GET'", &f, &fs));
	/* && binds tighter than ||. */
	assert_true(eval_on("vpid == 1 && arg0 == \"x\" || vpid == 42", &f, &fs));
	assert_false(eval_on("vpid == 1 && (arg0 == \"x\" || vpid == 42)", &f, &fs));
	assert_true(eval_on("!(vpid < 42) && !!(vpid <= 42)", &f, &fs));
	/* Integers compare exactly whatever their signs and widths. */
	assert_true(eval_on("arg1 > 18446744073709551614", &f, &fs));
	assert_true(eval_on("arg1 > sv && sv < 0 && sv >= -5 && sv > -6", &f, &fs));
	assert_true(eval_on("sv < 0x10 && vpid == 0x2a", &f, &fs));
	assert_true(eval_on("rv > 2 && rv < 2.6 && rv >= 2.5 && rv > sv", &f, &fs));
	/* Globs as in LTTng filters; \\* is a star. */
	assert_true(eval_on("arg0 == \"G*\" && arg0 == \"*ET\" && arg0 == \"*\"", &f, &fs));
	assert_true(eval_on("arg0 != \"P*\" && arg0 == \"G*T\" && arg0 != \"G*X\"", &f, &fs));
	set_str(&f, 1, "a*b");
	assert_true(eval_on("arg0 == \"a\\*b\" && arg0 != \"a\\*c\"", &f, &fs));
	/* A bare number is true when non-zero; short-circuit skips fetches. */
	f.fetched = 0;
	assert_true(eval_on("vpid || arg1 == 3", &f, &fs));
	assert_int_equal(f.fetched, 1u << 0);
	dp_fieldset_fini(&fs);
}

static void expect_parse_error(const char *text, const char *fragment)
{
	struct dp_fieldset fs = {0};
	struct dp_expr x;
	char err[256];

	assert_int_equal(dp_expr_parse(&x, text, &fs, err, sizeof(err)), -1);
	if (!strstr(err, fragment))
		fail_msg("'%s': message '%s' lacks '%s'", text, err, fragment);
	dp_fieldset_fini(&fs);
}

static void test_filter_syntax_errors(void **state)
{
	expect_parse_error("", "empty filter");
	expect_parse_error("> 3", "expected a field, a number or a string at column 1");
	expect_parse_error("a == ", "unexpected end");
	expect_parse_error("(a == 1", "expected ')'");
	expect_parse_error("a == 1 & b == 2", "use && and ||");
	expect_parse_error("a == \"x", "unterminated string");
	expect_parse_error("3 == 4", "comparing two constants");
	expect_parse_error("5", "a constant alone");
	expect_parse_error("a == 1 b", "unexpected 'b'");
	expect_parse_error("str(a == 1", "expected ')' after str(NAME");
	expect_parse_error("a == 1.2.3", "bad number");
}

static void test_filter_types(void **state)
{
	struct dp_fieldset fs = {0};
	struct dp_expr x;
	char err[256];
	int kinds[DP_MAX_SLOTS] = {DP_FK_STR, DP_FK_INT, DP_FK_OTHER};

	dp_fieldset_add(&fs, "s", 1);
	dp_fieldset_add(&fs, "i", 1);
	dp_fieldset_add(&fs, "o", 1);
	assert_int_equal(dp_expr_parse(&x, "s == \"a\" && i > 3", &fs, err, sizeof(err)), 0);
	assert_int_equal(dp_expr_check(&x, kinds, &fs, "e", err, sizeof(err)), 0);
	dp_expr_fini(&x);
	assert_int_equal(dp_expr_parse(&x, "i == \"a\"", &fs, err, sizeof(err)), 0);
	assert_int_equal(dp_expr_check(&x, kinds, &fs, "e", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "field 'i' of event 'e' is numeric but 'a' is not a number"));
	dp_expr_fini(&x);
	assert_int_equal(dp_expr_parse(&x, "s < \"a\"", &fs, err, sizeof(err)), 0);
	assert_int_equal(dp_expr_check(&x, kinds, &fs, "e", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "compares only with == and !="));
	dp_expr_fini(&x);
	assert_int_equal(dp_expr_parse(&x, "s", &fs, err, sizeof(err)), 0);
	assert_int_equal(dp_expr_check(&x, kinds, &fs, "e", err, sizeof(err)), -1);
	dp_expr_fini(&x);
	assert_int_equal(dp_expr_parse(&x, "o == 1", &fs, err, sizeof(err)), 0);
	assert_int_equal(dp_expr_check(&x, kinds, &fs, "e", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "neither a number nor a string"));
	dp_expr_fini(&x);
	dp_fieldset_fini(&fs);
}

static void test_glob(void **state)
{
	const uint8_t star[] = {1, 0, 1, 0}, none[4] = {0};

	assert_true(dp_glob_match("*b*d", star, 4, "abcd", 4));
	assert_true(dp_glob_match("*b*d", star, 4, "bd", 2));
	assert_false(dp_glob_match("*b*d", star, 4, "abcde", 5));
	assert_true(dp_glob_match("*b*d", star, 4, "xbxbxd", 6));
	assert_false(dp_glob_match("*b*d", none, 4, "abcd", 4));
	assert_true(dp_glob_match("*b*d", none, 4, "*b*d", 4));
}

static void test_durations_and_times(void **state)
{
	uint64_t ns;
	struct dp_time t;
	char err[256], buf[64];

	assert_int_equal(dp_parse_duration("1s", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 1000000000);
	assert_int_equal(dp_parse_duration("250ms", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 250000000);
	assert_int_equal(dp_parse_duration("1.5", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 1500000000);
	assert_int_equal(dp_parse_duration("2m", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 120000000000ull);
	assert_int_equal(dp_parse_duration("1.25us", &ns, err, sizeof(err)), 0);
	assert_int_equal(ns, 1250);
	assert_int_equal(dp_parse_duration("0s", &ns, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_duration("-1s", &ns, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_duration("1 s", &ns, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_duration("5x", &ns, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad duration '5x'"));
	dp_format_duration(buf, sizeof(buf), 1500000000);
	assert_string_equal(buf, "1500ms");
	dp_format_duration(buf, sizeof(buf), 3600000000000ull);
	assert_string_equal(buf, "1h");

	/* Seconds since the epoch, exact to the nanosecond. */
	assert_int_equal(dp_parse_time("1796405792.636984030", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, DP_TIME_ABS);
	assert_int_equal(t.ns, 1796405792636984030ll);
	assert_int_equal(dp_time_resolve(&t, 5), 1796405792636984030ll);
	/* After the first event. */
	assert_int_equal(dp_parse_time("+2ms", &t, err, sizeof(err)), 0);
	assert_int_equal(dp_time_resolve(&t, 1000), 2001000);
	/* UTC date and time, and time of day on the first event's (UTC) date. */
	assert_int_equal(dp_parse_time("2026-12-04 17:36:32.5Z", &t, err, sizeof(err)), 0);
	assert_int_equal(t.ns, 1796405792500000000ll);
	assert_int_equal(dp_parse_time("2026-12-04T00:00Z", &t, err, sizeof(err)), 0);
	assert_int_equal(t.ns, 1796342400000000000ll);
	assert_int_equal(dp_parse_time("17:36:32.5Z", &t, err, sizeof(err)), 0);
	assert_int_equal(t.kind, DP_TIME_TOD);
	assert_int_equal(dp_time_resolve(&t, 1796405792636984030ll), 1796405792500000000ll);
	assert_int_equal(dp_parse_time("25:00", &t, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_time("12:3", &t, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_time("yesterday", &t, err, sizeof(err)), -1);
	assert_int_equal(dp_parse_time("2026-13-45 xx", &t, err, sizeof(err)), -1);
}

static void test_pending(void **state)
{
	struct dp_pending *p = dp_pending_new(100000);
	uint8_t key[40];
	int64_t ts;

	assert_non_null(p);
	/* Many keys, half of them long (heap), deleted in a scattered
	 * order: every remaining key must stay reachable. */
	for (int i = 0; i < 5000; i++) {
		memset(key, 0, sizeof(key));
		memcpy(key, &i, sizeof(i));
		assert_int_equal(dp_pending_put(p, key, i % 2 ? 40 : 9, i), 0);
	}
	memset(key, 0, sizeof(key));
	assert_int_equal(dp_pending_put(p, key, 9, 77), 1); /* replaced */
	for (int i = 0; i < 5000; i += 3) {
		memset(key, 0, sizeof(key));
		memcpy(key, &i, sizeof(i));
		assert_int_equal(dp_pending_take(p, key, i % 2 ? 40 : 9, &ts), 1);
		assert_int_equal(ts, i ? i : 77);
		assert_int_equal(dp_pending_take(p, key, i % 2 ? 40 : 9, &ts), 0);
	}
	for (int i = 0; i < 5000; i++) {
		memset(key, 0, sizeof(key));
		memcpy(key, &i, sizeof(i));
		assert_int_equal(dp_pending_take(p, key, i % 2 ? 40 : 9, &ts), i % 3 != 0);
	}
	assert_int_equal(dp_pending_count(p), 0);
	dp_pending_free(p);
	/* Past the cap a start is dropped, not stored. */
	p = dp_pending_new(2);
	assert_int_equal(dp_pending_put(p, (const uint8_t *)"a", 1, 1), 0);
	assert_int_equal(dp_pending_put(p, (const uint8_t *)"b", 1, 1), 0);
	assert_int_equal(dp_pending_put(p, (const uint8_t *)"c", 1, 1), -1);
	dp_pending_free(p);
}

/* A packetized metadata file: `n` packets of `size` bytes. */
static size_t make_metadata(uint8_t *buf, unsigned n, uint32_t size)
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *h = buf + i * size;
		uint32_t magic = DP_METADATA_MAGIC, content = (37 + 10) * 8, bits = size * 8;

		memset(h, 0, size);
		memcpy(h, &magic, 4);
		memset(h + 4, 0xab, 16);
		memcpy(h + 24, &content, 4);
		memcpy(h + 28, &bits, 4);
		h[35] = 1;
		h[36] = 8;
		memcpy(h + 37, "trace { };", 10);
	}
	return n * size;
}

static void expect_metadata(const uint8_t *buf, size_t len, const char *fragment)
{
	char err[256] = "";
	int r = dp_check_metadata(buf, len, err, sizeof(err));

	if (!fragment) {
		if (r)
			fail_msg("rejected: %s", err);
		return;
	}
	assert_int_equal(r, -1);
	if (!strstr(err, fragment))
		fail_msg("message '%s' lacks '%s'", err, fragment);
}

static void test_metadata_checks(void **state)
{
	static uint8_t md[3 * 256];
	size_t len = make_metadata(md, 3, 256);

	expect_metadata(md, len, NULL);
	expect_metadata((const uint8_t *)"/* CTF 1.8 */ trace {", 20, NULL);
	expect_metadata(md, 0, "empty");
	expect_metadata(md, len - 100, "truncated: packet 3 at byte 512 is 256 bytes long");
	expect_metadata(md, 30, "shorter than one packet header");
	md[256 + 4] ^= 1;
	expect_metadata(md, len, "packet 2 at byte 256 has a wrong trace UUID");
	make_metadata(md, 3, 256);
	md[512 + 28] = 1; /* packet size not a whole byte */
	expect_metadata(md, len, "packet 3 at byte 512 has content size");
	make_metadata(md, 3, 256);
	md[256 + 32] = 1; /* compressed */
	expect_metadata(md, len, "declares compression");
	make_metadata(md, 3, 256);
	md[40] = 0;
	expect_metadata(md, len, "NUL byte in its text");
}

struct stream {
	const uint8_t *data;
	size_t len;
};

static int read_stream(void *ctx, uint64_t off, void *buf, size_t n)
{
	const struct stream *s = ctx;

	if (off > s->len || n > s->len - off)
		return -1;
	memcpy(buf, s->data + off, n);
	return 0;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* An index of `n` 4 KiB packets (entry size 72, version 1.1). */
static size_t make_index(uint8_t *buf, unsigned n)
{
	static const uint8_t hdr[16] = {0xc1, 0xf1, 0xdc, 0xc1, 0, 0, 0, 1,
					0,    0,    0,	  1,	0, 0, 0, 72};

	memcpy(buf, hdr, 16);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = buf + 16 + i * 72;

		memset(e, 0, 72);
		put_be64(e, i * 4096ull);
		put_be64(e + 8, 4096 * 8);
		put_be64(e + 16, 4000 * 8);
		put_be64(e + 24, 1000 + i * 10);
		put_be64(e + 32, 1005 + i * 10);
		put_be64(e + 40, i);
		put_be64(e + 64, i);
	}
	return 16 + n * 72;
}

static void expect_index(const uint8_t *idx, size_t len, const struct stream *s,
			 const char *fragment)
{
	char err[256] = "";
	int r = dp_check_index(idx, len, s->len, read_stream, (void *)s, err, sizeof(err));

	if (!fragment) {
		if (r)
			fail_msg("rejected: %s", err);
		return;
	}
	assert_int_equal(r, -1);
	if (!strstr(err, fragment))
		fail_msg("message '%s' lacks '%s'", err, fragment);
}

static void test_index_checks(void **state)
{
	static uint8_t data[3 * 4096], idx[16 + 3 * 72];
	struct stream s = {data, sizeof(data)}, short_s = {data, 2 * 4096 + 100};
	size_t len;

	for (int i = 0; i < 3; i++)
		memcpy(data + i * 4096, "\xc1\x1f\xfc\xc1", 4);
	len = make_index(idx, 3);
	expect_index(idx, len, &s, NULL);
	expect_index(idx, len, &short_s, "entry 3 has a packet that runs past the end");
	expect_index(idx, len - 1, &s, "does not divide");
	expect_index(idx, 10, &s, "shorter than its header");
	expect_index(idx, 16 + 2 * 72, &s, "describes 8192 bytes of a 12288-byte stream file");
	put_be64(idx + 16 + 72, 5000);
	expect_index(idx, len, &s, "entry 2 has an offset that does not follow");
	make_index(idx, 3);
	put_be64(idx + 16 + 2 * 72 + 8, 1ull << 62);
	expect_index(idx, len, &s, "entry 3 has a packet that runs past the end");
	make_index(idx, 3);
	put_be64(idx + 16 + 72 + 24, 1);
	expect_index(idx, len, &s, "goes backwards");
	make_index(idx, 3);
	put_be64(idx + 16 + 72 + 32, 2);
	expect_index(idx, len, &s, "ends before it begins");
	make_index(idx, 3);
	put_be64(idx + 16 + 2 * 72 + 64, 0);
	expect_index(idx, len, &s, "sequence number");
	make_index(idx, 3);
	idx[0] = 0;
	expect_index(idx, len, &s, "not an LTTng index");
	make_index(idx, 3);
	data[4096] = 0; /* packet 2 lost its magic */
	expect_index(idx, len, &s, "entry 2 points at byte 4096, where no packet starts");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filter_eval),		cmocka_unit_test(test_filter_syntax_errors),
	    cmocka_unit_test(test_filter_types),	cmocka_unit_test(test_glob),
	    cmocka_unit_test(test_durations_and_times), cmocka_unit_test(test_pending),
	    cmocka_unit_test(test_metadata_checks),	cmocka_unit_test(test_index_checks),
	};

	return cmocka_run_group_tests_name("consumer-query", tests, NULL, NULL);
}
