/* SPDX-License-Identifier: MIT */
/*
 * latency - the seed report's nsec example: measures how long reading the
 * monotonic clock takes and fires the latency in nanoseconds, about a
 * thousand times a second:
 *
 *   ./build/examples/latency &
 *   bpftrace -p $! -e 'usdt::global:nsec_latency { @ = hist(arg0); }'
 *   bpftrace -p $! -e 'usdt::global:nsec_latency { @ = lhist(arg0, 0, 3000, 100); }'
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

static uint64_t nsec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const enum dynprobe_type sig[] = { DYNPROBE_U64 };
	static const char *const names[] = { "ns" };
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *latency = NULL;
	long count = argc > 1 ? atol(argv[1]) : -1; /* -1: forever */
	char err[256];
	int r;

	/* DYNPROBE_BACKENDS=lttng (or usdt,lttng) publishes it for lttng too. */
	DYNPROBE_OPTS(dynprobe_probe_opts, popts, .arg_names = names);
	r = dynprobe_provider_new("global", NULL, &prov);
	if (r == 0)
		r = dynprobe_probe_add(prov, "nsec_latency", sig, 1, &popts, &latency);
	if (r == 0)
		r = dynprobe_provider_load(prov);
	if (r < 0) {
		fprintf(stderr, "latency: %s\n", dynprobe_strerror(r, err, sizeof(err)));
		return 1;
	}
	printf("pid %d: probe global:nsec_latency\n", (int)getpid());
	fflush(stdout);
	for (long i = 0; count < 0 || i < count; i++) {
		uint64_t s = nsec();
		nsec();
		uint64_t f = nsec();
		DYNPROBE_FIRE(latency, f - s);
		usleep(1000);
	}
	dynprobe_provider_free(prov);
	return 0;
}
