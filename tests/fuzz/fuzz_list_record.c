/* SPDX-License-Identifier: MIT */
/*
 * fuzz_list_record - the introspection record reader of `dynprobe list`
 * (src/introspect_reader.c) on arbitrary bytes.  `dynprobe list` runs as
 * root over records other processes wrote: no input may make it read
 * outside the buffer, allocate without bound, or hand the caller a
 * provider whose strings or counts are out of their arrays.  Seeds:
 * records written by introspect.c, and damaged variants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "introspect_format.h"

static int provider(const struct dp_intro_read_provider *pv, void *arg)
{
	size_t *bytes = arg;

	*bytes += strlen(pv->name) + strlen(pv->usdt_where) + strlen(pv->lttng_object);
	if (pv->nprobes > 100000)
		abort();
	for (uint32_t i = 0; i < pv->nprobes; i++) {
		const struct dp_intro_read_probe *p = &pv->probes[i];
		*bytes += strlen(p->name);
		if (p->nargs > DYNPROBE_MAX_ARGS)
			abort();
		for (size_t a = 0; a < DYNPROBE_MAX_ARGS; a++)
			if (p->types[a] >= DYNPROBE_TYPE_MAX)
				abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1); /* exactly `size`: ASan sees over-reads */
	size_t bytes = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	dp_intro_read(copy, size, NULL, provider, &bytes);
	free(copy);
	return 0;
}
