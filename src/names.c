/* SPDX-License-Identifier: MIT */
/*
 * names.c - argument type names and LTTng log level names.  (Probe and
 * provider names are checked by tp/tp_names.c, dp_name_check().)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

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
