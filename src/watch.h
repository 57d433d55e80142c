/* SPDX-License-Identifier: MIT */
/*
 * watch.h - the geometry of the inline check: every size and offset that
 * dynprobe.h's check, the backends' images and the generated LTTng code
 * must agree on, defined once and tied together by static assertions.
 *
 * The check.  A probe handle and a struct dynprobe_site start with one
 * pointer, the watch base.  The probe may be enabled when the 8 bytes at
 * base differ from the 8 bytes DP_WATCH_DISTANCE (1 MiB) further, the
 * probe's cell: three loads (the pointer, two aligned words) and one
 * compare, whatever the backends.  Whoever arranges a base promises that
 * the two words are equal exactly while nobody listens:
 *
 *   USDT (host)   base = the probe's slot in the image's code segment:
 *                 DP_WATCH_STUB_OFFSET zero bytes, then the called stub (a
 *                 uprobe patches its first bytes).  The image puts the
 *                 cell DISTANCE after the slot, in its data segment:
 *
 *                   cell + 0  4 bytes  a guest's state mirror (zero if none)
 *                   cell + 4  2 bytes  the semaphore the stapsdt note names
 *                   cell + 6  2 bytes  a copy of the stub's first two bytes
 *
 *                 so the compare covers semaphore, stub and guest at once.
 *                 Slots are DP_WATCH_SLOT bytes, DP_WATCH_SHARED_STRIDE when
 *                 a guest mirrors into the cells (room for its record).
 *   LTTng (guest) base = DISTANCE before a copy of the tracepoint state
 *                 that lttng-ust keeps in step with the provider's own (an
 *                 extra call-site record, struct lttng_ust_tracepoint,
 *                 whose 4 bytes after `state` are padding and stay zero),
 *                 with zeros in front of it: in a host's cell when the
 *                 provider is on both (then base = the host's slot), else
 *                 in the backend's own region (DISTANCE of zero pages that
 *                 are only read, then one record per DP_WATCH_SHARED_STRIDE).
 *   not loaded    base = dynprobe__idle_watch, zeros compared with zeros.
 *   anything else a base whose words always differ (dp_watch_always()):
 *                 dynprobe_fire() then decides.
 *
 * A stale read can only send a caller to dynprobe_fire(), which re-checks
 * against a consistent copy of the current load (fire.c).
 */
#ifndef DYNPROBE_WATCH_H
#define DYNPROBE_WATCH_H

#include "internal.h"

#define DP_WATCH_DISTANCE ((size_t)DYNPROBE__WATCH_DISTANCE)
#define DP_WATCH_WORD 8 /* bytes compared on each side */

/* The cell. */
#define DP_WATCH_CELL_GUEST 0      /* a guest's 4-byte state mirror */
#define DP_WATCH_CELL_GUEST_SIZE 4
#define DP_WATCH_CELL_SEM 4        /* USDT: the 2-byte semaphore */
#define DP_WATCH_CELL_IDLE 6       /* USDT: the stub's first two idle bytes */

/* The slot. */
#define DP_WATCH_STUB_OFFSET 6     /* zeros before the stub, compared with state and semaphore */
#define DP_WATCH_SLOT 16           /* per probe, on one backend */
#define DP_WATCH_SHARED_STRIDE 64  /* per probe, when a guest mirrors into the cells */
/* The largest guest record placed around a cell, and where its state may
 * be: lttng-ust 2.13's struct lttng_ust_tracepoint is 56 bytes, state at
 * 24 (checked at build time in watch.c and in every generated provider,
 * and at load time from the descriptor). */
#define DP_WATCH_RECORD_MAX DP_WATCH_SHARED_STRIDE
#define DP_WATCH_RECORD_STATE_MAX (DP_WATCH_RECORD_MAX - DP_WATCH_WORD)

/* dynprobe__idle_watch: zeros for the base and its cell, plus the word
 * dp_watch_always() sets. */
#define DP_WATCH_IDLE_SIZE (DYNPROBE__WATCH_DISTANCE + 2 * DP_WATCH_WORD)

_Static_assert(DP_WATCH_CELL_GUEST + DP_WATCH_CELL_GUEST_SIZE == DP_WATCH_CELL_SEM,
	       "the semaphore follows the guest's state");
_Static_assert(DP_WATCH_CELL_SEM + 2 == DP_WATCH_CELL_IDLE, "the idle copy follows the semaphore");
_Static_assert(DP_WATCH_CELL_IDLE + 2 == DP_WATCH_WORD, "the cell is one compared word");
_Static_assert(DP_WATCH_STUB_OFFSET == DP_WATCH_CELL_IDLE,
	       "the stub's first bytes face their idle copy; zeros face state and semaphore");
_Static_assert(DP_WATCH_SLOT >= DP_WATCH_STUB_OFFSET + 6 && DP_WATCH_SLOT % DP_WATCH_WORD == 0,
	       "a slot holds the zeros and a nop5; ret stub, word-aligned");
_Static_assert(DP_WATCH_SHARED_STRIDE % DP_WATCH_SLOT == 0 &&
		       DP_WATCH_SHARED_STRIDE >= DP_WATCH_RECORD_MAX,
	       "a shared slot leaves room for a guest's record around each cell");
_Static_assert(DP_WATCH_DISTANCE % 4096 == 0 && DP_WATCH_DISTANCE >= 2 * DP_WATCH_SHARED_STRIDE,
	       "the distance keeps slots and cells in separate pages");

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
