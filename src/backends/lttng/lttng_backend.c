/* SPDX-License-Identifier: MIT */
/*
 * lttng_backend.c - the LTTng backend's entry in the backend table (see
 * backend.h): adapts the loader (lttng_load.c, or lttng_unavailable.c in
 * a build without lttng-ust) to the core's interface.
 *
 * A site is the tracepoint's state word and the event's fire function;
 * its watch base is DYNPROBE__WATCH_DISTANCE before the state mirror (in a
 * host's cell when the core handed cells over, else in the backend's own
 * region), or NULL when no mirror could be registered.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend.h"
#include "lttng.h"
#include "watch.h"

static const volatile int *site_state(const struct dp_site *s)
{
	return (const volatile int *)s->word[0];
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
			sites[i] = (struct dp_site){
			    .watch = ls[i].watch_base,
			    .word = {(uintptr_t)ls[i].state, (uintptr_t)ls[i].fire}};
		*ret_image = img;
	}
	free(ls);
	return r;
}

static void lttng_release(void *image)
{
	dp_lttng_release(image);
}

static bool lttng_site_enabled(const struct dp_site *s)
{
	return __atomic_load_n(site_state(s), __ATOMIC_RELAXED) != 0;
}

static void lttng_site_fire(const struct dp_site *s, size_t nargs, const union dp_value *values)
{
	(void)nargs;
	((dp_lttng_fire_fn)s->word[1])(values);
}

static void lttng_image_info(const void *image, struct dp_image_info *info)
{
	(void)image;
	info->lttng_mode = DYNPROBE_LTTNG_MODE_COMPILED;
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
    .site_enabled = lttng_site_enabled,
    .site_fire = lttng_site_fire,
    .image_info = lttng_image_info,
    .site_info = lttng_site_info,
};
