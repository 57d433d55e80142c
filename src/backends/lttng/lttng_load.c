/* SPDX-License-Identifier: MIT */
/*
 * lttng_load.c - the LTTng backend: publish a provider's probes as
 * lttng-ust tracepoints, in one of two modes.
 *
 *   runtime   (the default) the provider is built in memory from its
 *             descriptors and registered with liblttng-ust.so.1 directly:
 *             no compiler, no headers, no cache (lttng_runtime.c).
 *   compiled  tp/tp_gen.c generates one C file per provider (one
 *             LTTNG_UST_TRACEPOINT_EVENT per probe, one field per argument),
 *             compiled with the system compiler into a shared object that
 *             links liblttng-ust, or found prebuilt (`dynprobe tp`).
 *
 * The mode: $DYNPROBE_LTTNG_MODE (runtime|compiled), else the provider's
 * lttng_mode option, else runtime; when the runtime mode cannot work here
 * (the liblttng-ust found is not provider ABI 3), the default falls back to
 * the compiled mode, and says so.  libdynprobe itself never links
 * liblttng-ust: a USDT-only program never loads it.
 *
 * Compiled mode:
 *
 *   1. a prebuilt object (dynprobe tp) from prebuilt_path/$DYNPROBE_TP_PATH,
 *      else the per-user cache, else compile into the cache
 *      (lttng_cache.c says what is trusted, tp_build.c how names are hashed);
 *      the object is opened once, checked on that descriptor and loaded
 *      through /proc/self/fd, so what was checked is what runs;
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
 * str:path` in provider app, in either mode:
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
 * Releasing an image unregisters the provider from lttng-ust (compiled: its
 * registration destructor, run without dlclose()), so a provider reloaded
 * with other probes does not leave a stale twin.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lttng.h"
#include "trusted_dir.h"
#include "watch.h"
#include "tp.h"

struct dp_lttng_image {
	enum dynprobe_lttng_mode mode;     /* RUNTIME or COMPILED */
	struct dp_lttng_rt *rt;            /* runtime mode */
	void *handle;                      /* compiled mode: the object */
	const struct dp_tp_desc *desc;
	void **mirrors;                    /* registered state mirrors, or NULL */
	uint8_t **mirror_slots;            /* their record slots, or NULL (cells) */
	size_t nmirrors;
	bool prebuilt;                     /* compiled mode: found by `dynprobe tp` */
	char path[PATH_MAX];               /* compiled mode: the object loaded */
};

/* The core hands our fire functions a union dp_value array. */
_Static_assert(sizeof(union dp_value) == sizeof(union dp_tp_value), "value ABI");
_Static_assert(offsetof(union dp_value, s) == offsetof(union dp_tp_value, s), "value ABI");

pthread_mutex_t dp_lttng_lock = PTHREAD_MUTEX_INITIALIZER;

bool dp_lttng_available(void)
{
	return true;
}

/* ---- the descriptor ---- */

#define DESC_NEEDS offsetof(struct dp_tp_desc, detach) + sizeof(void (*)(void))
#define EVENT_NEEDS offsetof(struct dp_tp_event, fire) + sizeof(void (*)(void))

/* Objects of descriptor ABI 2.0 carry no log level: they match only
 * probes that set none. */
static int event_loglevel(const struct dp_tp_event *ev)
{
	if (ev->struct_size < offsetof(struct dp_tp_event, loglevel) + sizeof(ev->loglevel))
		return DYNPROBE_LOGLEVEL_UNSET;
	return ev->loglevel;
}

static int check_event(const struct dp_tp_event *ev, const struct dp_probe_desc *p, const char *path)
{
	char sig[DYNPROBE_MAX_ARGS * (DYNPROBE_MAX_PROBE_NAME + 10)];

	if (dp_tp_signature(p, sig, sizeof(sig)) < 0)
		return -EINVAL;
	if (ev->struct_size < EVENT_NEEDS || !ev->name || !ev->signature || !ev->state ||
	    !ev->fire || strcmp(ev->name, p->name) || ev->nargs != p->nargs ||
	    strcmp(ev->signature, sig) || event_loglevel(ev) != p->lttng_loglevel) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: %s: event %s (%s, log level %d) does not match probe %s (%s, log "
			"level %d): not used", path, ev->name ? ev->name : "?",
			ev->signature ? ev->signature : "?", event_loglevel(ev), p->name, sig,
			p->lttng_loglevel);
		return -ENOEXEC;
	}
	return 0;
}

/* -ENOEXEC for an object that is not what we asked for. */
static int check_desc(const struct dp_tp_desc *d, const struct dp_provider_desc *want,
		      const char *path)
{
	if (!d) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: no %s symbol: not a dynprobe provider", path, DP_TP_DESC_SYMBOL);
		return -ENOEXEC;
	}
	if (d->struct_size < DESC_NEEDS || d->major != DP_TP_ABI_MAJOR) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: descriptor ABI %u.%u (size %u), this library reads %d.x (size >= %zu)",
		       path, d->major, d->minor, d->struct_size, DP_TP_ABI_MAJOR, (size_t)DESC_NEEDS);
		return -ENOEXEC;
	}
	if (!d->provider || strcmp(d->provider, want->name) || d->nevents != want->nprobes ||
	    d->event_size < EVENT_NEEDS || !d->events || !d->attach || !d->detach) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: provider %s with %u events, wanted %s with %zu", path,
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

/*
 * The loader identifies an object by the name it was opened with first
 * (then by device and inode), and every name it was ever asked for stays
 * bound to the object.  A /proc/self/fd/N name must therefore never be
 * reused for another file: each object is dlopen()ed through a duplicate
 * of its descriptor that stays open as long as the object stays mapped,
 * i.e. for good, and a later load of the same file (same device and inode)
 * goes through that same name.  One descriptor per distinct object.
 */
struct pinned_object {
	dev_t dev;
	ino_t ino;
	int fd;
};
static struct pinned_object *pinned;
static size_t npinned, pinned_cap;

/* The descriptor to dlopen() for the checked `fd` (dp_lttng_lock held):
 * the pinned one of the same file, else a new duplicate (*fresh). */
static int pinned_fd(int fd, bool *fresh)
{
	struct stat st;

	*fresh = false;
	if (fstat(fd, &st) < 0)
		return -errno;
	for (size_t i = 0; i < npinned; i++)
		if (pinned[i].dev == st.st_dev && pinned[i].ino == st.st_ino)
			return pinned[i].fd;
	if (npinned == pinned_cap) {
		size_t cap = pinned_cap ? 2 * pinned_cap : 16;
		struct pinned_object *v = realloc(pinned, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		pinned = v;
		pinned_cap = cap;
	}
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	pinned[npinned] = (struct pinned_object){ st.st_dev, st.st_ino, fd };
	*fresh = true;
	return fd;
}

/* Keep a fresh duplicate once its object is loaded; drop it otherwise. */
static void pinned_settle(int fd, bool fresh, bool loaded)
{
	if (!fresh)
		return;
	if (loaded)
		npinned++;
	else
		close(fd);
}

/* dlopen the checked descriptor `fd` (through /proc/self/fd: what was
 * checked is what is loaded), check the descriptor symbol, pin.  `path`
 * only names the object in messages.  Returns with the provider registered
 * once more in lttng-ust on behalf of the new image. */
static int open_object(int fd, const char *path, const struct dp_provider_desc *want,
		       struct dp_lttng_image *img)
{
	char fdpath[DP_FD_PATH_MAX];
	void *again, *was_loaded;
	bool fresh;
	int r;

	r = dp_ust_process_check();
	if (r < 0)
		return r;
	pthread_mutex_lock(&dp_lttng_lock);
	fd = pinned_fd(fd, &fresh);
	if (fd < 0) {
		pthread_mutex_unlock(&dp_lttng_lock);
		return fd;
	}
	dp_fd_path(fd, fdpath);
	was_loaded = dlopen(fdpath, RTLD_NOW | RTLD_NOLOAD);
	img->handle = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	if (!img->handle) {
		const char *why = dlerror();
		dp_logl(DYNPROBE_LOG_WARN, "lttng: cannot load %s: %s", path, why);
		r = why && strstr(why, "liblttng-ust") ? -DYNPROBE_ENOLTTNG : -ENOEXEC;
		goto err;
	}
	img->desc = dlsym(img->handle, DP_TP_DESC_SYMBOL);
	r = check_desc(img->desc, want, path);
	if (r < 0)
		goto err;
	again = dlopen(fdpath, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
	if (again)
		dlclose(again);
	/* A first dlopen ran the registration constructor for this image;
	 * an object already loaded needs an explicit attach. */
	if (was_loaded)
		img->desc->attach();
	if (was_loaded)
		dlclose(was_loaded);
	pinned_settle(fd, fresh, true);
	pthread_mutex_unlock(&dp_lttng_lock);
	snprintf(img->path, sizeof(img->path), "%s", path);
	dp_logl(DYNPROBE_LOG_INFO, "lttng: loaded %s (lttng-ust %s, descriptor %u.%u)", path, img->desc->ust_version,
	       img->desc->major, img->desc->minor);
	return 0;
err:
	/* Nobody can have fired through a refused object yet. */
	if (img->handle && !was_loaded)
		dlclose(img->handle);
	if (was_loaded)
		dlclose(was_loaded);
	pinned_settle(fd, fresh, was_loaded != NULL);
	img->handle = NULL;
	pthread_mutex_unlock(&dp_lttng_lock);
	return r;
}

/* ---- finding or building the object ---- */

struct build {
	const struct dp_provider_desc *desc;
	const char *src;
	struct dp_tp_cc cc;
	bool have_cc;
	int cache_fd;
	bool prebuilt_refused;
	char cache_dir[PATH_MAX];
	char name[DP_TP_NAME_MAX];
	char path[PATH_MAX];
};

static int try_prebuilt(struct build *b, struct dp_lttng_image *img)
{
	char name[DP_TP_NAME_MAX];
	int fd, r;

	dp_tp_prebuilt_name(b->desc->name, b->src, name);
	fd = dp_lttng_find_prebuilt(b->desc->prebuilt_path, name, b->path, sizeof(b->path));
	if (fd < 0)
		return -ENOENT;
	r = open_object(fd, b->path, b->desc, img);
	close(fd);
	if (r < 0) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: prebuilt %s exists but was not used (error %d, "
			"see above); rebuild it with `dynprobe tp` for these probes", b->path, r);
		b->prebuilt_refused = true;
	}
	return r;
}

/* Load the cached object from the checked cache directory, if usable. */
static int load_cached(struct build *b, struct dp_lttng_image *img)
{
	int fd = dp_lttng_open_object(b->cache_fd, b->cache_dir, b->name, false);
	int r;

	if (fd < 0)
		return fd;
	r = open_object(fd, b->path, b->desc, img);
	close(fd);
	return r;
}

/* The cache: a trusted cached object, else compile one. */
static int try_cache(struct build *b, struct dp_lttng_image *img)
{
	int r;

	r = dp_tp_cc_find(&b->cc);
	if (r < 0) {
		if (b->prebuilt_refused)
			dp_logl(DYNPROBE_LOG_WARN, "lttng: provider %s: no compiler to rebuild the "
				"refused prebuilt object", b->desc->name);
		return r;
	}
	b->have_cc = true;
	r = dp_lttng_cache_dir(b->desc->cache_dir, b->cache_dir, sizeof(b->cache_dir), &b->cache_fd);
	if (r < 0)
		return r;
	dp_tp_cache_name(b->desc->name, b->src, &b->cc, b->name);
	if ((size_t)snprintf(b->path, sizeof(b->path), "%s/%s", b->cache_dir, b->name) >= sizeof(b->path))
		return -ENAMETOOLONG;
	r = load_cached(b, img);
	if (r == 0)
		return 0;
	if (r != -ENOENT)
		dp_logl(DYNPROBE_LOG_INFO, "lttng: cached %s unusable (error %d), rebuilding",
			b->path, r);
	if (r != -ENOENT && r != -DYNPROBE_ECACHE && r != -ENOEXEC)
		return r;
	/* Compiled by path; loaded only through the checked directory
	 * descriptor, so a swapped path cannot get another object loaded. */
	r = dp_tp_compile(&b->cc, b->src, b->cache_dir, b->name, 0600);
	if (r < 0)
		return r;
	r = load_cached(b, img);
	return r == -ENOEXEC ? -DYNPROBE_ECOMPILE : r;
}

/*
 * State mirrors (see tp_gen.c): one extra lttng-ust call-site record per
 * event, placed so that its state is the first word of an 8-byte window
 * whose other 4 bytes never change under LTTng (record padding), with
 * zeros DYNPROBE__WATCH_DISTANCE in front: exactly what the inline check
 * in dynprobe.h compares.  Given USDT cells (provider on both backends),
 * the records go around those cells and the one compare covers both
 * backends; otherwise into record slots (lttng_records.c), which are
 * reused once the mirrors are unregistered (nothing fires through a
 * mirror: the object's own records are the call sites).  Any failure
 * leaves watch_base NULL: the core then calls into the library on every
 * fire instead, which is slower but exact.
 */
static int mirrors_place(struct dp_lttng_image *img, size_t n, volatile uint8_t *const *cells,
			 void **recs)
{
	const struct dp_tp_desc *d = img->desc;

	if (!cells) {
		img->mirror_slots = calloc(n, sizeof(*img->mirror_slots));
		if (!img->mirror_slots || dp_lttng_records_alloc(n, img->mirror_slots) < 0) {
			free(img->mirror_slots);
			img->mirror_slots = NULL;
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *cell = cells ? (uint8_t *)cells[i] : img->mirror_slots[i] + d->mirror_state;
		recs[i] = cell - d->mirror_state;
		if (d->mirror_init((uint32_t)i, recs[i]) < 0)
			return -EINVAL;
	}
	return 0;
}

static void setup_mirrors(struct dp_lttng_image *img, size_t n, volatile uint8_t *const *cells,
			  struct dp_lttng_site *sites)
{
	const struct dp_tp_desc *d = img->desc;
	void **recs;
	int r;

	if (!n)
		return;
	if (d->struct_size < offsetof(struct dp_tp_desc, mirror_unregister) + sizeof(void *) ||
	    !d->mirror_init || !d->mirror_register || !d->mirror_unregister ||
	    d->mirror_size > DP_LTTNG_RECORD_SLOT || d->mirror_state > DP_LTTNG_RECORD_SLOT - 8 ||
	    d->mirror_state + 8 > d->mirror_size || d->mirror_state % 4) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: no usable state mirrors; fires call into the library", img->path);
		return;
	}
	recs = calloc(n, sizeof(*recs));
	if (!recs)
		return;
	r = mirrors_place(img, n, cells, recs);
	if (r == 0) {
		pthread_mutex_lock(&dp_lttng_lock);
		r = d->mirror_register(recs, (uint32_t)n);
		pthread_mutex_unlock(&dp_lttng_lock);
	}
	if (r != 0) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s: state mirrors not registered; fires call into the library",
		       img->path);
		if (img->mirror_slots)
			dp_lttng_records_free(img->mirror_slots, n);
		free(img->mirror_slots);
		img->mirror_slots = NULL;
		free(recs);
		return;
	}
	img->mirrors = recs;
	img->nmirrors = n;
	for (size_t i = 0; i < n; i++)
		sites[i].watch_base = (const volatile uint8_t *)recs[i] + d->mirror_state -
				      DYNPROBE__WATCH_DISTANCE;
}

static int load_compiled(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
			 struct dp_lttng_site *sites, struct dp_lttng_image *img)
{
	struct build b = { .desc = desc, .cache_fd = -1 };
	char *src = NULL;
	int r;

	/* Before any compile: the object could not be loaded anyway. */
	r = dp_ust_process_check();
	if (r < 0)
		return r;
	r = dp_tp_generate(desc, &src);
	if (r < 0)
		goto out;
	b.src = src;
	r = try_prebuilt(&b, img);
	img->prebuilt = r == 0;
	if (r < 0)
		r = try_cache(&b, img);
	if (r < 0)
		goto out;
	img->mode = DYNPROBE_LTTNG_MODE_COMPILED;
	for (size_t i = 0; i < desc->nprobes; i++) {
		const struct dp_tp_event *ev = (const void *)((const char *)img->desc->events +
							      i * img->desc->event_size);
		sites[i] = (struct dp_lttng_site){ .state = ev->state,
						   .fire = (dp_lttng_fire_fn)ev->fire };
	}
	setup_mirrors(img, desc->nprobes, cells, sites);
	dp_ust_register_atfork(img->handle);
out:
	if (b.have_cc)
		dp_tp_cc_free(&b.cc);
	if (b.cache_fd >= 0)
		close(b.cache_fd);
	free(src);
	return r;
}

/* $DYNPROBE_LTTNG_MODE, else the provider's option; AUTO stays AUTO. */
static int choose_mode(const struct dp_provider_desc *desc, enum dynprobe_lttng_mode *ret)
{
	const char *env = dp_env(DP_ENV_LTTNG_MODE);

	*ret = (enum dynprobe_lttng_mode)desc->lttng_mode;
	if (!env || !*env)
		return 0;
	if (!strcmp(env, "runtime"))
		*ret = DYNPROBE_LTTNG_MODE_RUNTIME;
	else if (!strcmp(env, "compiled"))
		*ret = DYNPROBE_LTTNG_MODE_COMPILED;
	else if (strcmp(env, "auto")) {
		dp_logl(DYNPROBE_LOG_WARN, "DYNPROBE_LTTNG_MODE='%s': use runtime, compiled or auto",
			env);
		return -EINVAL;
	}
	return 0;
}

int dp_lttng_load(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
		  struct dp_lttng_site *sites, struct dp_lttng_image **ret_image)
{
	struct dp_lttng_image *img = NULL;
	enum dynprobe_lttng_mode mode;
	int r;

	*ret_image = NULL;
	r = choose_mode(desc, &mode);
	if (r < 0)
		goto out;
	img = calloc(1, sizeof(*img));
	r = -ENOMEM;
	if (!img)
		goto out;
	if (mode != DYNPROBE_LTTNG_MODE_COMPILED) {
		r = dp_lttng_rt_load(desc, cells, sites, &img->rt);
		img->mode = DYNPROBE_LTTNG_MODE_RUNTIME;
		/* Only the default falls back, and only when the runtime mode
		 * cannot work with the lttng-ust at hand. */
		if (r == -DYNPROBE_ENOLTTNG && mode == DYNPROBE_LTTNG_MODE_AUTO &&
		    dp_ust_process_check() == 0) {
			dp_logl(DYNPROBE_LOG_WARN, "lttng: provider %s: runtime mode unavailable, "
				"trying the compiled mode", desc->name);
			r = load_compiled(desc, cells, sites, img);
		}
	} else {
		r = load_compiled(desc, cells, sites, img);
	}
	if (r < 0)
		goto out;
	*ret_image = img;
	img = NULL;
out:
	if (r < 0)
		dp_logl(DYNPROBE_LOG_WARN, "lttng: provider %s not loaded: error %d", desc && desc->name ? desc->name : "?", r);
	free(img);
	return r;
}

int dp_lttng_image_mode(const struct dp_lttng_image *img)
{
	return img ? (int)img->mode : 0;
}

const char *dp_lttng_image_object(const struct dp_lttng_image *img, bool *ret_prebuilt)
{
	*ret_prebuilt = img && img->prebuilt;
	return img && img->mode == DYNPROBE_LTTNG_MODE_COMPILED ? img->path : "";
}

void dp_lttng_release(struct dp_lttng_image *img)
{
	if (!img)
		return;
	if (img->rt) {
		dp_lttng_rt_release(img->rt);
		free(img);
		return;
	}
	/* Unregister from lttng-ust; the code stays mapped (RTLD_NODELETE)
	 * for any thread still inside a fire function. */
	pthread_mutex_lock(&dp_lttng_lock);
	if (img->mirrors)
		img->desc->mirror_unregister(img->mirrors);
	img->desc->detach();
	pthread_mutex_unlock(&dp_lttng_lock);
	if (img->mirror_slots)
		dp_lttng_records_free(img->mirror_slots, img->nmirrors);
	free(img->mirror_slots);
	free(img->mirrors);
	free(img);
}
