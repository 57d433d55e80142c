/* SPDX-License-Identifier: MIT */
/*
 * provider.c - providers, probes and their lifecycle.
 *
 *   new -> probe_add... -> load -> (fire) -> unload -> [probe_add...] -> load
 *       -> ... -> free
 *
 * Probe objects come from a slab that is never returned to the allocator:
 * the fire path reads a probe without any lock, so a thread racing with
 * dynprobe_provider_free() must always read valid memory.  A freed probe is
 * unpublished (reads "not loaded") before its slot is reused.
 *
 * Backend objects (the USDT image, the LTTng provider) are never unmapped.
 * An unload keeps them so that a later load of the unchanged provider
 * reuses them (same inode: attached tracers keep their probes); adding a
 * probe after an unload makes the next load build new ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/usdt/usdt.h"
#include "internal.h"

struct dynprobe_provider {
	char name[DYNPROBE_MAX_PROVIDER_NAME + 1];
	unsigned int backends;     /* selected */
	unsigned int loaded;       /* currently loaded on */
	int backend_error[2];      /* last load error: [0] USDT, [1] LTTng */
	unsigned int lttng_mode;   /* DYNPROBE_LTTNG_MODE_* as asked (env applied at load) */
	char *cache_dir, *prebuilt_path, *usdt_dir;
	struct dynprobe_probe **probes;
	uint32_t *name_hashes;     /* [cap]: probes[i]'s name hash, for the duplicate check */
	size_t nprobes, cap;
	bool stale;                /* probes changed since the objects were built */
	struct dp_usdt_image *usdt;
	struct dp_usdt_site *usdt_sites;
	struct dp_lttng_image *lttng;
	struct dp_lttng_site *lttng_sites;
	pthread_mutex_t lock;
	struct dynprobe_provider *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dynprobe_provider *registry;

/* FNV-1a, for the duplicate-name check. */
static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* ---- probe slab ---- */

#define SLAB_CHUNK 64
struct slab_chunk {
	struct slab_chunk *next;
	struct dynprobe_probe probes[SLAB_CHUNK];
};
static struct slab_chunk *slab_chunks; /* kept reachable, never freed */
static struct dynprobe_probe *slab_free;

static struct dynprobe_probe *probe_alloc(void)
{
	struct dynprobe_probe *p;

	pthread_mutex_lock(&registry_lock);
	if (!slab_free) {
		struct slab_chunk *c = calloc(1, sizeof(*c));
		if (!c) {
			pthread_mutex_unlock(&registry_lock);
			return NULL;
		}
		c->next = slab_chunks;
		slab_chunks = c;
		for (size_t i = 0; i < SLAB_CHUNK; i++) {
			dp_probe_init_sites(&c->probes[i]);
			dp_probe_publish(&c->probes[i], NULL);
			c->probes[i].next_free = slab_free;
			slab_free = &c->probes[i];
		}
	}
	p = slab_free;
	slab_free = p->next_free;
	pthread_mutex_unlock(&registry_lock);
	memset(&p->desc, 0, sizeof(p->desc));
	p->provider = NULL;
	p->next_free = NULL;
	dp_probe_publish(p, NULL); /* fresh or released: not loaded either way */
	return p;
}

/* The probe is unpublished; a caller still firing through its handle
 * reads "not loaded", or a later owner's consistent sites. */
static void probe_release(struct dynprobe_probe *p)
{
	/* Sites go back to idle memory before they forget the probe. */
	for (struct dynprobe_site *s = p->sites, *next; s; s = next) {
		next = s->next;
		__atomic_store_n(&s->base, dynprobe__idle_watch, __ATOMIC_RELEASE);
		__atomic_store_n(&s->probe, NULL, __ATOMIC_RELEASE);
		s->next = NULL;
	}
	p->sites = NULL;
	free((char *)p->desc.name);
	for (size_t i = 0; i < p->desc.nargs; i++)
		free((char *)p->desc.arg_names[i]);
	memset(&p->desc, 0, sizeof(p->desc));
	p->provider = NULL;
	pthread_mutex_lock(&registry_lock);
	p->next_free = slab_free;
	slab_free = p;
	pthread_mutex_unlock(&registry_lock);
}

/* ---- options ---- */

/* Accept structs from older callers (smaller sz) and newer ones whose extra
 * fields are all zero. */
static int opts_check(const void *opts, size_t known)
{
	size_t sz;

	if (!opts)
		return 0;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t))
		return -EINVAL;
	for (size_t i = known; i < sz; i++)
		if (((const uint8_t *)opts)[i])
			return -DYNPROBE_EOPTS;
	return 0;
}

#define OPT(opts, type, field, dflt)                                           \
	((opts) && (opts)->sz >= offsetof(type, field) + sizeof((opts)->field) \
		 ? (opts)->field : (dflt))

/* DYNPROBE_BACKENDS lets an operator choose without recompiling. */
static int backends_from_env(unsigned int *mask)
{
	const char *env = dp_env(DP_ENV_BACKENDS);
	unsigned int m = 0;
	char buf[64], *save = NULL;

	if (!env || !*env)
		return 0;
	if (strlen(env) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, env);
	for (char *tok = strtok_r(buf, ",+ ", &save); tok; tok = strtok_r(NULL, ",+ ", &save)) {
		if (!strcmp(tok, "usdt"))
			m |= DYNPROBE_BACKEND_USDT;
		else if (!strcmp(tok, "lttng"))
			m |= DYNPROBE_BACKEND_LTTNG;
		else if (!strcmp(tok, "both") || !strcmp(tok, "all"))
			m |= DYNPROBE_BACKEND_ALL;
		else {
			dp_log("DYNPROBE_BACKENDS='%s': use usdt, lttng or usdt,lttng", env);
			return -EINVAL;
		}
	}
	if (m)
		*mask = m;
	return 0;
}

/* ---- providers ---- */

static struct dynprobe_provider *registry_find(const char *name)
{
	for (struct dynprobe_provider *p = registry; p; p = p->next)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

int dynprobe_provider_new(const char *name, const struct dynprobe_provider_opts *opts,
			  struct dynprobe_provider **ret_provider)
{
	struct dynprobe_provider *p = NULL;
	const char *cache_dir, *prebuilt, *usdt_dir;
	unsigned int backends, lttng_mode;
	int r;

	if (!ret_provider)
		return -EINVAL;
	*ret_provider = NULL;
	if (!dp_name_valid(name, DYNPROBE_MAX_PROVIDER_NAME))
		return -DYNPROBE_ENAME;
	r = opts_check(opts, offsetof(struct dynprobe_provider_opts, usdt_dir) +
				     sizeof(const char *));
	if (r < 0)
		return r;
	backends = OPT(opts, struct dynprobe_provider_opts, backends, 0u);
	if (backends & ~DYNPROBE_BACKEND_ALL)
		return -EINVAL;
	if (!backends)
		backends = DYNPROBE_BACKEND_USDT;
	r = backends_from_env(&backends);
	if (r < 0)
		return r;
	cache_dir = OPT(opts, struct dynprobe_provider_opts, cache_dir, NULL);
	prebuilt = OPT(opts, struct dynprobe_provider_opts, prebuilt_path, NULL);
	lttng_mode = OPT(opts, struct dynprobe_provider_opts, lttng_mode, 0u);
	usdt_dir = OPT(opts, struct dynprobe_provider_opts, usdt_dir, NULL);
	if (lttng_mode > DYNPROBE_LTTNG_MODE_COMPILED)
		return -EINVAL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	strcpy(p->name, name);
	p->backends = backends;
	p->lttng_mode = lttng_mode;
	p->stale = true;
	pthread_mutex_init(&p->lock, NULL);
	if ((cache_dir && !(p->cache_dir = strdup(cache_dir))) ||
	    (prebuilt && !(p->prebuilt_path = strdup(prebuilt))) ||
	    (usdt_dir && !(p->usdt_dir = strdup(usdt_dir)))) {
		r = -ENOMEM;
		goto err;
	}
	pthread_mutex_lock(&registry_lock);
	if (registry_find(name)) {
		pthread_mutex_unlock(&registry_lock);
		r = -EEXIST;
		goto err;
	}
	p->next = registry;
	registry = p;
	pthread_mutex_unlock(&registry_lock);
	*ret_provider = p;
	return 0;
err:
	free(p->cache_dir);
	free(p->prebuilt_path);
	free(p->usdt_dir);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return r;
}

static int probe_fill_desc(struct dynprobe_probe *pr, const char *name,
			   const enum dynprobe_type *types, size_t nargs,
			   const char *const *arg_names)
{
	char dflt[16];

	pr->desc.name = strdup(name);
	if (!pr->desc.name)
		return -ENOMEM;
	pr->desc.nargs = nargs;
	for (size_t i = 0; i < nargs; i++) {
		const char *an = arg_names ? arg_names[i] : NULL;
		pr->desc.types[i] = types[i];
		if (!an) {
			snprintf(dflt, sizeof(dflt), "arg%zu", i);
			an = dflt;
		}
		pr->desc.arg_names[i] = strdup(an);
		if (!pr->desc.arg_names[i])
			return -ENOMEM;
	}
	return 0;
}

static int probe_args_check(const enum dynprobe_type *types, size_t nargs,
			    const char *const *arg_names)
{
	if (nargs > DYNPROBE_MAX_ARGS)
		return -DYNPROBE_EARGS;
	if (nargs && !types)
		return -EINVAL;
	for (size_t i = 0; i < nargs; i++) {
		if (types[i] <= DYNPROBE_TYPE_NONE || types[i] >= DYNPROBE_TYPE_MAX)
			return -DYNPROBE_ETYPE;
		if (arg_names && arg_names[i]) {
			if (!dp_name_valid(arg_names[i], DYNPROBE_MAX_PROBE_NAME))
				return -DYNPROBE_ENAME;
			for (size_t j = 0; j < i; j++)
				if (arg_names[j] && !strcmp(arg_names[i], arg_names[j]))
					return -DYNPROBE_ENAME;
		}
	}
	return 0;
}

int dynprobe_probe_add(struct dynprobe_provider *prov, const char *name,
		       const enum dynprobe_type *types, size_t nargs,
		       const struct dynprobe_probe_opts *opts,
		       struct dynprobe_probe **ret_probe)
{
	const char *const *arg_names;
	struct dynprobe_probe *pr = NULL;
	int loglevel, r;

	if (ret_probe)
		*ret_probe = NULL;
	if (!prov)
		return -EINVAL;
	if (!dp_name_valid(name, DYNPROBE_MAX_PROBE_NAME))
		return -DYNPROBE_ENAME;
	r = opts_check(opts, offsetof(struct dynprobe_probe_opts, lttng_loglevel) + sizeof(int));
	if (r < 0)
		return r;
	arg_names = OPT(opts, struct dynprobe_probe_opts, arg_names, NULL);
	loglevel = OPT(opts, struct dynprobe_probe_opts, lttng_loglevel, 0);
	if (loglevel < DYNPROBE_LOGLEVEL_UNSET || loglevel > DYNPROBE_LOGLEVEL_DEBUG)
		return -EINVAL;
	r = probe_args_check(types, nargs, arg_names);
	if (r < 0)
		return r;

	pthread_mutex_lock(&prov->lock);
	if (prov->loaded) {
		r = -DYNPROBE_ESTATE;
		goto out;
	}
	/* Scan a flat array of name hashes rather than chase every probe
	 * object; strcmp only on a hash match. */
	uint32_t h = name_hash(name);
	for (size_t i = 0; i < prov->nprobes; i++) {
		if (prov->name_hashes[i] == h && !strcmp(prov->probes[i]->desc.name, name)) {
			r = -EEXIST;
			goto out;
		}
	}
	if (prov->nprobes == prov->cap) {
		size_t cap = prov->cap ? prov->cap * 2 : 8;
		struct dynprobe_probe **v = realloc(prov->probes, cap * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			goto out;
		}
		prov->probes = v;
		uint32_t *hv = realloc(prov->name_hashes, cap * sizeof(*hv));
		if (!hv) {
			r = -ENOMEM;
			goto out;
		}
		prov->name_hashes = hv;
		prov->cap = cap;
	}
	pr = probe_alloc();
	if (!pr) {
		r = -ENOMEM;
		goto out;
	}
	r = probe_fill_desc(pr, name, types, nargs, arg_names);
	if (r < 0) {
		probe_release(pr); /* never published: no grace period needed */
		goto out;
	}
	pr->desc.lttng_loglevel = loglevel;
	pr->provider = prov;
	prov->name_hashes[prov->nprobes] = h;
	prov->probes[prov->nprobes++] = pr;
	prov->stale = true;
	if (ret_probe)
		*ret_probe = pr;
out:
	pthread_mutex_unlock(&prov->lock);
	return r;
}

/* ---- load / unload ---- */

static int backend_index(unsigned int backend)
{
	return backend == DYNPROBE_BACKEND_LTTNG ? 1 : 0;
}

static void provider_desc(struct dynprobe_provider *prov, struct dp_provider_desc *d,
			  const struct dp_probe_desc **descs)
{
	for (size_t i = 0; i < prov->nprobes; i++)
		descs[i] = &prov->probes[i]->desc;
	*d = (struct dp_provider_desc){
		.name = prov->name, .nprobes = prov->nprobes, .probes = descs,
		.cache_dir = prov->cache_dir, .prebuilt_path = prov->prebuilt_path,
		.lttng_mode = prov->lttng_mode, .usdt_dir = prov->usdt_dir,
	};
}

static int build_usdt(struct dynprobe_provider *prov, const struct dp_provider_desc *d)
{
	struct dp_usdt_site *sites = calloc(d->nprobes ? d->nprobes : 1, sizeof(*sites));
	struct dp_usdt_image *img = NULL;
	int r;

	if (!sites)
		return -ENOMEM;
	r = dp_usdt_load(d, prov->backends, sites, &img);
	if (r < 0) {
		free(sites);
		return r;
	}
	dp_usdt_release(prov->usdt); /* the old image stays mapped, inert */
	free(prov->usdt_sites);
	prov->usdt = img;
	prov->usdt_sites = sites;
	return 0;
}

static int build_lttng(struct dynprobe_provider *prov, const struct dp_provider_desc *d)
{
	struct dp_lttng_site *sites;
	volatile uint8_t **cells = NULL;
	struct dp_lttng_image *img = NULL;
	int r;

	if (!dp_lttng_available())
		return -DYNPROBE_EBACKEND;
	sites = calloc(d->nprobes ? d->nprobes : 1, sizeof(*sites));
	if (!sites)
		return -ENOMEM;
	/* On both backends, the LTTng state mirrors go into the USDT cells, so
	 * that one inline compare covers both (see dynprobe.h). */
	if (prov->usdt) {
		cells = calloc(d->nprobes ? d->nprobes : 1, sizeof(*cells));
		if (!cells) {
			free(sites);
			return -ENOMEM;
		}
		for (size_t i = 0; i < d->nprobes; i++)
			cells[i] = (volatile uint8_t *)prov->usdt_sites[i].watch +
				   DYNPROBE__WATCH_DISTANCE;
	}
	r = dp_lttng_load(d, cells, sites, &img);
	free(cells);
	if (r < 0) {
		free(sites);
		return r;
	}
	dp_lttng_release(prov->lttng);
	free(prov->lttng_sites);
	prov->lttng = img;
	prov->lttng_sites = sites;
	return 0;
}

/* Make sure each selected backend has objects for the current probes;
 * returns the mask of backends ready to publish. */
static unsigned int build_backends(struct dynprobe_provider *prov, int *first_err)
{
	const struct dp_probe_desc **descs;
	struct dp_provider_desc d;
	unsigned int ready = 0;

	descs = calloc(prov->nprobes ? prov->nprobes : 1, sizeof(*descs));
	if (!descs) {
		*first_err = -ENOMEM;
		return 0;
	}
	provider_desc(prov, &d, descs);
	if (prov->stale) {
		dp_usdt_release(prov->usdt);
		prov->usdt = NULL;
		dp_lttng_release(prov->lttng);
		prov->lttng = NULL;
		prov->stale = false;
	}
	static const unsigned int order[] = { DYNPROBE_BACKEND_USDT, DYNPROBE_BACKEND_LTTNG };
	for (size_t k = 0; k < 2; k++) {
		unsigned int b = order[k];
		bool have = b == DYNPROBE_BACKEND_USDT ? prov->usdt != NULL : prov->lttng != NULL;
		int r = 0;

		if (!(prov->backends & b))
			continue;
		if (!have)
			r = b == DYNPROBE_BACKEND_USDT ? build_usdt(prov, &d) : build_lttng(prov, &d);
		prov->backend_error[backend_index(b)] = r;
		if (r < 0) {
			dp_log("provider %s: %s backend failed: error %d", prov->name,
			       b == DYNPROBE_BACKEND_USDT ? "USDT" : "LTTng", r);
			if (!*first_err)
				*first_err = r;
		} else {
			ready |= b;
		}
	}
	free(descs);
	return ready;
}

static void publish(struct dynprobe_provider *prov, unsigned int ready)
{
	for (size_t i = 0; i < prov->nprobes; i++) {
		const struct dp_probe_desc *pd = &prov->probes[i]->desc;
		struct dp_probe_live l = {
			.has_usdt = ready & DYNPROBE_BACKEND_USDT,
			.has_lttng = ready & DYNPROBE_BACKEND_LTTNG,
			.nargs = (uint8_t)pd->nargs,
		};
		for (size_t a = 0; a < pd->nargs; a++)
			l.types[a] = (uint8_t)pd->types[a];
		if (l.has_usdt)
			l.usdt = prov->usdt_sites[i];
		if (l.has_lttng)
			l.lttng = prov->lttng_sites[i];
		dp_probe_publish(prov->probes[i], &l);
	}
	if (ready & DYNPROBE_BACKEND_USDT)
		dp_usdt_set_state(prov->usdt, 1);
	prov->loaded = ready;
}

int dynprobe_provider_load(struct dynprobe_provider *prov)
{
	unsigned int ready;
	int first_err = 0, r;

	if (!prov)
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (prov->loaded) {
		r = -EALREADY;
		goto out;
	}
	prov->backend_error[0] = prov->backend_error[1] = 0;
	ready = build_backends(prov, &first_err);
	if (!ready) {
		r = first_err ? first_err : -DYNPROBE_EBACKEND;
		goto out;
	}
	publish(prov, ready);
	r = ready != prov->backends ? DYNPROBE_LOAD_PARTIAL : 0;
out:
	pthread_mutex_unlock(&prov->lock);
	return r;
}

static void unload_locked(struct dynprobe_provider *prov)
{
	if (!prov->loaded)
		return;
	for (size_t i = 0; i < prov->nprobes; i++)
		dp_probe_publish(prov->probes[i], NULL);
	dp_usdt_set_state(prov->usdt, 0);
	prov->loaded = 0;
}

int dynprobe_provider_unload(struct dynprobe_provider *prov)
{
	int r = 0;

	if (!prov)
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (!prov->loaded)
		r = -DYNPROBE_ESTATE;
	else
		unload_locked(prov);
	pthread_mutex_unlock(&prov->lock);
	return r;
}

struct dynprobe_provider *dynprobe_provider_free(struct dynprobe_provider *prov)
{
	if (!prov)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	for (struct dynprobe_provider **pp = &registry; *pp; pp = &(*pp)->next) {
		if (*pp == prov) {
			*pp = prov->next;
			break;
		}
	}
	pthread_mutex_unlock(&registry_lock);

	pthread_mutex_lock(&prov->lock);
	unload_locked(prov);
	pthread_mutex_unlock(&prov->lock);
	for (size_t i = 0; i < prov->nprobes; i++)
		probe_release(prov->probes[i]);
	dp_usdt_release(prov->usdt);
	dp_lttng_release(prov->lttng);
	free(prov->usdt_sites);
	free(prov->lttng_sites);
	free(prov->probes);
	free(prov->name_hashes);
	free(prov->cache_dir);
	free(prov->prebuilt_path);
	free(prov->usdt_dir);
	pthread_mutex_destroy(&prov->lock);
	free(prov);
	return NULL;
}

int dynprobe_site_bind(struct dynprobe_site *site, struct dynprobe_probe *probe)
{
	struct dynprobe_provider *prov;

	if (!site || !probe || !(prov = probe->provider))
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (site->probe && site->probe != probe) {
		pthread_mutex_unlock(&prov->lock);
		return -EBUSY;
	}
	if (!site->probe) {
		site->probe = probe;
		site->next = probe->sites;
		probe->sites = site;
	}
	__atomic_store_n(&site->base, __atomic_load_n(&probe->watch.base, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
	pthread_mutex_unlock(&prov->lock);
	return 0;
}

/* ---- introspection ---- */

const char *dynprobe_provider_name(const struct dynprobe_provider *prov)
{
	return prov ? prov->name : NULL;
}

unsigned int dynprobe_provider_backends(const struct dynprobe_provider *prov)
{
	return prov ? prov->backends : 0;
}

unsigned int dynprobe_provider_loaded_backends(const struct dynprobe_provider *prov)
{
	return prov ? __atomic_load_n(&prov->loaded, __ATOMIC_RELAXED) : 0;
}

int dynprobe_provider_backend_error(const struct dynprobe_provider *prov, unsigned int backend)
{
	if (!prov || (backend != DYNPROBE_BACKEND_USDT && backend != DYNPROBE_BACKEND_LTTNG))
		return -EINVAL;
	return prov->backend_error[backend_index(backend)];
}

int dynprobe_provider_usdt_fd(const struct dynprobe_provider *prov)
{
	return prov ? dp_usdt_fd(prov->usdt) : -1;
}

const char *dynprobe_probe_name(const struct dynprobe_probe *probe)
{
	return probe ? probe->desc.name : NULL;
}

size_t dynprobe_probe_nargs(const struct dynprobe_probe *probe)
{
	return probe ? probe->desc.nargs : 0;
}

enum dynprobe_type dynprobe_probe_arg_type(const struct dynprobe_probe *probe, size_t i)
{
	return probe && i < probe->desc.nargs ? probe->desc.types[i] : DYNPROBE_TYPE_NONE;
}
