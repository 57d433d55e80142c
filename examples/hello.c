/* SPDX-License-Identifier: MIT */
/*
 * hello - the seed report's hello world: a probe with an integer and a
 * string, checked and fired once a second.
 *
 *   ./build/examples/hello &
 *   bpftrace -p $! -e 'usdt::global:hello_nsec { printf("%lld %s\n", arg0, str(arg1)); }'
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
	static const enum dynprobe_type sig[] = { DYNPROBE_I64, DYNPROBE_STR };
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *hello = NULL;
	long count = argc > 1 ? atol(argv[1]) : -1; /* -1: forever */
	char err[256];
	int r;

	r = dynprobe_provider_new("global", NULL, &prov);
	if (r == 0)
		r = dynprobe_probe_add(prov, "hello_nsec", sig, 2, NULL, &hello);
	if (r == 0)
		r = dynprobe_provider_load(prov);
	if (r < 0) {
		fprintf(stderr, "hello: %s\n", dynprobe_strerror(r, err, sizeof(err)));
		return 1;
	}
	printf("pid %d: probe usdt::global:hello_nsec\n", (int)getpid());
	fflush(stdout);
	for (long i = 0; count < 0 || i < count; i++) {
		if (DYNPROBE_ENABLED(hello)) {
			DYNPROBE_FIRE(hello, (int64_t)nsec(), "Hello world");
			puts("Probe fired!");
		} else {
			puts("Not enabled");
		}
		fflush(stdout);
		sleep(1);
	}
	dynprobe_provider_free(prov);
	return 0;
}
