/* SPDX-License-Identifier: MIT */
/*
 * fire.c - the slow half of the fire path, reached only when the inline
 * check in dynprobe.h saw a watched word move.
 *
 * Runs inside an RCU read-side critical section (liburcu-bp: threads
 * register themselves on first use, so callers need not know about RCU).
 * Unload publishes NULL in probe->live and waits for a grace period before
 * freeing the old sites, so a fire that raced with an unload either emits
 * through still-mapped objects or returns 0.  Nothing here allocates, locks,
 * logs or blocks.
 */
#include <errno.h>
#include <urcu-bp.h>

#include "backends/usdt/usdt.h"
#include "internal.h"

#include <pthread.h>
#include <sys/mman.h>

/* The watch region: DISTANCE + one page of zeros, read-only.  base = region
 * reads idle (0 << 16 == 0); base = region + 4 reads "maybe enabled"
 * because the cell at region + DISTANCE + 4 holds 1. */
static const volatile uint8_t *watch_region;
static int watch_region_err;

static void watch_region_map(void)
{
	size_t len = DYNPROBE__WATCH_DISTANCE + 4096;
	uint8_t *r = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED) {
		watch_region_err = -errno;
		return;
	}
	*(uint32_t *)(r + DYNPROBE__WATCH_DISTANCE + 4) = 1;
	mprotect(r, len, PROT_READ);
	watch_region = r;
}

int dp_watch_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, watch_region_map);
	return watch_region ? 0 : watch_region_err;
}

/* Convert one fired value to the declared type as C assignment would;
 * refuse a string where a number is declared and the reverse. */
bool dp_convert_arg(enum dynprobe_type t, const struct dynprobe_arg *a, union dp_value *out)
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

static bool usdt_attached(const struct dp_usdt_site *s)
{
	uint16_t head;

	__builtin_memcpy(&head, (const void *)s->stub, 2);
	return *(const volatile uint16_t *)s->cell != 0 || head != s->stub_idle;
}

static bool lttng_enabled(const struct dp_lttng_site *s)
{
	return __atomic_load_n(s->state, __ATOMIC_RELAXED) != 0;
}

/* Anything listening at the last load's locations?  Cheap enough to run
 * before entering RCU: a provider on both backends (whose inline check
 * always calls here) pays a call and a few loads when nobody listens. */
static bool precheck(const struct dynprobe_probe *probe)
{
	const struct dp_precheck *pre = &probe->pre;
	const volatile uint8_t *stub = __atomic_load_n(&pre->stub, __ATOMIC_ACQUIRE);
	const volatile uint16_t *sem = __atomic_load_n(&pre->semaphore, __ATOMIC_ACQUIRE);
	const volatile int *state = __atomic_load_n(&pre->lttng_state, __ATOMIC_ACQUIRE);
	uint16_t head;

	/* Each pointer is checked on its own: a slot being reused may be
	 * half-reset under a caller that fires through a freed handle. */
	if (stub) {
		__builtin_memcpy(&head, (const void *)stub, 2);
		if (head != pre->stub_idle)
			return true;
	}
	return (sem && *sem) || (state && *state);
}

int dynprobe_fire(struct dynprobe_probe *probe, const struct dynprobe_arg *args, size_t nargs)
{
	union dp_value values[DYNPROBE_MAX_ARGS];
	struct dp_probe_live *live;
	bool usdt, lttng;
	int ret = 0;

	if (!probe || (nargs && !args))
		return -EINVAL;
	if (!precheck(probe))
		return 0;
	urcu_bp_read_lock();
	live = rcu_dereference(probe->live);
	if (!live)
		goto out;
	usdt = live->has_usdt && usdt_attached(&live->usdt);
	lttng = live->has_lttng && lttng_enabled(&live->lttng);
	if (!usdt && !lttng)
		goto out;
	if (nargs != live->nargs) {
		ret = -DYNPROBE_EMISMATCH;
		goto out;
	}
	for (size_t i = 0; i < nargs; i++) {
		if (!dp_convert_arg(live->types[i], &args[i], &values[i])) {
			ret = -DYNPROBE_EMISMATCH;
			goto out;
		}
	}
	if (usdt)
		dp_usdt_call(&live->usdt, nargs, live->types, values);
	if (lttng)
		live->lttng.fire(values);
	ret = 1;
out:
	urcu_bp_read_unlock();
	return ret;
}

unsigned int dynprobe_probe_listening(const struct dynprobe_probe *probe)
{
	const struct dp_probe_live *live;
	unsigned int ret = 0;

	if (!probe)
		return 0;
	urcu_bp_read_lock();
	live = rcu_dereference(((struct dynprobe_probe *)probe)->live);
	if (live && live->has_usdt && usdt_attached(&live->usdt))
		ret |= DYNPROBE_BACKEND_USDT;
	if (live && live->has_lttng && lttng_enabled(&live->lttng))
		ret |= DYNPROBE_BACKEND_LTTNG;
	urcu_bp_read_unlock();
	return ret;
}

int dynprobe_probe_enabled(const struct dynprobe_probe *probe)
{
	return dynprobe_probe_listening(probe) != 0;
}

/* Point the inline check at what this load watches (or at zeros); see
 * struct dynprobe__watch in dynprobe.h for the layouts. */
void dp_watch_set(struct dynprobe_probe *probe, const struct dp_probe_live *live)
{
	const volatile uint8_t *base = watch_region;      /* idle */

	if (live && live->has_usdt && !live->has_lttng)
		base = live->usdt.stub;
	else if (live && live->has_lttng && !live->has_usdt && live->lttng.watch_base)
		base = live->lttng.watch_base;
	else if (live)
		base = watch_region + 4;                  /* always ask dynprobe_fire() */
	if (live && live->has_usdt) {
		probe->pre.stub_idle = live->usdt.stub_idle;
		__atomic_store_n(&probe->pre.semaphore, (const volatile uint16_t *)live->usdt.cell,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&probe->pre.stub, live->usdt.stub, __ATOMIC_RELEASE);
	}
	if (live && live->has_lttng)
		__atomic_store_n(&probe->pre.lttng_state, live->lttng.state, __ATOMIC_RELEASE);
	__atomic_store_n(&probe->watch.base, base, __ATOMIC_RELEASE);
}
