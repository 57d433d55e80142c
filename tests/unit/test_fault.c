/* SPDX-License-Identifier: MIT */
/*
 * Faults and misuse that must neither crash nor lie (issue 13):
 *
 *   - a handle kept after its provider was freed names no other probe,
 *     and every entry point treats it as inert;
 *   - handles of freed providers give their memory back: creating and
 *     freeing probes forever keeps resident memory and mappings bounded;
 *   - fires through sites and handles racing dynprobe_provider_free()
 *     return 0 or 1, never an error the caller did not cause;
 *   - fork() from a thread while another loads and unloads: the child
 *     finds its inherited providers usable and can free them;
 *   - options structs with an absurd size, dynprobe_strerror(INT_MIN).
 *
 * The semaphore is set by hand (as bcc does through /proc/PID/mem), so
 * fires take the slow path and really call the stub.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"

static const enum dynprobe_type sig[] = {DYNPROBE_U64, DYNPROBE_STR};

static void set_semaphore(struct dynprobe_probe *probe, uint16_t value)
{
	struct dp_site_info si;

	assert_int_equal(dp_probe_site_info(probe, DYNPROBE_BACKEND_USDT, &si), 0);
	__atomic_store_n(si.semaphore, value, __ATOMIC_RELAXED);
}

static struct dynprobe_provider *loaded_provider(const char *name, struct dynprobe_probe **ret)
{
	struct dynprobe_provider *p;

	assert_int_equal(dynprobe_provider_new(name, NULL, &p), 0);
	assert_int_equal(dynprobe_probe_add(p, "hit", sig, 2, NULL, ret), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	return p;
}

static void test_stale_handle(void **state)
{
	static struct dynprobe_site site = DYNPROBE_SITE_INIT;
	struct dynprobe_provider *a, *b;
	struct dynprobe_probe *old, *fresh;
	struct dynprobe_arg args[] = {dynprobe_arg_u(1), dynprobe_arg_s("x")};
	(void)state;

	a = loaded_provider("stale_a", &old);
	dynprobe_provider_free(a);
	/* The next probe reuses the freed probe's slot... */
	b = loaded_provider("stale_b", &fresh);
	set_semaphore(fresh, 1);
	assert_int_equal(DYNPROBE_FIRE(fresh, 1, "x"), 1);
	/* ...but the old handle names nothing and does nothing. */
	assert_ptr_not_equal(old, fresh);
	assert_null(dynprobe_probe_name(old));
	assert_int_equal(dynprobe_probe_nargs(old), 0);
	assert_int_equal(dynprobe_probe_arg_type(old, 0), DYNPROBE_TYPE_NONE);
	assert_int_equal(dynprobe_probe_enabled(old), 0);
	assert_int_equal(dynprobe_probe_listening(old), 0);
	assert_int_equal(dynprobe_fire(old, args, 2), 0);
	assert_int_equal(DYNPROBE_FIRE(old, 1, "x"), 0);
	assert_false(DYNPROBE_ENABLED(old));
	assert_int_equal(dynprobe_site_bind(&site, old), -EINVAL);
	assert_null(site.probe);
	assert_string_equal(dynprobe_probe_name(fresh), "hit");
	set_semaphore(fresh, 0);
	dynprobe_provider_free(b);
	assert_null(dynprobe_probe_name(fresh));
}

static long statm_field(int i)
{
	long v[2] = {0, 0};
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &v[0], &v[1]), 2);
	fclose(f);
	return v[i];
}

static long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* 2,000,000 probes come and go (32 MB of handles that are never reused):
 * their memory must go back, without a mapping per page. */
static void test_handles_bounded(void **state)
{
	static const enum dynprobe_type one[] = {DYNPROBE_U64};
	long rss0 = 0, maps0 = 0, rss1, maps1;
	char name[32];
	(void)state;


	for (int round = 0; round < 20001; round++) {
		struct dynprobe_provider *p;

		if (round == 1000) { /* warmed up: allocator, first arena */
			rss0 = statm_field(1);
			maps0 = count_maps();
		}
		assert_int_equal(dynprobe_provider_new("bounded", NULL, &p), 0);
		for (int i = 0; i < 100; i++) {
			snprintf(name, sizeof(name), "p%d", i);
			assert_int_equal(dynprobe_probe_add(p, name, one, 1, NULL, NULL), 0);
		}
		dynprobe_provider_free(p);
	}
	rss1 = statm_field(1);
	maps1 = count_maps();
	print_message("# 2,000,100 probes: resident %+ld pages, %+ld mappings\n", rss1 - rss0,
		      maps1 - maps0);
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
	/* (under the sanitizers, their shadow memory and quarantine are
	 * resident too: only the mappings are checked there) */
	assert_true(rss1 - rss0 < 1024); /* < 4 MiB; 30 MB without page retirement */
#endif
	assert_true(maps1 - maps0 < 200);
}

/* ---- fires racing free ---- */

struct racer {
	struct dynprobe_site *site;
	struct dynprobe_probe *probe; /* atomics: TSan checks the library, not us */
	int stop;
	long fired, errors;
};

static void *fire_site_and_handle(void *arg)
{
	struct racer *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		struct dynprobe_probe *h = __atomic_load_n(&r->probe, __ATOMIC_ACQUIRE);
		int a = DYNPROBE_FIRE(r->site, (uint64_t)1, "s");
		int b = h ? DYNPROBE_FIRE(h, (uint64_t)2, "h") : 0;

		__atomic_fetch_add(&r->fired, (a > 0) + (b > 0), __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->errors, (a < 0) + (b < 0), __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_fire_racing_free(void **state)
{
	static struct dynprobe_site site = DYNPROBE_SITE_INIT;
	struct racer r = {.site = &site};
	pthread_t t[2];
	(void)state;

	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fire_site_and_handle, &r), 0);
	for (int cycle = 0; cycle < 1500; cycle++) {
		struct dynprobe_provider *p;
		struct dynprobe_probe *h;

		p = loaded_provider("racefree", &h);
		assert_int_equal(dynprobe_site_bind(&site, h), 0);
		set_semaphore(h, 1);
		__atomic_store_n(&r.probe, h, __ATOMIC_RELEASE);
		for (int spin = 0; spin < 200; spin++)
			sched_yield();
		dynprobe_provider_free(p); /* the handle stays in r.probe: stale */
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	print_message("# %ld fires, %ld errors\n", r.fired, r.errors);
	assert_int_equal(r.errors, 0);
	assert_true(r.fired > 0);
}

/* ---- fork ---- */

/*
 * Under AddressSanitizer the fork cannot land in the middle of the other
 * thread's load: GCC 12's sanitizer allocator takes no lock around fork(),
 * so a child forked while that thread is inside malloc() waits forever
 * on the allocator's own mutex (seen: 1 run in about 40, the child's stack
 * ending in __sanitizer::SizeClassAllocator64::GetFromAllocator under
 * load_descs()'s calloc).  glibc's malloc is fork-safe, so the ordinary
 * build keeps forking at any moment; the ASan build forks between two
 * load/unload cycles and still checks everything the child does with
 * what it inherited.
 */
#if defined(__SANITIZE_ADDRESS__)
#define FORK_BETWEEN_CYCLES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FORK_BETWEEN_CYCLES 1
#endif
#endif
#ifndef FORK_BETWEEN_CYCLES
#define FORK_BETWEEN_CYCLES 0
#endif

struct churn {
	struct dynprobe_provider *prov;
	int stop;
	pthread_mutex_t handover; /* who may free or replace prov */
	int fork_waiting;         /* FORK_BETWEEN_CYCLES: let the forker in */
	long cycles;
};

static void *load_unload(void *arg)
{
	static const enum dynprobe_type one[] = {DYNPROBE_U64};
	struct churn *c = arg;
	char name[32];

	while (!__atomic_load_n(&c->stop, __ATOMIC_RELAXED)) {
		while (__atomic_load_n(&c->fork_waiting, __ATOMIC_ACQUIRE))
			sched_yield(); /* a mutex is not fair: do not starve it */
		pthread_mutex_lock(&c->handover);
		struct dynprobe_provider *p = c->prov;

		if (c->cycles % 16 == 15) { /* sometimes a new image */
			dynprobe_provider_unload(p);
			snprintf(name, sizeof(name), "x%ld", c->cycles);
			dynprobe_probe_add(p, name, one, 1, NULL, NULL);
		}
		dynprobe_provider_load(p);
		dynprobe_provider_unload(p);
		__atomic_fetch_add(&c->cycles, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&c->handover);
	}
	return NULL;
}

/* What the child does with what it inherited: everything that locks. */
static int child_uses(struct dynprobe_provider *p)
{
	struct dynprobe_provider *q;
	struct dynprobe_probe *h;

	dynprobe_provider_unload(p);
	if (dynprobe_probe_add(p, "child", sig, 2, NULL, &h) < 0)
		return 1;
	if (dynprobe_provider_load(p) < 0 || DYNPROBE_FIRE(h, 1, "c") < 0)
		return 2;
	if (dynprobe_provider_new("forkchild", NULL, &q) < 0)
		return 3;
	dynprobe_provider_free(q);
	dynprobe_provider_free(p);
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;

	for (int ms = 0; ms < 10000; ms++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
		nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1; /* deadlocked */
}

static void test_fork_while_loading(void **state)
{
	struct churn c = {.handover = PTHREAD_MUTEX_INITIALIZER};
	struct dynprobe_probe *h;
	pthread_t t;
	int hung = 0, failed = 0;
	(void)state;

	c.prov = loaded_provider("forkparent", &h);
	dynprobe_provider_unload(c.prov);
	assert_int_equal(pthread_create(&t, NULL, load_unload, &c), 0);
	for (int i = 0; i < 60 && hung < 2; i++) {
		pid_t pid;
		int r;

		while (__atomic_load_n(&c.cycles, __ATOMIC_RELAXED) < i)
			sched_yield();
		if (FORK_BETWEEN_CYCLES) {
			__atomic_store_n(&c.fork_waiting, 1, __ATOMIC_RELEASE);
			pthread_mutex_lock(&c.handover);
		}
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_uses(c.prov));
		if (FORK_BETWEEN_CYCLES) {
			pthread_mutex_unlock(&c.handover);
			__atomic_store_n(&c.fork_waiting, 0, __ATOMIC_RELEASE);
		}
		r = wait_child(pid);
		hung += r == -1;
		failed += r > 0;
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	print_message("# forks during %ld load/unload cycles: %d hung, %d failed\n", c.cycles, hung,
		      failed);
	assert_int_equal(hung, 0);
	assert_int_equal(failed, 0);
	dynprobe_provider_free(c.prov);
}

/* ---- names ---- */

/* Refused at dynprobe_probe_add() (and provider_new) rather than at an
 * LTTng load: macros of the headers a generated provider includes,
 * reserved identifiers, provider names that clash with lttng-ust's
 * identifiers, argument names that collide with the defaults.  Keywords
 * pass: lttng-ust only pastes and stringifies names. */
static void test_names_refused(void **state)
{
	static const char *const bad[] = {
		"NULL", "true", "errno", "major", "EOF", "tracepoint", "PATH_MAX", "__FILE__",
		"_Bool", "stdin", "assert", "INT8_MAX",
	};
	static const char *const good[] = { "request", "linux", "unix", "_private", "x1",
					     "arg0", "int", "register", "while" };
	const char *const dup_default[] = {NULL, "arg0"};
	const char *const dup_named[] = {"a", "a"};
	const char *const fine[] = {NULL, "path"};
	struct dynprobe_provider *p;
	(void)state;

	assert_int_equal(dynprobe_provider_new("names", NULL, &p), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const one[] = {bad[i], NULL};
		DYNPROBE_OPTS(dynprobe_probe_opts, o, .arg_names = one);
		struct dynprobe_provider *q;

		assert_int_equal(dynprobe_probe_add(p, bad[i], NULL, 0, NULL, NULL),
				 -DYNPROBE_ENAME);
		assert_int_equal(dynprobe_probe_add(p, "ok", sig, 2, &o, NULL), -DYNPROBE_ENAME);
		assert_int_equal(dynprobe_provider_new(bad[i], NULL, &q), -DYNPROBE_ENAME);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(dynprobe_probe_add(p, good[i], NULL, 0, NULL, NULL), 0);
	DYNPROBE_OPTS(dynprobe_probe_opts, o1, .arg_names = dup_default);
	assert_int_equal(dynprobe_probe_add(p, "d1", sig, 2, &o1, NULL), -DYNPROBE_ENAME);
	DYNPROBE_OPTS(dynprobe_probe_opts, o2, .arg_names = dup_named);
	assert_int_equal(dynprobe_probe_add(p, "d2", sig, 2, &o2, NULL), -DYNPROBE_ENAME);
	DYNPROBE_OPTS(dynprobe_probe_opts, o3, .arg_names = fine);
	assert_int_equal(dynprobe_probe_add(p, "d3", sig, 2, &o3, NULL), 0);
	assert_int_equal(dynprobe_provider_load(p), 0);
	dynprobe_provider_free(p);
	/* a provider named "register" would define lttng-ust's own
	 * lttng_ust_tracepoint_provider_register */
	assert_int_equal(dynprobe_provider_new("register", NULL, &p), -DYNPROBE_ENAME);
	assert_int_equal(dynprobe_provider_new("unregister", NULL, &p), -DYNPROBE_ENAME);
}

/* ---- small things ---- */

static void test_opts_size_and_errors(void **state)
{
	struct dynprobe_provider *p;
	struct dynprobe_probe *h;
	char buf[128];
	struct {
		struct dynprobe_probe_opts o;
		uint8_t pad[64];
	} big;
	(void)state;

	DYNPROBE_OPTS(dynprobe_provider_opts, o);
	o.sz = (size_t)1 << 40; /* nothing that large is ever read */
	assert_int_equal(dynprobe_provider_new("opts_big", &o, &p), -EINVAL);
	o.sz = DYNPROBE_OPTS_MAX_SIZE + 1;
	assert_int_equal(dynprobe_provider_new("opts_big", &o, &p), -EINVAL);
	assert_int_equal(dynprobe_provider_new("opts_big", NULL, &p), 0);
	memset(&big, 0, sizeof(big));
	big.o.sz = SIZE_MAX;
	assert_int_equal(dynprobe_probe_add(p, "a", sig, 2, &big.o, &h), -EINVAL);
	big.o.sz = sizeof(big); /* a newer caller, zero tail: fine */
	assert_int_equal(dynprobe_probe_add(p, "a", sig, 2, &big.o, &h), 0);
	dynprobe_provider_free(p);

	assert_non_null(dynprobe_strerror(INT_MIN, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "unknown"));
	assert_non_null(dynprobe_strerror(INT_MAX, buf, sizeof(buf)));
	assert_non_null(dynprobe_strerror(-INT_MAX, buf, sizeof(buf)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stale_handle),     cmocka_unit_test(test_handles_bounded),
	    cmocka_unit_test(test_fire_racing_free), cmocka_unit_test(test_fork_while_loading),
	    cmocka_unit_test(test_names_refused),    cmocka_unit_test(test_opts_size_and_errors),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
