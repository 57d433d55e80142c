/* SPDX-License-Identifier: MIT */
/*
 * A third backend in a test: src/backends/toy/ (records fires into an
 * array) is linked into this test only; its one line in
 * src/backends/table.c is all the core knows of it.  The provider API
 * drives it exactly as it drives USDT and LTTng: selection by mask and by
 * $DYNPROBE_BACKENDS, load, fire with converted values, listening masks,
 * unload, reload of the same image, rebuild after probe_add, errors, free;
 * and next to USDT on one provider.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "backends/toy/toy.h"

static const enum dynprobe_type sig[] = {DYNPROBE_I8, DYNPROBE_STR};

static void test_toy_alone(void **state)
{
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DP_TOY_BACKEND);
	struct dynprobe_provider *p;
	struct dynprobe_probe *a, *b;
	(void)state;

	assert_non_null(dp_backend_by_name("toy"));
	assert_int_equal(dynprobe_provider_new("toyprov", &o, &p), 0);
	assert_int_equal(dynprobe_provider_backends(p), DP_TOY_BACKEND);
	assert_int_equal(dynprobe_probe_add(p, "a", sig, 2, NULL, &a), 0);
	assert_int_equal(dynprobe_probe_add(p, "b", NULL, 0, NULL, &b), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(dynprobe_provider_loaded_backends(p), DP_TOY_BACKEND);
	assert_int_equal(dp_toy_loaded, 1);
	size_t before = dp_toy_nfires, shortcuts = dp_toy_shortcuts;
	assert_int_equal(DYNPROBE_FIRE(a, 300, "x"), 0); /* nobody listens */
	assert_int_equal(dp_toy_nfires, before);
	/* on one backend only, the core takes the one-call shortcut */
	assert_int_equal(dp_toy_shortcuts, shortcuts + 1);
	/* nobody listens: 0, even for arguments that do not match */
	assert_int_equal(DYNPROBE_FIRE(a, "x", 1), 0);
	assert_int_equal(DYNPROBE_FIRE(a), 0);
	assert_int_equal(dp_toy_listen("toyprov", "a", true), 0);
	assert_int_equal(dynprobe_probe_listening(a), DP_TOY_BACKEND);
	assert_int_equal(dynprobe_probe_listening(b), 0);
	assert_int_equal(DYNPROBE_FIRE(a, 300, "x"), 1);
	assert_int_equal(dp_toy_nfires, before + 1);
	const struct dp_toy_fire *f = &dp_toy_fires[before];
	assert_string_equal(f->probe, "a");
	assert_int_equal(f->nargs, 2);
	assert_int_equal(f->values[0].i, 44); /* 300 converted to i8, as C would */
	assert_string_equal(f->values[1].s, "x");
	assert_int_equal(DYNPROBE_FIRE(a, "x", 1), -DYNPROBE_EMISMATCH);
	assert_int_equal(DYNPROBE_FIRE(a, 1), -DYNPROBE_EMISMATCH);	    /* too few */
	assert_int_equal(DYNPROBE_FIRE(a, 1, "x", 2), -DYNPROBE_EMISMATCH); /* too many */
	assert_int_equal(DYNPROBE_FIRE(a, 1.5, "x"), -DYNPROBE_EMISMATCH);  /* double for i8 */
	assert_int_equal(dp_toy_nfires, before + 1); /* a mismatch emits nothing */
	assert_int_equal(DYNPROBE_FIRE(b), 0);	     /* b: nobody listens */
	assert_int_equal(dp_toy_listen("toyprov", "b", true), 0);
	assert_int_equal(DYNPROBE_FIRE(b), 1);
	assert_int_equal(dp_toy_fires[before + 1].nargs, 0);
	assert_int_equal(DYNPROBE_FIRE(b, 1), -DYNPROBE_EMISMATCH);
	assert_int_equal(dp_toy_listen("toyprov", "b", false), 0);
	assert_int_equal(dp_toy_shortcuts, shortcuts + 11);
	/* unload: silent; load again: the same image, still listening */
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(dp_toy_loaded, 0);
	assert_int_equal(DYNPROBE_FIRE(a, 1, "y"), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(DYNPROBE_FIRE(a, 1, "y"), 1);
	/* a probe added after an unload rebuilds the image */
	int released = dp_toy_released;
	assert_int_equal(dynprobe_provider_unload(p), 0);
	assert_int_equal(dynprobe_probe_add(p, "c", NULL, 0, NULL, NULL), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(dp_toy_released, released + 1);
	assert_int_equal(dynprobe_provider_backend_error(p, DP_TOY_BACKEND), 0);
	dynprobe_provider_free(p);
	assert_int_equal(dp_toy_released, released + 2);
	assert_int_equal(DYNPROBE_FIRE(a, 1, "y"), 0);
}

static void test_toy_and_usdt(void **state)
{
	DYNPROBE_OPTS(dynprobe_provider_opts, o,
		      .backends = DP_TOY_BACKEND | DYNPROBE_BACKEND_USDT);
	struct dynprobe_provider *p;
	struct dynprobe_probe *a;
	struct dp_site_info si;
	(void)state;

	assert_int_equal(dynprobe_provider_new("toyusdt", &o, &p), 0);
	assert_int_equal(dynprobe_probe_add(p, "a", sig, 2, NULL, &a), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	assert_int_equal(dynprobe_provider_loaded_backends(p),
			 DP_TOY_BACKEND | DYNPROBE_BACKEND_USDT);
	assert_true(dynprobe_provider_usdt_fd(p) >= 0);
	assert_int_equal(dp_probe_site_info(a, DYNPROBE_BACKEND_USDT, &si), 0);
	assert_non_null(si.semaphore);
	assert_int_equal(dynprobe_probe_listening(a), 0);
	*si.semaphore = 1; /* as bcc would */
	assert_int_equal(dynprobe_probe_listening(a), DYNPROBE_BACKEND_USDT);
	size_t before = dp_toy_nfires, shortcuts = dp_toy_shortcuts;
	assert_int_equal(DYNPROBE_FIRE(a, 1, "u"), 1); /* the USDT stub is called */
	assert_int_equal(dp_toy_nfires, before);
	assert_int_equal(dp_toy_listen("toyusdt", "a", true), 0);
	assert_int_equal(dynprobe_probe_listening(a), DYNPROBE_BACKEND_USDT | DP_TOY_BACKEND);
	assert_int_equal(DYNPROBE_FIRE(a, 2, "both"), 1);
	assert_int_equal(dp_toy_nfires, before + 1);
	assert_string_equal(dp_toy_fires[before].values[1].s, "both");
	/* mismatch on two backends: nothing emitted on either */
	assert_int_equal(DYNPROBE_FIRE(a, "x", 1), -DYNPROBE_EMISMATCH);
	assert_int_equal(dp_toy_nfires, before + 1);
	/* two loaded sites: never the one-backend shortcut */
	assert_int_equal(dp_toy_shortcuts, shortcuts);
	*si.semaphore = 0;
	dynprobe_provider_free(p);
}

static void test_toy_env_and_errors(void **state)
{
	struct dynprobe_provider *p;
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = 0x200u);
	(void)state;

	/* an unregistered bit is refused up front */
	assert_int_equal(dynprobe_provider_new("toybad", &o, &p), -EINVAL);
	/* $DYNPROBE_BACKENDS knows the toy by its name */
	setenv("DYNPROBE_BACKENDS", "toy", 1);
	assert_int_equal(dynprobe_provider_new("toyenv", NULL, &p), 0);
	unsetenv("DYNPROBE_BACKENDS");
	assert_int_equal(dynprobe_provider_backends(p), DP_TOY_BACKEND);
	assert_int_equal(dynprobe_provider_backend_error(p, 0x200u), -EINVAL);
	dynprobe_provider_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_toy_alone),
	    cmocka_unit_test(test_toy_and_usdt),
	    cmocka_unit_test(test_toy_env_and_errors),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
