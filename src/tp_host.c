/* SPDX-License-Identifier: MIT */
/*
 * tp_host.c - what the generator library (tp/) needs from the library
 * besides its log handler (log.c): the environment, through env.c.
 */
#include "internal.h"

const char *dp_tp_env(enum dp_tp_env var)
{
	return dp_env(var == DP_TP_ENV_CC ? DP_ENV_CC : DP_ENV_PATH);
}
