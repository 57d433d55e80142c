/* SPDX-License-Identifier: MIT */
/* Unit tests of the public API without a tracer: names, options, lifecycle
 * errors, argument conversion, error strings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backends/usdt/usdt.h"
#include "internal.h"
#include "provider.h"

static const enum dynprobe_type sig2[] = { DYNPROBE_U64, DYNPROBE_STR };

static void test_names(void **state)
{
	struct dynprobe_provider *p = (void *)1;
	char longname[DYNPROBE_MAX_PROVIDER_NAME + 2];
	(void)state;

	assert_true(dp_name_valid("app", 64));
	assert_true(dp_name_valid("_a1", 64));
	assert_false(dp_name_valid("1a", 64));
	assert_false(dp_name_valid("", 64));
	assert_false(dp_name_valid(NULL, 64));
	assert_false(dp_name_valid("a-b", 64));
	assert_false(dp_name_valid("a:b", 64));
	assert_false(dp_name_valid("a/b", 64));
	assert_false(dp_name_valid("a b", 64));
	assert_false(dp_name_valid("a\"b", 64));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dynprobe_provider_new(longname, NULL, &p), -DYNPROBE_ENAME);
	assert_null(p);
	longname[DYNPROBE_MAX_PROVIDER_NAME] = '\0';
	assert_int_equal(dynprobe_provider_new(longname, NULL, &p), 0);
	dynprobe_provider_free(p);
	assert_int_equal(dynprobe_provider_new("bad/name", NULL, &p), -DYNPROBE_ENAME);
	assert_int_equal(dynprobe_provider_new("ok", NULL, NULL), -EINVAL);
}

static void test_probe_validation(void **state)
{
	struct dynprobe_provider *p;
	struct dynprobe_probe *pr;
	enum dynprobe_type many[DYNPROBE_MAX_ARGS + 1];
	enum dynprobe_type bad[] = { DYNPROBE_U64, (enum dynprobe_type)99 };
	(void)state;

	for (size_t i = 0; i < DYNPROBE_MAX_ARGS + 1; i++)
		many[i] = DYNPROBE_I64;
	assert_int_equal(dynprobe_provider_new("val", NULL, &p), 0);
	assert_int_equal(dynprobe_probe_add(p, "x", many, DYNPROBE_MAX_ARGS + 1, NULL, &pr), -DYNPROBE_EARGS);
	assert_null(pr);
	assert_int_equal(dynprobe_probe_add(p, "x", bad, 2, NULL, &pr), -DYNPROBE_ETYPE);
	assert_int_equal(dynprobe_probe_add(p, "x-y", sig2, 2, NULL, &pr), -DYNPROBE_ENAME);
	assert_int_equal(dynprobe_probe_add(p, "x", many, DYNPROBE_MAX_ARGS, NULL, &pr), 0);
	assert_non_null(pr);
	assert_int_equal(dynprobe_probe_nargs(pr), DYNPROBE_MAX_ARGS);
	assert_int_equal(dynprobe_probe_add(p, "x", sig2, 2, NULL, NULL), -EEXIST);
	const char *names[] = { "latency", "latency" };
	DYNPROBE_OPTS(dynprobe_probe_opts, po, .arg_names = names);
	assert_int_equal(dynprobe_probe_add(p, "y", sig2, 2, &po, NULL), -DYNPROBE_ENAME);
	const char *names2[] = { "latency", "bad name" };
	po.arg_names = names2;
	assert_int_equal(dynprobe_probe_add(p, "y", sig2, 2, &po, NULL), -DYNPROBE_ENAME);
	dynprobe_provider_free(p);
}

static void test_duplicate_provider(void **state)
{
	struct dynprobe_provider *a, *b;
	(void)state;

	assert_int_equal(dynprobe_provider_new("dup", NULL, &a), 0);
	assert_int_equal(dynprobe_provider_new("dup", NULL, &b), -EEXIST);
	assert_null(b);
	a = dynprobe_provider_free(a);
	assert_null(a);
	assert_int_equal(dynprobe_provider_new("dup", NULL, &b), 0);
	dynprobe_provider_free(b);
	assert_null(dynprobe_provider_free(NULL));
}

/* Names stay unique across every growth of the registry's hash table,
 * after frees in the middle of chains, and a freed name is free again. */
static void test_provider_registry(void **state)
{
	enum { N = 3000 };
	static struct dynprobe_provider *p[N];
	struct dynprobe_provider *x;
	char name[32];
	(void)state;

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "reg%d", i);
		assert_int_equal(dynprobe_provider_new(name, NULL, &p[i]), 0);
		/* every earlier name is still found, on a growth too */
		if ((i & (i - 1)) == 0 || i % 97 == 0)
			for (int k = 0; k <= i; k += 1 + i / 64) {
				snprintf(name, sizeof(name), "reg%d", k);
				assert_int_equal(dynprobe_provider_new(name, NULL, &x), -EEXIST);
				assert_null(x);
			}
	}
	for (int i = 1; i < N; i += 2)
		p[i] = dynprobe_provider_free(p[i]);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "reg%d", i);
		if (i % 2) {
			assert_int_equal(dynprobe_provider_new(name, NULL, &p[i]), 0);
		} else {
			assert_int_equal(dynprobe_provider_new(name, NULL, &x), -EEXIST);
			assert_null(x);
		}
		assert_string_equal(dynprobe_provider_name(p[i]), name);
	}
	for (int i = N; i-- > 0;)
		p[i] = dynprobe_provider_free(p[i]);
	assert_int_equal(dynprobe_provider_new("reg0", NULL, &x), 0);
	dynprobe_provider_free(x);
}

static void test_opts(void **state)
{
	struct dynprobe_provider *p;
	struct {
		struct dynprobe_provider_opts o;
		uint64_t future;
	} big;
	(void)state;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	assert_int_equal(dynprobe_provider_new("o1", &big.o, &p), 0); /* zero tail: fine */
	dynprobe_provider_free(p);
	big.future = 1;
	assert_int_equal(dynprobe_provider_new("o1", &big.o, &p), -DYNPROBE_EOPTS);
	/* An older, smaller struct: only sz and backends. */
	struct { size_t sz; unsigned int backends; } old = { sizeof(old), DYNPROBE_BACKEND_USDT };
	assert_int_equal(dynprobe_provider_new("o2", (void *)&old, &p), 0);
	assert_int_equal(dynprobe_provider_backends(p), DYNPROBE_BACKEND_USDT);
	dynprobe_provider_free(p);
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = 0x80);
	assert_int_equal(dynprobe_provider_new("o3", &o, &p), -EINVAL);
}

static void test_lifecycle(void **state)
{
	struct dynprobe_provider *p;
	struct dynprobe_probe *pr;
	(void)state;

	assert_int_equal(dynprobe_provider_new("life", NULL, &p), 0);
	assert_int_equal(dynprobe_provider_unload(p), -DYNPROBE_ESTATE);
	assert_int_equal(dynprobe_probe_add(p, "a", sig2, 2, NULL, &pr), 0);
	/* Not loaded: firing is a safe no-op. */
	struct dynprobe_arg args[] = { dynprobe_arg_u(1), dynprobe_arg_s("x") };
	assert_int_equal(dynprobe_fire(pr, args, 2), 0);
	assert_int_equal(DYNPROBE_FIRE(pr, (uint64_t)1, "x"), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(dynprobe_provider_loaded_backends(p), DYNPROBE_BACKEND_USDT);
	assert_true(dynprobe_provider_usdt_fd(p) >= 0);
	assert_int_equal(dynprobe_provider_load(p), -EALREADY);
	assert_int_equal(dynprobe_probe_add(p, "b", sig2, 2, NULL, NULL), -DYNPROBE_ESTATE);
	assert_int_equal(dynprobe_probe_enabled(pr), 0);
	assert_int_equal(dynprobe_fire(pr, args, 2), 0); /* nobody attached */
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(dynprobe_provider_loaded_backends(p), 0);
	assert_int_equal(dynprobe_probe_add(p, "b", sig2, 2, NULL, NULL), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	dynprobe_provider_free(p);
}

static void test_convert(void **state)
{
	union dp_value v;
	struct dynprobe_arg a;
	(void)state;

	a = dynprobe_arg_i(-5);
	assert_true(dp_convert_arg(DYNPROBE_I8, &a, &v));
	assert_int_equal(v.i, -5);
	assert_true(dp_convert_arg(DYNPROBE_U8, &a, &v));
	assert_int_equal(v.u, 251);
	assert_true(dp_convert_arg(DYNPROBE_I64, &a, &v));
	assert_int_equal(v.i, -5);
	assert_true(dp_convert_arg(DYNPROBE_U32, &a, &v));
	assert_int_equal(v.u, 0xfffffffbu);
	a = dynprobe_arg_u(0x1ff);
	assert_true(dp_convert_arg(DYNPROBE_I8, &a, &v));
	assert_int_equal(v.i, -1);
	a = dynprobe_arg_u(UINT64_MAX);
	assert_true(dp_convert_arg(DYNPROBE_U64, &a, &v));
	assert_true(v.u == UINT64_MAX);
	assert_true(dp_convert_arg(DYNPROBE_I16, &a, &v));
	assert_int_equal(v.i, -1);
	a = dynprobe_arg_i(3);
	assert_true(dp_convert_arg(DYNPROBE_DOUBLE, &a, &v));
	assert_true(v.d == 3.0);
	a = dynprobe_arg_d(2.5);
	assert_true(dp_convert_arg(DYNPROBE_DOUBLE, &a, &v));
	assert_true(v.d == 2.5);
	assert_false(dp_convert_arg(DYNPROBE_I32, &a, &v));
	assert_false(dp_convert_arg(DYNPROBE_STR, &a, &v));
	a = dynprobe_arg_s(NULL);
	assert_true(dp_convert_arg(DYNPROBE_STR, &a, &v));
	assert_null(v.s);
	assert_false(dp_convert_arg(DYNPROBE_U64, &a, &v));
}

/* What C assignment of the fired value to the declared type gives, the
 * reference for every conversion (false: the kind is refused). */
static bool c_assign(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
{
	bool num = a->kind == DYNPROBE_KIND_INT || a->kind == DYNPROBE_KIND_UINT;
	uint64_t u = a->v.u;

	switch (t) {
	case DYNPROBE_I8: out->i = (int8_t)u; return num;
	case DYNPROBE_U8: out->u = (uint8_t)u; return num;
	case DYNPROBE_I16: out->i = (int16_t)u; return num;
	case DYNPROBE_U16: out->u = (uint16_t)u; return num;
	case DYNPROBE_I32: out->i = (int32_t)u; return num;
	case DYNPROBE_U32: out->u = (uint32_t)u; return num;
	case DYNPROBE_I64: out->i = (int64_t)u; return num;
	case DYNPROBE_U64: out->u = u; return num;
	case DYNPROBE_STR: out->s = a->v.s; return a->kind == DYNPROBE_KIND_STR;
	case DYNPROBE_DOUBLE:
		if (a->kind == DYNPROBE_KIND_INT)
			out->d = (double)a->v.i;
		else if (a->kind == DYNPROBE_KIND_UINT)
			out->d = (double)a->v.u;
		else
			out->d = a->v.d;
		return num || a->kind == DYNPROBE_KIND_DOUBLE;
	default: return false;
	}
}

/* Every declared type x every kind (valid or not) x edge values:
 * dp_convert_one() equals C assignment, dp_args_match() accepts exactly
 * what it converts, and an integer's first `width` bytes as fired are the
 * converted value's (what the LTTng runtime mode writes without
 * converting). */
static void test_convert_matrix(void **state)
{
	static const enum dynprobe_type types[] = {
		DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16, DYNPROBE_I32,
		DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE,
	};
	static const size_t width[] = { 1, 1, 2, 2, 4, 4, 8, 8, 8, 8 };
	static const int kinds[] = { 0, DYNPROBE_KIND_INT, DYNPROBE_KIND_UINT, DYNPROBE_KIND_DOUBLE,
				     DYNPROBE_KIND_STR, 5, 7, 8, 9, 12, 33, 255, -1, -4, INT32_MAX,
				     INT32_MIN };
	static const uint64_t values[] = {
		0, 1, 2, 127, 128, 255, 256, 300, 0x7fff, 0x8000, 0xffff, 0x10000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, INT64_MAX, (uint64_t)INT64_MIN,
		UINT64_MAX, (uint64_t)-1 - 1, (uint64_t)-128, (uint64_t)-129, (uint64_t)-32768,
		(uint64_t)-32769, (uint64_t)INT32_MIN, (uint64_t)INT32_MIN - 1, 0x0123456789abcdef,
	};
	(void)state;

	for (size_t ti = 0; ti < sizeof(types) / sizeof(types[0]); ti++) {
		uint8_t row = (uint8_t)types[ti];
		for (size_t ki = 0; ki < sizeof(kinds) / sizeof(kinds[0]); ki++) {
			for (size_t vi = 0; vi < sizeof(values) / sizeof(values[0]); vi++) {
				struct dynprobe_arg a = { .kind = kinds[ki] };
				union dp_value got = { 0 }, want = { 0 };
				bool ok, ref;

				a.v.u = values[vi];
				if (kinds[ki] == DYNPROBE_KIND_DOUBLE)
					a.v.d = (double)(int64_t)values[vi] / 3;
				ok = dp_convert_arg(types[ti], &a, &got);
				ref = c_assign(types[ti], &a, &want);
				if (ok != ref || dp_args_match(&row, 1, &a, 1) != ref)
					fail_msg("type %d kind %d value %#llx: converts %d, matches %d, C %d",
						 types[ti], kinds[ki], (unsigned long long)values[vi],
						 ok, dp_args_match(&row, 1, &a, 1), ref);
				if (!ref)
					continue;
				if (memcmp(&got, &want, sizeof(got)) != 0)
					fail_msg("type %d kind %d value %#llx: %#llx, C gives %#llx",
						 types[ti], kinds[ki], (unsigned long long)values[vi],
						 (unsigned long long)got.u, (unsigned long long)want.u);
				if (types[ti] < DYNPROBE_STR && memcmp(&a.v, &want, width[ti]) != 0)
					fail_msg("type %d kind %d value %#llx: first %zu bytes differ",
						 types[ti], kinds[ki], (unsigned long long)values[vi],
						 width[ti]);
			}
		}
	}
}

/* dp_args_match() over a row: the count, and one bad kind anywhere. */
static void test_args_match(void **state)
{
	static const uint8_t row[] = { DYNPROBE_I64, DYNPROBE_STR, DYNPROBE_U32, DYNPROBE_DOUBLE,
				       DYNPROBE_I8, DYNPROBE_U16 };
	struct dynprobe_arg a[6] = { dynprobe_arg_i(-1), dynprobe_arg_s(NULL), dynprobe_arg_u(7),
				     dynprobe_arg_i(3), dynprobe_arg_u(300), dynprobe_arg_i(-2) };
	(void)state;

	assert_true(dp_args_match(row, 6, a, 6));
	assert_false(dp_args_match(row, 6, a, 5));
	assert_false(dp_args_match(row, 5, a, 6));
	assert_true(dp_args_match(row, 0, a, 0));
	for (size_t i = 0; i < 6; i++) {
		struct dynprobe_arg keep = a[i];
		a[i] = row[i] == DYNPROBE_STR ? dynprobe_arg_d(1.5) : dynprobe_arg_s("x");
		assert_false(dp_args_match(row, 6, a, 6));
		a[i] = keep;
		a[i].kind = DYNPROBE_KIND_STR + 8 + (int)i;
		assert_false(dp_args_match(row, 6, a, 6));
		a[i].kind = -1;
		assert_false(dp_args_match(row, 6, a, 6));
		a[i] = keep;
	}
	assert_true(dp_args_match(row, 6, a, 6));
}

/* The signature the fire path passes in registers (dp_fire_sig) reads
 * back exactly the count and types row of dp_probe_live, for every count
 * and every type at every position, and its conversion agrees
 * with the row's; the core's DP_SIG_BAD_COUNT fails it. */
static void test_fire_sig(void **state)
{
	static const uint8_t all[] = { DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16,
				       DYNPROBE_I32, DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64,
				       DYNPROBE_STR, DYNPROBE_DOUBLE };
	static const int kinds[] = { DYNPROBE_KIND_INT, DYNPROBE_KIND_UINT, DYNPROBE_KIND_DOUBLE,
				     DYNPROBE_KIND_STR, 0, 9, -1 };
	const size_t ntypes = sizeof(all), nkinds = sizeof(kinds) / sizeof(kinds[0]);
	(void)state;

	for (unsigned int n = 0; n <= DYNPROBE_MAX_ARGS; n++) {
		for (size_t shift = 0; shift < ntypes; shift++) {
			struct dp_probe_live live;
			struct dynprobe_arg a[DYNPROBE_MAX_ARGS];
			union dp_value got[DYNPROBE_MAX_ARGS], want[DYNPROBE_MAX_ARGS];
			dp_fire_sig sig;

			memset(&live, 0xa5, sizeof(live)); /* nothing past the row may leak in */
			live.backend[0] = 3;
			live.backend[1] = 0;
			live.nargs = (uint8_t)n;
			for (unsigned int i = 0; i < DYNPROBE_MAX_ARGS; i++)
				live.types[i] = all[(i * 7 + shift) % ntypes];
			memcpy(&sig, &live, sizeof(sig));
			assert_int_equal(dp_sig_nargs(sig), n);
			for (unsigned int i = 0; i < DYNPROBE_MAX_ARGS; i++)
				assert_int_equal(dp_sig_type(sig, i), live.types[i]);
			for (size_t k = 0; k < nkinds * n + 1; k++) {
				/* every argument its natural kind, then one
				 * argument at a time another kind */
				for (unsigned int i = 0; i < n; i++) {
					a[i] = live.types[i] == DYNPROBE_STR	   ? dynprobe_arg_s("s")
					       : live.types[i] == DYNPROBE_DOUBLE ? dynprobe_arg_d(-2.5)
					       : live.types[i] % 2		   ? dynprobe_arg_i(-3)
										   : dynprobe_arg_u(300);
				}
				if (k) {
					a[(k - 1) / nkinds].kind = kinds[(k - 1) % nkinds];
					a[(k - 1) / nkinds].v.u = 77;
				}
				bool ref = dp_args_match(live.types, n, a, n);
				assert_int_equal(dp_sig_convert_args(sig, a, got), ref);
				assert_int_equal(dp_convert_args(live.types, n, a, n, want), ref);
				if (ref)
					assert_memory_equal(got, want, n * sizeof(got[0]));
			}
			dp_fire_sig bad = sig | (dp_fire_sig)DP_SIG_BAD_COUNT << DP_SIG_NARGS_SHIFT;
			assert_false(dp_sig_convert_args(bad, a, got));
		}
	}
}

#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
static void test_generic_kinds(void **state)
{
	struct dynprobe_arg a;
	(void)state;

	a = DYNPROBE__ARG((signed char)-3);
	assert_int_equal(a.kind, DYNPROBE_KIND_INT);
	assert_int_equal(a.v.i, -3);
	a = DYNPROBE__ARG((short)-300);
	assert_int_equal(a.v.i, -300);
	a = DYNPROBE__ARG(-7);
	assert_int_equal(a.v.i, -7);
	a = DYNPROBE__ARG(4000000000u);
	assert_int_equal(a.kind, DYNPROBE_KIND_UINT);
	assert_true(a.v.u == 4000000000u);
	a = DYNPROBE__ARG(1.5f);
	assert_int_equal(a.kind, DYNPROBE_KIND_DOUBLE);
	a = DYNPROBE__ARG("s");
	assert_int_equal(a.kind, DYNPROBE_KIND_STR);
	const char *cs = "c";
	a = DYNPROBE__ARG(cs);
	assert_int_equal(a.kind, DYNPROBE_KIND_STR);
}
#endif

static void test_types_and_errors(void **state)
{
	enum dynprobe_type t;
	char buf[256];
	(void)state;

	assert_int_equal(dynprobe_type_parse("u16", &t), 0);
	assert_int_equal(t, DYNPROBE_U16);
	assert_int_equal(dynprobe_type_parse("string", &t), 0);
	assert_int_equal(t, DYNPROBE_STR);
	assert_int_equal(dynprobe_type_parse("u128", &t), -DYNPROBE_ETYPE);
	assert_string_equal(dynprobe_type_name(DYNPROBE_DOUBLE), "double");
	assert_null(dynprobe_type_name((enum dynprobe_type)77));
	for (int e = DYNPROBE_EBASE + 1; e < DYNPROBE_EMAX; e++) {
		dynprobe_strerror(-e, buf, sizeof(buf));
		assert_true(strlen(buf) > 10);
		assert_null(strstr(buf, "Unknown error"));
	}
	assert_string_equal(dynprobe_strerror(-ENOENT, buf, sizeof(buf)), strerror(ENOENT));
	dynprobe_strerror(-DYNPROBE_ENAME, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

static void test_fire_mismatch(void **state)
{
	struct dynprobe_provider *p;
	struct dynprobe_probe *pr;
	(void)state;

	assert_int_equal(dynprobe_provider_new("mm", NULL, &p), 0);
	assert_int_equal(dynprobe_probe_add(p, "a", sig2, 2, NULL, &pr), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	/* Pretend a tracer attached: bump the semaphore in our own image. */
	volatile uint16_t *sem = (volatile uint16_t *)(pr->watch.base + DYNPROBE__WATCH_DISTANCE + DP_USDT_CELL_SEM);
	*sem = 1;
	assert_int_equal(dynprobe_probe_enabled(pr), 1);
	struct dynprobe_arg good[] = { dynprobe_arg_u(1), dynprobe_arg_s("x") };
	struct dynprobe_arg bad[] = { dynprobe_arg_s("x"), dynprobe_arg_u(1) };
	assert_int_equal(dynprobe_fire(pr, good, 2), 1);
	assert_int_equal(dynprobe_fire(pr, bad, 2), -DYNPROBE_EMISMATCH);
	assert_int_equal(dynprobe_fire(pr, good, 1), -DYNPROBE_EMISMATCH);
	assert_int_equal(DYNPROBE_FIRE(pr, 7, "ok"), 1);
	assert_int_equal(DYNPROBE_FIRE(pr, "no", 7), -DYNPROBE_EMISMATCH);
	*sem = 0;
	assert_int_equal(dynprobe_probe_enabled(pr), 0);
	assert_int_equal(DYNPROBE_FIRE(pr, 7, "ok"), 0);
	dynprobe_provider_free(p);
}

static struct dynprobe_site site = DYNPROBE_SITE_INIT;

static void test_site(void **state)
{
	struct dynprobe_provider *p, *q;
	struct dynprobe_probe *pr, *other;
	(void)state;

	/* Unbound: idle, never fires. */
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 0);
	assert_int_equal(dynprobe_provider_new("site", NULL, &p), 0);
	assert_int_equal(dynprobe_probe_add(p, "a", sig2, 2, NULL, &pr), 0);
	assert_int_equal(dynprobe_site_bind(&site, pr), 0);
	assert_int_equal(dynprobe_site_bind(&site, pr), 0);
	assert_int_equal(dynprobe_site_bind(NULL, pr), -EINVAL);
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 0); /* not loaded */
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_ptr_equal(site.base, pr->watch.base);
	volatile uint16_t *sem = (volatile uint16_t *)(site.base + DYNPROBE__WATCH_DISTANCE + DP_USDT_CELL_SEM);
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 0);
	*sem = 1;
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 1);
	assert_int_equal(DYNPROBE_FIRE(&site, "x", 1), -DYNPROBE_EMISMATCH);
	assert_true(DYNPROBE_ENABLED(&site));
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 0); /* unload reaches the site */
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 1); /* same image, still attached */
	*sem = 0;
	assert_int_equal(dynprobe_provider_new("site2", NULL, &q), 0);
	assert_int_equal(dynprobe_probe_add(q, "b", sig2, 2, NULL, &other), 0);
	assert_int_equal(dynprobe_site_bind(&site, other), -EBUSY);
	dynprobe_provider_free(p);
	assert_ptr_equal(site.base, dynprobe__idle_watch);
	assert_null(site.probe);
	assert_int_equal(DYNPROBE_FIRE(&site, 1, "x"), 0);
	assert_int_equal(dynprobe_site_bind(&site, other), 0); /* free unbound it */
	dynprobe_provider_free(q);
}

/* The duplicate-name index and the name blocks at scale: every name is
 * found again after the index, the hash array and the name blocks grew
 * many times over; names (and explicit argument names) keep their
 * address; the index dropped at load is rebuilt from the names by the
 * first probe_add after an unload. */
#define INDEX_PROBES 40000
static void test_probe_index(void **state)
{
	static struct dynprobe_probe *pr[INDEX_PROBES];
	static const char *first[INDEX_PROBES];
	const char *argn[] = {"latency", "path"};
	DYNPROBE_OPTS(dynprobe_probe_opts, po, .arg_names = argn);
	struct dynprobe_provider *p;
	struct dp_probe_desc d;
	char name[32];
	(void)state;

	assert_int_equal(dynprobe_provider_new("index_scale", NULL, &p), 0);
	for (unsigned int i = 0; i < INDEX_PROBES; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		assert_int_equal(dynprobe_probe_add(p, name, sig2, 2, i % 3 ? &po : NULL, &pr[i]),
				 0);
		first[i] = dynprobe_probe_name(pr[i]);
		/* Duplicates are found right after a growth (sizes are powers
		 * of two) and at any other count. */
		if (!(i & (i + 1)) || i % 997 == 0) {
			for (unsigned int j = 0; j <= i; j += i / 8 + 1) {
				snprintf(name, sizeof(name), "p%u", j);
				assert_int_equal(dynprobe_probe_add(p, name, sig2, 2, NULL, NULL),
						 -EEXIST);
			}
		}
	}
	for (unsigned int i = 0; i < INDEX_PROBES; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		assert_ptr_equal(dynprobe_probe_name(pr[i]), first[i]);
		assert_string_equal(first[i], name);
		assert_int_equal(dynprobe_probe_add(p, name, sig2, 2, NULL, NULL), -EEXIST);
		probe_desc(dp_probe_slot(pr[i]), &d);
		assert_string_equal(d.arg_names[0], i % 3 ? "latency" : "arg0");
		assert_string_equal(d.arg_names[1], i % 3 ? "path" : "arg1");
	}
	/* Names that differ from existing ones by a prefix or a suffix. */
	assert_int_equal(dynprobe_probe_add(p, "p", sig2, 2, NULL, NULL), 0);
	assert_int_equal(dynprobe_probe_add(p, "p400000", sig2, 2, NULL, NULL), 0);

	/* Loaded: the index is given back; after an unload it is rebuilt. */
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_null(p->index);
	assert_null(p->hashes);
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(dynprobe_probe_add(p, "p39999", sig2, 2, NULL, NULL), -EEXIST);
	assert_non_null(p->index);
	assert_int_equal(dynprobe_probe_add(p, "p0", sig2, 2, NULL, NULL), -EEXIST);
	assert_int_equal(dynprobe_probe_add(p, "p", sig2, 2, NULL, NULL), -EEXIST);
	assert_int_equal(dynprobe_probe_add(p, "q0", sig2, 2, NULL, NULL), 0);
	assert_int_equal(dynprobe_probe_add(p, "q0", sig2, 2, NULL, NULL), -EEXIST);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_ptr_equal(dynprobe_probe_name(pr[12345]), first[12345]);
	assert_string_equal(dynprobe_probe_name(pr[12345]), "p12345");
	dynprobe_provider_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_probe_validation),
		cmocka_unit_test(test_duplicate_provider),
		cmocka_unit_test(test_provider_registry),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_convert_matrix),
		cmocka_unit_test(test_args_match),
		cmocka_unit_test(test_fire_sig),
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
		cmocka_unit_test(test_generic_kinds),
#endif
		cmocka_unit_test(test_types_and_errors),
		cmocka_unit_test(test_fire_mismatch),
		cmocka_unit_test(test_site),
		cmocka_unit_test(test_probe_index),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
