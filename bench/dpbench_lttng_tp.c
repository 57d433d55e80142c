/* SPDX-License-Identifier: MIT */
/* The static reference tracepoints of dpbench-lttng (see the header). */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE
#include "dpbench_lttng_tp.h"
