/* SPDX-License-Identifier: MIT */
/* toy.h - a backend that records fires into an array, to show (and test)
 * that a backend is a folder plus one line in backends/table.c.  Built
 * only into tests/unit/test_backend. */
#ifndef DYNPROBE_TOY_H
#define DYNPROBE_TOY_H

#include "internal.h"

#define DP_TOY_BACKEND 0x100u /* its DYNPROBE_BACKEND_* bit */
#define DP_TOY_MAX_FIRES 64
#define DP_TOY_MAX_PROBES 256

struct dp_toy_fire {
	const char *provider;
	const char *probe;
	size_t nargs;
	union dp_value values[DYNPROBE_MAX_ARGS];
};

/* What the toy "tracer" does: listen to probe `probe` of `provider`. */
DP_HIDDEN int dp_toy_listen(const char *provider, const char *probe, bool on);
DP_HIDDEN extern struct dp_toy_fire dp_toy_fires[DP_TOY_MAX_FIRES];
DP_HIDDEN extern size_t dp_toy_nfires;
/* How many images are loaded (state on) and how many were released. */
DP_HIDDEN extern int dp_toy_loaded, dp_toy_released;
/* Calls of its site_fire_args() (the core's shortcut for a probe loaded
 * on one backend only). */
DP_HIDDEN extern size_t dp_toy_shortcuts;

#endif
