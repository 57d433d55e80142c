/* SPDX-License-Identifier: MIT */
/*
 * tp_names.c - the one name validator.  Names reach ELF notes read by
 * every USDT tracer and generated C source (LTTng's compiled mode), so
 * dp_name_check() refuses, at dynprobe_provider_new(), dynprobe_probe_add()
 * and in every spec file, everything a backend of this build would refuse
 * later: a '/' or ':' would corrupt bpftrace's probe paths; a macro name
 * or a reserved identifier breaks the generated LTTng provider (a macro
 * expanded inside lttng-ust's macros even makes lttng-ust abort the
 * process), and so does a provider name that pastes into an identifier
 * lttng-ust declares ("register").  C keywords are fine: lttng-ust only
 * pastes and stringifies names.  The macro and clash names are listed at
 * build time from this build's compiler and headers (meson runs the
 * preprocessor over names_probe.c; names_macros.h is the result).  A name
 * is refused whatever the provider's backends: $DYNPROBE_BACKENDS can move
 * any provider to LTTng without a rebuild.
 */
#include <stdlib.h>
#include <string.h>

#include "names_macros.h"
#include "tp.h"

bool dp_name_valid(const char *name, size_t max_len)
{
	size_t n;

	if (!name || !*name)
		return false;
	if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
	      name[0] == '_'))
		return false;
	for (n = 1; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
		if (n >= max_len)
			return false;
	}
	return true;
}

/* The same hash as gen_names_macros.py's. */
uint32_t dp_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* One of the generated tables (a power of two in size, NULL empty). */
static bool in_table(const char *name, const char *const *table, size_t size)
{
	for (size_t i = dp_name_hash(name) & (size - 1); table[i]; i = (i + 1) & (size - 1))
		if (!strcmp(table[i], name))
			return true;
	return false;
}
#define IN_TABLE(name, table) in_table(name, table, sizeof(table) / sizeof(table[0]))

/* Why a C identifier cannot name a `kind`, or NULL. */
static const char *name_refusal(const char *name, enum dp_name_kind kind)
{
	if (name[0] == '_' && (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z')))
		return "identifiers starting with __ or _ and a capital are reserved to the "
		       "C implementation (and may be macros)";
	/* major, minor, makedev: macros where <sys/types.h> still includes
	 * <sys/sysmacros.h> (glibc before 2.28). */
	if (IN_TABLE(name, dp_macro_names) || !strcmp(name, "major") || !strcmp(name, "minor") ||
	    !strcmp(name, "makedev"))
		return "it is a macro in the headers an LTTng provider is compiled with";
	if (kind == DP_NAME_PROVIDER && IN_TABLE(name, dp_provider_clash))
		return "lttng-ust already declares the identifiers an LTTng provider of that "
		       "name would define";
	return NULL;
}

int dp_name_check(const char *name, enum dp_name_kind kind)
{
	static const char *const what[] = { "provider", "probe", "argument" };
	static const size_t max[] = { DYNPROBE_MAX_PROVIDER_NAME, DYNPROBE_MAX_PROBE_NAME,
				      DYNPROBE_MAX_PROBE_NAME };
	const char *why;

	if (!name) {
		dp_logl(DYNPROBE_LOG_WARN, "%s name missing (NULL)", what[kind]);
		return -DYNPROBE_ENAME;
	}
	if (!dp_name_valid(name, max[kind])) {
		dp_logl(DYNPROBE_LOG_WARN,
			"%s name '%.*s%s': use a C identifier ([A-Za-z_][A-Za-z0-9_]*) of at "
			"most %zu characters",
			what[kind], 200, name, strlen(name) > 200 ? "..." : "", max[kind]);
		return -DYNPROBE_ENAME;
	}
	why = name_refusal(name, kind);
	if (why) {
		dp_logl(DYNPROBE_LOG_WARN, "%s name '%s' cannot be used: %s", what[kind], name, why);
		return -DYNPROBE_ENAME;
	}
	return 0;
}

