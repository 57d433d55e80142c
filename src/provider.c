/* SPDX-License-Identifier: MIT */
/*
 * provider.c - providers: options, backend selection, the registry of
 * names, free, fork, introspection.
 *
 *   new -> probe_add... -> load -> (fire) -> unload -> [probe_add...] -> load
 *       -> ... -> free
 *
 * probe.c adds probes, load.c builds and publishes them, slots.c keeps the
 * memory the fire path reads (never freed).  Backend objects (the USDT
 * image, the LTTng provider) are never unmapped: an unload keeps them so
 * that a later load of the unchanged provider reuses them (same inode:
 * attached tracers keep their probes); adding a probe after an unload
 * makes the next load build new ones.
 *
 * Locks, always taken in this order: the introspection record's
 * (introspect.c), registry_lock, a provider's lock, the slot allocator's
 * (slots.c).  fork() takes them all (provider_atfork)
 * so that a child finds every provider it inherited consistent and usable,
 * whatever another thread of the parent was doing.  The registry's and the
 * providers' locks are recursive: the forking thread may hold one itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect.h"
#include "provider.h"
#include "watch.h"

/* Recursive, like the providers' locks: the thread that forks may be one
 * that holds them (liblttng-ust forks a helper while a provider's LTTng
 * object is being loaded), and the prepare handler must not deadlock on
 * its own lock. */
static pthread_mutex_t registry_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct dynprobe_provider *registry;

/* ---- fork ---- */

static void provider_lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(lock, &a);
	pthread_mutexattr_destroy(&a);
}

/* Every backend's fork hooks run with every provider locked, so that a
 * backend never forks while another thread is inside its load. */
static void fork_prepare(void)
{
	dp_introspect_fork_prepare();
	pthread_mutex_lock(&registry_lock);
	for (struct dynprobe_provider *p = registry; p; p = p->next)
		pthread_mutex_lock(&p->lock);
	dp_probes_lock();
	for (size_t k = 0; k < dp_backend_count; k++)
		if (dp_backend_table[k] && dp_backend_table[k]->fork_prepare)
			dp_backend_table[k]->fork_prepare();
}

static void fork_done(bool child)
{
	for (size_t k = dp_backend_count; k-- > 0;) {
		const struct dp_backend *be = dp_backend_table[k];

		if (be && (child ? be->fork_child : be->fork_parent))
			(child ? be->fork_child : be->fork_parent)();
	}
	dp_probes_unlock();
	/* In the child the locks are re-made, not unlocked: a recursive
	 * mutex knows its owner by thread id, and the forking thread has
	 * another one in the child.  Only this thread exists there, and
	 * everything the locks protect is as the prepare handler left it. */
	for (struct dynprobe_provider *p = registry; p; p = p->next) {
		if (child)
			provider_lock_init(&p->lock);
		else
			pthread_mutex_unlock(&p->lock);
	}
	if (child)
		provider_lock_init(&registry_lock);
	else
		pthread_mutex_unlock(&registry_lock);
	dp_introspect_fork_done();
}

static void fork_parent(void)
{
	fork_done(false);
}

static void fork_child(void)
{
	fork_done(true);
}

static void atfork_once(void)
{
	if (pthread_atfork(fork_prepare, fork_parent, fork_child))
		dp_logl(DYNPROBE_LOG_WARN, "pthread_atfork failed: fork() while another thread "
					   "loads a provider may deadlock the child");
}

static void provider_atfork(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, atfork_once);
}

/* ---- options ---- */

/* Accept structs from older callers (smaller sz) and newer ones whose extra
 * fields are all zero.  A size beyond DYNPROBE_OPTS_MAX_SIZE is a wrong
 * size, not a newer struct: nothing past the known fields is read. */
int opts_check(const void *opts, size_t known)
{
	size_t sz;

	if (!opts)
		return 0;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t) || sz > DYNPROBE_OPTS_MAX_SIZE)
		return -EINVAL;
	for (size_t i = known; i < sz; i++)
		if (((const uint8_t *)opts)[i])
			return -DYNPROBE_EOPTS;
	return 0;
}

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

/* ---- providers ---- */

/*
 * The registry by name, for dynprobe_provider_new()'s uniqueness check:
 * chained hash buckets, a power of two, grown to stay at least as many as
 * the providers, so that a check compares about one name whatever the
 * number of providers, and given back when the last provider is freed.
 * A growth that cannot allocate keeps the table it has (only longer
 * chains); with no table at all the list is walked.  Under registry_lock.
 */
static struct dynprobe_provider **registry_buckets;
static size_t registry_nbuckets, registry_count;

static struct dynprobe_provider **registry_bucket(uint32_t hash)
{
	return &registry_buckets[hash & (registry_nbuckets - 1)];
}

static struct dynprobe_provider *registry_find(const char *name, uint32_t hash)
{
	if (!registry_buckets) {
		for (struct dynprobe_provider *p = registry; p; p = p->next)
			if (!strcmp(p->name, name))
				return p;
		return NULL;
	}
	for (struct dynprobe_provider *p = *registry_bucket(hash); p; p = p->bucket_next)
		if (p->name_hash == hash && !strcmp(p->name, name))
			return p;
	return NULL;
}

/* Rehash every provider into a table of `n` buckets, if it can be had. */
static void registry_rehash(size_t n)
{
	struct dynprobe_provider **b = calloc(n, sizeof(*b));

	if (!b)
		return;
	free(registry_buckets);
	registry_buckets = b;
	registry_nbuckets = n;
	for (struct dynprobe_provider *p = registry; p; p = p->next) {
		struct dynprobe_provider **head = registry_bucket(p->name_hash);
		p->bucket_next = *head;
		*head = p;
	}
}

static void registry_add(struct dynprobe_provider *p)
{
	p->next = registry;
	p->pprev = &registry;
	if (registry)
		registry->pprev = &p->next;
	registry = p;
	if (++registry_count > registry_nbuckets) {
		registry_rehash(registry_nbuckets ? 2 * registry_nbuckets : 16);
		if (registry_buckets && registry_nbuckets >= registry_count)
			return; /* rehashed, p included */
	}
	if (registry_buckets) {
		struct dynprobe_provider **head = registry_bucket(p->name_hash);
		p->bucket_next = *head;
		*head = p;
	}
}

static void registry_remove(struct dynprobe_provider *p)
{
	*p->pprev = p->next;
	if (p->next)
		p->next->pprev = p->pprev;
	if (registry_buckets) {
		for (struct dynprobe_provider **pp = registry_bucket(p->name_hash); *pp;
		     pp = &(*pp)->bucket_next) {
			if (*pp == p) {
				*pp = p->bucket_next;
				break;
			}
		}
	}
	if (--registry_count == 0) { /* nothing left to find: give the table back */
		free(registry_buckets);
		registry_buckets = NULL;
		registry_nbuckets = 0;
	}
}

/* The provider's own copies of the string options. */
static int provider_strings(struct dynprobe_provider *p, const struct dynprobe_provider_opts *opts)
{
	const char *cache_dir = OPT(opts, struct dynprobe_provider_opts, cache_dir, NULL);
	const char *prebuilt = OPT(opts, struct dynprobe_provider_opts, prebuilt_path, NULL);
	const char *usdt_dir = OPT(opts, struct dynprobe_provider_opts, usdt_dir, NULL);

	if ((cache_dir && !(p->cache_dir = strdup(cache_dir))) ||
	    (prebuilt && !(p->prebuilt_path = strdup(prebuilt))) ||
	    (usdt_dir && !(p->usdt_dir = strdup(usdt_dir))))
		return -ENOMEM;
	return 0;
}

int dynprobe_provider_new(const char *name, const struct dynprobe_provider_opts *opts,
			  struct dynprobe_provider **ret_provider)
{
	struct dynprobe_provider *p = NULL;
	unsigned int backends, lttng_mode;
	int r;

	if (!ret_provider)
		return -EINVAL;
	*ret_provider = NULL;
	r = dp_name_check(name, DP_NAME_PROVIDER);
	if (r < 0)
		return r;
	r = opts_check(opts, offsetof(struct dynprobe_provider_opts, usdt_dir) + sizeof(const char *));
	if (r < 0)
		return r;
	backends = OPT(opts, struct dynprobe_provider_opts, backends, 0u);
	if (!backends)
		backends = DYNPROBE_BACKEND_USDT;
	r = backends_from_env(&backends);
	if (r < 0)
		return r;
	lttng_mode = OPT(opts, struct dynprobe_provider_opts, lttng_mode, 0u);
	if (lttng_mode > DYNPROBE_LTTNG_MODE_COMPILED)
		return -EINVAL;

	provider_atfork();
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	strcpy(p->name, name);
	p->lttng_mode = lttng_mode;
	p->stale = true;
	provider_lock_init(&p->lock);
	r = backends_select(p, backends);
	if (r == 0)
		r = provider_strings(p, opts);
	if (r < 0)
		goto err;
	p->name_hash = dp_name_hash(name);
	pthread_mutex_lock(&registry_lock);
	if (registry_find(name, p->name_hash)) {
		pthread_mutex_unlock(&registry_lock);
		r = -EEXIST;
		goto err;
	}
	registry_add(p);
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

struct dynprobe_provider *dynprobe_provider_free(struct dynprobe_provider *prov)
{
	if (!prov)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	registry_remove(prov);
	pthread_mutex_unlock(&registry_lock);

	pthread_mutex_lock(&prov->lock);
	provider_unload_locked(prov);
	for (size_t i = 0; i < prov->nprobes; i++)
		probe_free(provider_probe(prov, i));
	provider_release_images(prov);
	pthread_mutex_unlock(&prov->lock);
	free(prov->probes);
	free(prov->index);
	free(prov->hashes);
	provider_names_free(prov);
	free(prov->cache_dir);
	free(prov->prebuilt_path);
	free(prov->usdt_dir);
	pthread_mutex_destroy(&prov->lock);
	dp_introspect_forget(prov); /* before the address can be reused */
	free(prov);
	return NULL;
}

/* ---- introspection ---- */

void provider_introspect_update(struct dynprobe_provider *prov)
{
	dp_introspect_update(prov);
}

static int provider_introspect(struct dynprobe_provider *prov, struct dp_intro_writer *w)
{
	size_t n = prov->nprobes ? prov->nprobes : 1;
	struct dp_probe_desc *descs = calloc(n, sizeof(*descs));
	const struct dp_probe_desc **ptrs = calloc(n, sizeof(*ptrs));
	struct dp_site *sites = calloc(n, sizeof(*sites));
	int r = -ENOMEM;

	if (!descs || !ptrs || !sites)
		goto out;
	/* The record has each probe's name and types only: no argument
	 * names to look up. */
	for (size_t i = 0; i < prov->nprobes; i++) {
		const struct dp_slot *s = provider_slot(prov, i);

		descs[i].name = probe_name(s);
		descs[i].nargs = s->live.nargs;
		for (size_t a = 0; a < s->live.nargs && a < DYNPROBE_MAX_ARGS; a++)
			descs[i].types[a] = (enum dynprobe_type)s->live.types[a];
		ptrs[i] = &descs[i];
	}
	dp_intro_put_provider(w, prov, prov->name, prov->backends, prov->loaded, prov->nprobes,
			      ptrs);
	r = 0;
	for (size_t k = 0; r >= 0 && k < prov->nbe; k++) {
		const struct provider_backend *b = &prov->be[k];

		if (!(prov->loaded & b->mask) || !b->ops->introspect)
			continue;
		for (size_t i = 0; i < prov->nprobes; i++)
			sites[i] = provider_slot(prov, i)->live.sites[k];
		r = b->ops->introspect(b->image, sites, prov->nprobes, w);
	}
out:
	free(descs);
	free(ptrs);
	free(sites);
	return r;
}

int dp_provider_introspect(const void *provider, struct dp_intro_writer *w)
{
	struct dynprobe_provider *prov = (struct dynprobe_provider *)provider;
	int r;

	pthread_mutex_lock(&prov->lock);
	r = provider_introspect(prov, w);
	pthread_mutex_unlock(&prov->lock);
	return r;
}

int dp_registry_introspect(struct dp_intro_writer *w)
{
	int r = 0;

	pthread_mutex_lock(&registry_lock);
	for (struct dynprobe_provider *p = registry; p && r >= 0; p = p->next) {
		pthread_mutex_lock(&p->lock);
		r = provider_introspect(p, w);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&registry_lock);
	return r;
}

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
	struct dynprobe_provider *p = (struct dynprobe_provider *)prov;
	const struct provider_backend *b;
	int r = -ENOENT;

	*info = (struct dp_image_info){ .fd = -1 };
	if (!p)
		return -ENOENT;
	pthread_mutex_lock(&p->lock);
	b = provider_backend(p, backend);
	if (b && b->image) {
		if (b->ops->image_info)
			b->ops->image_info(b->image, info);
		r = 0;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
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
	struct dp_slot *s = dp_probe_slot(probe);
	struct dynprobe_provider *prov = s ? s->provider : NULL;
	const struct provider_backend *b;
	int r = -ENOENT;

	*info = (struct dp_site_info){ 0 };
	if (!prov)
		return -ENOENT;
	pthread_mutex_lock(&prov->lock);
	b = provider_backend(prov, backend);
	if (b && b->image && b->ops->site_info) {
		b->ops->site_info(&s->live.sites[b - prov->be], info);
		r = 0;
	}
	pthread_mutex_unlock(&prov->lock);
	return r;
}

const char *dynprobe_provider_usdt_path(const struct dynprobe_provider *prov)
{
	struct dp_image_info info = { .fd = -1 };

	return dp_provider_image_info(prov, DYNPROBE_BACKEND_USDT, &info) == 0 ? info.path : NULL;
}
