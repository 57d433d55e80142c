/* SPDX-License-Identifier: MIT */
/*
 * dpbench_tp.c - instantiates the static lttng-ust provider of
 * dpbench_tp.h inside the benchmark executable (probes and tracepoint
 * definitions in one object, as lttng-ust(3) allows for a provider that is
 * linked statically into the application).
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "dpbench_tp.h"
