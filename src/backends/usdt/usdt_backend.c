/* SPDX-License-Identifier: MIT */
/*
 * usdt_backend.c - the USDT backend's entry in the backend table (see
 * backend.h): adapts the image builder and loader (usdt_elf.c,
 * usdt_load.c) to the core's interface.
 *
 * A site is the probe's slot (its watch base), the stub to call and the
 * semaphore; the stub's idle bytes are read back from the probe's cell,
 * where the image keeps a copy next to the semaphore.  With nothing
 * attached, the slot's first 8 bytes equal the cell's; a semaphore count,
 * a patched stub or a guest's enabled state makes them differ.
 */
#include <errno.h>
#include <stdlib.h>

#include "backend.h"
#include "usdt.h"
#include "watch.h"

_Static_assert(DP_USDT_CELL_IDLE == DP_USDT_CELL_SEM + 2, "the idle copy follows the semaphore");
_Static_assert(DP_USDT_STUB_OFFSET % 2 == 0, "the stub's first two bytes are one aligned load");

static const volatile uint8_t *site_stub(const struct dp_site *s)
{
	return (const volatile uint8_t *)s->word[0];
}

static volatile uint16_t *site_sem(const struct dp_site *s)
{
	return (volatile uint16_t *)s->word[1];
}

static int usdt_load(const struct dp_load *l, struct dp_site *sites, void **ret_image)
{
	size_t n = l->desc->nprobes;
	struct dp_usdt_site *us = calloc(n ? n : 1, sizeof(*us));
	struct dp_usdt_image *img = NULL;
	int r;

	if (!us)
		return -ENOMEM;
	/* The image's slot size follows from the mask: 64-byte slots when
	 * a guest mirrors into the cells (usdt_elf.c). */
	r = dp_usdt_load(l->desc, l->backends, us, &img);
	if (r == 0) {
		for (size_t i = 0; i < n; i++)
			sites[i] =
			    (struct dp_site){.watch = us[i].watch,
					     .word = {(uintptr_t)us[i].stub, (uintptr_t)us[i].sem}};
		*ret_image = img;
	}
	free(us);
	return r;
}

static void usdt_release(void *image)
{
	dp_usdt_release(image);
}

static void usdt_set_state(void *image, bool loaded)
{
	dp_usdt_set_state(image, loaded ? 1 : 0);
}

/* Attached: a semaphore count (bpftrace, libbpf, perf, bcc) or a stub
 * patched by a plain uprobe. */
static bool usdt_site_enabled(const struct dp_site *s)
{
	const volatile uint16_t *sem = site_sem(s);
	const volatile uint16_t *head = (const volatile uint16_t *)site_stub(s);

	/* The semaphore and the stub are written behind our back (by the
	 * kernel, by bcc through /proc/PID/mem): atomic loads say so, to the
	 * compiler and to ThreadSanitizer.  The stub is 2-byte aligned
	 * (watch.h: DP_WATCH_STUB_OFFSET) and its idle copy follows the
	 * semaphore in the cell. */
	return __atomic_load_n(sem, __ATOMIC_RELAXED) != 0 ||
	       __atomic_load_n(head, __ATOMIC_RELAXED) != __atomic_load_n(sem + 1, __ATOMIC_RELAXED);
}

static void usdt_site_fire(const struct dp_site *s, size_t nargs, const union dp_value *values)
{
	struct dp_usdt_site us = {.stub = site_stub(s)};

	dp_usdt_call(&us, nargs, values);
}

static void usdt_image_info(const void *image, struct dp_image_info *info)
{
	bool shared = false;
	const char *where = dp_usdt_where(image, &shared);

	info->fd = dp_usdt_fd(image);
	info->path = shared ? where : NULL;
}

static void usdt_site_info(const struct dp_site *s, struct dp_site_info *info)
{
	info->stub = site_stub(s);
	info->semaphore = site_sem(s);
	info->cell = dp_watch_cell(s->watch);
}

static int usdt_introspect(const void *image, const struct dp_site *sites, size_t n,
			   struct dp_intro_writer *w)
{
	struct dp_usdt_site *us = calloc(n ? n : 1, sizeof(*us));

	if (!us)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		us[i] = (struct dp_usdt_site){ .stub = site_stub(&sites[i]),
					       .watch = sites[i].watch,
					       .sem = site_sem(&sites[i]) };
	dp_usdt_introspect(image, us, n, w);
	free(us);
	return 0;
}

const struct dp_backend dp_backend_usdt = {
    .name = "usdt",
    .mask = DYNPROBE_BACKEND_USDT,
    .flags = DP_BACKEND_HOSTS_CELLS,
    .load = usdt_load,
    .release = usdt_release,
    .set_state = usdt_set_state,
    .site_enabled = usdt_site_enabled,
    .site_fire = usdt_site_fire,
    .image_info = usdt_image_info,
    .site_info = usdt_site_info,
    .introspect = usdt_introspect,
};
