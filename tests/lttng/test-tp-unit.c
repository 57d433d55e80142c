/* SPDX-License-Identifier: MIT */
/*
 * test-tp-unit.c - unit tests of the LTTng generator, spec parser, object
 * names and cache trust rules, through the library's hidden symbols.
 * Nothing here needs a session daemon; one test compiles and loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tp/tp.h"
#include "../../src/backends/lttng/lttng.h"

struct fixture {
	struct dp_probe_desc p[2];
	const struct dp_probe_desc *pp[2];
	struct dp_provider_desc d;
};

static void make_desc(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->p[0].name = "request";
	f->p[0].nargs = 2;
	f->p[0].types[0] = DYNPROBE_U64;
	f->p[0].types[1] = DYNPROBE_STR;
	f->p[0].arg_names[0] = "latency";
	f->p[0].arg_names[1] = "path";
	f->p[1].name = "tick";
	f->pp[0] = &f->p[0];
	f->pp[1] = &f->p[1];
	f->d.name = "app";
	f->d.nprobes = 2;
	f->d.probes = f->pp;
}

static void test_generate_fields(void **state)
{
	struct fixture f;
	char *src;

	(void)state;
	make_desc(&f);
	assert_int_equal(dp_tp_generate(&f.d, &src), 0);
	assert_non_null(strstr(src, "LTTNG_UST_TRACEPOINT_EVENT(app, request,"));
	assert_non_null(strstr(src, "lttng_ust_field_integer(uint64_t, latency, dp_v[0].u)"));
	assert_non_null(strstr(src, "lttng_ust_field_string(path, dp_v[1].s ? dp_v[1].s : \"(null)\")"));
	assert_non_null(strstr(src, "LTTNG_UST_TRACEPOINT_EVENT(app, tick,"));
	assert_non_null(strstr(src, "#define LTTNG_UST_TRACEPOINT_CREATE_PROBES"));
	assert_non_null(strstr(src, "#define LTTNG_UST_TRACEPOINT_DEFINE"));
	assert_non_null(strstr(src, "\"u64 latency,str path\""));
	free(src);
}

static void test_generate_types(void **state)
{
	static const char *const want[] = {
		NULL, "(int8_t, a, dp_v[0].i)", "(uint8_t, a, dp_v[0].u)", "(int16_t, a, dp_v[0].i)",
		"(uint16_t, a, dp_v[0].u)", "(int32_t, a, dp_v[0].i)", "(uint32_t, a, dp_v[0].u)",
		"(int64_t, a, dp_v[0].i)", "(uint64_t, a, dp_v[0].u)", "string(a, ",
		"float(double, a, dp_v[0].d)",
	};
	struct fixture f;

	(void)state;
	for (int t = DYNPROBE_I8; t < DYNPROBE_TYPE_MAX; t++) {
		char *src;
		make_desc(&f);
		f.p[0].nargs = 1;
		f.p[0].types[0] = (enum dynprobe_type)t;
		f.p[0].arg_names[0] = "a";
		assert_int_equal(dp_tp_generate(&f.d, &src), 0);
		assert_non_null(strstr(src, want[t]));
		free(src);
	}
}

static void test_validate_names(void **state)
{
	static const char *const bad[] = { "", "1x", "a-b", "a:b", "true", "errno", "stdin", "NULL", NULL };
	struct fixture f;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_desc(&f);
		f.p[0].arg_names[1] = bad[i];
		assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
		make_desc(&f);
		f.p[1].name = bad[i];
		assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
		make_desc(&f);
		f.d.name = bad[i];
		assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
	}
	/* keywords and compiler-predefined macros are fine (#undef'd) */
	make_desc(&f);
	f.p[0].arg_names[0] = "int";
	f.p[0].arg_names[1] = "linux";
	assert_int_equal(dp_tp_validate(&f.d), 0);
}

static void test_validate_dups_and_limits(void **state)
{
	char longname[DYNPROBE_MAX_PROBE_NAME + 2];
	struct fixture f;

	(void)state;
	make_desc(&f);
	f.p[0].arg_names[1] = "latency";
	assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
	make_desc(&f);
	f.p[1].name = "request";
	assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
	make_desc(&f);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	f.p[1].name = longname;
	assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ENAME);
	make_desc(&f);
	f.p[0].nargs = DYNPROBE_MAX_ARGS + 1;
	assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_EARGS);
	make_desc(&f);
	f.p[0].types[1] = DYNPROBE_TYPE_MAX;
	assert_int_equal(dp_tp_validate(&f.d), -DYNPROBE_ETYPE);
}

static void test_names_stable(void **state)
{
	struct fixture f;
	char *a, *b, na[DP_TP_NAME_MAX], nb[DP_TP_NAME_MAX];

	(void)state;
	make_desc(&f);
	assert_int_equal(dp_tp_generate(&f.d, &a), 0);
	assert_int_equal(dp_tp_generate(&f.d, &b), 0);
	assert_string_equal(a, b);
	dp_tp_prebuilt_name("app", a, na);
	dp_tp_prebuilt_name("app", b, nb);
	assert_string_equal(na, nb);
	assert_int_equal(strncmp(na, "libdynprobe-lttng-app-", 22), 0);
	assert_int_equal(strlen(na), 22 + DP_TP_HASH_HEX + 3);
	free(b);
	/* a field rename changes the object */
	f.p[0].arg_names[0] = "lat";
	assert_int_equal(dp_tp_generate(&f.d, &b), 0);
	dp_tp_prebuilt_name("app", b, nb);
	assert_string_not_equal(na, nb);
	free(a);
	free(b);
}

static void test_spec_ok(void **state)
{
	static const char text[] =
		"# comment\n\nprovider app   # trailing\n"
		"probe request u64:latency str:path\r\n"
		"probe tick\n"
		"probe ratio double int\n";
	struct dp_tp_spec *s;
	char err[128];

	(void)state;
	assert_int_equal(dp_tp_spec_parse(text, &s, err, sizeof(err)), 0);
	assert_string_equal(s->desc.name, "app");
	assert_int_equal(s->desc.nprobes, 3);
	assert_string_equal(s->desc.probes[0]->arg_names[1], "path");
	assert_int_equal(s->desc.probes[0]->types[0], DYNPROBE_U64);
	assert_int_equal(s->desc.probes[1]->nargs, 0);
	assert_int_equal(s->desc.probes[2]->types[1], DYNPROBE_I64);
	assert_string_equal(s->desc.probes[2]->arg_names[0], "arg0");
	assert_string_equal(s->desc.probes[2]->arg_names[1], "arg1");
	s = dp_tp_spec_free(s);
	assert_null(s);
}

static void test_spec_errors(void **state)
{
	static const struct { const char *text, *msg; } cases[] = {
		{ "probe x\n", "line 1: 'probe' before 'provider'" },
		{ "provider a\nprovider b\n", "line 2: only one provider" },
		{ "provider a\nprobe x u65\n", "line 2: probe x: unknown type 'u65'" },
		{ "provider a\nfrobnicate\n", "line 2: unknown keyword" },
		{ "\n", "line 1: no 'provider'" },
		{ "provider a\nprobe x u8:v u8:v\n", "line 2: probe x: field 'v' appears twice" },
		{ "provider a-b\n", "line 1: invalid provider name 'a-b'" },
		{ "provider a\nprobe x i8 i8 i8 i8 i8 i8 i8 i8 i8 i8 i8 i8 i8\n", "more than 12" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dp_tp_spec *s = (void *)1;
		assert_true(dp_tp_spec_parse(cases[i].text, &s, err, sizeof(err)) < 0);
		assert_null(s);
		if (!strstr(err, cases[i].msg))
			fail_msg("spec %zu: got '%s', want '%s'", i, err, cases[i].msg);
	}
}

static char tmpdir[] = "/tmp/dp-tp-unit-XXXXXX";

static int cache_dir(const char *opt, char *buf, size_t len)
{
	int fd, r = dp_lttng_cache_dir(opt, buf, len, &fd);

	if (r == 0) {
		assert_true(fd >= 0);
		close(fd);
	}
	return r;
}

static void test_cache_dir_rules(void **state)
{
	char dir[512], buf[512], link[512];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/a/b/cache", tmpdir);
	assert_int_equal(cache_dir(dir, buf, sizeof(buf)), 0);
	assert_string_equal(buf, dir);
	chmod(dir, 0770);
	assert_int_equal(cache_dir(dir, buf, sizeof(buf)), -DYNPROBE_ECACHE);
	chmod(dir, 0700);
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(cache_dir(link, buf, sizeof(buf)), -DYNPROBE_ECACHE);
	/* A trailing "/" or "/." used to make lstat() follow the link. */
	snprintf(link, sizeof(link), "%s/link/", tmpdir);
	assert_int_equal(cache_dir(link, buf, sizeof(buf)), -DYNPROBE_ECACHE);
	snprintf(link, sizeof(link), "%s/link/.", tmpdir);
	assert_int_equal(cache_dir(link, buf, sizeof(buf)), -DYNPROBE_ECACHE);
	assert_int_equal(cache_dir("relative/dir", buf, sizeof(buf)), -DYNPROBE_ECACHE);
}

static int check_object(const char *dir, const char *name, bool allow_root)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	assert_true(dfd >= 0);
	fd = dp_lttng_open_object(dfd, dir, name, allow_root);
	close(dfd);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : fd;
}

static void test_object_rules(void **state)
{
	char path[512];
	FILE *f;

	(void)state;
	assert_int_equal(check_object(tmpdir, "missing.so", false), -ENOENT);
	snprintf(path, sizeof(path), "%s/obj.so", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(check_object(tmpdir, "obj.so", false), 0);
	chmod(path, 0620);
	assert_int_equal(check_object(tmpdir, "obj.so", false), -DYNPROBE_ECACHE);
	chmod(path, 0602);
	assert_int_equal(check_object(tmpdir, "obj.so", false), -DYNPROBE_ECACHE);
	chmod(path, 0600);
	snprintf(path, sizeof(path), "%s/sym.so", tmpdir);
	assert_int_equal(symlink("obj.so", path), 0);
	assert_int_equal(check_object(tmpdir, "sym.so", false), -DYNPROBE_ECACHE);
	if (geteuid() == 0) {
		snprintf(path, sizeof(path), "%s/obj.so", tmpdir);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(check_object(tmpdir, "obj.so", false), -DYNPROBE_ECACHE);
	}
}

/* Runtime mode, no session daemon needed: records go where the inline
 * check reads, in our own slots or in cells we provide (as the USDT
 * backend's), whose semaphore bytes stay untouched; release leaves the
 * cells idle. */
static void test_load_runtime(void **state)
{
	static uint64_t cellmem[2][16] __attribute__((aligned(64)));
	volatile uint8_t *cells[2] = { (volatile uint8_t *)&cellmem[0][8],
				       (volatile uint8_t *)&cellmem[1][8] };
	struct dp_lttng_site sites[2] = { { 0 } };
	struct dp_lttng_image *img = NULL;
	struct fixture f;

	(void)state;
	make_desc(&f);
	f.d.name = "unit_rt";
	f.d.lttng_mode = DYNPROBE_LTTNG_MODE_RUNTIME;
	assert_int_equal(dp_lttng_load(&f.d, NULL, sites, &img), 0);
	assert_int_equal(dp_lttng_image_mode(img), DYNPROBE_LTTNG_MODE_RUNTIME);
	for (int i = 0; i < 2; i++) {
		assert_null(sites[i].fire); /* runtime: the generic callback, by ctx */
		assert_non_null(sites[i].ctx);
		assert_int_equal(sites[i].gen % 2, 0);
		assert_int_equal(*sites[i].state, 0);
		assert_ptr_equal(sites[i].watch_base + DYNPROBE__WATCH_DISTANCE,
				 (const volatile uint8_t *)sites[i].state);
		assert_memory_equal((const void *)sites[i].watch_base,
				    (const void *)(sites[i].watch_base + DYNPROBE__WATCH_DISTANCE), 8);
	}
	dp_lttng_release(img);
	cellmem[0][8] = 0xabcd000000000000ull; /* semaphore/idle bytes stay */
	assert_int_equal(dp_lttng_load(&f.d, cells, sites, &img), 0);
	assert_ptr_equal((const volatile uint8_t *)sites[0].state, cells[0]);
	assert_ptr_equal(sites[1].watch_base + DYNPROBE__WATCH_DISTANCE, cells[1]);
	assert_true(cellmem[0][8] == 0xabcd000000000000ull);
	dp_lttng_release(img);
	assert_true(cellmem[0][8] == 0xabcd000000000000ull);
	assert_true(cellmem[1][8] == 0);
}

/* Compile and load for real (no session daemon needed): the descriptor
 * must match and the sites must be filled. */
static void test_load_real(void **state)
{
	struct fixture f;
	struct dp_lttng_site sites[2] = { { 0 } };
	struct dp_lttng_image *img = NULL;
	char dir[512];
	int r;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/real", tmpdir);
	make_desc(&f);
	f.d.name = "unit_real";
	f.d.cache_dir = dir;
	f.d.lttng_mode = DYNPROBE_LTTNG_MODE_COMPILED;
	r = dp_lttng_load(&f.d, NULL, sites, &img);
	/* No compiler on this machine: skip, unless CI forbids skips. */
	if (r == -DYNPROBE_ENOCOMPILER && !getenv("DYNPROBE_TEST_NO_SKIP"))
		skip();
	assert_int_equal(r, 0);
	assert_non_null(img);
	assert_non_null(sites[0].state);
	assert_non_null(sites[1].fire);
	assert_int_equal(*sites[0].state, 0); /* no session: disabled */
	/* State mirrors registered: the inline check's two words are equal. */
	for (int i = 0; i < 2; i++) {
		assert_non_null(sites[i].watch_base);
		assert_int_equal((uintptr_t)sites[i].watch_base % 8, 0);
		assert_memory_equal((const void *)sites[i].watch_base,
				    (const void *)(sites[i].watch_base + DYNPROBE__WATCH_DISTANCE), 8);
	}
	dp_lttng_release(img);
	/* same object again: re-attached, same state word; this time the
	 * mirrors go into cells we provide, as the USDT backend's would be */
	const volatile int *state0 = sites[0].state;
	static uint64_t cellmem[2][16] __attribute__((aligned(64)));
	volatile uint8_t *cells[2] = { (volatile uint8_t *)&cellmem[0][8],
				       (volatile uint8_t *)&cellmem[1][8] };
	cellmem[0][8] = 0xabcd000000000000ull; /* semaphore/idle bytes stay */
	assert_int_equal(dp_lttng_load(&f.d, cells, sites, &img), 0);
	assert_ptr_equal(sites[0].state, state0);
	assert_ptr_equal(sites[0].watch_base + DYNPROBE__WATCH_DISTANCE, cells[0]);
	assert_ptr_equal(sites[1].watch_base + DYNPROBE__WATCH_DISTANCE, cells[1]);
	assert_true(cellmem[0][8] == 0xabcd000000000000ull);
	assert_true(cellmem[1][8] == 0);
	dp_lttng_release(img);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_fields),
		cmocka_unit_test(test_generate_types),
		cmocka_unit_test(test_validate_names),
		cmocka_unit_test(test_validate_dups_and_limits),
		cmocka_unit_test(test_names_stable),
		cmocka_unit_test(test_spec_ok),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_cache_dir_rules),
		cmocka_unit_test(test_object_rules),
		cmocka_unit_test(test_load_real),
		cmocka_unit_test(test_load_runtime),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("lttng-tp", tests, setup, teardown);
}
