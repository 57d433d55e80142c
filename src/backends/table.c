/* SPDX-License-Identifier: MIT */
/*
 * table.c - the backend table: one line per backend, in load order (a
 * backend that hosts shared cells before the ones that mirror into them,
 * see backend.h).  Adding a backend is a folder under src/backends/ that
 * defines `const struct dp_backend dp_backend_<name>`, and one line here.
 *
 * The references to optional backends are weak and hidden: a backend whose
 * folder is left out of a build reads as NULL and the core skips it.  That
 * is how the toy backend of tests/unit/test_backend.c is in the table
 * without being in the library: only the test's build links
 * src/backends/toy/.  USDT and LTTng are in every build (LTTng as
 * lttng_unavailable.c without lttng-ust), and their references are
 * strong: a weak one would not pull their objects out of libdynprobe.a
 * into a statically linked program, which would then have no backend.
 */
#include <string.h>

#include "backend.h"

#define DP_BACKEND(name)                                                                           \
	extern const struct dp_backend dp_backend_##name                                           \
	    __attribute__((weak, visibility("hidden")));
#define DP_BACKEND_STRONG(name)                                                                    \
	extern const struct dp_backend dp_backend_##name __attribute__((visibility("hidden")));
#define DP_BACKEND_ENTRY(name) &dp_backend_##name,

#define DP_BACKENDS(X)                                                                             \
	X(usdt)                                                                                    \
	X(lttng)                                                                                   \
	X(toy)

DP_BACKEND_STRONG(usdt)
DP_BACKEND_STRONG(lttng)
DP_BACKEND(toy)

const struct dp_backend *const dp_backend_table[] = {DP_BACKENDS(DP_BACKEND_ENTRY)};
const size_t dp_backend_count = sizeof(dp_backend_table) / sizeof(dp_backend_table[0]);

const struct dp_backend *dp_backend_by_mask(unsigned int mask)
{
	for (size_t k = 0; k < dp_backend_count; k++)
		if (dp_backend_table[k] && dp_backend_table[k]->mask == mask)
			return dp_backend_table[k];
	return NULL;
}

const struct dp_backend *dp_backend_by_name(const char *name)
{
	for (size_t k = 0; k < dp_backend_count; k++)
		if (dp_backend_table[k] && !strcmp(dp_backend_table[k]->name, name))
			return dp_backend_table[k];
	return NULL;
}
