/* SPDX-License-Identifier: MIT */
/* errors.c - dynprobe_strerror(): library codes first, then errno. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static const char *const messages[DYNPROBE_EMAX - DYNPROBE_EBASE] = {
	[0] = "unknown dynprobe error",
	[DYNPROBE_ENAME - DYNPROBE_EBASE] =
		"invalid name: use a C identifier ([A-Za-z_][A-Za-z0-9_]*) within the length limit that is not reserved (__x, _X) nor a macro of the C library or lttng-ust (NULL, errno, EOF...); the log handler (DYNPROBE_DEBUG=1) says why",
	[DYNPROBE_EARGS - DYNPROBE_EBASE] = "too many arguments (at most 12)",
	[DYNPROBE_ETYPE - DYNPROBE_EBASE] =
		"unknown argument type (use i8 u8 i16 u16 i32 u32 i64 u64 str double)",
	[DYNPROBE_ESTATE - DYNPROBE_EBASE] =
		"not allowed in the provider's current state (probes are added before load, or after unload)",
	[DYNPROBE_EMISMATCH - DYNPROBE_EBASE] =
		"fired arguments do not match the probe's signature (count or string/number kind)",
	[DYNPROBE_EOPTS - DYNPROBE_EBASE] =
		"options struct has unknown non-zero fields (built against a newer dynprobe?)",
	[DYNPROBE_EBACKEND - DYNPROBE_EBASE] =
		"backend not available in this build of libdynprobe",
	[DYNPROBE_ENOCOMPILER - DYNPROBE_EBASE] =
		"LTTng compiled mode needs a C compiler (install gcc, or set $CC) or a matching prebuilt object from `dynprobe tp` on $DYNPROBE_TP_PATH (the runtime mode needs neither)",
	[DYNPROBE_ENOLTTNG - DYNPROBE_EBASE] =
		"lttng-ust cannot be used here: liblttng-ust.so.1 (lttng-ust >= 2.13) missing or of another ABI, lttng-ust 2.12 already loaded, a static program, or (compiled mode) no lttng-ust headers; DYNPROBE_DEBUG=1 says which",
	[DYNPROBE_ECACHE - DYNPROBE_EBASE] =
		"LTTng cache directory unusable or not trusted: it must be a directory, not a symlink, owned by you, not group- or world-writable (nor its parents); DYNPROBE_DEBUG=1 names it",
	[DYNPROBE_ECOMPILE - DYNPROBE_EBASE] =
		"compiling the generated LTTng provider failed (run with DYNPROBE_DEBUG=1 for the compiler output)",
	[DYNPROBE_EELF - DYNPROBE_EBASE] =
		"generating or loading the USDT ELF object failed",
	[DYNPROBE_EPROBES - DYNPROBE_EBASE] =
		"too many probes for one USDT provider (at most about 65,000): split it",
};

const char *dynprobe_strerror(int err, char *buf, size_t len)
{
	/* long: -INT_MIN does not fit an int. */
	long code = err < 0 ? -(long)err : err;
	const char *msg = NULL;

	if (!buf || !len)
		return "";
	if (code > INT_MAX) {
		snprintf(buf, len, "unknown error %d", err);
		return buf;
	}
	if (code > DYNPROBE_EBASE && code < DYNPROBE_EMAX)
		msg = messages[code - DYNPROBE_EBASE];
	if (msg) {
		snprintf(buf, len, "%s", msg);
		return buf;
	}
	if (code == 0) {
		snprintf(buf, len, "success");
		return buf;
	}
	/* GNU strerror_r may return a static string instead of filling buf. */
	const char *s = strerror_r((int)code, buf, len);
	if (s != buf)
		snprintf(buf, len, "%s", s);
	return buf;
}
