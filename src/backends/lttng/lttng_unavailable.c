/* SPDX-License-Identifier: MIT */
/*
 * lttng_unavailable.c - the LTTng backend in a build without lttng-ust
 * (meson -Dlttng=disabled, or no lttng-ust.pc): nothing is generated, every
 * load reports -DYNPROBE_EBACKEND and the core says the backend is not in
 * this build.  The USDT backend is unaffected.
 */
#include "lttng.h"

bool dp_lttng_available(void)
{
	return false;
}

int dp_lttng_load(const struct dp_provider_desc *desc, volatile uint8_t *const *cells,
		  struct dp_lttng_site *sites, struct dp_lttng_image **ret_image)
{
	(void)desc;
	(void)cells;
	(void)sites;
	*ret_image = NULL;
	return -DYNPROBE_EBACKEND;
}

void dp_lttng_release(struct dp_lttng_image *image)
{
	(void)image;
}

int dp_lttng_image_mode(const struct dp_lttng_image *image)
{
	(void)image;
	return 0;
}

const char *dp_lttng_image_object(const struct dp_lttng_image *image, bool *ret_prebuilt)
{
	(void)image;
	*ret_prebuilt = false;
	return "";
}

/* Never reached: no site is ever loaded. */
const volatile int *dp_lttng_rt_state(const void *ctx)
{
	(void)ctx;
	return (const volatile int *)(const volatile void *)dynprobe__idle_watch;
}

void dp_lttng_rt_fire(const void *ctx, uint64_t gen, const union dp_value *values)
{
	(void)ctx;
	(void)gen;
	(void)values;
}

bool dp_lttng_site_enabled(const struct dp_site *site)
{
	(void)site;
	return false;
}

void dp_lttng_site_fire(const struct dp_site *site, size_t nargs, const union dp_value *values)
{
	(void)site;
	(void)nargs;
	(void)values;
}

int dp_lttng_site_fire_args(const volatile uint8_t *watch, uintptr_t word0, uintptr_t word1,
			    dp_fire_sig sig, const struct dynprobe_arg *args)
{
	(void)watch;
	(void)word0;
	(void)word1;
	(void)sig;
	(void)args;
	return 0;
}
