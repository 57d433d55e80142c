/* SPDX-License-Identifier: MIT */
/*
 * load.c - building a provider's objects on each selected backend and
 * publishing its probes' sites to the fire path (backend.h says what a
 * backend does; fire.c how a site is published).
 *
 * Backends are built in table order, so that a host of shared cells is
 * ready before a guest that mirrors into them (watch.h).  A backend that
 * fails leaves the others loaded (DYNPROBE_LOAD_PARTIAL); one whose image
 * exists from an earlier load is reused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "watch.h"

/* One load in progress: per backend, the sites it built just now (NULL:
 * its image is reused and the sites are in the slots already). */
struct load_ctx {
	struct dynprobe_provider *prov;
	struct dp_provider_desc desc;
	struct dp_site *fresh[DP_PROBE_SITES];
	unsigned int ready; /* bit k: backend k is ready to publish */
};

/* Probe i's site on backend k, fresh or from an earlier load. */
static const struct dp_site *site_of(const struct load_ctx *c, size_t k, size_t i)
{
	return c->fresh[k] ? &c->fresh[k][i] : &provider_slot(c->prov, i)->live.sites[k];
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
	struct dp_load l = {.desc = &c->desc, .backends = prov->backends};
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

void provider_release_images(struct dynprobe_provider *prov)
{
	/* Guests before hosts (reverse table order): a guest's records live
	 * in its host's cells. */
	for (size_t k = prov->nbe; k-- > 0;) {
		if (prov->be[k].image)
			prov->be[k].ops->release(prov->be[k].image);
		prov->be[k].image = NULL;
	}
}

/* Make sure each selected backend has objects for the current probes;
 * marks in c->ready the backends ready to publish. */
static void build_backends(struct load_ctx *c, int *first_err)
{
	struct dynprobe_provider *prov = c->prov;

	if (prov->stale) {
		provider_release_images(prov);
		prov->stale = false;
	}
	for (size_t k = 0; k < prov->nbe; k++) {
		struct provider_backend *b = &prov->be[k];
		int r = b->image ? 0 : build_one(c, k);

		b->error = r;
		if (r < 0) {
			dp_logl(DYNPROBE_LOG_WARN,
				"provider %s: the %s backend failed to load: error %d", prov->name,
				b->ops ? b->ops->name : "unregistered", r);
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
		struct dp_slot *s = provider_slot(prov, i);
		struct dp_probe_live l;

		dp_slot_live(s, &l);
		for (size_t k = 0; k < DP_PROBE_SITES; k++) {
			l.backend[k] = 0;
			if (k >= prov->nbe || !(c->ready & (1u << k)))
				continue;
			l.sites[k] = *site_of(c, k, i);
			l.backend[k] = prov->be[k].index;
		}
		dp_probe_publish(provider_probe(prov, i), s, &l);
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

/* The descriptions the backends build from, valid during the load. */
static int load_descs(struct load_ctx *c, struct dp_probe_desc **ret_descs,
		      const struct dp_probe_desc ***ret_ptrs)
{
	struct dynprobe_provider *prov = c->prov;
	size_t n = prov->nprobes ? prov->nprobes : 1;
	struct dp_probe_desc *descs = calloc(n, sizeof(*descs));
	const struct dp_probe_desc **ptrs = calloc(n, sizeof(*ptrs));

	*ret_descs = descs;
	*ret_ptrs = ptrs;
	if (!descs || !ptrs)
		return -ENOMEM;
	for (size_t i = 0; i < prov->nprobes; i++) {
		probe_desc(provider_slot(prov, i), &descs[i]);
		ptrs[i] = &descs[i];
	}
	c->desc = (struct dp_provider_desc){
	    .name = prov->name,
	    .nprobes = prov->nprobes,
	    .probes = ptrs,
	    .cache_dir = prov->cache_dir,
	    .prebuilt_path = prov->prebuilt_path,
	    .lttng_mode = prov->lttng_mode,
	    .usdt_dir = prov->usdt_dir,
	};
	return 0;
}

int dynprobe_provider_load(struct dynprobe_provider *prov)
{
	const struct dp_probe_desc **ptrs = NULL;
	struct dp_probe_desc *descs = NULL;
	struct load_ctx c = {.prov = prov};
	int first_err = 0, r;

	if (!prov)
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (prov->loaded) {
		r = -EALREADY;
		goto out;
	}
	r = load_descs(&c, &descs, &ptrs);
	if (r < 0)
		goto out;
	build_backends(&c, &first_err);
	if (!c.ready) {
		r = first_err ? first_err : -DYNPROBE_EBACKEND;
		goto out;
	}
	publish(&c);
	provider_compact(prov); /* probe_add is refused while loaded */
	r = prov->loaded != prov->backends ? DYNPROBE_LOAD_PARTIAL : 0;
out:
	for (size_t k = 0; k < DP_PROBE_SITES; k++)
		free(c.fresh[k]);
	free(descs);
	free(ptrs);
	pthread_mutex_unlock(&prov->lock);
	if (r >= 0)
		provider_introspect_update(prov);
	return r;
}

void provider_unload_locked(struct dynprobe_provider *prov)
{
	if (!prov->loaded)
		return;
	for (size_t i = 0; i < prov->nprobes; i++)
		dp_probe_publish(provider_probe(prov, i), provider_slot(prov, i), NULL);
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
		provider_unload_locked(prov);
	pthread_mutex_unlock(&prov->lock);
	if (r == 0)
		provider_introspect_update(prov);
	return r;
}
