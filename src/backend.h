/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the interface between the core and a backend.
 *
 * The core (provider.c: the lifecycle; fire.c: the slow half of the fire
 * path) iterates the table in backends/table.c and never names a backend.
 * A backend is a folder under src/backends/ whose sources define one
 *
 *	const struct dp_backend dp_backend_<name> = { ... };
 *
 * and whose meson.build adds them to libdynprobe_sources; one line in
 * backends/table.c registers it.  The fire path calls site_enabled() and
 * site_fire() through the table; nothing else about a backend is compiled
 * into the core.
 *
 * Who calls what, and when:
 *
 *   load()          provider.c, under the provider's lock, from
 *                   dynprobe_provider_load() when the provider has no image
 *                   on this backend yet or its probes changed.  Builds the
 *                   provider's objects for desc->probes, makes them visible
 *                   to tracers, and fills sites[i] for desc->probes[i].
 *                   Returns 0 and an image, or a negative error (nothing
 *                   is left behind).  Backends are loaded in table order.
 *   set_state()     provider.c, under the lock, after the probes' sites were
 *                   published (loaded = true) or unpublished (false).
 *                   Optional: a place where readers such as `dynprobe list`
 *                   see whether the provider is loaded.
 *   release()       provider.c, under the lock (or from provider_free()),
 *                   when the probes changed or the provider is freed.  The
 *                   image is not published any more.
 *   site_enabled()  fire.c, any thread, no lock: is a tracer attached to
 *   site_fire()     this site?  Emit one event with converted values.  Both
 *                   run on a copy of the site taken under the probe's
 *                   sequence counter, which may be a site of an image
 *                   released a moment ago: never allocate, lock, log, block
 *                   or fail.
 *   site_fire_args() optional: the two above and the conversion in one
 *                   call, used when the probe is loaded on this backend
 *                   only (one indirect call on the traced path, not two).
 *   image_info()    optional introspection, under the lock.
 *   site_info()     optional introspection of one site (tests, tools).
 *   fork_*()        optional, from provider.c's pthread_atfork handlers,
 *                   with every provider locked (the order of atfork
 *                   handlers registered separately would not guarantee
 *                   that: a backend's prepare could run while another
 *                   thread holds a provider lock inside that backend).
 *
 * Lifetime rules:
 *
 *   - Everything a site points at (code, state words, cells) stays mapped
 *     for the life of the process: a thread may be reading or calling it
 *     while another releases the image.  release() frees bookkeeping and
 *     unpublishes; it never unmaps what a site points at.
 *   - `desc`, the probe descriptions and the cells passed to load() are
 *     valid only during the call: copy what you keep.
 *   - An image stays in use across unload and load while the probes are
 *     unchanged (tracers keep their attachments: same inode, same states).
 *   - A site's watch base (the inline check, see watch.h) is either NULL
 *     ("no inline watch: dynprobe_fire() decides") or a base whose words
 *     are equal exactly while nobody listens on this backend.
 *
 * Sharing one inline compare between backends (see watch.h): a backend
 * with DP_BACKEND_HOSTS_CELLS puts a cell DYNPROBE__WATCH_DISTANCE after
 * each site's watch base whose first 4 bytes stay zero for a guest; a
 * backend with DP_BACKEND_MIRRORS_STATE, given those cells, keeps a copy of
 * each probe's enabled state there and returns the host's watch base.  The
 * core tells a host, in dp_load.host_cells, that a guest is selected, and
 * hands the guest the host's cells; neither names the other.
 */
#ifndef DYNPROBE_BACKEND_H
#define DYNPROBE_BACKEND_H

#include "internal.h"

/* Backend flags. */
#define DP_BACKEND_HOSTS_CELLS 0x1u   /* its sites' cells can take a guest's state */
#define DP_BACKEND_MIRRORS_STATE 0x2u /* can keep its state in a host's cells */

/* What load() is asked to build. */
struct dp_load {
	const struct dp_provider_desc *desc;
	/* Every backend selected on the provider, a DYNPROBE_BACKEND_* mask
	 * (for introspection records such as the USDT image header). */
	unsigned int backends;
	/* Hosts: a guest will mirror its state into the cells, so make room
	 * for its record around each one (watch.h: DP_WATCH_SHARED_STRIDE). */
	bool host_cells;
	/* Guests: per probe, the host's cell to mirror the state into; NULL
	 * when no host is loaded (the backend finds room of its own). */
	volatile uint8_t *const *cells;
};

/* Provider-level facts for readers (introspection, tests, tools). */
struct dp_image_info {
	int fd;			 /* a descriptor tracers reach through /proc/PID/fd, or -1 */
	const char *path;	 /* the published object's file, or NULL */
	unsigned int lttng_mode; /* DYNPROBE_LTTNG_MODE_RUNTIME or _COMPILED; 0 elsewhere */
};

/* Addresses a reader of one site needs; NULL where the backend has none. */
struct dp_site_info {
	const volatile uint8_t *stub; /* USDT: the called stub */
	volatile uint16_t *semaphore; /* USDT: the probe's semaphore */
	volatile uint8_t *cell;	      /* the cell DYNPROBE__WATCH_DISTANCE after the watch */
	const volatile int *state;    /* LTTng: the tracepoint's enabled state */
};

struct dp_intro_writer;

struct dp_backend {
	const char *name;   /* "usdt": messages and $DYNPROBE_BACKENDS */
	unsigned int mask;  /* its DYNPROBE_BACKEND_* bit */
	unsigned int flags; /* DP_BACKEND_* */
	int (*load)(const struct dp_load *load, struct dp_site *sites, void **ret_image);
	void (*release)(void *image);
	void (*set_state)(void *image, bool loaded); /* optional */
	bool (*site_enabled)(const struct dp_site *site);
	void (*site_fire)(const struct dp_site *site, size_t nargs, const union dp_value *values);
	/* Optional, and only a shortcut: the fire path of a probe loaded on
	 * this backend alone, in one call.  Exactly site_enabled(), then
	 * (only when enabled) dp_convert_args() against the probe's
	 * signature (dp_sig_convert_args(): its count is DP_SIG_BAD_COUNT
	 * when the caller fired another number of arguments), then
	 * site_fire(): returns 0 (nobody listens), 1 (emitted) or
	 * -DYNPROBE_EMISMATCH (nothing emitted).  Same rules as those two.
	 * Everything comes in the six argument registers, the site as its
	 * three words, and the core reaches it with a jump: what costs on
	 * this path is the chain of dependent loads and every store before
	 * the tracer's read lock (fire.c), and a round trip through memory
	 * would add to both. */
	int (*site_fire_args)(const volatile uint8_t *watch, uintptr_t word0, uintptr_t word1,
			      dp_fire_sig sig, const struct dynprobe_arg *args);
	void (*image_info)(const void *image, struct dp_image_info *info);	  /* optional */
	void (*site_info)(const struct dp_site *site, struct dp_site_info *info); /* optional */
	/* fork(): called with every provider locked (provider.c), so that a
	 * backend never forks while another thread is inside its load;
	 * prepare in table order, parent/child in reverse.  Optional. */
	/* Append this image's section to the process's introspection record
	 * (`dynprobe list`; src/introspect.h defines the writer): `sites` are
	 * this backend's site of each probe, in probe order.  Called under
	 * the provider's lock from dp_provider_introspect() (provider.c):
	 * for this provider after its load or unload, for every provider
	 * when the record is first written or rebuilt in a fork child.
	 * Optional. */
	int (*introspect)(const void *image, const struct dp_site *sites, size_t nprobes,
			  struct dp_intro_writer *w);
	void (*fork_prepare)(void);
	void (*fork_parent)(void);
	void (*fork_child)(void);
};

/* The table (backends/table.c), in load order: dp_backend_count entries,
 * NULL for a backend left out of this build. */
DP_HIDDEN extern const struct dp_backend *const dp_backend_table[];
DP_HIDDEN extern const size_t dp_backend_count;

/* The backend with this DYNPROBE_BACKEND_* bit, or NULL. */
DP_HIDDEN const struct dp_backend *dp_backend_by_mask(unsigned int mask);
DP_HIDDEN const struct dp_backend *dp_backend_by_name(const char *name);

/* For tests and tools: what a probe's site on one backend points at
 * (zeroed when the probe is not loaded there), and a provider's image
 * facts.  0, or -ENOENT. */
DP_HIDDEN int dp_probe_site_info(const struct dynprobe_probe *probe, unsigned int backend,
				 struct dp_site_info *info);
DP_HIDDEN int dp_provider_image_info(const struct dynprobe_provider *provider, unsigned int backend,
				     struct dp_image_info *info);

/* The introspection record (src/introspect.h): the core calls
 * dp_introspect_update(provider) after a load or unload and
 * dp_introspect_forget(provider) at free, holding no lock; only that
 * provider's part of the record is rewritten (dp_provider_introspect(),
 * which calls each loaded backend's introspect op).  The whole record is
 * written (dp_registry_introspect(), every provider) only the first time,
 * and in a fork child. */

#endif /* DYNPROBE_BACKEND_H */
