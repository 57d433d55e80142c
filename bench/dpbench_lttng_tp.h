/* SPDX-License-Identifier: MIT */
/*
 * dpbench_lttng_tp.h - static lttng-ust tracepoints with exactly the fields
 * of dpbench-lttng's dynprobe probes: p0 (none), p2 (a:int64 s:string), p6
 * (a:int64 s:string b:uint32 c:int64 d:uint64 e:int32) and p12 (p6, then
 * f:int8 g:uint16 h:double i:string j:uint8 k:int16; passed as one struct
 * pointer, since a tracepoint takes at most 10 arguments).
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER dpbl_ust

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./dpbench_lttng_tp.h"

#if !defined(DPBENCH_LTTNG_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define DPBENCH_LTTNG_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

#ifndef DPBL_A12_DEFINED
#define DPBL_A12_DEFINED
struct dpbl_a12 {
	int64_t a;
	const char *s;
	uint32_t b;
	int64_t c;
	uint64_t d;
	int32_t e;
	int8_t f;
	uint16_t g;
	double h;
	const char *i;
	uint8_t j;
	int16_t k;
};
#endif

LTTNG_UST_TRACEPOINT_EVENT(dpbl_ust, p0, LTTNG_UST_TP_ARGS(), LTTNG_UST_TP_FIELDS())

LTTNG_UST_TRACEPOINT_EVENT(dpbl_ust, p2,
	LTTNG_UST_TP_ARGS(int64_t, a, const char *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, a, a)
		lttng_ust_field_string(s, s)))

LTTNG_UST_TRACEPOINT_EVENT(dpbl_ust, p6,
	LTTNG_UST_TP_ARGS(int64_t, a, const char *, s, uint32_t, b, int64_t, c, uint64_t, d,
			  int32_t, e),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, a, a)
		lttng_ust_field_string(s, s)
		lttng_ust_field_integer(uint32_t, b, b)
		lttng_ust_field_integer(int64_t, c, c)
		lttng_ust_field_integer(uint64_t, d, d)
		lttng_ust_field_integer(int32_t, e, e)))

LTTNG_UST_TRACEPOINT_EVENT(dpbl_ust, p12,
	LTTNG_UST_TP_ARGS(const struct dpbl_a12 *, v),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, a, v->a)
		lttng_ust_field_string(s, v->s)
		lttng_ust_field_integer(uint32_t, b, v->b)
		lttng_ust_field_integer(int64_t, c, v->c)
		lttng_ust_field_integer(uint64_t, d, v->d)
		lttng_ust_field_integer(int32_t, e, v->e)
		lttng_ust_field_integer(int8_t, f, v->f)
		lttng_ust_field_integer(uint16_t, g, v->g)
		lttng_ust_field_float(double, h, v->h)
		lttng_ust_field_string(i, v->i)
		lttng_ust_field_integer(uint8_t, j, v->j)
		lttng_ust_field_integer(int16_t, k, v->k)))

#endif /* DPBENCH_LTTNG_TP_H */

#include <lttng/tracepoint-event.h>
