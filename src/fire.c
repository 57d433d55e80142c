/* SPDX-License-Identifier: MIT */
/*
 * fire.c - the slow half of the fire path, reached only when the inline
 * check in dynprobe.h saw its watched words differ.
 *
 * No lock and no RCU read-side section: nothing a reader touches is ever
 * freed or unmapped.  Probe objects come from a never-freed slab, USDT
 * images stay mapped, LTTng providers are never dlclose()d.  What changes
 * on load/unload is the probe's `live` sites, written under a sequence
 * counter; a reader copies them and retries if a writer was active, so it
 * always acts on one consistent load (or on none).  A fire racing with an
 * unload may still emit through the old, still-mapped objects; it can
 * never crash.  (liburcu was the first choice; its bulletproof flavour puts
 * two full barriers on every read side (tens of ns per traced fire in a
 * quick loop on the project VM), and the cheaper
 * flavours need every firing thread registered.)
 *
 * Nothing here allocates, locks, logs or blocks.
 */
#include <errno.h>

#include "backends/usdt/usdt.h"
#include "internal.h"

/* The idle watch: base = dynprobe__idle_watch compares zeros with zeros
 * (zeroed .bss; only the words read are ever touched).  base =
 * dynprobe__idle_watch + 8 reads "maybe enabled": the word at DISTANCE + 8
 * is set before anything points there, so dynprobe_fire() decides. */
DYNPROBE_API uint8_t dynprobe__idle_watch[DYNPROBE__WATCH_DISTANCE + 16] __attribute__((aligned(64)));

static const volatile uint8_t *always_check_base(void)
{
	__atomic_store_n((uint64_t *)(void *)(dynprobe__idle_watch + DYNPROBE__WATCH_DISTANCE + 8),
			 1, __ATOMIC_RELEASE);
	return dynprobe__idle_watch + 8;
}

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

static bool usdt_attached(const struct dp_usdt_site *s)
{
	uint16_t head;

	__builtin_memcpy(&head, (const void *)s->stub, 2);
	return *s->sem != 0 || head != s->stub_idle;
}

static bool lttng_enabled(const struct dp_lttng_site *s)
{
	return __atomic_load_n(s->state, __ATOMIC_RELAXED) != 0;
}

/* A consistent copy of the probe's sites; false if a writer kept changing
 * them (the fire is then skipped rather than waited for). */
static bool live_read(const struct dynprobe_probe *probe, struct dp_probe_live *out)
{
	for (int tries = 0; tries < 8; tries++) {
		unsigned int seq = __atomic_load_n(&probe->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		__builtin_memcpy(out, (const void *)&probe->live, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&probe->seq, __ATOMIC_RELAXED) == seq)
			return true;
	}
	return false;
}

/* Read only what this fire needs, straight from the probe, and check the
 * sequence counter once before acting on it. */
static int fire_once(const struct dynprobe_probe *probe, const struct dynprobe_arg *args,
		     size_t nargs, unsigned int seq)
{
	const struct dp_probe_live *l = &probe->live;
	union dp_value values[DYNPROBE_MAX_ARGS];
	struct dp_usdt_site usdt = { 0 };
	dp_lttng_fire_fn lttng_fire = NULL;

	if (l->has_usdt && usdt_attached(&l->usdt))
		usdt = l->usdt;
	if (l->has_lttng && lttng_enabled(&l->lttng))
		lttng_fire = l->lttng.fire;
	if (!usdt.stub && !lttng_fire)
		return 0;
	if (nargs != l->nargs)
		return -DYNPROBE_EMISMATCH;
	for (size_t i = 0; i < nargs; i++)
		if (!convert_arg((enum dynprobe_type)l->types[i], &args[i], &values[i]))
			return -DYNPROBE_EMISMATCH;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&probe->seq, __ATOMIC_RELAXED) != seq)
		return -EAGAIN; /* a load or unload got in the way: read again */
	if (usdt.stub)
		dp_usdt_call(&usdt, nargs, values);
	if (lttng_fire)
		lttng_fire(values);
	return 1;
}

int dynprobe_fire(struct dynprobe_probe *probe, const struct dynprobe_arg *args, size_t nargs)
{
	if (!probe || (nargs && !args))
		return -EINVAL;
	for (int tries = 0; tries < 8; tries++) {
		unsigned int seq = __atomic_load_n(&probe->seq, __ATOMIC_ACQUIRE);
		int r;

		if (seq & 1)
			continue;
		r = fire_once(probe, args, nargs, seq);
		if (r != -EAGAIN)
			return r;
	}
	return 0; /* the provider kept changing: skip rather than wait */
}

unsigned int dynprobe_probe_listening(const struct dynprobe_probe *probe)
{
	struct dp_probe_live live;
	unsigned int ret = 0;

	if (!probe || !live_read(probe, &live))
		return 0;
	if (live.has_usdt && usdt_attached(&live.usdt))
		ret |= DYNPROBE_BACKEND_USDT;
	if (live.has_lttng && lttng_enabled(&live.lttng))
		ret |= DYNPROBE_BACKEND_LTTNG;
	return ret;
}

int dynprobe_probe_enabled(const struct dynprobe_probe *probe)
{
	return dynprobe_probe_listening(probe) != 0;
}

/* Which base the inline check follows; see struct dynprobe__watch. */
static const volatile uint8_t *watch_base(const struct dp_probe_live *live)
{
	if (!live)
		return dynprobe__idle_watch;
	if (live->has_usdt && !live->has_lttng)
		return live->usdt.watch;
	if (live->has_lttng && !live->has_usdt && live->lttng.watch_base)
		return live->lttng.watch_base;
	/* Both: one compare covers both when the LTTng state mirror sits in
	 * the USDT cell (the LTTng backend was given the USDT cells). */
	if (live->has_lttng && live->has_usdt && live->lttng.watch_base == live->usdt.watch)
		return live->usdt.watch;
	return always_check_base();
}

static void fire_nothing(const union dp_value *values)
{
	(void)values;
}

/* Site pointers are never NULL: a reader may dereference one it read before
 * checking the sequence counter, so a probe that never loaded points them
 * at the zeroed idle watch array. */
void dp_probe_init_sites(struct dynprobe_probe *probe)
{
	struct dp_probe_live *l = &probe->live;

	l->usdt.stub = dynprobe__idle_watch;
	l->usdt.watch = dynprobe__idle_watch;
	l->usdt.sem = (volatile uint16_t *)(volatile void *)dynprobe__idle_watch;
	l->lttng.state = (const volatile int *)(const volatile void *)dynprobe__idle_watch;
	l->lttng.fire = fire_nothing;
	l->lttng.watch_base = dynprobe__idle_watch;
}

static void watch_store(struct dynprobe_probe *probe, const volatile uint8_t *base)
{
	__atomic_store_n(&probe->watch.base, base, __ATOMIC_RELEASE);
	for (struct dynprobe_site *s = probe->sites; s; s = s->next)
		__atomic_store_n(&s->base, base, __ATOMIC_RELEASE);
}

void dp_probe_publish(struct dynprobe_probe *probe, const struct dp_probe_live *live)
{
	unsigned int seq = probe->seq;

	/* Unpublish first, so the inline check never leads to sites that are
	 * about to change; then the sites under the counter; then the check.
	 * Unloading only clears the flags: the old pointers stay valid. */
	watch_store(probe, watch_base(NULL));
	__atomic_store_n(&probe->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (live) {
		__builtin_memcpy((void *)&probe->live, live, sizeof(probe->live));
	} else {
		probe->live.has_usdt = false;
		probe->live.has_lttng = false;
	}
	__atomic_store_n(&probe->seq, seq + 2, __ATOMIC_RELEASE);
	watch_store(probe, watch_base(live));
}
