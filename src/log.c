/* SPDX-License-Identifier: MIT */
/* log.c - debug logging to stderr, off unless DYNPROBE_DEBUG=1.  Never
 * called from the fire path. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

void dp_log(const char *fmt, ...)
{
	static int enabled = -1;
	int saved = errno;
	va_list ap;

	if (enabled < 0) {
		const char *e = getenv("DYNPROBE_DEBUG");
		enabled = e && *e && *e != '0';
	}
	if (enabled) {
		va_start(ap, fmt);
		fputs("dynprobe: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	errno = saved;
}
