/* SPDX-License-Identifier: MIT */
/* Placeholder until the LTTng backend lands: every load reports that the
 * backend is not in this build. */
#include "internal.h"

bool dp_lttng_available(void) { return false; }

int dp_lttng_load(const struct dp_provider_desc *desc, struct dp_lttng_site *sites,
		  struct dp_lttng_image **ret_image)
{
	(void)desc; (void)sites;
	*ret_image = NULL;
	return -DYNPROBE_EBACKEND;
}

void dp_lttng_release(struct dp_lttng_image *image) { (void)image; }
