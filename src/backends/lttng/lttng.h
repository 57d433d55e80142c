/* SPDX-License-Identifier: MIT */
/* lttng.h - LTTng backend internals shared by its files: lttng_backend.c
 * (the adapter to backend.h), lttng_load.c (mode choice, compiled mode),
 * lttng_runtime.c (runtime mode), lttng_ust_lib.c (liblttng-ust itself),
 * lttng_records.c (where call-site records live) and lttng_cache.c (what
 * compiled objects are trusted). */
#ifndef DYNPROBE_LTTNG_H
#define DYNPROBE_LTTNG_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "internal.h"
#include "ust_abi.h"
#include "watch.h"

struct dp_lttng_image;

/* What a loaded LTTng provider tells the core about one probe (event):
 * compiled mode fills state and fire; runtime mode fills ctx and gen (its
 * event slot and incarnation, see lttng_runtime.c) and leaves fire NULL. */
typedef void (*dp_lttng_fire_fn)(const union dp_value *values);
struct dp_lttng_site {
	const volatile int *state;          /* the tracepoint's enabled state */
	dp_lttng_fire_fn fire;              /* records one event */
	/* The inline check's base: DYNPROBE__WATCH_DISTANCE before the state
	 * mirror (see watch.h), or NULL when there is none. */
	const volatile uint8_t *watch_base;
	const void *ctx;
	uint64_t gen;
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
/* How the image was built: DYNPROBE_LTTNG_MODE_RUNTIME or _COMPILED. */
DP_HIDDEN int dp_lttng_image_mode(const struct dp_lttng_image *image);
/* The compiled object's path ("" in runtime mode) and whether it was a
 * prebuilt one (`dynprobe tp`) rather than the cache's: `dynprobe list`. */
DP_HIDDEN const char *dp_lttng_image_object(const struct dp_lttng_image *image,
					    bool *ret_prebuilt);
/* Whether this build has the LTTng backend at all. */
DP_HIDDEN bool dp_lttng_available(void);

/* ---- liblttng-ust (lttng_ust_lib.c) ---- */
struct dp_ust_lib {
	void *handle;
	void *(*probe_register)(const struct dp_ust_probe_desc *desc);
	void (*probe_unregister)(void *registered);
	int (*module_register)(struct dp_ust_tracepoint *const *records, int n);
	int (*module_unregister)(struct dp_ust_tracepoint *const *records);
	void (*rcu_read_lock)(void);
	void (*rcu_read_unlock)(void);
	void (*synchronize_rcu)(void);
};
/* Refuse a process where loading lttng-ust would crash or abort it (static
 * program, lttng-ust 2.12 already loaded): -DYNPROBE_ENOLTTNG, logged. */
DP_HIDDEN int dp_ust_process_check(void);
/* liblttng-ust.so.1, loaded once and checked: 0 and *ret, or
 * -DYNPROBE_ENOLTTNG (the reason is logged). */
DP_HIDDEN int dp_ust_lib_get(const struct dp_ust_lib **ret);
/* lttng-ust's fork handlers, registered once per process. */
DP_HIDDEN void dp_ust_register_atfork(void *handle);

/* Serialises registrations with lttng-ust (and the compiled objects'
 * registration counts, which are not atomic). */
DP_HIDDEN extern pthread_mutex_t dp_lttng_lock;

/* ---- call-site record slots (lttng_records.c) ---- */
/* A slot holds one record; the inline check's base for a record whose
 * state is at offset S in a slot is slot + S - DYNPROBE__WATCH_DISTANCE. */
#define DP_LTTNG_RECORD_SLOT DP_WATCH_SHARED_STRIDE /* src/watch.h: the same stride as a host's shared cells */
DP_HIDDEN int dp_lttng_records_alloc(size_t n, uint8_t **ret_slots);
/* Only once no fire can act on them any more. */
DP_HIDDEN void dp_lttng_records_free(uint8_t *const *slots, size_t n);

/* ---- runtime mode (lttng_runtime.c) ---- */
struct dp_lttng_rt;
/* Build and register the provider from its descriptors; fill sites[i].
 * `cells` as for dp_lttng_load().  -DYNPROBE_ENOLTTNG, -DYNPROBE_ENAME,
 * -ENOMEM; nothing stays registered on error. */
DP_HIDDEN int dp_lttng_rt_load(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
			       struct dp_lttng_site *sites, struct dp_lttng_rt **ret);
DP_HIDDEN void dp_lttng_rt_release(struct dp_lttng_rt *rt);
/* The fire path of a runtime site (any thread, no lock): its state word
 * (always readable), and one event recorded if the event slot `ctx` is
 * still incarnation `gen`, nothing otherwise. */
DP_HIDDEN const volatile int *dp_lttng_rt_state(const void *ctx);
DP_HIDDEN void dp_lttng_rt_fire(const void *ctx, uint64_t gen, const union dp_value *values);

/* A site (backend.h's struct dp_site) in either mode: compiled, word = {
 * state word, fire function }; runtime, word = { event slot |
 * DP_LTTNG_SITE_RUNTIME, its incarnation }.  The backend's fire path. */
#define DP_LTTNG_SITE_RUNTIME ((uintptr_t)1)
DP_HIDDEN bool dp_lttng_site_enabled(const struct dp_site *site);
DP_HIDDEN void dp_lttng_site_fire(const struct dp_site *site, size_t nargs,
				  const union dp_value *values);
DP_HIDDEN int dp_lttng_site_fire_args(const volatile uint8_t *watch, uintptr_t word0,
				      uintptr_t word1, dp_fire_sig sig,
				      const struct dynprobe_arg *args);

/* ---- compiled mode: trusted objects (lttng_cache.c) ---- */
/* Resolve the cache directory (opt, else $DYNPROBE_CACHE_DIR, else
 * $XDG_CACHE_HOME/dynprobe, else ~/.cache/dynprobe) into buf, create it
 * 0700 if missing, open and check it: 0 and a directory descriptor in
 * *ret_fd, or -DYNPROBE_ECACHE with the path and the rule logged. */
DP_HIDDEN int dp_lttng_cache_dir(const char *opt, char *buf, size_t len, int *ret_fd);

/* Open `name` in the checked directory `dirfd` (called `dir` in messages)
 * and check it on its descriptor: a regular file, not a symlink, owned by
 * the effective user (or root when allow_root), not writable by group or
 * others.  The descriptor, -ENOENT, or -DYNPROBE_ECACHE (logged). */
DP_HIDDEN int dp_lttng_open_object(int dirfd, const char *dir, const char *name, bool allow_root);

/* Search a ':'-separated list of prebuilt directories (opt, else
 * $DYNPROBE_TP_PATH) for `name`: a checked descriptor and the path (for
 * messages) in buf, or -ENOENT. */
DP_HIDDEN int dp_lttng_find_prebuilt(const char *opt, const char *name, char *buf, size_t len);

#endif
