/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the library's shared internals: provider and probe objects,
 * the converted-value representation handed to backends, and the
 * descriptions backends build from (backend.h has the backend interface).
 * Nothing here is installed.
 */
#ifndef DYNPROBE_INTERNAL_H
#define DYNPROBE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dynprobe.h"

#define DP_HIDDEN __attribute__((visibility("hidden")))

/* One fired argument after conversion to its declared type: integers are
 * truncated to the declared width and then sign- or zero-extended to 64 bits,
 * exactly as C assignment to the declared type would; doubles are doubles;
 * strings are pointers (possibly NULL). */
union dp_value {
	int64_t i;
	uint64_t u;
	double d;
	const char *s;
};

/* Everything a backend needs to know about a probe. */
struct dp_probe_desc {
	const char *name;
	size_t nargs;
	enum dynprobe_type types[DYNPROBE_MAX_ARGS];
	const char *arg_names[DYNPROBE_MAX_ARGS]; /* never NULL: "argN" default */
	int lttng_loglevel;    /* DYNPROBE_LOGLEVEL_*, 0: unset */
};

/* Everything a backend needs to know about a provider being loaded. */
struct dp_provider_desc {
	const char *name;
	size_t nprobes;
	const struct dp_probe_desc *const *probes;
	const char *cache_dir;       /* NULL: backend default */
	const char *prebuilt_path;   /* NULL: backend default */
	unsigned int lttng_mode;     /* DYNPROBE_LTTNG_MODE_* (AUTO: backend default) */
	const char *usdt_dir;        /* NULL: backend default */
};

/* One probe's site on one backend, filled by the backend's load() (see
 * backend.h): the watch base it offers to the inline check (NULL: none)
 * and two words only that backend reads. */
struct dp_site {
	const volatile uint8_t *watch;
	uintptr_t word[2];
};

/* A provider publishes on at most this many backends at once. */
#define DP_PROBE_SITES 2

/* Per-probe sites of one load, as the slow path reads them.  backend[k]
 * is 1 + the table index of the backend whose site is sites[k], 0 when
 * site k is not loaded (nothing loaded: not loaded at all).  Unloading
 * clears backend[] and keeps the sites, for a reload of the same images. */
struct dp_probe_live {
	uint8_t backend[DP_PROBE_SITES];
	uint8_t nargs;
	uint8_t types[DYNPROBE_MAX_ARGS]; /* enum dynprobe_type */
	struct dp_site sites[DP_PROBE_SITES];
};

/* The probe object.  `watch` must stay first: dynprobe.h reads it inline.
 * Probes live in a slab that is never freed, and everything their sites
 * point at is never unmapped, so a reader can never fault; `live` is
 * published under the sequence counter `seq` (odd while a writer changes
 * it) and readers take a consistent copy (see fire.c). */
struct dynprobe_probe {
	struct dynprobe__watch watch;
	unsigned int seq;
	struct dp_probe_live live;
	struct dp_probe_desc desc;
	struct dynprobe_provider *provider;
	struct dynprobe_site *sites;      /* bound sites, kept in step with watch */
	struct dynprobe_probe *next_free; /* slab free list */
};

/* ---- shared helpers ---- */
/* Convert one fired value to the declared type as C assignment would;
 * false for a string where a number is declared, or the reverse. */
DP_HIDDEN bool dp_convert_arg(enum dynprobe_type type, const struct dynprobe_arg *arg,
			      union dp_value *out);
/* Publish a load's sites (NULL: not loaded) to the slow path and point the
 * inline watch at them.  Writers of one probe must be serialized. */
DP_HIDDEN void dp_probe_publish(struct dynprobe_probe *probe, const struct dp_probe_live *live);
DP_HIDDEN bool dp_name_valid(const char *name, size_t max_len);

/* Environment variables, read with secure_getenv() (env.c owns the list). */
enum dp_env_var {
	DP_ENV_DEBUG,
	DP_ENV_BACKENDS,
	DP_ENV_LTTNG_MODE,
	DP_ENV_CACHE_DIR,
	DP_ENV_TP_PATH,
	DP_ENV_USDT_DIR,
	DP_ENV_USDT_STUB,
	DP_ENV_USDT_NO_MEMFD,
	DP_ENV_CC,
	DP_ENV_PATH,
	DP_ENV_TMPDIR,
	DP_ENV_HOME,
	DP_ENV_XDG_CACHE_HOME,
	DP_ENV_XDG_RUNTIME_DIR,
	DP_ENV_COUNT
};
/* The variable's value, or NULL when unset or in a privileged process. */
DP_HIDDEN const char *dp_env(enum dp_env_var var);
DP_HIDDEN const char *dp_env_name(enum dp_env_var var);
/* Messages to the application's log handler (dynprobe_set_log_handler;
 * by default stderr when DYNPROBE_DEBUG is set); preserve errno.  dp_log()
 * is dp_logl(DYNPROBE_LOG_DEBUG, ...). */
DP_HIDDEN void dp_logl(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
DP_HIDDEN void dp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* DYNPROBE_INTERNAL_H */
