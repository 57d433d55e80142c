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
 *
 * The traced path is short on purpose (issue 12: an LTTng record through
 * dynprobe within 1.1x of a static tracepoint).  For a probe on one
 * backend, dynprobe_fire() finds the slot inline, reads its five words
 * (signature and site) once under the counter, straight into registers,
 * refuses a stale generation, and jumps to the backend's
 * site_fire_args(), found with one load from the fire row (per backend
 * number): the site's words, the signature (dp_fire_sig, two registers)
 * and the caller's argument array unconverted (the backend checks and
 * converts, or serializes straight from it).  Nothing is copied to memory
 * on the way (two saved registers are all): a tracer's read lock (LTTng's
 * urcu-bp) ends in a full barrier, which waits for every store and load
 * before it.  A writer active, a
 * slot with room for two sites or a backend without the shortcut go to
 * fire_slow(), which reads again with retries.
 * Two or more loaded sites take the generic path: site_enabled() on each,
 * one conversion (dp_convert_args(), a table) for all, site_fire() each.
 */
#include <errno.h>
#include <string.h>

#include "backend.h"
#include "internal.h"
#include "watch.h"

bool dp_convert_arg(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
{
	return dp_convert_one(t, a, out);
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

/* The slot's room, clamped (set before the slot is first published and
 * never changed, so a plain read). */
static inline unsigned int slot_room(const struct dp_slot *slot)
{
	return slot->room >= DP_PROBE_SITES ? DP_PROBE_SITES : 1;
}

/*
 * The fire path's read: the words of `live` that a slot with room for
 * `room` sites has (the header and its sites, nothing past them, no
 * zeroing: callers look at sites[0 .. room) only), when the slot still
 * belongs to generation `gen`.  Inlined with a constant room, so the copy
 * is a few relaxed loads.  False for a stale handle or when a writer kept
 * changing the slot (the caller then skips rather than waits).
 */
static inline __attribute__((always_inline)) bool
fire_read(const struct dp_slot *slot, uint32_t gen, unsigned int room, struct dp_probe_live *out)
{
	const uint64_t *s = (const uint64_t *)(const void *)&slot->live;
	uint64_t *d = (uint64_t *)(void *)out;
	size_t n = dp_live_words(room);
	uint64_t w[sizeof(struct dp_probe_live) / sizeof(uint64_t)];

	for (int tries = 0; tries < 8; tries++) {
		unsigned int seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		/* A generation only moves on: another one means the handle is
		 * stale, whether or not a writer is active. */
		if (__atomic_load_n(&slot->gen, __ATOMIC_RELAXED) != gen)
			return false;
#pragma GCC unroll 8
		for (size_t i = 0; i < n; i++)
			w[i] = __atomic_load_n(&s[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) == seq) {
			/* Stored after the fence, so that the compiler can
			 * hand the caller the words still in registers. */
#pragma GCC unroll 8
			for (size_t i = 0; i < n; i++)
				d[i] = w[i];
			return true;
		}
	}
	return false;
}

/* A consistent copy of the sites of the probe this handle names, if it is
 * still live (for the entry points other than dynprobe_fire()). */
static bool live_read(const struct dynprobe_probe *probe, struct dp_probe_live *out)
{
	const struct dp_slot *s = dp_probe_slot_unchecked(probe);
	uint32_t gen;

	return s && dp_slot_read(s, out, &gen) && gen == probe->gen;
}

/* The backend of site k, or NULL when site k is not loaded. */
static inline const struct dp_backend *site_backend(const struct dp_probe_live *l, size_t k)
{
	unsigned int b = l->backend[k];

	return b && b <= dp_backend_count ? dp_backend_table[b - 1] : NULL;
}

/* Fire on one consistent copy of the probe's sites (sites[0 .. room)).  A
 * fire racing with an unload may still emit through the old, still-mapped
 * objects. */
static int fire_live(const struct dp_probe_live *l, unsigned int room,
		     const struct dynprobe_arg *args, size_t nargs)
{
	const struct dp_backend *on[DP_PROBE_SITES];
	const struct dp_site *site[DP_PROBE_SITES];
	union dp_value values[DYNPROBE_MAX_ARGS];
	size_t n = 0;

	for (size_t k = 0; k < room; k++) {
		const struct dp_backend *be = site_backend(l, k);

		if (be && be->site_enabled(&l->sites[k])) {
			on[n] = be;
			site[n++] = &l->sites[k];
		}
	}
	if (!n)
		return 0;
	if (!dp_convert_args(l->types, l->nargs, args, nargs, values))
		return -DYNPROBE_EMISMATCH;
	for (size_t i = 0; i < n; i++)
		on[i]->site_fire(site[i], nargs, values);
	return 1;
}

/*
 * The fire row: per backend number (1 + table index, as in
 * dp_probe_live.backend[]), its site_fire_args(), or NULL.  One load from
 * the backend number to the call, where the table would take a bounds
 * check and two dependent loads.  Filled by dp_probe_publish() for the
 * backends it publishes, before the slot's write section, so a reader
 * that sees backend b in a consistent copy sees row[b] filled (and a value
 * once stored never changes).  Row 0 (not loaded) stays NULL.
 */
typedef int (*dp_fire_args_fn)(const volatile uint8_t *watch, uintptr_t word0, uintptr_t word1,
			       dp_fire_sig sig, const struct dynprobe_arg *args);
static dp_fire_args_fn fire_row[256];
_Static_assert(sizeof(((struct dp_probe_live *)0)->backend[0]) == 1, "any backend number indexes it");

static void fire_row_fill(const struct dp_probe_live *live)
{
	for (size_t k = 0; k < DP_PROBE_SITES; k++) {
		const struct dp_backend *be = site_backend(live, k);

		if (be && be->site_fire_args)
			__atomic_store_n(&fire_row[live->backend[k]], be->site_fire_args,
					 __ATOMIC_RELAXED);
	}
}

/* The signature as the backend gets it: the count replaced by
 * DP_SIG_BAD_COUNT when the caller fired another number of arguments. */
static inline __attribute__((always_inline)) dp_fire_sig fire_sig(uint64_t word0, uint64_t word1,
								  size_t nargs)
{
	if (nargs != ((word0 >> DP_SIG_NARGS_SHIFT) & 0xffu))
		word0 |= (uint64_t)DP_SIG_BAD_COUNT << DP_SIG_NARGS_SHIFT;
	return (dp_fire_sig)word1 << 64 | word0;
}

/* A probe loaded on one backend only, the usual case, takes that
 * backend's site_fire_args() when it has one: enabled check, conversion
 * and emission in one indirect call. */
static inline __attribute__((always_inline)) int fire_room(const struct dp_slot *slot, uint32_t gen,
							   unsigned int room,
							   const struct dynprobe_arg *args,
							   size_t nargs)
{
	struct dp_probe_live live;
	uint64_t w[2];
	dp_fire_args_fn fn;

	if (!fire_read(slot, gen, room, &live))
		return 0;
	if (room == 1 || !live.backend[1]) {
		fn = __atomic_load_n(&fire_row[live.backend[0]], __ATOMIC_RELAXED);
		if (fn) {
			memcpy(w, &live, sizeof(w));
			return fn(live.sites[0].watch, live.sites[0].word[0], live.sites[0].word[1],
				  fire_sig(w[0], w[1], nargs), args);
		}
	}
	return fire_live(&live, room, args, nargs);
}

/* Everything but the one-site path's first, undisturbed read: a slot with
 * room for two sites, a writer active, no shortcut. */
static __attribute__((noinline)) int fire_slow(const struct dynprobe_probe *probe,
					       const struct dynprobe_arg *args, size_t nargs)
{
	uint32_t gen = probe->gen;
	const struct dp_slot *slot = dp_slot_at(probe->slot);

	if (!slot || !gen)
		return 0;
	if (slot_room(slot) == 1)
		return fire_room(slot, gen, 1, args, nargs);
	return fire_room(slot, gen, DP_PROBE_SITES, args, nargs);
}

/*
 * 0 also for a freed handle, and for a site whose provider was freed
 * (dynprobe.h passes DYNPROBE__UNBOUND, which names no slot's generation:
 * generation 0 is never live).
 *
 * The usual case, a slot with room for one site read without a writer
 * active and a backend with site_fire_args(), copies nothing to memory:
 * the slot's five words go from the slot into the argument registers, and the
 * backend is reached with a jump (its return is the caller's).  Its read
 * is fire_read()'s first try, written out so that nothing (a retry count,
 * a copy) keeps a value across it.
 */
int dynprobe_fire(struct dynprobe_probe *probe, const struct dynprobe_arg *args, size_t nargs)
{
	const struct dp_slot *slot;
	const uint64_t *s;
	uint64_t w0, w1, watch, word0, word1;
	unsigned int seq;
	uint32_t gen;
	dp_fire_args_fn fn;

	if (!probe || (nargs && !args))
		return -EINVAL;
	gen = probe->gen;
	slot = dp_slot_at(probe->slot);
	if (!slot || !gen)
		return 0;
	if (slot_room(slot) != 1)
		return fire_slow(probe, args, nargs);
	_Static_assert(offsetof(struct dp_probe_live, sites) == sizeof(dp_fire_sig) &&
			       sizeof(struct dp_site) == 3 * sizeof(uint64_t),
		       "one site: two signature words and three site words");
	s = (const uint64_t *)(const void *)&slot->live;
	seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
	if (__builtin_expect(seq & 1, 0) || __atomic_load_n(&slot->gen, __ATOMIC_RELAXED) != gen)
		return fire_slow(probe, args, nargs);
	w0 = __atomic_load_n(&s[0], __ATOMIC_RELAXED);
	w1 = __atomic_load_n(&s[1], __ATOMIC_RELAXED);
	watch = __atomic_load_n(&s[2], __ATOMIC_RELAXED);
	word0 = __atomic_load_n(&s[3], __ATOMIC_RELAXED);
	word1 = __atomic_load_n(&s[4], __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__builtin_expect(__atomic_load_n(&slot->seq, __ATOMIC_RELAXED) != seq, 0))
		return fire_slow(probe, args, nargs);
	/* Backend 0: not loaded, row 0 is NULL. */
	fn = __atomic_load_n(&fire_row[w0 & 0xffu], __ATOMIC_RELAXED);
	if (__builtin_expect(!fn, 0))
		return fire_slow(probe, args, nargs);
	return fn((const volatile uint8_t *)(uintptr_t)watch, (uintptr_t)word0, (uintptr_t)word1,
		  fire_sig(w0, w1, nargs), args);
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
	fire_row_fill(&next);
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
