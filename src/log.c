/* SPDX-License-Identifier: MIT */
/*
 * log.c - the library's messages go to the application's handler
 * (dynprobe_set_log_handler); the default one prints warnings to stderr
 * (something failed and a fallback was used, or a request was refused:
 * the user must see why, as with libbpf's default print callback) and the
 * rest only when DYNPROBE_DEBUG is set.  Never called from the fire path.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static void default_handler(int level, const char *message, void *user_data)
{
	static int enabled = -1;

	(void)user_data;
	if (enabled < 0) {
		const char *e = dp_env(DP_ENV_DEBUG);
		enabled = e && *e && *e != '0';
	}
	if (enabled || level <= DYNPROBE_LOG_WARN)
		fprintf(stderr, "dynprobe: %s\n", message);
}

static dynprobe_log_fn log_fn = default_handler;
static void *log_data;

void dynprobe_set_log_handler(dynprobe_log_fn fn, void *user_data)
{
	__atomic_store_n(&log_data, fn ? user_data : NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&log_fn, fn ? fn : default_handler, __ATOMIC_RELEASE);
}

static void vlog(int level, const char *fmt, va_list ap)
{
	dynprobe_log_fn fn = __atomic_load_n(&log_fn, __ATOMIC_ACQUIRE);
	void *data = __atomic_load_n(&log_data, __ATOMIC_RELAXED);
	int saved = errno;
	char msg[4096]; /* room for a compiler's first errors (tp_build.c) */

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fn(level, msg, data);
	errno = saved;
}

void dp_logl(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}
