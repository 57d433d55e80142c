/* SPDX-License-Identifier: MIT */
/*
 * Firing threads race with load, unload, reload and free of their provider.
 * The semaphore is set by hand (as bcc does through /proc/PID/mem) so every
 * fire takes the slow path and really calls the stub.  Passing means no
 * crash, no sanitizer report, and fires counted only while loaded.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backends/usdt/usdt.h"
#include "internal.h"

#define THREADS 3

struct shared {
	struct dynprobe_probe *volatile probe;
	volatile int stop;
	bool direct; /* call dynprobe_fire() itself, not the inline check first */
	long fired[THREADS];
};

struct worker {
	struct shared *s;
	int id;
};

static void *fire_loop(void *arg)
{
	struct worker *w = arg;

	while (!__atomic_load_n(&w->s->stop, __ATOMIC_RELAXED)) {
		struct dynprobe_arg a[] = {dynprobe_arg_u((uint64_t)w->id),
					   dynprobe_arg_s("payload")};
		int r = w->s->direct ? dynprobe_fire(w->s->probe, a, 2)
				     : DYNPROBE_FIRE(w->s->probe, (uint64_t)w->id, "payload");
		if (r > 0)
			__atomic_fetch_add(&w->s->fired[w->id], 1, __ATOMIC_RELAXED);
		assert_true(r >= 0 || r == -DYNPROBE_EMISMATCH);
	}
	return NULL;
}

static void poke_semaphore(struct dynprobe_probe *p)
{
	/* The watched cell's low half is the USDT semaphore. */
	volatile uint16_t *sem = (volatile uint16_t *)(p->watch.base + DYNPROBE__WATCH_DISTANCE + DP_USDT_CELL_SEM);
	__atomic_store_n(sem, 1, __ATOMIC_RELAXED); /* as the kernel or bcc would */
}

/* Fire from THREADS threads while the provider on `backends` (0: the
 * default) is unloaded, reloaded, rebuilt and freed.  With `usdt` the
 * semaphore is set, so fires emit and must be counted; without (LTTng
 * alone, no session) the threads call dynprobe_fire() directly (the
 * inline check would stop them), so every fire still reads the probe's
 * sites under the sequence counter and asks the backend, and returns 0. */
static void race(const char *pname, unsigned int backends, bool usdt)
{
	static const enum dynprobe_type sig[] = { DYNPROBE_U64, DYNPROBE_STR };
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = backends);
	struct shared s = {.direct = !usdt};
	struct worker w[THREADS];
	pthread_t t[THREADS];
	struct dynprobe_provider *prov;
	struct dynprobe_probe *probe;
	char name[32];
	long total = 0;

	assert_int_equal(dynprobe_provider_new(pname, backends ? &o : NULL, &prov), 0);
	assert_int_equal(dynprobe_probe_add(prov, "hit", sig, 2, NULL, &probe), 0);
	assert_int_equal(dynprobe_provider_load(prov), 0);
	if (usdt)
		poke_semaphore(probe);
	s.probe = probe;
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ &s, i };
		assert_int_equal(pthread_create(&t[i], NULL, fire_loop, &w[i]), 0);
	}
	/* Every thread is firing for real before the races start. */
	for (long spins = 0; usdt; spins++) {
		int ready = 0;
		for (int i = 0; i < THREADS; i++)
			ready += __atomic_load_n(&s.fired[i], __ATOMIC_RELAXED) > 0;
		if (ready == THREADS)
			break;
		assert_true(spins < 100000000L);
		sched_yield();
	}
	for (int round = 0; round < 3000; round++) {
		assert_int_equal(dynprobe_provider_unload(prov), 0);
		if (round % 50 == 0) {
			/* A new probe forces a new image on the next load. */
			snprintf(name, sizeof(name), "extra%d", round);
			assert_int_equal(dynprobe_probe_add(prov, name, sig, 2, NULL, NULL), 0);
		}
		assert_int_equal(dynprobe_provider_load(prov), 0);
		if (usdt)
			poke_semaphore(probe);
	}
	/* Free while the threads still fire through their handle: the slab
	 * keeps the handle readable and the fire a no-op. */
	prov = dynprobe_provider_free(prov);
	for (int i = 0; i < 2000; i++)
		assert_int_equal(dynprobe_fire(probe, NULL, 0) <= 0, 1);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += s.fired[i];
	}
	assert_true(usdt ? total > 0 : total == 0);
}

static void test_unload_while_firing(void **state)
{
	(void)state;
	race("race", 0, true);
}

/* A probe on one backend: its slot has room for one site only, and an
 * LTTng site takes the backend's one-call path (fire.c). */
static void test_unload_while_firing_usdt(void **state)
{
	(void)state;
	race("race_usdt", DYNPROBE_BACKEND_USDT, true);
}

static void test_unload_while_firing_lttng(void **state)
{
	(void)state;
	race("race_lttng", DYNPROBE_BACKEND_LTTNG, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unload_while_firing),
	    cmocka_unit_test(test_unload_while_firing_usdt),
	    cmocka_unit_test(test_unload_while_firing_lttng),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
