/* SPDX-License-Identifier: MIT */
/*
 * fire.c - the slow half of the fire path, reached only when the inline
 * check in dynprobe.h saw its watched words differ.
 *
 * No lock and no RCU read-side section: nothing a reader touches is ever
 * freed or unmapped.  Probe slots come from a never-freed table (slots.c),
 * handles are never unmapped, USDT images stay mapped, LTTng providers are
 * never dlclose()d.  What changes on load, unload and free is a slot's
 * `live` sites and generation, written under a sequence counter; a reader
 * copies them and retries if a writer was active, so it always acts on one
 * consistent load (or on none), and only for the handle that owns the slot
 * now: a handle kept after its provider was freed fires nothing.  A fire
 * racing with an unload may still emit through the old, still-mapped
 * objects; it can never crash.  (liburcu was the first choice; its
 * bulletproof flavour puts two full barriers on every read side (tens of
 * ns per traced fire in a quick loop on the project VM), and the cheaper
 * flavours need every firing thread registered.)
 *
 * Nothing here allocates, locks, logs or blocks.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "internal.h"
#include "watch.h"

/* Convert one fired value to the declared type as C assignment would;
 * refuse a string where a number is declared and the reverse. */
static inline __attribute__((always_inline)) bool
convert_arg(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
{
	uint64_t x;

	if (t == DYNPROBE_STR) {
		if (a->kind != DYNPROBE_KIND_STR)
			return false;
		out->s = a->v.s;
		return true;
	}
	if (t == DYNPROBE_DOUBLE) {
		switch (a->kind) {
		case DYNPROBE_KIND_INT: out->d = (double)a->v.i; return true;
		case DYNPROBE_KIND_UINT: out->d = (double)a->v.u; return true;
		case DYNPROBE_KIND_DOUBLE: out->d = a->v.d; return true;
		default: return false;
		}
	}
	if (a->kind == DYNPROBE_KIND_INT || a->kind == DYNPROBE_KIND_UINT)
		x = a->v.u; /* INT is already sign-extended to 64 bits */
	else
		return false;
	switch (t) {
	case DYNPROBE_I8: out->i = (int8_t)x; break;
	case DYNPROBE_U8: out->u = (uint8_t)x; break;
	case DYNPROBE_I16: out->i = (int16_t)x; break;
	case DYNPROBE_U16: out->u = (uint16_t)x; break;
	case DYNPROBE_I32: out->i = (int32_t)x; break;
	case DYNPROBE_U32: out->u = (uint32_t)x; break;
	case DYNPROBE_I64: out->i = (int64_t)x; break;
	case DYNPROBE_U64: out->u = x; break;
	default: return false;
	}
	return true;
}

bool dp_convert_arg(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
{
	return convert_arg(t, a, out);
}

/*
 * The seqlock.  Every word of `live` is read and written with relaxed
 * atomics: the copy a reader takes may mix two loads (the counter then
 * tells it to retry), but no access is a data race, so ThreadSanitizer
 * sees the intended protocol, and no compiler may tear or merge a word.
 */
_Static_assert(offsetof(struct dp_probe_live, sites) % sizeof(uint64_t) == 0 &&
		       sizeof(struct dp_site) % sizeof(uint64_t) == 0,
	       "live is copied by words");
_Static_assert(offsetof(struct dp_slot, live) % sizeof(uint64_t) == 0, "live is word-aligned");

/* The slot's room is set before the slot is first published and never
 * changes. */
static size_t slot_words(const struct dp_slot *slot)
{
	return dp_live_words(slot->room <= DP_PROBE_SITES ? slot->room : DP_PROBE_SITES);
}

static void live_load(const struct dp_slot *slot, struct dp_probe_live *dst)
{
	const uint64_t *s = (const uint64_t *)(const void *)&slot->live;
	uint64_t *d = (uint64_t *)(void *)dst;
	size_t n = slot_words(slot);

	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < n; i++)
		d[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

static void live_store(struct dp_slot *slot, const struct dp_probe_live *src)
{
	const uint64_t *s = (const uint64_t *)(const void *)src;
	uint64_t *d = (uint64_t *)(void *)&slot->live;
	size_t n = slot_words(slot);

	for (size_t i = 0; i < n; i++)
		__atomic_store_n(&d[i], s[i], __ATOMIC_RELAXED);
}

void dp_slot_live(const struct dp_slot *slot, struct dp_probe_live *live)
{
	memset(live, 0, sizeof(*live));
	memcpy(live, &slot->live, slot_words(slot) * sizeof(uint64_t));
}

bool dp_slot_read(const struct dp_slot *slot, struct dp_probe_live *out, uint32_t *gen)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned int seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		*gen = __atomic_load_n(&slot->gen, __ATOMIC_RELAXED);
		live_load(slot, out);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

/* A consistent copy of the sites of the probe this handle names, if it is
 * still live; false for a freed handle or when a writer kept changing
 * them (the caller then skips rather than waits). */
static bool live_read(const struct dynprobe_probe *probe, struct dp_probe_live *out)
{
	const struct dp_slot *s = dp_probe_slot_unchecked(probe);
	uint32_t gen;

	return s && dp_slot_read(s, out, &gen) && gen == probe->gen;
}

/* The backend of site k, or NULL when site k is not loaded. */
static const struct dp_backend *site_backend(const struct dp_probe_live *l, size_t k)
{
	unsigned int b = l->backend[k];

	return b && b <= dp_backend_count ? dp_backend_table[b - 1] : NULL;
}

/* Fire on one consistent copy of the probe's sites.  A fire racing with an
 * unload may still emit through the old, still-mapped objects. */
static int fire_live(const struct dp_probe_live *l, const struct dynprobe_arg *args, size_t nargs)
{
	const struct dp_backend *on[DP_PROBE_SITES];
	const struct dp_site *site[DP_PROBE_SITES];
	union dp_value values[DYNPROBE_MAX_ARGS];
	size_t n = 0;

	for (size_t k = 0; k < DP_PROBE_SITES; k++) {
		const struct dp_backend *be = site_backend(l, k);

		if (be && be->site_enabled(&l->sites[k])) {
			on[n] = be;
			site[n++] = &l->sites[k];
		}
	}
	if (!n)
		return 0;
	if (nargs != l->nargs)
		return -DYNPROBE_EMISMATCH;
	for (size_t i = 0; i < nargs; i++)
		if (!convert_arg((enum dynprobe_type)l->types[i], &args[i], &values[i]))
			return -DYNPROBE_EMISMATCH;
	for (size_t i = 0; i < n; i++)
		on[i]->site_fire(site[i], nargs, values);
	return 1;
}

/* 0 also for a freed handle, and for a site whose provider was freed
 * (dynprobe.h passes DYNPROBE__UNBOUND, which names no slot's generation). */
int dynprobe_fire(struct dynprobe_probe *probe, const struct dynprobe_arg *args, size_t nargs)
{
	struct dp_probe_live live;

	if (!probe || (nargs && !args))
		return -EINVAL;
	if (!live_read(probe, &live))
		return 0; /* the provider kept changing: skip rather than wait */
	return fire_live(&live, args, nargs);
}

unsigned int dynprobe_probe_listening(const struct dynprobe_probe *probe)
{
	struct dp_probe_live live;
	unsigned int ret = 0;

	if (!probe || !live_read(probe, &live))
		return 0;
	for (size_t k = 0; k < DP_PROBE_SITES; k++) {
		const struct dp_backend *be = site_backend(&live, k);

		if (be && be->site_enabled(&live.sites[k]))
			ret |= be->mask;
	}
	return ret;
}

int dynprobe_probe_enabled(const struct dynprobe_probe *probe)
{
	return dynprobe_probe_listening(probe) != 0;
}

/* Which base the inline check follows: see watch.h. */
static const volatile uint8_t *watch_base(const struct dp_probe_live *live)
{
	const struct dp_site *loaded[DP_PROBE_SITES];
	size_t n = 0;

	for (size_t k = 0; k < DP_PROBE_SITES; k++)
		if (live->backend[k])
			loaded[n++] = &live->sites[k];
	return dp_watch_choose(loaded, n);
}

static void watch_store(struct dynprobe_probe *probe, struct dp_slot *slot,
			const volatile uint8_t *base)
{
	__atomic_store_n(&probe->watch.base, base, __ATOMIC_RELEASE);
	for (struct dynprobe_site *s = slot->sites; s; s = s->next)
		__atomic_store_n(&s->base, base, __ATOMIC_RELEASE);
}

/* A write section of the slot's sequence counter around `change`. */
static void slot_write(struct dp_slot *slot, const struct dp_probe_live *live, uint32_t gen)
{
	unsigned int seq = slot->seq;

	__atomic_store_n(&slot->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&slot->gen, gen, __ATOMIC_RELAXED);
	live_store(slot, live);
	__atomic_store_n(&slot->seq, seq + 2, __ATOMIC_RELEASE);
}

void dp_probe_publish(struct dynprobe_probe *probe, struct dp_slot *slot,
		      const struct dp_probe_live *live)
{
	struct dp_probe_live next;

	dp_slot_live(slot, &next);
	/* Unpublish first, so the inline check never leads to sites that are
	 * about to change; then the sites under the counter; then the check.
	 * Unloading only clears the backends: the old sites stay valid. */
	if (live)
		next = *live;
	else
		memset(next.backend, 0, sizeof(next.backend));
	watch_store(probe, slot, dp_watch_idle());
	slot_write(slot, &next, slot->gen);
	watch_store(probe, slot, watch_base(&next));
}

void dp_slot_retire(struct dp_slot *slot)
{
	struct dp_probe_live next;
	uint32_t gen = slot->gen + 1;

	dp_slot_live(slot, &next);
	memset(next.backend, 0, sizeof(next.backend));
	slot_write(slot, &next, gen ? gen : 1);
}
