/* SPDX-License-Identifier: MIT */
/*
 * fuzz_list_reader - the USDT image reader of `dynprobe list`
 * (src/backends/usdt/usdt_reader.c) on arbitrary bytes.  `dynprobe list`
 * runs as root over images other processes wrote, so no input may make it
 * read outside the buffer, loop, or report more probes than the header
 * declares.  Seeds: images from the builder (0, 1 and 3 probes, USDT and
 * both backends) and damaged variants of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backends/usdt/usdt_format.h"

struct seen {
	size_t probes;
	size_t bytes;
};

static int probe(const struct dp_usdt_probe_info *p, void *arg)
{
	struct seen *s = arg;

	/* Touch everything the caller prints: strings must be terminated,
	 * counts within their arrays. */
	s->bytes += strlen(p->provider) + strlen(p->name);
	if (p->nargs > DYNPROBE_MAX_ARGS)
		abort();
	for (size_t a = 0; a < p->nargs; a++)
		if (p->types[a] >= DYNPROBE_TYPE_MAX)
			abort();
	s->probes++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_usdt_image_info info;
	struct seen s = {0};
	/* A copy of exactly `size` bytes, so that ASan sees any over-read. */
	uint8_t *copy = malloc(size ? size : 1);
	int n;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	n = dp_usdt_read_image(copy, size, &info, probe, &s);
	if (n >= 0 && ((size_t)n != s.probes || (size_t)n > info.header.nprobes))
		abort();
	free(copy);
	return 0;
}
