/* SPDX-License-Identifier: MIT */
/*
 * fuzz_names.c - the one name validator (src/names.c, dp_name_check()).
 * The first byte picks the kind (provider, probe, argument), the rest is
 * the name (a NUL inside ends it, as it would in C).  Whatever the bytes:
 * 0 or -DYNPROBE_ENAME; an accepted name is a C identifier within the
 * kind's limit and not a reserved one; and the LTTng generator, which
 * builds C from these names, never refuses a name the validator accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "internal.h"
#if DYNPROBE_HAVE_LTTNG
#include "tp.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(int level, const char *message, void *user_data)
{
	(void)level;
	(void)message;
	(void)user_data;
}

/* The generator's view: a provider with one probe with one argument. */
static void generator_accepts(const char *name, enum dp_name_kind kind)
{
#if DYNPROBE_HAVE_LTTNG
	struct dp_probe_desc probe = { .name = "p", .nargs = 1, .types = { DYNPROBE_U64 },
				       .arg_names = { "a" } };
	const struct dp_probe_desc *probes[] = { &probe };
	struct dp_provider_desc desc = { .name = "prov", .nprobes = 1, .probes = probes };

	if (kind == DP_NAME_PROVIDER)
		desc.name = name;
	else if (kind == DP_NAME_PROBE)
		probe.name = name;
	else
		probe.arg_names[0] = name;
	if (dp_tp_validate(&desc) < 0)
		abort();
#else
	(void)name;
	(void)kind;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t max[] = { DYNPROBE_MAX_PROVIDER_NAME, DYNPROBE_MAX_PROBE_NAME,
				      DYNPROBE_MAX_PROBE_NAME };
	enum dp_name_kind kind;
	char *name;
	int r;

	if (size < 1)
		return 0;
	dynprobe_set_log_handler(quiet, NULL);
	kind = (enum dp_name_kind)(data[0] % 3);
	name = malloc(size);
	if (!name)
		return 0;
	memcpy(name, data + 1, size - 1);
	name[size - 1] = '\0';
	r = dp_name_check(name, kind);
	if (r != 0 && r != -DYNPROBE_ENAME)
		abort();
	if (r == 0) {
		size_t n = strlen(name);

		if (!dp_name_valid(name, max[kind]) || n == 0 || n > max[kind])
			abort();
		if (name[0] == '_' && (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z')))
			abort();
		generator_accepts(name, kind);
	}
	free(name);
	return 0;
}
