/* SPDX-License-Identifier: MIT */
/*
 * dpbench_tp.h - the compiled-in lttng-ust tracepoint provider that the
 * benchmark uses as the native LTTng reference.
 *
 * Its events carry exactly the fields the dynprobe LTTng cells declare
 * (p0: none; p2: a:int64 s:string; p6: a:int64 s:string b:uint32 c:int64
 * d:uint64 e:int32), so "dynprobe LTTng vs static tracepoint" compares the
 * same ring-buffer payload and differs only in how the call site reaches
 * the probe callback.  This is the ordinary lttng-ust(3) two-part pattern:
 * this header is included by the call sites, and by dpbench_tp.c with
 * LTTNG_UST_TRACEPOINT_CREATE_PROBES to instantiate the probes.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER dpbench_ust

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./dpbench_tp.h"

#if !defined(DPBENCH_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define DPBENCH_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(dpbench_ust, p0,
	LTTNG_UST_TP_ARGS(),
	LTTNG_UST_TP_FIELDS()
)

LTTNG_UST_TRACEPOINT_EVENT(dpbench_ust, p2,
	LTTNG_UST_TP_ARGS(int64_t, a, const char *, s),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, a, a)
		lttng_ust_field_string(s, s)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(dpbench_ust, p6,
	LTTNG_UST_TP_ARGS(int64_t, a, const char *, s, uint32_t, b,
			  int64_t, c, uint64_t, d, int32_t, e),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(int64_t, a, a)
		lttng_ust_field_string(s, s)
		lttng_ust_field_integer(uint32_t, b, b)
		lttng_ust_field_integer(int64_t, c, c)
		lttng_ust_field_integer(uint64_t, d, d)
		lttng_ust_field_integer(int32_t, e, e)
	)
)

#endif /* DPBENCH_TP_H */

#include <lttng/tracepoint-event.h>
