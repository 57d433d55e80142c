/* SPDX-License-Identifier: MIT */
/* static-prog.c - built by test-abi.sh with `cc -static`: loading an LTTng
 * provider must be a clear error, not a crash inside dlopen(). */
#include <stdio.h>

#include "dynprobe.h"

int main(void)
{
	static const enum dynprobe_type t[] = { DYNPROBE_U64 };
	struct dynprobe_provider *p;
	char buf[128];
	int r;

	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DYNPROBE_BACKEND_LTTNG);
	r = dynprobe_provider_new("static_prog", &o, &p);
	if (!r)
		r = dynprobe_probe_add(p, "ev", t, 1, NULL, NULL);
	if (!r)
		r = dynprobe_provider_load(p);
	printf("%s %d %s\n", r < 0 ? "error" : "ok", -r, dynprobe_strerror(r, buf, sizeof(buf)));
	dynprobe_provider_free(p);
	return 0;
}
