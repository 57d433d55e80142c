/* SPDX-License-Identifier: MIT */
/*
 * toy.c - the toy backend: each probe gets a record in a static table
 * (never freed, as the interface requires of what a site points at) with
 * an "enabled" flag the test sets through dp_toy_listen(); a fire appends
 * the converted values to dp_toy_fires[].  It offers no inline watch
 * base, so every fire goes through dynprobe_fire(), which asks it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "toy.h"

struct toy_probe {
	char provider[DYNPROBE_MAX_PROVIDER_NAME + 1];
	char probe[DYNPROBE_MAX_PROBE_NAME + 1];
	volatile int enabled;
};

static struct toy_probe toy_probes[DP_TOY_MAX_PROBES];
static size_t toy_nprobes;
struct dp_toy_fire dp_toy_fires[DP_TOY_MAX_FIRES];
size_t dp_toy_nfires;
int dp_toy_loaded, dp_toy_released;
size_t dp_toy_shortcuts;

int dp_toy_listen(const char *provider, const char *probe, bool on)
{
	for (size_t i = 0; i < toy_nprobes; i++) {
		if (!strcmp(toy_probes[i].provider, provider) &&
		    !strcmp(toy_probes[i].probe, probe)) {
			toy_probes[i].enabled = on;
			return 0;
		}
	}
	return -ENOENT;
}

static int toy_load(const struct dp_load *l, struct dp_site *sites, void **ret_image)
{
	const struct dp_provider_desc *d = l->desc;

	if (toy_nprobes + d->nprobes > DP_TOY_MAX_PROBES)
		return -ENOSPC;
	for (size_t i = 0; i < d->nprobes; i++) {
		struct toy_probe *t = &toy_probes[toy_nprobes++];

		snprintf(t->provider, sizeof(t->provider), "%s", d->name);
		snprintf(t->probe, sizeof(t->probe), "%s", d->probes[i]->name);
		sites[i] = (struct dp_site){.watch = NULL, .word = {(uintptr_t)t}};
	}
	*ret_image = toy_probes; /* any non-NULL value: the toy keeps nothing per image */
	return 0;
}

static void toy_release(void *image)
{
	(void)image;
	dp_toy_released++;
}

static void toy_set_state(void *image, bool loaded)
{
	(void)image;
	dp_toy_loaded += loaded ? 1 : -1;
}

static bool toy_site_enabled(const struct dp_site *s)
{
	return ((const struct toy_probe *)s->word[0])->enabled;
}

static void toy_site_fire(const struct dp_site *s, size_t nargs, const union dp_value *values)
{
	const struct toy_probe *t = (const struct toy_probe *)s->word[0];
	struct dp_toy_fire *f;

	if (dp_toy_nfires == DP_TOY_MAX_FIRES)
		return;
	f = &dp_toy_fires[dp_toy_nfires++];
	f->provider = t->provider;
	f->probe = t->probe;
	f->nargs = nargs;
	memcpy(f->values, values, nargs * sizeof(*values));
}

/* The one-call shortcut, built from the same two steps, counted so that
 * a test can tell which path the core took. */
static int toy_site_fire_args(const volatile uint8_t *watch, uintptr_t word0, uintptr_t word1,
			      dp_fire_sig sig, const struct dynprobe_arg *args)
{
	const struct dp_site site = { .watch = watch, .word = { word0, word1 } };
	union dp_value values[DYNPROBE_MAX_ARGS];

	dp_toy_shortcuts++;
	if (!toy_site_enabled(&site))
		return 0;
	if (!dp_sig_convert_args(sig, args, values))
		return -DYNPROBE_EMISMATCH;
	toy_site_fire(&site, dp_sig_nargs(sig), values);
	return 1;
}

const struct dp_backend dp_backend_toy = {
    .name = "toy",
    .mask = DP_TOY_BACKEND,
    .load = toy_load,
    .release = toy_release,
    .set_state = toy_set_state,
    .site_enabled = toy_site_enabled,
    .site_fire = toy_site_fire,
    .site_fire_args = toy_site_fire_args,
};
