/* SPDX-License-Identifier: MIT */
/*
 * probe.c - adding probes to a provider, their names, and the per-probe
 * API (names, signature, site binding).
 *
 * dynprobe_probe_add() costs O(1) amortized: the duplicate check is an
 * open-addressing table over the names (FNV-1a, linear probing, at most
 * half full), names are copied into blocks that grow geometrically and
 * never move, and handles and slots come from slots.c.  A probe costs
 * its 16-byte handle, its slot, its names and two table entries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"
#include "watch.h"

/* ---- names ---- */

static const char *const default_arg_names[DYNPROBE_MAX_ARGS] = {
    "arg0", "arg1", "arg2", "arg3", "arg4",  "arg5",
    "arg6", "arg7", "arg8", "arg9", "arg10", "arg11",
};

/* Room for `len` more bytes in the provider's name blocks; a block is
 * never moved, so dynprobe_probe_name() pointers stay valid. */
static char *names_reserve(struct dynprobe_provider *prov, size_t len)
{
	struct name_block *b = prov->names;

	if (!b || b->size - b->used < len) {
		size_t size = b ? b->size * 2 : 256;

		if (size > 65536)
			size = 65536;
		if (size < len)
			size = len;
		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->next = prov->names;
		b->used = 0;
		b->size = size;
		prov->names = b;
	}
	return b->text + b->used;
}

void provider_names_free(struct dynprobe_provider *prov)
{
	for (struct name_block *b = prov->names, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	prov->names = NULL;
}

/* Copy the probe's name and its explicit argument names, back to back,
 * into reserved room; *ret_len bytes to commit once the probe exists. */
static const char *names_copy(struct dynprobe_provider *prov, const char *name, size_t nargs,
			      const char *const *arg_names, uint16_t *ret_named, size_t *ret_len)
{
	size_t len = strlen(name) + 1;
	char *text, *w;

	*ret_named = 0;
	for (size_t i = 0; arg_names && i < nargs; i++)
		if (arg_names[i])
			len += strlen(arg_names[i]) + 1;
	text = names_reserve(prov, len);
	if (!text)
		return NULL;
	w = stpcpy(text, name) + 1;
	for (size_t i = 0; arg_names && i < nargs; i++) {
		if (arg_names[i]) {
			w = stpcpy(w, arg_names[i]) + 1;
			*ret_named |= (uint16_t)(1u << i);
		}
	}
	*ret_len = len;
	return text;
}

void probe_desc(const struct dp_slot *s, struct dp_probe_desc *d)
{
	const char *next = s->name + strlen(s->name) + 1;

	memset(d, 0, sizeof(*d));
	d->name = s->name;
	d->nargs = s->live.nargs;
	d->lttng_loglevel = s->loglevel;
	for (size_t i = 0; i < d->nargs; i++) {
		d->types[i] = (enum dynprobe_type)s->live.types[i];
		if (s->arg_named & (1u << i)) {
			d->arg_names[i] = next;
			next += strlen(next) + 1;
		} else {
			d->arg_names[i] = default_arg_names[i];
		}
	}
}

/* ---- the duplicate-name index ---- */

/* Index entries: 0 empty, else the name hash's top byte (a tag that
 * spares most strcmp() calls, and their cache misses) and 1 + the probe's
 * index in the low 24 bits. */
#define INDEX_PROBE_BITS 24
#define INDEX_PROBES_MAX ((1u << INDEX_PROBE_BITS) - 1)

static uint32_t index_entry(uint32_t hash, size_t probe)
{
	return (hash & ~INDEX_PROBES_MAX) | (uint32_t)(probe + 1);
}

/* The bucket where `name` (of this hash) is, or would go. */
static size_t index_find(const struct dynprobe_provider *prov, const char *name, uint32_t hash)
{
	size_t mask = prov->index_size - 1, i = hash & mask;
	uint32_t e;

	for (; (e = prov->index[i]); i = (i + 1) & mask)
		if ((e & ~INDEX_PROBES_MAX) == (hash & ~INDEX_PROBES_MAX) &&
		    !strcmp(provider_slot(prov, (e & INDEX_PROBES_MAX) - 1)->name, name))
			break;
	return i;
}

/* Room for one more probe: the handle array and an index at most half
 * full, both doubled when needed. */
static int provider_grow(struct dynprobe_provider *prov)
{
	if (prov->nprobes == INDEX_PROBES_MAX)
		return -DYNPROBE_EPROBES;
	if (prov->nprobes == prov->cap) {
		size_t cap = prov->cap ? prov->cap * 2 : 8;
		struct dynprobe_probe **v = realloc(prov->probes, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		prov->probes = v;
		prov->cap = cap;
	}
	if (2 * (prov->nprobes + 1) > prov->index_size) {
		size_t size = prov->index_size ? prov->index_size * 2 : 16;
		uint32_t *old = prov->index;

		prov->index = calloc(size, sizeof(*prov->index));
		if (!prov->index) {
			prov->index = old;
			return -ENOMEM;
		}
		prov->index_size = size;
		for (size_t i = 0; i < prov->nprobes; i++) {
			const char *name = provider_slot(prov, i)->name;
			uint32_t h = dp_name_hash(name);

			prov->index[index_find(prov, name, h)] = index_entry(h, i);
		}
		free(old);
	}
	return 0;
}

/* ---- adding ---- */

static int probe_args_check(const char *probe, const enum dynprobe_type *types, size_t nargs,
			    const char *const *arg_names)
{
	if (nargs > DYNPROBE_MAX_ARGS)
		return -DYNPROBE_EARGS;
	if (nargs && !types)
		return -EINVAL;
	for (size_t i = 0; i < nargs; i++) {
		const char *mine = arg_names && arg_names[i] ? arg_names[i] : default_arg_names[i];
		int r;

		if (types[i] <= DYNPROBE_TYPE_NONE || types[i] >= DYNPROBE_TYPE_MAX)
			return -DYNPROBE_ETYPE;
		r = arg_names && arg_names[i] ? dp_name_check(arg_names[i], DP_NAME_FIELD) : 0;
		if (r < 0)
			return r;
		/* Field names are unique per event, defaults ("argN") included. */
		for (size_t j = 0; j < i; j++) {
			const char *other =
			    arg_names && arg_names[j] ? arg_names[j] : default_arg_names[j];

			if (!strcmp(mine, other)) {
				dp_logl(DYNPROBE_LOG_WARN,
					"probe %s: arguments %zu and %zu are both named '%s'",
					probe, j, i, mine);
				return -DYNPROBE_ENAME;
			}
		}
	}
	return 0;
}

/* Under the provider's lock, with room made by provider_grow(); `bucket`
 * is where index_find() said the name goes. */
static int probe_insert(struct dynprobe_provider *prov, const char *name, uint32_t hash,
			size_t bucket, const enum dynprobe_type *types, size_t nargs,
			const char *const *arg_names, int loglevel, struct dynprobe_probe **ret_probe)
{
	struct dp_probe_live live = {.nargs = (uint8_t)nargs};
	struct dynprobe_probe *probe;
	const char *text;
	uint16_t named;
	struct dp_slot *s;
	size_t len;

	text = names_copy(prov, name, nargs, arg_names, &named, &len);
	probe = text ? dp_probe_new((unsigned int)prov->nbe, &s) : NULL;
	if (!probe)
		return -ENOMEM;
	prov->names->used += len;
	s->provider = prov;
	s->name = text;
	s->arg_named = named;
	s->loglevel = (int8_t)loglevel;
	for (size_t i = 0; i < nargs; i++)
		live.types[i] = (uint8_t)types[i];
	dp_probe_publish(probe, s, &live); /* the signature, not loaded */
	prov->index[bucket] = index_entry(hash, prov->nprobes);
	prov->probes[prov->nprobes++] = probe;
	*ret_probe = probe;
	return 0;
}

int dynprobe_probe_add(struct dynprobe_provider *prov, const char *name,
		       const enum dynprobe_type *types, size_t nargs,
		       const struct dynprobe_probe_opts *opts, struct dynprobe_probe **ret_probe)
{
	const char *const *arg_names;
	struct dynprobe_probe *probe = NULL;
	uint32_t hash;
	size_t bucket;
	int loglevel, r;

	if (ret_probe)
		*ret_probe = NULL;
	if (!prov)
		return -EINVAL;
	r = dp_name_check(name, DP_NAME_PROBE);
	if (r < 0)
		return r;
	r = opts_check(opts, offsetof(struct dynprobe_probe_opts, lttng_loglevel) + sizeof(int));
	if (r < 0)
		return r;
	arg_names = OPT(opts, struct dynprobe_probe_opts, arg_names, NULL);
	loglevel = OPT(opts, struct dynprobe_probe_opts, lttng_loglevel, 0);
	if (loglevel < DYNPROBE_LOGLEVEL_UNSET || loglevel > DYNPROBE_LOGLEVEL_DEBUG)
		return -EINVAL;
	r = probe_args_check(name, types, nargs, arg_names);
	if (r < 0)
		return r;

	pthread_mutex_lock(&prov->lock);
	if (prov->loaded) {
		r = -DYNPROBE_ESTATE;
		goto out;
	}
	r = provider_grow(prov);
	if (r < 0)
		goto out;
	hash = dp_name_hash(name);
	bucket = index_find(prov, name, hash);
	if (prov->index[bucket]) {
		r = -EEXIST;
		goto out;
	}
	r = probe_insert(prov, name, hash, bucket, types, nargs, arg_names, loglevel, &probe);
	if (r < 0)
		goto out;
	prov->stale = true;
	if (ret_probe)
		*ret_probe = probe;
out:
	pthread_mutex_unlock(&prov->lock);
	return r;
}

/* ---- freeing ---- */

/* Sites go back to idle memory before they forget the probe, then the
 * probe is released (slots.c): its handle reads idle and stale. */
void probe_free(struct dynprobe_probe *probe)
{
	struct dp_slot *s = dp_probe_slot(probe);

	if (!s)
		return;
	for (struct dynprobe_site *site = s->sites, *next; site; site = next) {
		next = site->next;
		__atomic_store_n(&site->base, dp_watch_idle(), __ATOMIC_RELEASE);
		__atomic_store_n(&site->probe, NULL, __ATOMIC_RELEASE);
		site->next = NULL;
	}
	s->sites = NULL;
	dp_probe_release(probe);
}

/* ---- per-probe API ---- */

int dynprobe_site_bind(struct dynprobe_site *site, struct dynprobe_probe *probe)
{
	struct dynprobe_provider *prov;
	struct dp_slot *s = dp_probe_slot(probe);
	int r = 0;

	if (!site || !s || !(prov = s->provider))
		return -EINVAL;
	pthread_mutex_lock(&prov->lock);
	if (dp_probe_slot(probe) != s) {
		r = -EINVAL; /* freed meanwhile */
	} else if (site->probe && site->probe != probe) {
		r = -EBUSY;
	} else {
		if (!site->probe) {
			site->next = s->sites;
			s->sites = site;
			__atomic_store_n(&site->probe, probe, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&site->base, __atomic_load_n(&probe->watch.base, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&prov->lock);
	return r;
}

const char *dynprobe_probe_name(const struct dynprobe_probe *probe)
{
	struct dp_slot *s = dp_probe_slot(probe);

	return s ? s->name : NULL;
}

/* The signature, from a consistent copy (a load may be publishing). */
static bool probe_signature(const struct dynprobe_probe *probe, struct dp_probe_live *live)
{
	struct dp_slot *s = dp_probe_slot(probe);
	uint32_t gen;

	return s && dp_slot_read(s, live, &gen) && gen == probe->gen;
}

size_t dynprobe_probe_nargs(const struct dynprobe_probe *probe)
{
	struct dp_probe_live live;

	return probe_signature(probe, &live) ? live.nargs : 0;
}

enum dynprobe_type dynprobe_probe_arg_type(const struct dynprobe_probe *probe, size_t i)
{
	struct dp_probe_live live;

	if (!probe_signature(probe, &live) || i >= live.nargs)
		return DYNPROBE_TYPE_NONE;
	return (enum dynprobe_type)live.types[i];
}
