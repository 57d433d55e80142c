/* SPDX-License-Identifier: MIT */
/*
 * tp_host.c - what the generator library (tp/) needs from its host, for
 * `dynprobe`: messages on stderr when $DYNPROBE_DEBUG is set (as the
 * library's default log handler does), and the environment read with
 * secure_getenv().  The library has its own (src/log.c, src/tp_host.c);
 * its copies are hidden inside libdynprobe.so.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp.h"

static void vlog(int level, const char *fmt, va_list ap)
{
	const char *e = secure_getenv("DYNPROBE_DEBUG");

	(void)level;
	if (!e || !*e || *e == '0')
		return;
	fputs("dynprobe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void dp_logl(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

const char *dp_tp_env(enum dp_tp_env var)
{
	return secure_getenv(var == DP_TP_ENV_CC ? "CC" : "PATH");
}
