/* SPDX-License-Identifier: MIT */
/*
 * lttng_backend.c - the LTTng backend's entry in the backend table (see
 * backend.h): adapts the loader (lttng_load.c, or lttng_unavailable.c in
 * a build without lttng-ust) to the core's interface.
 *
 * A site, in compiled mode: word = { the tracepoint's state word, the
 * object's fire function }.  In runtime mode: word = { the event's slot
 * (lttng_runtime.c) tagged with bit 0, the slot's incarnation }: the fire
 * goes through the library's generic callback, which does nothing if the
 * slot was reused since (a fire racing an unload and a new load).  The
 * watch base is DYNPROBE__WATCH_DISTANCE before the state (in a host's
 * cell when the core handed cells over, else in the backend's own record
 * slots), or NULL when none could be arranged.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend.h"
#include "lttng.h"
#include "watch.h"

#define RUNTIME_TAG DP_LTTNG_SITE_RUNTIME

static bool site_runtime(const struct dp_site *s)
{
	return s->word[0] & RUNTIME_TAG;
}

static const void *site_ctx(const struct dp_site *s)
{
	return (const void *)(s->word[0] & ~RUNTIME_TAG);
}

static const volatile int *site_state(const struct dp_site *s)
{
	if (site_runtime(s))
		return dp_lttng_rt_state(site_ctx(s));
	return (const volatile int *)s->word[0];
}

static struct dp_site make_site(const struct dp_lttng_site *ls)
{
	if (ls->ctx)
		return (struct dp_site){ .watch = ls->watch_base,
					 .word = { (uintptr_t)ls->ctx | RUNTIME_TAG,
						   (uintptr_t)ls->gen } };
	return (struct dp_site){ .watch = ls->watch_base,
				 .word = { (uintptr_t)ls->state, (uintptr_t)ls->fire } };
}

static int lttng_load(const struct dp_load *l, struct dp_site *sites, void **ret_image)
{
	size_t n = l->desc->nprobes;
	struct dp_lttng_site *ls;
	struct dp_lttng_image *img = NULL;
	int r;

	if (!dp_lttng_available())
		return -DYNPROBE_EBACKEND;
	ls = calloc(n ? n : 1, sizeof(*ls));
	if (!ls)
		return -ENOMEM;
	r = dp_lttng_load(l->desc, l->cells, ls, &img);
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			sites[i] = make_site(&ls[i]);
		*ret_image = img;
	}
	free(ls);
	return r;
}

static void lttng_release(void *image)
{
	dp_lttng_release(image);
}

static void lttng_image_info(const void *image, struct dp_image_info *info)
{
	info->lttng_mode = (unsigned int)dp_lttng_image_mode(image);
}

static void lttng_site_info(const struct dp_site *s, struct dp_site_info *info)
{
	info->state = site_state(s);
	info->cell = s->watch ? dp_watch_cell(s->watch) : NULL;
}

const struct dp_backend dp_backend_lttng = {
    .name = "lttng",
    .mask = DYNPROBE_BACKEND_LTTNG,
    .flags = DP_BACKEND_MIRRORS_STATE,
    .load = lttng_load,
    .release = lttng_release,
    .site_enabled = dp_lttng_site_enabled, /* lttng_runtime.c */
    .site_fire = dp_lttng_site_fire,
    .image_info = lttng_image_info,
    .site_info = lttng_site_info,
};
