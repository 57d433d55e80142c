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

#include "backend.h"
#include "internal.h"
#include "watch.h"

/* One backend the provider publishes on; site k of its probes is
 * backend k's.  ops is NULL for a backend left out of this build. */
struct provider_backend {
	const struct dp_backend *ops;
	unsigned int mask;         /* DYNPROBE_BACKEND_* */
	uint8_t index;             /* 1 + table index, as dp_probe_live.backend[] has it */
	void *image;               /* NULL: not built for the current probes */
	int error;                 /* last load error */
};

struct dynprobe_provider {
	char name[DYNPROBE_MAX_PROVIDER_NAME + 1];
	unsigned int backends;     /* selected */
	unsigned int loaded;       /* currently loaded on */
	struct provider_backend be[DP_PROBE_SITES]; /* selected, in table order */
	size_t nbe;
	unsigned int lttng_mode;   /* DYNPROBE_LTTNG_MODE_* as asked (env applied at load) */
	char *cache_dir, *prebuilt_path, *usdt_dir;
	struct dynprobe_probe **probes;
	uint32_t *name_hashes;     /* [cap]: probes[i]'s name hash, for the duplicate check */
	size_t nprobes, cap;
	bool stale;                /* probes changed since the objects were built */
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
		const struct dp_backend *be = dp_backend_by_name(tok);

		if (be)
			m |= be->mask;
		else if (!strcmp(tok, "both") || !strcmp(tok, "all"))
			m |= DYNPROBE_BACKEND_ALL;
		else {
			dp_logl(DYNPROBE_LOG_WARN,
				"DYNPROBE_BACKENDS='%s': use usdt, lttng or usdt,lttng", env);
			return -EINVAL;
		}
	}
	if (m)
		*mask = m;
	return 0;
}

/* The selected backends, in table order: the public ones always (an
 * LTTng backend left out of the build then fails its load with
 * -DYNPROBE_EBACKEND), others only when registered. */
static int backends_select(struct dynprobe_provider *p, unsigned int mask)
{
	unsigned int known = DYNPROBE_BACKEND_ALL, rest;

	for (size_t k = 0; k < dp_backend_count; k++)
		if (dp_backend_table[k])
			known |= dp_backend_table[k]->mask;
	if (mask & ~known)
		return -EINVAL;
	rest = mask;
	for (size_t k = 0; k < dp_backend_count; k++) {
		const struct dp_backend *ops = dp_backend_table[k];

		if (!ops || !(rest & ops->mask))
			continue;
		if (p->nbe == DP_PROBE_SITES)
			return -EINVAL;
		p->be[p->nbe++] = (struct provider_backend){ .ops = ops, .mask = ops->mask,
							      .index = (uint8_t)(k + 1) };
		rest &= ~ops->mask;
	}
	for (unsigned int bit = 1; rest; bit <<= 1) {
		if (!(rest & bit))
			continue;
		if (p->nbe == DP_PROBE_SITES)
			return -EINVAL;
		p->be[p->nbe++] = (struct provider_backend){ .mask = bit };
		rest &= ~bit;
	}
	p->backends = mask;
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
	r = backends_select(p, backends);
	if (r < 0)
		goto err;
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

/* One load in progress: per backend, the sites it built just now (NULL:
 * its image is reused and the sites are in the probes already). */
struct load_ctx {
	struct dynprobe_provider *prov;
	struct dp_provider_desc desc;
	struct dp_site *fresh[DP_PROBE_SITES];
	unsigned int ready;        /* indices k of backends ready to publish */
};

/* Probe i's site on backend k, fresh or from an earlier load. */
static const struct dp_site *site_of(const struct load_ctx *c, size_t k, size_t i)
{
	return c->fresh[k] ? &c->fresh[k][i] : &c->prov->probes[i]->live.sites[k];
}

static bool selected_with(const struct dynprobe_provider *prov, size_t self, unsigned int flag)
{
	for (size_t k = 0; k < prov->nbe; k++)
		if (k != self && prov->be[k].ops && (prov->be[k].ops->flags & flag))
			return true;
	return false;
}

/* A guest mirrors its state into the cells of the first host that is
 * ready (watch.h owns where a cell is); NULL when there is none. */
static volatile uint8_t **host_cells(const struct load_ctx *c, int *err)
{
	const struct dynprobe_provider *prov = c->prov;
	volatile uint8_t **cells;

	for (size_t k = 0; k < prov->nbe; k++) {
		if (!(c->ready & (1u << k)) || !(prov->be[k].ops->flags & DP_BACKEND_HOSTS_CELLS))
			continue;
		cells = calloc(prov->nprobes ? prov->nprobes : 1, sizeof(*cells));
		if (!cells) {
			*err = -ENOMEM;
			return NULL;
		}
		for (size_t i = 0; i < prov->nprobes; i++)
			cells[i] = dp_watch_cell(site_of(c, k, i)->watch);
		return cells;
	}
	return NULL;
}

static int build_one(struct load_ctx *c, size_t k)
{
	struct dynprobe_provider *prov = c->prov;
	struct provider_backend *b = &prov->be[k];
	struct dp_load l = { .desc = &c->desc, .backends = prov->backends };
	volatile uint8_t **cells = NULL;
	struct dp_site *sites;
	void *img = NULL;
	int r = 0;

	if (!b->ops)
		return -DYNPROBE_EBACKEND;
	if (b->ops->flags & DP_BACKEND_HOSTS_CELLS)
		l.host_cells = selected_with(prov, k, DP_BACKEND_MIRRORS_STATE);
	if (b->ops->flags & DP_BACKEND_MIRRORS_STATE) {
		cells = host_cells(c, &r);
		if (r < 0)
			return r;
		l.cells = cells;
	}
	sites = calloc(prov->nprobes ? prov->nprobes : 1, sizeof(*sites));
	if (!sites) {
		free(cells);
		return -ENOMEM;
	}
	r = b->ops->load(&l, sites, &img);
	free(cells);
	if (r < 0) {
		free(sites);
		return r;
	}
	b->image = img;
	c->fresh[k] = sites;
	return 0;
}

/* Make sure each selected backend has objects for the current probes;
 * marks in c->ready the backends ready to publish. */
static void build_backends(struct load_ctx *c, int *first_err)
{
	struct dynprobe_provider *prov = c->prov;

	if (prov->stale) {
		/* Guests before hosts (reverse table order): a guest's records
		 * live in its host's cells. */
		for (size_t k = prov->nbe; k-- > 0;) {
			if (prov->be[k].image)
				prov->be[k].ops->release(prov->be[k].image);
			prov->be[k].image = NULL;
		}
		prov->stale = false;
	}
	for (size_t k = 0; k < prov->nbe; k++) {
		struct provider_backend *b = &prov->be[k];
		int r = b->image ? 0 : build_one(c, k);

		b->error = r;
		if (r < 0) {
			dp_logl(DYNPROBE_LOG_WARN, "provider %s: %s backend failed: error %d",
				prov->name, b->ops ? b->ops->name : "unregistered", r);
			if (!*first_err)
				*first_err = r;
		} else {
			c->ready |= 1u << k;
		}
	}
}

static void publish(struct load_ctx *c)
{
	struct dynprobe_provider *prov = c->prov;
	unsigned int loaded = 0;

	for (size_t i = 0; i < prov->nprobes; i++) {
		struct dynprobe_probe *pr = prov->probes[i];
		struct dp_probe_live l = pr->live;

		l.nargs = (uint8_t)pr->desc.nargs;
		for (size_t a = 0; a < pr->desc.nargs; a++)
			l.types[a] = (uint8_t)pr->desc.types[a];
		for (size_t k = 0; k < DP_PROBE_SITES; k++) {
			l.backend[k] = 0;
			if (k >= prov->nbe || !(c->ready & (1u << k)))
				continue;
			l.sites[k] = *site_of(c, k, i);
			l.backend[k] = prov->be[k].index;
		}
		dp_probe_publish(pr, &l);
	}
	for (size_t k = 0; k < prov->nbe; k++) {
		if (!(c->ready & (1u << k)))
			continue;
		if (prov->be[k].ops->set_state)
			prov->be[k].ops->set_state(prov->be[k].image, true);
		loaded |= prov->be[k].mask;
	}
	__atomic_store_n(&prov->loaded, loaded, __ATOMIC_RELAXED);
}

int dynprobe_provider_load(struct dynprobe_provider *prov)
{
	const struct dp_probe_desc **descs = NULL;
	struct load_ctx c = { .prov = prov };
	int first_err = 0, r;

	if (!prov)
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (prov->loaded) {
		r = -EALREADY;
		goto out;
	}
	descs = calloc(prov->nprobes ? prov->nprobes : 1, sizeof(*descs));
	if (!descs) {
		r = -ENOMEM;
		goto out;
	}
	provider_desc(prov, &c.desc, descs);
	build_backends(&c, &first_err);
	if (!c.ready) {
		r = first_err ? first_err : -DYNPROBE_EBACKEND;
		goto out;
	}
	publish(&c);
	r = prov->loaded != prov->backends ? DYNPROBE_LOAD_PARTIAL : 0;
out:
	for (size_t k = 0; k < DP_PROBE_SITES; k++)
		free(c.fresh[k]);
	free(descs);
	pthread_mutex_unlock(&prov->lock);
	return r;
}

static void unload_locked(struct dynprobe_provider *prov)
{
	if (!prov->loaded)
		return;
	for (size_t i = 0; i < prov->nprobes; i++)
		dp_probe_publish(prov->probes[i], NULL);
	for (size_t k = 0; k < prov->nbe; k++)
		if (prov->be[k].image && prov->be[k].ops->set_state)
			prov->be[k].ops->set_state(prov->be[k].image, false);
	__atomic_store_n(&prov->loaded, 0, __ATOMIC_RELAXED);
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
	for (size_t k = prov->nbe; k-- > 0;) /* guests before hosts */
		if (prov->be[k].image)
			prov->be[k].ops->release(prov->be[k].image);
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

static const struct provider_backend *provider_backend(const struct dynprobe_provider *prov,
						       unsigned int backend)
{
	for (size_t k = 0; k < prov->nbe; k++)
		if (prov->be[k].mask == backend)
			return &prov->be[k];
	return NULL;
}

int dynprobe_provider_backend_error(const struct dynprobe_provider *prov, unsigned int backend)
{
	const struct provider_backend *b;

	if (!prov || !backend || (backend & (backend - 1)))
		return -EINVAL;
	if (!(backend & DYNPROBE_BACKEND_ALL) && !dp_backend_by_mask(backend))
		return -EINVAL;
	b = provider_backend(prov, backend);
	return b ? b->error : 0;
}

int dp_provider_image_info(const struct dynprobe_provider *prov, unsigned int backend,
			   struct dp_image_info *info)
{
	const struct provider_backend *b;

	*info = (struct dp_image_info){ .fd = -1 };
	if (!prov)
		return -ENOENT;
	pthread_mutex_lock((pthread_mutex_t *)&prov->lock);
	b = provider_backend(prov, backend);
	if (b && b->image && b->ops->image_info)
		b->ops->image_info(b->image, info);
	pthread_mutex_unlock((pthread_mutex_t *)&prov->lock);
	return b && b->image ? 0 : -ENOENT;
}

int dynprobe_provider_usdt_fd(const struct dynprobe_provider *prov)
{
	struct dp_image_info info;

	dp_provider_image_info(prov, DYNPROBE_BACKEND_USDT, &info);
	return info.fd;
}

int dp_probe_site_info(const struct dynprobe_probe *probe, unsigned int backend,
		       struct dp_site_info *info)
{
	const struct dynprobe_provider *prov = probe ? probe->provider : NULL;
	const struct provider_backend *b;

	*info = (struct dp_site_info){ 0 };
	if (!prov)
		return -ENOENT;
	b = provider_backend(prov, backend);
	if (!b || !b->image || !b->ops->site_info)
		return -ENOENT;
	b->ops->site_info(&probe->live.sites[b - prov->be], info);
	return 0;
}

const char *dynprobe_provider_usdt_path(const struct dynprobe_provider *prov)
{
	struct dp_image_info info = { .fd = -1 };

	return dp_provider_image_info(prov, DYNPROBE_BACKEND_USDT, &info) == 0 ? info.path : NULL;
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
