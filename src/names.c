/* SPDX-License-Identifier: MIT */
/*
 * names.c - name and type validation.  Names reach ELF notes read by every
 * USDT tracer and generated C source (LTTng), so one validator refuses, at
 * dynprobe_provider_new() and dynprobe_probe_add(), everything a backend
 * of this build would refuse later: a '/' or ':' would corrupt bpftrace's
 * probe paths; a keyword, a reserved identifier or a macro name breaks
 * the generated LTTng provider (a macro expanded inside lttng-ust's
 * macros even makes lttng-ust abort the process).  The macro names are
 * those the generated provider sees, listed at build time from this
 * build's compiler and headers (meson runs the preprocessor over
 * names_probe.c; names_macros.c is the result).  A name is refused
 * whatever the provider's backends: $DYNPROBE_BACKENDS can move any
 * provider to LTTng without a rebuild.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "names_macros.h"

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

/* The same hash as gen_names_macros.py's: FNV-1a, murmur3's finalizer. */
static uint32_t name_hash(const char *s)
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
	for (size_t i = name_hash(name) & (size - 1); table[i]; i = (i + 1) & (size - 1))
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

static const struct {
	const char *name;
	enum dynprobe_type type;
} type_names[] = {
	{ "i8", DYNPROBE_I8 },   { "u8", DYNPROBE_U8 },
	{ "i16", DYNPROBE_I16 }, { "u16", DYNPROBE_U16 },
	{ "i32", DYNPROBE_I32 }, { "u32", DYNPROBE_U32 },
	{ "i64", DYNPROBE_I64 }, { "u64", DYNPROBE_U64 },
	{ "str", DYNPROBE_STR }, { "double", DYNPROBE_DOUBLE },
	/* aliases, accepted on input only */
	{ "int", DYNPROBE_I64 }, { "uint", DYNPROBE_U64 },
	{ "string", DYNPROBE_STR }, { "float", DYNPROBE_DOUBLE },
	{ "int8", DYNPROBE_I8 }, { "uint8", DYNPROBE_U8 },
	{ "int16", DYNPROBE_I16 }, { "uint16", DYNPROBE_U16 },
	{ "int32", DYNPROBE_I32 }, { "uint32", DYNPROBE_U32 },
	{ "int64", DYNPROBE_I64 }, { "uint64", DYNPROBE_U64 },
};

int dynprobe_type_parse(const char *text, enum dynprobe_type *ret_type)
{
	if (!text || !ret_type)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (!strcmp(text, type_names[i].name)) {
			*ret_type = type_names[i].type;
			return 0;
		}
	}
	return -DYNPROBE_ETYPE;
}

const char *dynprobe_type_name(enum dynprobe_type type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return NULL;
}

/* lttng-ust's TRACE_EMERG (0) .. TRACE_DEBUG (14), stored plus one. */
static const char *const loglevel_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info",
	"debug_system", "debug_program", "debug_process", "debug_module",
	"debug_unit", "debug_function", "debug_line", "debug",
};
#define NLOGLEVELS (sizeof(loglevel_names) / sizeof(loglevel_names[0]))

int dynprobe_loglevel_parse(const char *text, int *ret_loglevel)
{
	if (!text || !ret_loglevel)
		return -EINVAL;
	if (!strncasecmp(text, "TRACE_", 6))
		text += 6;
	for (size_t i = 0; i < NLOGLEVELS; i++) {
		if (!strcasecmp(text, loglevel_names[i])) {
			*ret_loglevel = (int)i + 1;
			return 0;
		}
	}
	return -EINVAL;
}

const char *dynprobe_loglevel_name(int loglevel)
{
	return loglevel >= 1 && (size_t)loglevel <= NLOGLEVELS ? loglevel_names[loglevel - 1] : NULL;
}
