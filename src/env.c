/* SPDX-License-Identifier: MIT */
/*
 * env.c - every environment variable the library reads, in one place.
 *
 * All are read with secure_getenv(): in a setuid or setgid program (or one
 * with file capabilities) they read as unset, so a user cannot point a
 * privileged process at a compiler, a cache or a directory of their own.
 * README.md ("Environment") lists the same variables; keep them in step.
 */
#include <stdlib.h>

#include "internal.h"

static const char *const env_names[DP_ENV_COUNT] = {
	[DP_ENV_DEBUG] = "DYNPROBE_DEBUG",
	[DP_ENV_BACKENDS] = "DYNPROBE_BACKENDS",
	[DP_ENV_LTTNG_MODE] = "DYNPROBE_LTTNG_MODE",
	[DP_ENV_CACHE_DIR] = "DYNPROBE_CACHE_DIR",
	[DP_ENV_TP_PATH] = "DYNPROBE_TP_PATH",
	[DP_ENV_USDT_DIR] = "DYNPROBE_USDT_DIR",
	[DP_ENV_USDT_STUB] = "DYNPROBE_USDT_STUB",
	[DP_ENV_USDT_NO_MEMFD] = "DYNPROBE_USDT_NO_MEMFD",
	[DP_ENV_CC] = "CC",
	[DP_ENV_PATH] = "PATH",
	[DP_ENV_TMPDIR] = "TMPDIR",
	[DP_ENV_HOME] = "HOME",
	[DP_ENV_XDG_CACHE_HOME] = "XDG_CACHE_HOME",
	[DP_ENV_XDG_RUNTIME_DIR] = "XDG_RUNTIME_DIR",
};

const char *dp_env(enum dp_env_var var)
{
	if ((unsigned int)var >= DP_ENV_COUNT)
		return NULL;
	return secure_getenv(env_names[var]);
}

const char *dp_env_name(enum dp_env_var var)
{
	return (unsigned int)var < DP_ENV_COUNT ? env_names[var] : "?";
}
