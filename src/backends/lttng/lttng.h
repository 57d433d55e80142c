/* SPDX-License-Identifier: MIT */
/* lttng.h - LTTng backend internals shared by lttng_load.c,
 * lttng_cache.c and the adapter lttng_backend.c. */
#ifndef DYNPROBE_LTTNG_H
#define DYNPROBE_LTTNG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

struct dp_lttng_image;

/* What a loaded LTTng provider tells the core about one probe (event). */
typedef void (*dp_lttng_fire_fn)(const union dp_value *values);
struct dp_lttng_site {
	const volatile int *state;          /* the tracepoint's enabled state */
	dp_lttng_fire_fn fire;              /* records one event */
	/* The inline check's base: DYNPROBE__WATCH_DISTANCE before the state
	 * mirror (see dynprobe.h), or NULL when there is none. */
	const volatile uint8_t *watch_base;
};

/* Generate, compile or find in the cache, dlopen, and fill sites[i].  The
 * object is never dlclose()d.  Errors: -DYNPROBE_ENOCOMPILER,
 * -DYNPROBE_ENOLTTNG, -DYNPROBE_ECACHE, -DYNPROBE_ECOMPILE, -errno.
 * `cells`: NULL, or per probe the address of a host's cell (an 8-byte
 * window, see watch.h) whose first 4 bytes are to mirror the tracepoint
 * state; with NULL the backend finds room for the mirrors itself.
 * lttng_backend.c adapts these to backend.h. */
DP_HIDDEN int dp_lttng_load(const struct dp_provider_desc *desc,
			    volatile uint8_t *const *cells,
			    struct dp_lttng_site *sites,
			    struct dp_lttng_image **ret_image);
DP_HIDDEN void dp_lttng_release(struct dp_lttng_image *image);
/* Whether this build has the LTTng backend at all. */
DP_HIDDEN bool dp_lttng_available(void);

/* Resolve the cache directory (opt, else $DYNPROBE_CACHE_DIR, else
 * $XDG_CACHE_HOME/dynprobe, else ~/.cache/dynprobe), create it 0700 if
 * missing and check that it is trusted.  -DYNPROBE_ECACHE otherwise. */
DP_HIDDEN int dp_lttng_cache_dir(const char *opt, char *buf, size_t len);

/* Check dir/name before dlopen(): a regular file, not a symlink, owned by
 * the effective user (or by root when allow_root), not writable by group or
 * others.  0, -ENOENT, or -DYNPROBE_ECACHE. */
DP_HIDDEN int dp_lttng_check_object(const char *dir, const char *name, bool allow_root);

/* Search a ':'-separated list of prebuilt directories (opt, else
 * $DYNPROBE_TP_PATH) for `name`; 0 and the path in buf, or -ENOENT. */
DP_HIDDEN int dp_lttng_find_prebuilt(const char *opt, const char *name, char *buf, size_t len);

#endif
