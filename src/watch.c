/* SPDX-License-Identifier: MIT */
/*
 * watch.c - the idle watch array and the choice of a probe's watch base
 * (see watch.h and dynprobe.h).
 */
#include "config.h"
#include "watch.h"

#if DYNPROBE_HAVE_LTTNG
/* The guest record this build's lttng-ust places around a host's cell
 * (tp_gen.c fills one per event): it must fit a shared slot, and the 4
 * bytes after its state, where the host keeps semaphore and idle bytes,
 * must be padding that lttng-ust never writes. */
#include <lttng/tracepoint-types.h>
_Static_assert(sizeof(struct lttng_ust_tracepoint) <= DP_WATCH_RECORD_MAX,
	       "lttng-ust's call-site record fits a shared slot");
_Static_assert(offsetof(struct lttng_ust_tracepoint, state) <= DP_WATCH_RECORD_STATE_MAX &&
		       offsetof(struct lttng_ust_tracepoint, state) % 4 == 0,
	       "the state leaves a whole word in the record");
_Static_assert(offsetof(struct lttng_ust_tracepoint, probes) >=
		       offsetof(struct lttng_ust_tracepoint, state) + DP_WATCH_WORD,
	       "the 4 bytes after state are padding");
#endif

/* The idle watch: base = dynprobe__idle_watch compares zeros with zeros
 * (zeroed .bss; only the words read are ever touched).  base =
 * dynprobe__idle_watch + 8 reads "maybe enabled": the word at DISTANCE + 8
 * is set before anything points there, so dynprobe_fire() decides. */
DYNPROBE_API uint8_t dynprobe__idle_watch[DYNPROBE__WATCH_DISTANCE + 16]
    __attribute__((aligned(64)));

const volatile uint8_t *dp_watch_idle(void)
{
	return dynprobe__idle_watch;
}

const volatile uint8_t *dp_watch_always(void)
{
	__atomic_store_n((uint64_t *)(void *)(dynprobe__idle_watch + DP_WATCH_DISTANCE + 8), 1,
			 __ATOMIC_RELEASE);
	return dynprobe__idle_watch + 8;
}

const volatile uint8_t *dp_watch_choose(const struct dp_site *const *sites, size_t n)
{
	if (!n)
		return dp_watch_idle();
	/* One compare covers several backends only when a guest mirrors its
	 * state into the host's cell: both then offer the host's base. */
	for (size_t k = 0; k < n; k++)
		if (!sites[k]->watch || sites[k]->watch != sites[0]->watch)
			return dp_watch_always();
	return sites[0]->watch;
}
