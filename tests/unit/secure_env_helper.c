/* SPDX-License-Identifier: MIT */
/*
 * secure_env_helper - what the library sees of its environment.
 *
 * test_secure_env.sh installs a copy set-user-ID root and runs it as an
 * unprivileged user (issue 13: a setuid program using the library ran a
 * user's CC with euid 0).  Prints one line per variable src/env.c lists
 * ("NAME set" or "NAME unset"), then what dynprobe_provider_new() returns,
 * which $DYNPROBE_BACKENDS=bogus turns into -EINVAL when it is read.
 */
#include <stdio.h>

#include "internal.h"

int main(void)
{
	struct dynprobe_provider *p = NULL;
	int r;

	for (int v = 0; v < DP_ENV_COUNT; v++)
		printf("%s %s\n", dp_env_name((enum dp_env_var)v),
		       dp_env((enum dp_env_var)v) ? "set" : "unset");
	r = dynprobe_provider_new("secure_env", NULL, &p);
	printf("provider_new %d\n", r);
	dynprobe_provider_free(p);
	return 0;
}
