/* SPDX-License-Identifier: MIT */
/*
 * gen_static_tp.h - a compiled-in lttng-ust provider with the same event
 * and field layout the dynprobe LTTng backend generates for
 *   provider "dpgen", probe "req" (str, i64, i64, double) -> dpgen:req
 * so the consumer tests can record traces without the library.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER dpgen

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "./gen_static_tp.h"

#if !defined(GEN_STATIC_TP_H) || defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define GEN_STATIC_TP_H

#include <stdint.h>
#include <lttng/tracepoint.h>

LTTNG_UST_TRACEPOINT_EVENT(dpgen, req,
	LTTNG_UST_TP_ARGS(const char *, method, int64_t, lat, int64_t, sv, double, rv),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_string(arg0, method)
		lttng_ust_field_integer(int64_t, arg1, lat)
		lttng_ust_field_integer(int64_t, arg2, sv)
		lttng_ust_field_float(double, arg3, rv)
	)
)

LTTNG_UST_TRACEPOINT_EVENT(dpgen, tick,
	LTTNG_UST_TP_ARGS(uint64_t, i),
	LTTNG_UST_TP_FIELDS(
		lttng_ust_field_integer(uint64_t, arg0, i)
	)
)

#endif

#include <lttng/tracepoint-event.h>
