/* SPDX-License-Identifier: MIT */
/*
 * watch.h - the geometry of the inline check: where the words that
 * dynprobe.h compares live, for every backend.  (Being filled in: the
 * sizes and offsets still spread over usdt.h, lttng_load.c and tp_gen.c
 * move here, tied together by static assertions.)
 */
#ifndef DYNPROBE_WATCH_H
#define DYNPROBE_WATCH_H

#include "internal.h"

#define DP_WATCH_DISTANCE ((size_t)DYNPROBE__WATCH_DISTANCE)

/* The cell a watch base is compared with. */
static inline volatile uint8_t *dp_watch_cell(const volatile uint8_t *base)
{
	return base ? (volatile uint8_t *)(uintptr_t)base + DP_WATCH_DISTANCE : NULL;
}

/* A base over zeros: the check reads "nobody listens". */
DP_HIDDEN const volatile uint8_t *dp_watch_idle(void);
/* A base whose words always differ: every fire goes to dynprobe_fire(). */
DP_HIDDEN const volatile uint8_t *dp_watch_always(void);

/* The base the inline check follows for a probe loaded on these sites
 * (n == 0: not loaded): the one shared base when every site offers the
 * same, else "always check". */
DP_HIDDEN const volatile uint8_t *dp_watch_choose(const struct dp_site *const *sites, size_t n);

#endif /* DYNPROBE_WATCH_H */
