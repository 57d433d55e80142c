/* SPDX-License-Identifier: MIT */
/*
 * gen_values.h - the deterministic value sequence both trace generators
 * fire (static lttng-ust provider and dynprobe library), so the tests know
 * every recorded value: they are also written to a dump file, from which
 * the test computes exact counts, sums, buckets and percentiles.
 *
 *   arg0  method: GET, POST, PUT, DELETE
 *   arg1  "latency": 0 .. 2^24, spread over many powers of two
 *   arg2  signed: -1000 .. 1000
 *   arg3  real: arg1 / 1000 + 0.25
 */
#ifndef DYNPROBE_TESTS_GEN_VALUES_H
#define DYNPROBE_TESTS_GEN_VALUES_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

struct gen_value {
	const char *method;
	int64_t lat, sv;
	double rv;
};

static inline void gen_next(uint64_t *state, struct gen_value *v)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "DELETE" };
	uint64_t x = *state, r;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	r = x * 2685821657736338717ull;
	v->method = methods[(r >> 8) % 4];
	v->lat = (int64_t)((r >> 40) >> (r % 17));
	v->sv = (int64_t)(r % 2001) - 1000;
	v->rv = (double)v->lat / 1000.0 + 0.25;
}

static inline void gen_dump(FILE *f, const struct gen_value *v)
{
	fprintf(f, "%s %" PRId64 " %" PRId64 " %.17g\n", v->method, v->lat, v->sv, v->rv);
}

#endif
