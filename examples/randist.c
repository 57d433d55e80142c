/* SPDX-License-Identifier: MIT */
/*
 * randist - fires pseudo-random integers in [0, 100) as fast as it can, to
 * see a distribution with bpftrace's lhist:
 *
 *   ./build/examples/randist &
 *   bpftrace -p $! -e 'usdt::global:randist { @ = lhist(arg0, 0, 100, 10); }'
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <dynprobe.h>

int main(int argc, char **argv)
{
	static const enum dynprobe_type sig[] = { DYNPROBE_I64 };
	struct dynprobe_provider *prov = NULL;
	struct dynprobe_probe *randist = NULL;
	long seconds = argc > 1 ? atol(argv[1]) : -1; /* -1: forever */
	char err[256];
	int r;

	r = dynprobe_provider_new("global", NULL, &prov);
	if (r == 0)
		r = dynprobe_probe_add(prov, "randist", sig, 1, NULL, &randist);
	if (r == 0)
		r = dynprobe_provider_load(prov);
	if (r < 0) {
		fprintf(stderr, "randist: %s\n", dynprobe_strerror(r, err, sizeof(err)));
		return 1;
	}
	printf("pid %d: probe usdt::global:randist\n", (int)getpid());
	fflush(stdout);
	srandom(1);
	for (long ms = 0; seconds < 0 || ms < seconds * 1000; ms++) {
		/* About 1,000 events a millisecond when traced; nothing when not. */
		for (int i = 0; i < 1000; i++)
			DYNPROBE_FIRE(randist, (int64_t)(random() % 100));
		usleep(1000);
	}
	dynprobe_provider_free(prov);
	return 0;
}
