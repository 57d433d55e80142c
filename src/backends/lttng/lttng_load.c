/* SPDX-License-Identifier: MIT */
/*
 * lttng_load.c - the LTTng backend: publish a provider's probes as
 * lttng-ust tracepoints.
 *
 * For each provider, tp/tp_gen.c generates one C file (one
 * LTTNG_UST_TRACEPOINT_EVENT per probe, one field per argument), which is
 * compiled with the system compiler into a shared object linking
 * liblttng-ust (libdynprobe itself never links it: a USDT-only program
 * never loads lttng-ust).  Then:
 *
 *   1. a prebuilt object (dynprobe tp) from prebuilt_path/$DYNPROBE_TP_PATH,
 *      else the per-user cache, else compile into the cache
 *      (lttng_cache.c says what is trusted, tp_build.c how names are hashed);
 *   2. dlopen() it, read its one exported struct dp_tp_desc and check it:
 *      ABI major, sizes, provider, and every event's name and signature
 *      against the probes asked for; a mismatch is refused (and dlclose()d,
 *      harmless before anybody fired through it), never an abort;
 *   3. promote it to RTLD_NODELETE: a thread may be inside a fire function
 *      at any time, so a loaded provider is never unmapped;
 *   4. hand the core, per probe, &tracepoint.state and the fire function
 *      (called only when the state is non-zero), and register a state
 *      mirror per event where the inline check in dynprobe.h reads
 *      (setup_mirrors() below): in the USDT cells when the provider is on
 *      both backends, so that one compare covers both.
 *
 * After loading, `lttng list -u -f` shows, for `probe request u64:latency
 * str:path` in provider app:
 *
 *	PID: 4242 - Name: /usr/bin/app
 *	      app:request (loglevel: TRACE_DEBUG_LINE (13)) (type: tracepoint)
 *	        field: path (string)
 *	        field: latency (integer)
 *
 * and babeltrace2 prints a recorded event as
 *
 *	app:request: { cpu_id = 1 }, { latency = 42, path = "GET /" }
 *
 * Releasing an image unregisters the provider from lttng-ust (its
 * registration destructor, run without dlclose()), so a provider reloaded
 * with other probes does not leave a stale twin; loading the same object
 * again re-registers it.  Registration counts are lttng-ust's own.
 *
 * fork() without exec: lttng-ust must be told, or the child's events carry
 * the parent's vpid and its listener threads are missing.  liblttng-ust.so.1
 * exports lttng_ust_before_fork/after_fork_parent/after_fork_child
 * (liblttng-ust-fork.so is only an LD_PRELOAD wrapper of fork() calling
 * them).  They are not re-entrant, so they are registered once per process
 * with pthread_atfork(), resolved through the first loaded object, and not
 * at all when liblttng-ust-fork.so is preloaded (it already calls them).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "lttng.h"
#include "../../../tp/tp.h"

struct dp_lttng_image {
	void *handle;
	const struct dp_tp_desc *desc;
	void **mirrors;        /* registered state mirrors, or NULL */
	char path[PATH_MAX];
};

/* The core hands our fire functions a union dp_value array. */
_Static_assert(sizeof(union dp_value) == sizeof(union dp_tp_value), "value ABI");
_Static_assert(offsetof(union dp_value, s) == offsetof(union dp_tp_value, s), "value ABI");

/* Serialises dlopen checks with attach/detach (lttng-ust's registration
 * count is not atomic). */
static pthread_mutex_t lttng_lock = PTHREAD_MUTEX_INITIALIZER;

bool dp_lttng_available(void)
{
	return true;
}

/* ---- fork ---- */

static void (*ust_before_fork)(sigset_t *);
static void (*ust_after_fork_parent)(sigset_t *);
static void (*ust_after_fork_child)(sigset_t *);
static __thread sigset_t fork_sigset;
static void *atfork_handle;

static void fork_prepare(void) { ust_before_fork(&fork_sigset); }
static void fork_parent(void) { ust_after_fork_parent(&fork_sigset); }
static void fork_child(void) { ust_after_fork_child(&fork_sigset); }

static void register_atfork_once(void)
{
	void *h = atfork_handle;
	void *pre = dlopen("liblttng-ust-fork.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (pre) {
		dlclose(pre);
		dp_log("lttng: liblttng-ust-fork.so is preloaded; it handles fork()");
		return;
	}
	ust_before_fork = (void (*)(sigset_t *))dlsym(h, "lttng_ust_before_fork");
	ust_after_fork_parent = (void (*)(sigset_t *))dlsym(h, "lttng_ust_after_fork_parent");
	ust_after_fork_child = (void (*)(sigset_t *))dlsym(h, "lttng_ust_after_fork_child");
	if (!ust_before_fork || !ust_after_fork_parent || !ust_after_fork_child) {
		dp_log("lttng: lttng_ust_*_fork not found; forked children keep the parent's vpid");
		return;
	}
	if (pthread_atfork(fork_prepare, fork_parent, fork_child))
		dp_log("lttng: pthread_atfork failed");
}

static void register_atfork(void *handle)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	atfork_handle = handle;
	pthread_once(&once, register_atfork_once);
}

/* ---- the descriptor ---- */

#define DESC_NEEDS offsetof(struct dp_tp_desc, detach) + sizeof(void (*)(void))
#define EVENT_NEEDS offsetof(struct dp_tp_event, fire) + sizeof(void (*)(void))

static int check_event(const struct dp_tp_event *ev, const struct dp_probe_desc *p, const char *path)
{
	char sig[DYNPROBE_MAX_ARGS * (DYNPROBE_MAX_PROBE_NAME + 10)];

	if (dp_tp_signature(p, sig, sizeof(sig)) < 0)
		return -EINVAL;
	if (ev->struct_size < EVENT_NEEDS || !ev->name || !ev->signature || !ev->state ||
	    !ev->fire || strcmp(ev->name, p->name) || ev->nargs != p->nargs ||
	    strcmp(ev->signature, sig)) {
		dp_log("lttng: %s: event %s (%s) does not match probe %s (%s)", path,
		       ev->name ? ev->name : "?", ev->signature ? ev->signature : "?", p->name, sig);
		return -ENOEXEC;
	}
	return 0;
}

/* -ENOEXEC for an object that is not what we asked for. */
static int check_desc(const struct dp_tp_desc *d, const struct dp_provider_desc *want,
		      const char *path)
{
	if (!d) {
		dp_log("lttng: %s: no %s symbol: not a dynprobe provider", path, DP_TP_DESC_SYMBOL);
		return -ENOEXEC;
	}
	if (d->struct_size < DESC_NEEDS || d->major != DP_TP_ABI_MAJOR) {
		dp_log("lttng: %s: descriptor ABI %u.%u (size %u), this library reads %d.x (size >= %zu)",
		       path, d->major, d->minor, d->struct_size, DP_TP_ABI_MAJOR, (size_t)DESC_NEEDS);
		return -ENOEXEC;
	}
	if (!d->provider || strcmp(d->provider, want->name) || d->nevents != want->nprobes ||
	    d->event_size < EVENT_NEEDS || !d->events || !d->attach || !d->detach) {
		dp_log("lttng: %s: provider %s with %u events, wanted %s with %zu", path,
		       d->provider ? d->provider : "?", d->nevents, want->name, want->nprobes);
		return -ENOEXEC;
	}
	for (size_t i = 0; i < want->nprobes; i++) {
		const void *ev = (const char *)d->events + i * d->event_size;
		int r = check_event(ev, want->probes[i], path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* dlopen, check, pin.  Returns with the provider registered once more in
 * lttng-ust on behalf of the new image. */
static int open_object(const char *path, const struct dp_provider_desc *want,
		       struct dp_lttng_image *img)
{
	void *again, *was_loaded;
	int r;

	pthread_mutex_lock(&lttng_lock);
	was_loaded = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	img->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!img->handle) {
		const char *why = dlerror();
		dp_log("lttng: dlopen %s: %s", path, why);
		r = why && strstr(why, "liblttng-ust") ? -DYNPROBE_ENOLTTNG : -ENOEXEC;
		goto err;
	}
	img->desc = dlsym(img->handle, DP_TP_DESC_SYMBOL);
	r = check_desc(img->desc, want, path);
	if (r < 0)
		goto err;
	again = dlopen(path, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
	if (again)
		dlclose(again);
	/* A first dlopen ran the registration constructor for this image;
	 * an object already loaded needs an explicit attach. */
	if (was_loaded)
		img->desc->attach();
	if (was_loaded)
		dlclose(was_loaded);
	pthread_mutex_unlock(&lttng_lock);
	snprintf(img->path, sizeof(img->path), "%s", path);
	dp_log("lttng: loaded %s (lttng-ust %s, descriptor %u.%u)", path, img->desc->ust_version,
	       img->desc->major, img->desc->minor);
	return 0;
err:
	/* Nobody can have fired through a refused object yet. */
	if (img->handle && !was_loaded)
		dlclose(img->handle);
	if (was_loaded)
		dlclose(was_loaded);
	img->handle = NULL;
	pthread_mutex_unlock(&lttng_lock);
	return r;
}

/* ---- finding or building the object ---- */

struct build {
	const struct dp_provider_desc *desc;
	const char *src;
	struct dp_tp_cc cc;
	bool have_cc;
	int cc_err;
	char cache_dir[PATH_MAX];
	char name[DP_TP_NAME_MAX];
	char path[PATH_MAX];
};

static int try_prebuilt(struct build *b, struct dp_lttng_image *img)
{
	char name[DP_TP_NAME_MAX];

	dp_tp_prebuilt_name(b->desc->name, b->src, name);
	if (dp_lttng_find_prebuilt(b->desc->prebuilt_path, name, b->path, sizeof(b->path)) < 0)
		return -ENOENT;
	return open_object(b->path, b->desc, img);
}

/* The cache: a trusted cached object, else compile one. */
static int try_cache(struct build *b, struct dp_lttng_image *img)
{
	int r;

	b->cc_err = dp_tp_cc_find(&b->cc);
	if (b->cc_err < 0)
		return b->cc_err;
	b->have_cc = true;
	r = dp_lttng_cache_dir(b->desc->cache_dir, b->cache_dir, sizeof(b->cache_dir));
	if (r < 0)
		return r;
	dp_tp_cache_name(b->desc->name, b->src, &b->cc, b->name);
	if ((size_t)snprintf(b->path, sizeof(b->path), "%s/%s", b->cache_dir, b->name) >= sizeof(b->path))
		return -ENAMETOOLONG;
	r = dp_lttng_check_object(b->cache_dir, b->name, false);
	if (r == 0) {
		r = open_object(b->path, b->desc, img);
		if (r == 0)
			return 0;
		dp_log("lttng: cached %s unusable, rebuilding", b->path);
	}
	if (r != -ENOENT && r != -DYNPROBE_ECACHE && r != -ENOEXEC)
		return r;
	r = dp_tp_compile(&b->cc, b->src, b->cache_dir, b->name, 0600);
	if (r < 0)
		return r;
	r = dp_lttng_check_object(b->cache_dir, b->name, false);
	if (r < 0)
		return r;
	r = open_object(b->path, b->desc, img);
	return r == -ENOEXEC ? -DYNPROBE_ECOMPILE : r;
}

/*
 * State mirrors (see tp_gen.c): one extra lttng-ust call-site record per
 * event, placed so that its state is the first word of an 8-byte window
 * whose other 4 bytes never change under LTTng (record padding), with
 * zeros DYNPROBE__WATCH_DISTANCE in front: exactly what the inline check
 * in dynprobe.h compares.  Given USDT cells (provider on both backends),
 * the records go around those cells and the one compare covers both
 * backends.  Otherwise they go into an anonymous mapping of their own:
 * DISTANCE of zero pages that are only ever read, then one record per 64
 * bytes.  Neither is ever unmapped (the fire path may still read it).
 * Any failure leaves watch_base NULL: the core then calls into the library
 * on every fire instead, which is slower but exact.
 */
#define MIRROR_STRIDE 64

static void setup_mirrors(struct dp_lttng_image *img, size_t n, volatile uint8_t *const *cells,
			  struct dp_lttng_site *sites)
{
	const struct dp_tp_desc *d = img->desc;
	uint8_t *region = NULL;
	void **recs;

	if (!n)
		return;
	if (d->struct_size < offsetof(struct dp_tp_desc, mirror_unregister) + sizeof(void *) ||
	    !d->mirror_init || !d->mirror_register || !d->mirror_unregister ||
	    d->mirror_size > MIRROR_STRIDE || d->mirror_state > MIRROR_STRIDE - 8 ||
	    d->mirror_state + 8 > d->mirror_size || d->mirror_state % 4) {
		dp_log("lttng: %s: no usable state mirrors; fires call into the library", img->path);
		return;
	}
	recs = calloc(n, sizeof(*recs));
	if (!recs)
		return;
	if (!cells) {
		size_t span = DYNPROBE__WATCH_DISTANCE + (n + 1) * MIRROR_STRIDE;
		void *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			free(recs);
			return;
		}
		region = m;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *cell = cells ? (uint8_t *)cells[i]
				      : region + DYNPROBE__WATCH_DISTANCE + (i + 1) * MIRROR_STRIDE;
		recs[i] = cell - d->mirror_state;
		if (d->mirror_init((uint32_t)i, recs[i]) < 0)
			goto fail;
	}
	pthread_mutex_lock(&lttng_lock);
	int r = d->mirror_register(recs, (uint32_t)n);
	pthread_mutex_unlock(&lttng_lock);
	if (r != 0)
		goto fail;
	img->mirrors = recs;
	for (size_t i = 0; i < n; i++)
		sites[i].watch_base = (const volatile uint8_t *)recs[i] + d->mirror_state -
				      DYNPROBE__WATCH_DISTANCE;
	return;
fail:
	dp_log("lttng: %s: state mirrors not registered; fires call into the library", img->path);
	free(recs); /* the anonymous region, if any, stays: harmless, and tiny in RSS */
}

int dp_lttng_load(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
		  struct dp_lttng_site *sites, struct dp_lttng_image **ret_image)
{
	struct build b = { .desc = desc };
	struct dp_lttng_image *img = NULL;
	char *src = NULL;
	int r;

	*ret_image = NULL;
	r = dp_tp_generate(desc, &src);
	if (r < 0)
		goto out;
	b.src = src;
	img = calloc(1, sizeof(*img));
	r = -ENOMEM;
	if (!img)
		goto out;
	r = try_prebuilt(&b, img);
	if (r < 0)
		r = try_cache(&b, img);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < desc->nprobes; i++) {
		const struct dp_tp_event *ev = (const void *)((const char *)img->desc->events +
							      i * img->desc->event_size);
		sites[i].state = ev->state;
		sites[i].fire = (dp_lttng_fire_fn)ev->fire;
		sites[i].watch_base = NULL;
	}
	setup_mirrors(img, desc->nprobes, cells, sites);
	register_atfork(img->handle);
	*ret_image = img;
	img = NULL;
out:
	if (r < 0)
		dp_log("lttng: provider %s not loaded: error %d", desc && desc->name ? desc->name : "?", r);
	if (b.have_cc)
		dp_tp_cc_free(&b.cc);
	free(img);
	free(src);
	return r;
}

void dp_lttng_release(struct dp_lttng_image *img)
{
	if (!img)
		return;
	/* Unregister from lttng-ust; the code stays mapped (RTLD_NODELETE)
	 * for any thread still inside a fire function. */
	pthread_mutex_lock(&lttng_lock);
	if (img->mirrors)
		img->desc->mirror_unregister(img->mirrors);
	img->desc->detach();
	pthread_mutex_unlock(&lttng_lock);
	free(img->mirrors);
	free(img);
}
