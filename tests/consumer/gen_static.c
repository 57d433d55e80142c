/* SPDX-License-Identifier: MIT */
/*
 * gen_static - fire N dpgen:req events (and N/10 dpgen:tick) through a
 * compiled-in lttng-ust provider; optionally dump the values.
 *
 *   gen_static N [SEED [DUMPFILE]]
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "gen_static_tp.h"

#include <stdlib.h>

#include "gen_values.h"

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 1000;
	uint64_t state = argc > 2 ? strtoull(argv[2], NULL, 0) : 42;
	FILE *dump = NULL;
	struct gen_value v;

	if (argc > 3 && !(dump = fopen(argv[3], "w"))) {
		perror(argv[3]);
		return 1;
	}
	state = state ? state : 1;   /* xorshift must not start at 0 */
	for (uint64_t i = 0; i < n; i++) {
		gen_next(&state, &v);
		lttng_ust_tracepoint(dpgen, req, v.method, v.lat, v.sv, v.rv);
		if (i % 10 == 0)
			lttng_ust_tracepoint(dpgen, tick, i);
		if (dump)
			gen_dump(dump, &v);
	}
	if (dump && fclose(dump)) {
		perror(argv[3]);
		return 1;
	}
	return 0;
}
