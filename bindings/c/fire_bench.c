/* SPDX-License-Identifier: MIT */
/*
 * fire_bench.c - the C figure next to the bindings' in bench/bindings_bench.sh:
 * the same probe (u64, str), the same modes, the same output as
 * bindings/{ruby,python}/bench/fire_bench.*.
 *
 *   fire_bench MODE [ITERATIONS] [RUNS]
 *     disabled       the empty loop, an empty call through a function
 *                    pointer with the same arguments, then DYNPROBE_FIRE on
 *                    a loaded probe nobody listens to
 *     disabled_both  DYNPROBE_FIRE, provider loaded on USDT and LTTng
 *     enabled        once a tracer listens, DYNPROBE_FIRE
 *   prints "ready PID", then "NAME NS" (median of RUNS runs, round-robin).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline)) static int empty(uint64_t a, const char *s)
{
	__asm__ __volatile__("" : : "r"(a), "r"(s) : "memory");
	return 0;
}

static int (*volatile empty_fn)(uint64_t, const char *) = empty;
static struct dynprobe_probe *probe;

static double run_loop(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		__asm__ __volatile__("" : : "r"(i) : "memory");
	return (double)(now_ns() - t0) / (double)n;
}

static double run_empty(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		empty_fn((uint64_t)i, "payload");
	return (double)(now_ns() - t0) / (double)n;
}

static double run_fire(long n)
{
	uint64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		DYNPROBE_FIRE(probe, (uint64_t)i, "payload");
	return (double)(now_ns() - t0) / (double)n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run the cases round-robin and print the median of each. */
static void medians(int runs, long n, int ncases, const char *const *names,
		    double (*const *fns)(long))
{
	double s[3][64];

	if (runs > 64)
		runs = 64;
	for (int r = 0; r < runs; r++)
		for (int c = 0; c < ncases; c++)
			s[c][r] = fns[c](n);
	for (int c = 0; c < ncases; c++) {
		qsort(s[c], (size_t)runs, sizeof(double), cmp);
		printf("%s %.2f\n", names[c], s[c][runs / 2]);
	}
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "disabled";
	long n = argc > 2 ? atol(argv[2]) : 10000000;
	int runs = argc > 3 ? atoi(argv[3]) : 7;
	int both = !strcmp(mode, "disabled_both");
	enum dynprobe_type sig[] = { DYNPROBE_U64, DYNPROBE_STR };
	struct dynprobe_provider *prov;
	char buf[256];
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	DYNPROBE_OPTS(dynprobe_provider_opts, o,
		      .backends = both ? DYNPROBE_BACKEND_ALL : DYNPROBE_BACKEND_USDT);
	err = dynprobe_provider_new("cbench", &o, &prov);
	if (!err)
		err = dynprobe_probe_add(prov, "tick", sig, 2, NULL, &probe);
	if (!err)
		err = dynprobe_provider_load(prov);
	if (err < 0 || (both && dynprobe_provider_loaded_backends(prov) != DYNPROBE_BACKEND_ALL)) {
		fprintf(stderr, "fire_bench: %s\n", dynprobe_strerror(err, buf, sizeof(buf)));
		return 1;
	}
	printf("ready %d\n", (int)getpid());
	if (!strcmp(mode, "disabled")) {
		const char *names[] = { "loop", "empty", "disabled" };
		double (*fns[])(long) = { run_loop, run_empty, run_fire };

		medians(runs, n, 3, names, fns);
	} else if (both) {
		const char *names[] = { "disabled_both" };
		double (*fns[])(long) = { run_fire };

		medians(runs, n, 1, names, fns);
	} else if (!strcmp(mode, "enabled")) {
		const char *names[] = { "enabled" };
		double (*fns[])(long) = { run_fire };
		uint64_t deadline = now_ns() + 60000000000u, warm;

		while (!DYNPROBE_ENABLED(probe)) {
			if (now_ns() > deadline) {
				fprintf(stderr, "fire_bench: no tracer attached within 60 s\n");
				return 1;
			}
			usleep(10000);
		}
		/* Enabled a moment before the tracer's program is hooked. */
		for (warm = now_ns() + 500000000u; now_ns() < warm;)
			DYNPROBE_FIRE(probe, (uint64_t)1, "payload");
		medians(runs, n, 1, names, fns);
	} else {
		fprintf(stderr, "fire_bench: unknown mode %s\n", mode);
		return 2;
	}
	dynprobe_provider_free(prov);
	return 0;
}
