/* SPDX-License-Identifier: MIT */
/*
 * lttng-driver - a traced program for the LTTng integration tests.
 *
 *   lttng-driver values [GO_FILE]   provider dpt: load, print "loaded PID",
 *                                   wait for GO_FILE if given, fire every
 *                                   value vector of values[] once, exit
 *   lttng-driver fork               fire `fork:ev` in the parent, fork (no
 *                                   exec), fire in the child; prints both pids
 *   lttng-driver flood N            fire `flood:ev` N times
 *   lttng-driver race SECONDS       threads fire while the main thread
 *                                   unloads/reloads the provider
 *   lttng-driver reload             fire rl:ev, reload with rl:ev2 added,
 *                                   fire both, then the first set again
 *   lttng-driver load PROVIDER      load a 1-probe provider, print the
 *                                   result ("ok" or the error name), exit 0
 *   lttng-driver time NPROBES N     load N distinct providers of NPROBES
 *                                   probes each, print ms per load
 *   lttng-driver loglevel           provider ll: probes crit, warn, info,
 *                                   dbg (those log levels) and none (unset),
 *                                   each fired once with its name
 *   lttng-driver filter             provider flt: ev(i32 n, str s, u64 u,
 *                                   double d) fired for n = 0..9, s "even"
 *                                   or "odd" (NULL for n = 8), u = n << 40,
 *                                   d = n / 4.0
 *   lttng-driver cycles N           N times: new provider cy (LTTng only,
 *                                   probes ev(u64, str) and ev2(i32)), load,
 *                                   free, while a thread keeps firing the
 *                                   newest ev; prints "mem CYCLE VSZ_KIB
 *                                   RSS_KIB" at cycles 100, N/2 and N
 *   lttng-driver inline BACKENDS    provider inl on usdt, lttng or both:
 *                                   for each stdin line print "inline H S
 *                                   listening M" (the header's inline check
 *                                   through the handle and through a site,
 *                                   dynprobe_probe_listening()), fire once
 *
 * Provider options come from the environment (DYNPROBE_CACHE_DIR,
 * DYNPROBE_TP_PATH, CC, PATH), exactly as for any program.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dynprobe.h"

#define CHECK(expr)                                                            \
	do {                                                                   \
		int r_ = (expr);                                               \
		if (r_ < 0) {                                                  \
			char b_[128];                                          \
			fprintf(stderr, "%s: %s\n", #expr,                     \
				dynprobe_strerror(r_, b_, sizeof(b_)));        \
			exit(1);                                               \
		}                                                              \
	} while (0)

static struct dynprobe_provider *new_provider(const char *name)
{
	struct dynprobe_provider *p;

	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DYNPROBE_BACKEND_LTTNG);
	CHECK(dynprobe_provider_new(name, &o, &p));
	return p;
}

static struct dynprobe_probe *add(struct dynprobe_provider *p, const char *name,
				  const enum dynprobe_type *t, size_t n, const char *const *names)
{
	struct dynprobe_probe *pr;

	DYNPROBE_OPTS(dynprobe_probe_opts, o, .arg_names = names);
	CHECK(dynprobe_probe_add(p, name, t, n, &o, &pr));
	return pr;
}

static void wait_file(const char *path)
{
	struct stat st;

	/* A polled condition, not a timing assumption; bounded so that a
	 * failed test never leaves the driver behind. */
	for (int i = 0; i < 24000 && stat(path, &st) < 0; i++)
		usleep(5000);
}

/* One probe per type family; the expected values are in test-values.sh. */
static int run_values(const char *go)
{
	static const enum dynprobe_type ti[] = { DYNPROBE_I8, DYNPROBE_I16, DYNPROBE_I32, DYNPROBE_I64 };
	static const enum dynprobe_type tu[] = { DYNPROBE_U8, DYNPROBE_U16, DYNPROBE_U32, DYNPROBE_U64 };
	static const enum dynprobe_type ts[] = { DYNPROBE_STR };
	static const enum dynprobe_type td[] = { DYNPROBE_DOUBLE };
	static const enum dynprobe_type tm[] = {
		DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16, DYNPROBE_U16, DYNPROBE_I32, DYNPROBE_U32,
		DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE, DYNPROBE_I32, DYNPROBE_STR,
	};
	static const char *const ni[] = { "a8", "a16", "a32", "a64" };
	static const char *const nu[] = { "b8", "b16", "b32", "b64" };
	static const char *const ns[] = { "text" };
	static const char *const nd[] = { "real" };
	static const char *const nm[] = { "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7",
					  "m8", "m9", "int", "linux" };
	struct dynprobe_provider *p = new_provider("dpt");
	struct dynprobe_probe *si = add(p, "sint", ti, 4, ni), *su = add(p, "uint", tu, 4, nu);
	struct dynprobe_probe *ss = add(p, "str", ts, 1, ns), *sd = add(p, "dbl", td, 1, nd);
	struct dynprobe_probe *sm = add(p, "many", tm, 12, nm);
	char longstr[5001];

	CHECK(dynprobe_provider_load(p));
	printf("loaded %d\n", (int)getpid());
	fflush(stdout);
	if (go) {
		wait_file(go);
		/* `lttng start` has returned; the state flips when the session
		 * daemon's command reaches us: wait for that condition. */
		for (int i = 0; i < 2000 && !dynprobe_probe_enabled(si); i++)
			usleep(5000);
	}
	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	DYNPROBE_FIRE(si, (int8_t)INT8_MIN, (int16_t)INT16_MIN, (int32_t)INT32_MIN, (int64_t)INT64_MIN);
	DYNPROBE_FIRE(si, (int8_t)INT8_MAX, (int16_t)INT16_MAX, (int32_t)INT32_MAX, (int64_t)INT64_MAX);
	DYNPROBE_FIRE(si, -1, -2, -3, (long long)-4);
	DYNPROBE_FIRE(su, (uint8_t)UINT8_MAX, (uint16_t)UINT16_MAX, (uint32_t)UINT32_MAX, (uint64_t)UINT64_MAX);
	DYNPROBE_FIRE(su, 0, 0, 0, 0);
	DYNPROBE_FIRE(ss, "");
	DYNPROBE_FIRE(ss, (const char *)NULL);
	DYNPROBE_FIRE(ss, "hello \"world\"");
	DYNPROBE_FIRE(ss, (const char *)longstr);
	DYNPROBE_FIRE(sd, 3.5);
	DYNPROBE_FIRE(sd, -0.125);
	DYNPROBE_FIRE(sd, 1e300);
	DYNPROBE_FIRE(sm, -8, 8, -16, 16, -32, 32, (long long)-64, 64ULL, "m", 2.25, 7, "L");
	p = dynprobe_provider_free(p);
	return 0;
}

static int run_fork(void)
{
	static const enum dynprobe_type t[] = { DYNPROBE_I32 };
	static const char *const n[] = { "who" };
	struct dynprobe_provider *p = new_provider("fork");
	struct dynprobe_probe *ev = add(p, "ev", t, 1, n);
	pid_t child;
	int status;

	CHECK(dynprobe_provider_load(p));
	DYNPROBE_FIRE(ev, (int)getpid());
	fflush(stdout);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		/* The child re-registers with the session daemon after fork;
		 * its events carry its own vpid.  Fire until recorded. */
		const char *go = getenv("DRIVER_CHILD_STOP");
		printf("child %d\n", (int)getpid());
		fflush(stdout);
		do
			DYNPROBE_FIRE(ev, (int)getpid());
		while (go && (usleep(10000), access(go, F_OK) != 0));
		_exit(0);
	}
	printf("parent %d\n", (int)getpid());
	fflush(stdout);
	waitpid(child, &status, 0);
	DYNPROBE_FIRE(ev, (int)getpid());
	p = dynprobe_provider_free(p);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

static int run_flood(long n)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64, DYNPROBE_STR };
	struct dynprobe_provider *p = new_provider("flood");
	struct dynprobe_probe *ev = add(p, "ev", t, 2, NULL);

	CHECK(dynprobe_provider_load(p));
	for (long i = 0; i < n; i++)
		DYNPROBE_FIRE(ev, (uint64_t)i, "flooding the ring buffer with a medium string");
	p = dynprobe_provider_free(p);
	return 0;
}

static struct dynprobe_probe *race_probe;
static volatile int race_stop;

static void *race_fire(void *arg)
{
	long n = 0;

	(void)arg;
	while (!race_stop) {
		DYNPROBE_FIRE(race_probe, (uint64_t)n++);
	}
	return (void *)n;
}

static int run_race(double seconds)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64 };
	struct dynprobe_provider *p = new_provider("race");
	pthread_t th[3];
	struct timespec t0, t1;
	long loads = 0;

	race_probe = add(p, "ev", t, 1, NULL);
	CHECK(dynprobe_provider_load(p));
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, race_fire, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		CHECK(dynprobe_provider_unload(p));
		/* A few reloads with a new probe set: a new object is loaded
		 * and the old one unregistered while threads keep firing. */
		if (loads < 3) {
			char name[16];
			snprintf(name, sizeof(name), "extra%ld", loads);
			add(p, name, t, 1, NULL);
		}
		CHECK(dynprobe_provider_load(p));
		loads++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while ((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	race_stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	p = dynprobe_provider_free(p);
	printf("reloads %ld\n", loads);
	return 0;
}

static int run_load(const char *name)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64, DYNPROBE_STR };
	struct dynprobe_provider *p = new_provider(name);
	char buf[128];
	int r;

	add(p, "ev", t, 2, NULL);
	r = dynprobe_provider_load(p);
	if (r < 0)
		printf("error %d %s\n", -r, dynprobe_strerror(r, buf, sizeof(buf)));
	else
		printf("ok\n");
	p = dynprobe_provider_free(p);
	return 0;
}

/* Reload with another probe set: the old object is unregistered, so each
 * call is recorded once, not once per object. */
static int run_reload(void)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64 };
	struct dynprobe_provider *p = new_provider("rl");
	struct dynprobe_probe *ev = add(p, "ev", t, 1, NULL), *ev2;

	CHECK(dynprobe_provider_load(p));
	DYNPROBE_FIRE(ev, (uint64_t)1);
	CHECK(dynprobe_provider_unload(p));
	ev2 = add(p, "ev2", t, 1, NULL);
	CHECK(dynprobe_provider_load(p));
	DYNPROBE_FIRE(ev, (uint64_t)2);
	DYNPROBE_FIRE(ev2, (uint64_t)3);
	p = dynprobe_provider_free(p);
	/* The first object again (already mapped, unregistered): it must be
	 * registered anew and record. */
	p = new_provider("rl");
	ev = add(p, "ev", t, 1, NULL);
	CHECK(dynprobe_provider_load(p));
	DYNPROBE_FIRE(ev, (uint64_t)4);
	p = dynprobe_provider_free(p);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int run_time(int nprobes, int n)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64, DYNPROBE_STR, DYNPROBE_DOUBLE };
	const char *prefix = getenv("DRIVER_PREFIX") ? getenv("DRIVER_PREFIX") : "tm";

	for (int k = 0; k < n; k++) {
		char pname[64], ename[32];
		struct dynprobe_provider *p;
		double t0;

		snprintf(pname, sizeof(pname), "%s%d_%d", prefix, nprobes, k);
		p = new_provider(pname);
		for (int i = 0; i < nprobes; i++) {
			snprintf(ename, sizeof(ename), "ev%d", i);
			add(p, ename, t, 3, NULL);
		}
		t0 = now_ms();
		CHECK(dynprobe_provider_load(p));
		printf("%.3f\n", now_ms() - t0);
		/* Kept: freeing would unregister; timing is per load only. */
	}
	return 0;
}

static int run_loglevel(void)
{
	static const enum dynprobe_type t[] = { DYNPROBE_STR };
	static const char *const names[] = { "crit", "warn", "info", "dbg", "none" };
	static const int levels[] = { DYNPROBE_LOGLEVEL_CRIT, DYNPROBE_LOGLEVEL_WARNING,
				      DYNPROBE_LOGLEVEL_INFO, DYNPROBE_LOGLEVEL_DEBUG,
				      DYNPROBE_LOGLEVEL_UNSET };
	struct dynprobe_provider *p = new_provider("ll");
	struct dynprobe_probe *pr[5];

	for (int i = 0; i < 5; i++) {
		DYNPROBE_OPTS(dynprobe_probe_opts, o, .lttng_loglevel = levels[i]);
		CHECK(dynprobe_probe_add(p, names[i], t, 1, &o, &pr[i]));
	}
	CHECK(dynprobe_provider_load(p));
	for (int i = 0; i < 5; i++)
		DYNPROBE_FIRE(pr[i], names[i]);
	p = dynprobe_provider_free(p);
	return 0;
}

static int run_filter(void)
{
	static const enum dynprobe_type t[] = { DYNPROBE_I32, DYNPROBE_STR, DYNPROBE_U64,
						DYNPROBE_DOUBLE };
	static const char *const names[] = { "n", "s", "u", "d" };
	struct dynprobe_provider *p = new_provider("flt");
	struct dynprobe_probe *ev = add(p, "ev", t, 4, names);

	CHECK(dynprobe_provider_load(p));
	for (int n = 0; n < 10; n++)
		DYNPROBE_FIRE(ev, n, n == 8 ? (const char *)NULL : n % 2 ? "odd" : "even",
			      (uint64_t)n << 40, n / 4.0);
	p = dynprobe_provider_free(p);
	return 0;
}

static struct dynprobe_probe *volatile cycle_probe;
static volatile int cycle_stop;

static void *cycle_fire(void *arg)
{
	void *volatile first;
	uint64_t n = 0;

	(void)arg;
	/* A thread's first malloc() reserves its glibc arena: 64 MiB of
	 * address space, once.  This thread's would otherwise come with its
	 * first fire of an enabled event (lttng-ust's thread-local state is
	 * in a dlopen()ed library, whose TLS block glibc allocates on each
	 * thread's first access), whenever the scheduler lets that happen:
	 * on a busy machine, inside the measured half.  Allocate here, so
	 * the bound measures what providers keep, not when this thread ran. */
	first = malloc(1);
	free(first);
	while (!cycle_stop) {
		struct dynprobe_probe *p = cycle_probe;
		if (p)
			dynprobe_fire(p, (struct dynprobe_arg[]){ dynprobe_arg_u(n++),
								  dynprobe_arg_s("cycling") }, 2);
	}
	return NULL;
}

/* With DP_MAPS_OUT=PREFIX, /proc/self/maps goes to PREFIX.CYCLE too: the
 * test shows what grew when a bound is exceeded. */
static void save_maps(long cycle)
{
	const char *prefix = getenv("DP_MAPS_OUT");
	char path[4096], buf[4096];
	FILE *in, *out;
	size_t n;

	if (!prefix || snprintf(path, sizeof(path), "%s.%ld", prefix, cycle) >= (int)sizeof(path))
		return;
	in = fopen("/proc/self/maps", "r");
	out = fopen(path, "w");
	while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

static void print_mem(long cycle)
{
	unsigned long vsz = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &vsz, &rss) != 2)
			vsz = rss = 0;
		fclose(f);
	}
	printf("mem %ld %lu %lu\n", cycle, vsz * 4, rss * 4);
	save_maps(cycle);
}

/* Providers created and freed forever must stay within bounded memory,
 * while a thread fires through handles that get freed under it. */
static int run_cycles(long n)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64, DYNPROBE_STR };
	static const enum dynprobe_type t2[] = { DYNPROBE_I32 };
	pthread_t th;

#if defined(__SANITIZE_ADDRESS__)
	printf("sanitized\n"); /* freed memory sits in ASan's quarantine */
#endif
	pthread_create(&th, NULL, cycle_fire, NULL);
	for (long i = 1; i <= n; i++) {
		struct dynprobe_provider *p = new_provider("cy");
		struct dynprobe_probe *ev = add(p, "ev", t, 2, NULL);
		add(p, "ev2", t2, 1, NULL);
		CHECK(dynprobe_provider_load(p));
		cycle_probe = ev;
		DYNPROBE_FIRE(ev, (uint64_t)i, "main");
		p = dynprobe_provider_free(p);
		if (i == 100 || i == n / 2 || i == n)
			print_mem(i);
	}
	cycle_stop = 1;
	pthread_join(th, NULL);
	return 0;
}

/* What the inline check in dynprobe.h says, next to the exact answer. */
static int run_inline(const char *which)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U32 };
	static struct dynprobe_site site = DYNPROBE_SITE_INIT;
	unsigned int backends = !strcmp(which, "usdt") ? DYNPROBE_BACKEND_USDT
			      : !strcmp(which, "lttng") ? DYNPROBE_BACKEND_LTTNG
			      : DYNPROBE_BACKEND_USDT | DYNPROBE_BACKEND_LTTNG;
	struct dynprobe_provider *p;
	struct dynprobe_probe *ev;
	char line[256];
	unsigned int n = 0;

	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = backends);
	CHECK(dynprobe_provider_new("inl", &o, &p));
	ev = add(p, "ev", t, 1, NULL);
	CHECK(dynprobe_site_bind(&site, ev));
	CHECK(dynprobe_provider_load(p));
	printf("loaded %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		int h = dynprobe__maybe_enabled(ev), st = dynprobe__maybe_enabled(&site);
		printf("inline %d %d listening %u\n", h, st, dynprobe_probe_listening(ev));
		DYNPROBE_FIRE(&site, ++n);
	}
	p = dynprobe_provider_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "values"))
		return run_values(argc > 2 ? argv[2] : NULL);
	if (argc >= 2 && !strcmp(argv[1], "reload"))
		return run_reload();
	if (argc >= 2 && !strcmp(argv[1], "fork"))
		return run_fork();
	if (argc >= 3 && !strcmp(argv[1], "flood"))
		return run_flood(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "race"))
		return run_race(atof(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "load"))
		return run_load(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "loglevel"))
		return run_loglevel();
	if (argc >= 2 && !strcmp(argv[1], "filter"))
		return run_filter();
	if (argc >= 3 && !strcmp(argv[1], "cycles"))
		return run_cycles(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "inline"))
		return run_inline(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "time"))
		return run_time(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: lttng-driver values|fork|flood N|race S|load NAME|time NPROBES N|inline usdt|lttng|both\n");
	return 2;
}
