/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spec.c - the `dynprobe tp` spec parser (tp/tp_spec.c), and the
 * generator on every spec the parser accepts: whatever a spec file holds,
 * the parser returns a spec or an error with a message, and an accepted
 * spec always generates (the parser checks names with the generator's
 * rules, so a refusal there is a bug).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(int level, const char *message, void *user_data)
{
	(void)level;
	(void)message;
	(void)user_data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dp_tp_spec *spec = NULL;
	char err[512], *src = NULL;
	int r;

	dynprobe_set_log_handler(quiet, NULL);
	r = dp_tp_spec_parse_n((const char *)data, size, &spec, err, sizeof(err));
	if (r < 0) {
		/* Every refusal says where and why. */
		if (spec || strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	if (!spec || dp_tp_generate(&spec->desc, &src) < 0 || !src)
		abort();
	free(src);
	dp_tp_spec_free(spec);
	return 0;
}
