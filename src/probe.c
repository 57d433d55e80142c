/* SPDX-License-Identifier: MIT */
/*
 * probe.c - adding probes to a provider, their names, and the per-probe
 * API (names, signature, site binding).
 *
 * dynprobe_probe_add() costs O(1) amortized: the duplicate check is an
 * open-addressing table over the names (dp_name_hash, linear probing, at
 * most half full) next to an array of the names' hashes in probe order,
 * so that growing the table reads that array once and no name, slot or
 * handle; names are copied into blocks that grow geometrically and never
 * move; handles and slots come from slots.c.
 *
 * What a probe keeps, and what it touches while the provider is built
 * (issue 16: memory per probe, and at scale fresh pages cost more than
 * the work, about 11 us a page fault on the test machine):
 *   kept       its 16-byte handle, its slot (72 bytes on one backend, 96
 *              on two; it names its text with a 32-bit block << 12 |
 *              offset), its names (the probe's, then its explicit
 *              argument names, in blocks of at most 4 KiB), and its
 *              handle's 32-bit number in the probe array;
 *   build only 4 bytes of hash and two 4-byte index buckets, given back
 *              when the provider loads (probe_add is refused while it is
 *              loaded) and rebuilt from the names by the first probe_add
 *              after an unload.
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

/* A name reference: block << NAME_OFFSET_BITS | offset.  Blocks double
 * from NAME_BLOCK_MIN up to NAME_BLOCK_MAX bytes, small enough that the
 * last block's unused end stays small (a probe's names, at most 13
 * identifiers of 128 characters, always fit one). */
#define NAME_OFFSET_BITS 12
#define NAME_BLOCK_MIN 256u
#define NAME_BLOCK_MAX (1u << NAME_OFFSET_BITS)
#define NAME_BLOCKS_MAX (1u << (32 - NAME_OFFSET_BITS))
_Static_assert((1 + DYNPROBE_MAX_ARGS) * (DYNPROBE_MAX_PROBE_NAME + 1) <= NAME_BLOCK_MAX,
	       "a probe's names fit one block");

const char *probe_name(const struct dp_slot *s)
{
	const struct name_dir *d = __atomic_load_n(&s->provider->names, __ATOMIC_ACQUIRE);

	return d->block[s->name >> NAME_OFFSET_BITS] + (s->name & (NAME_BLOCK_MAX - 1));
}

/* A directory with room for one more block; the one it replaces stays
 * readable until the provider is freed. */
static struct name_dir *names_dir_room(struct dynprobe_provider *prov)
{
	struct name_dir *d = prov->names, *bigger;
	uint32_t cap;

	if (d && d->nblocks < d->cap)
		return d;
	if (d && d->nblocks == NAME_BLOCKS_MAX)
		return NULL;
	cap = d ? d->cap * 2 : 4;
	bigger = malloc(sizeof(*bigger) + cap * sizeof(bigger->block[0]));
	if (!bigger)
		return NULL;
	bigger->older = d;
	bigger->nblocks = d ? d->nblocks : 0;
	bigger->cap = cap;
	if (d)
		memcpy(bigger->block, d->block, d->nblocks * sizeof(d->block[0]));
	__atomic_store_n(&prov->names, bigger, __ATOMIC_RELEASE);
	return bigger;
}

/* Room for `len` more bytes of names; *ret_ref says where. */
static char *names_reserve(struct dynprobe_provider *prov, size_t len, uint32_t *ret_ref)
{
	struct name_dir *d = prov->names;

	if (!d || prov->name_size - prov->name_used < len) {
		uint32_t size = prov->name_size ? prov->name_size * 2 : NAME_BLOCK_MIN;
		char *b;

		if (size > NAME_BLOCK_MAX)
			size = NAME_BLOCK_MAX;
		d = names_dir_room(prov);
		b = d ? malloc(size) : NULL;
		if (!b)
			return NULL;
		d->block[d->nblocks] = b;
		__atomic_store_n(&d->nblocks, d->nblocks + 1, __ATOMIC_RELEASE);
		prov->name_used = 0;
		prov->name_size = size;
	}
	*ret_ref = (d->nblocks - 1) << NAME_OFFSET_BITS | prov->name_used;
	return d->block[d->nblocks - 1] + prov->name_used;
}

void provider_names_free(struct dynprobe_provider *prov)
{
	struct name_dir *d = prov->names, *older;

	for (uint32_t i = 0; d && i < d->nblocks; i++)
		free(d->block[i]);
	for (; d; d = older) {
		older = d->older;
		free(d);
	}
	prov->names = NULL;
	prov->name_used = prov->name_size = 0;
}

/* Copy the probe's name and its explicit argument names, back to back,
 * into reserved room; *ret_len bytes to commit once the probe exists. */
static int names_copy(struct dynprobe_provider *prov, const char *name, size_t nargs,
		      const char *const *arg_names, uint16_t *ret_named, uint32_t *ret_ref,
		      size_t *ret_len)
{
	size_t len = strlen(name) + 1;
	char *text, *w;

	*ret_named = 0;
	for (size_t i = 0; arg_names && i < nargs; i++)
		if (arg_names[i])
			len += strlen(arg_names[i]) + 1;
	text = names_reserve(prov, len, ret_ref);
	if (!text)
		return -ENOMEM;
	w = stpcpy(text, name) + 1;
	for (size_t i = 0; arg_names && i < nargs; i++) {
		if (arg_names[i]) {
			w = stpcpy(w, arg_names[i]) + 1;
			*ret_named |= (uint16_t)(1u << i);
		}
	}
	*ret_len = len;
	return 0;
}

void probe_desc(const struct dp_slot *s, struct dp_probe_desc *d)
{
	const char *name = probe_name(s);
	const char *next = name + strlen(name) + 1;

	memset(d, 0, sizeof(*d));
	d->name = name;
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

/* Probes per provider, as before the index held full 32-bit entries (the
 * slot table holds 16 M probes of a class alive at once anyway). */
#define PROVIDER_PROBES_MAX ((1u << 24) - 1)

/* The bucket where `name` (of this hash) is, or would go.  Names are
 * compared (strcmp) only when the hashes match, that is, almost only for
 * a true duplicate. */
static size_t index_find(const struct dynprobe_provider *prov, const char *name, uint32_t hash)
{
	size_t mask = prov->index_size - 1, i = hash & mask;
	uint32_t e;

	for (; (e = prov->index[i]); i = (i + 1) & mask)
		if (prov->hashes[e - 1] == hash &&
		    !strcmp(probe_name(provider_slot(prov, e - 1)), name))
			break;
	return i;
}

/* A new index of `size` buckets, filled from the hashes in probe order
 * (one sequential read; no name, slot or handle is touched), or, when
 * the index was dropped at load, from every probe's name hashed again. */
static int index_resize(struct dynprobe_provider *prov, size_t size)
{
	uint32_t *index = calloc(size, sizeof(*index));
	size_t mask = size - 1;

	if (!index)
		return -ENOMEM;
	for (size_t k = 0; k < prov->nprobes; k++) {
		uint32_t h = prov->index ? prov->hashes[k]
					 : dp_name_hash(probe_name(provider_slot(prov, k)));
		size_t i = h & mask;

		while (index[i]) /* names are distinct: the first free bucket */
			i = (i + 1) & mask;
		index[i] = (uint32_t)k + 1;
		prov->hashes[k] = h;
	}
	free(prov->index);
	prov->index = index;
	prov->index_size = size;
	return 0;
}

/* Room for one more probe: the handle and hash arrays and an index at
 * most half full, doubled when needed. */
static int provider_grow(struct dynprobe_provider *prov)
{
	if (prov->nprobes == PROVIDER_PROBES_MAX)
		return -DYNPROBE_EPROBES;
	if (prov->nprobes == prov->cap || !prov->hashes) {
		size_t cap = prov->nprobes < prov->cap ? prov->cap : prov->cap ? prov->cap * 2 : 8;
		uint32_t *v = realloc(prov->probes, cap * sizeof(*v));
		uint32_t *h;

		if (!v)
			return -ENOMEM;
		prov->probes = v;
		h = realloc(prov->hashes, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		prov->hashes = h;
		prov->cap = cap;
	}
	if (2 * (prov->nprobes + 1) > prov->index_size) {
		size_t size = prov->index_size ? prov->index_size * 2 : 16;

		while (2 * (prov->nprobes + 1) > size)
			size *= 2;
		return index_resize(prov, size);
	}
	return 0;
}

void provider_compact(struct dynprobe_provider *prov)
{
	free(prov->index);
	free(prov->hashes);
	prov->index = NULL;
	prov->hashes = NULL;
	prov->index_size = 0;
	if (prov->nprobes && prov->nprobes < prov->cap) {
		uint32_t *v = realloc(prov->probes, prov->nprobes * sizeof(*prov->probes));

		if (v) {
			prov->probes = v;
			prov->cap = prov->nprobes;
		}
	}
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
	uint32_t ref, number;
	uint16_t named;
	struct dp_slot *s;
	size_t len;
	int r;

	r = names_copy(prov, name, nargs, arg_names, &named, &ref, &len);
	if (r < 0)
		return r;
	probe = dp_probe_new((unsigned int)prov->nbe, &s, &number);
	if (!probe)
		return -ENOMEM;
	prov->name_used += (uint32_t)len;
	s->provider = prov;
	s->name = ref;
	s->arg_named = named;
	s->loglevel = (int8_t)loglevel;
	for (size_t i = 0; i < nargs; i++)
		live.types[i] = (uint8_t)types[i];
	dp_probe_publish(probe, s, &live); /* the signature, not loaded */
	prov->index[bucket] = (uint32_t)prov->nprobes + 1;
	prov->hashes[prov->nprobes] = hash;
	prov->probes[prov->nprobes++] = number;
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

	return s ? probe_name(s) : NULL;
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
