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
 *
 * `dynprobe list` learns of a provider through the process's introspection
 * record (introspect_format.h): a runtime-mode provider maps no file it
 * could find.  lttng_introspect() writes the mode, the compiled object (if
 * any) and per probe the address of lttng-ust's state word, which list
 * reads live through /proc/PID/mem to say whether a session enabled it.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend.h"
#include "introspect.h"
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

static uint32_t intro_mode(const void *image)
{
	bool prebuilt;

	if (dp_lttng_image_mode(image) == DYNPROBE_LTTNG_MODE_RUNTIME)
		return DP_INTRO_LTTNG_RUNTIME;
	dp_lttng_image_object(image, &prebuilt);
	return prebuilt ? DP_INTRO_LTTNG_PREBUILT : DP_INTRO_LTTNG_COMPILED;
}

/* The core calls this only for a backend loaded on the provider
 * (dp_registry_introspect()), so the image is loaded. */
static int lttng_introspect(const void *image, const struct dp_site *sites, size_t n,
			    struct dp_intro_writer *w)
{
	bool prebuilt;

	dp_intro_begin_backend(w, DYNPROBE_BACKEND_LTTNG, DP_INTRO_LTTNG_VERSION);
	dp_intro_u32(w, intro_mode(image));
	dp_intro_u32(w, 1);
	dp_intro_str(w, dp_lttng_image_object(image, &prebuilt));
	dp_intro_u32(w, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		dp_intro_u64(w, (uint64_t)(uintptr_t)site_state(&sites[i]));
	dp_intro_end(w);
	return 0;
}

const struct dp_backend dp_backend_lttng = {
    .name = "lttng",
    .mask = DYNPROBE_BACKEND_LTTNG,
    .flags = DP_BACKEND_MIRRORS_STATE,
    .load = lttng_load,
    .release = lttng_release,
    .site_enabled = dp_lttng_site_enabled, /* lttng_runtime.c */
    .site_fire = dp_lttng_site_fire,
    .site_fire_args = dp_lttng_site_fire_args,
    .image_info = lttng_image_info,
    .site_info = lttng_site_info,
    .introspect = lttng_introspect,
};
