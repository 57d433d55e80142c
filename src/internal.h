/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the library's shared internals: provider and probe objects,
 * the converted-value representation handed to backends, and the backend
 * entry points.  Nothing here is installed.
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

struct dp_usdt_image;
struct dp_lttng_image;

/* What a loaded USDT image tells the core about one probe. */
struct dp_usdt_site {
	const volatile uint8_t *stub;       /* first byte of the called stub */
	/* The inline check's base: the stub's slot (see dynprobe.h); the
	 * probe's cell is DYNPROBE__WATCH_DISTANCE after it. */
	const volatile uint8_t *watch;
	volatile uint16_t *sem;             /* the semaphore, in the cell */
	uint16_t stub_idle;                 /* first two stub bytes, unpatched */
};

/* What a loaded LTTng provider tells the core about one probe (event). */
typedef void (*dp_lttng_fire_fn)(const union dp_value *values);
struct dp_lttng_site {
	const volatile int *state;          /* the tracepoint's enabled state */
	dp_lttng_fire_fn fire;              /* records one event */
	/* The inline check's base: DYNPROBE__WATCH_DISTANCE before the state
	 * mirror (see dynprobe.h), or NULL when there is none. */
	const volatile uint8_t *watch_base;
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

/* Per-probe sites of one load, as the slow path reads them. */
struct dp_probe_live {
	bool has_usdt, has_lttng;  /* both false: not loaded */
	uint8_t nargs;
	uint8_t types[DYNPROBE_MAX_ARGS]; /* enum dynprobe_type */
	struct dp_usdt_site usdt;
	struct dp_lttng_site lttng;
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

/* ---- USDT backend (src/backends/usdt) ---- */
/* Build the ELF image for the provider, map it, and fill sites[i] for
 * probes[i].  The image is never unmapped (a thread may still be reading a
 * stub); *ret_image owns the memfd. */
DP_HIDDEN int dp_usdt_load(const struct dp_provider_desc *desc,
			   unsigned int backends, struct dp_usdt_site *sites,
			   struct dp_usdt_image **ret_image);
/* Mark the image loaded (1) or unloaded (0) for `dynprobe list`. */
DP_HIDDEN void dp_usdt_set_state(struct dp_usdt_image *image, uint32_t state);
DP_HIDDEN int dp_usdt_fd(const struct dp_usdt_image *image);
/* Release what can be released safely (the memfd); the mapping stays. */
DP_HIDDEN void dp_usdt_release(struct dp_usdt_image *image);
/* Call the stub with values already converted (see union dp_value). */
DP_HIDDEN void dp_usdt_call(const struct dp_usdt_site *site, size_t nargs,
			    const union dp_value *values);

/* ---- LTTng backend (src/backends/lttng) ---- */
/* Generate, compile or find in the cache, dlopen, and fill sites[i].  The
 * object is never dlclose()d.  Errors: -DYNPROBE_ENOCOMPILER,
 * -DYNPROBE_ENOLTTNG, -DYNPROBE_ECACHE, -DYNPROBE_ECOMPILE, -errno. */
/* `cells`: NULL, or per probe the address of a USDT cell (an 8-byte
 * window, see dynprobe.h) whose first 4 bytes are to mirror the tracepoint
 * state; with NULL the backend finds room for the mirrors itself. */
DP_HIDDEN int dp_lttng_load(const struct dp_provider_desc *desc,
			    volatile uint8_t *const *cells,
			    struct dp_lttng_site *sites,
			    struct dp_lttng_image **ret_image);
DP_HIDDEN void dp_lttng_release(struct dp_lttng_image *image);
/* Whether this build has the LTTng backend at all. */
DP_HIDDEN bool dp_lttng_available(void);

/* ---- shared helpers ---- */
/* Convert one fired value to the declared type as C assignment would;
 * false for a string where a number is declared, or the reverse. */
DP_HIDDEN bool dp_convert_arg(enum dynprobe_type type, const struct dynprobe_arg *arg,
			      union dp_value *out);
/* Publish a load's sites (NULL: not loaded) to the slow path and point the
 * inline watch at them.  Writers of one probe must be serialized. */
DP_HIDDEN void dp_probe_publish(struct dynprobe_probe *probe, const struct dp_probe_live *live);
/* Point a fresh probe's site pointers at valid memory (never NULL). */
DP_HIDDEN void dp_probe_init_sites(struct dynprobe_probe *probe);
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
