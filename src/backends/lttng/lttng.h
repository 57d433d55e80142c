/* SPDX-License-Identifier: MIT */
/* lttng.h - LTTng backend internals shared by lttng_load.c and
 * lttng_cache.c. */
#ifndef DYNPROBE_LTTNG_H
#define DYNPROBE_LTTNG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

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
