/* SPDX-License-Identifier: MIT */
/*
 * tp_build.c - name, and compile, generated tracepoint providers.
 *
 * Names: libdynprobe-lttng-<provider>-<hash>.so, so that `dynprobe list`
 * recognises them in /proc/PID/maps.  The hash (FNV-1a 128, first 80 bits)
 * covers everything that changes the object:
 *
 *   prebuilt  "prebuilt" + generated source (which embeds the signature and
 *             the generator version) + lttng-ust version + flags
 *   cached    "cached" + the same + compiler identity (resolved path, size,
 *             mtime and inode of the executable: a compiler upgrade changes
 *             them, and stat() costs microseconds where running
 *             `cc -dumpfullversion` costs milliseconds on every load)
 *
 * Prebuilt names leave the compiler out on purpose: they must be found on a
 * machine that has none.  The loader also checks the object's descriptor
 * against the probes, so even a hash collision cannot load a wrong object.
 *
 * Compiling: the source goes to a private mkdtemp() directory inside the
 * destination (it must be named dynprobe-tp.c: the file includes itself),
 * the compiler runs through posix_spawn() (no fork handlers run, cheap in a
 * large process), and the object is rename()d into place: concurrent
 * builders and readers only ever see complete objects.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tp.h"

extern char **environ;

/* -O1: measured here (gcc 12, 10 probes, loaded 2-vCPU VM), compiling
 * takes ~250-400 ms at -O0, ~420-570 at -O1 and ~530-700 at -O2, while the
 * cost of a recorded event does not differ measurably (300-400 ns flooding
 * a session; the ring-buffer code lives in liblttng-ust, optimised anyway).
 * -O1 keeps the per-event serialisation folded (constant type switches)
 * and the cold 10-probe load within its 500 ms budget on a quiet machine.
 * tests/lttng/measure.sh reproduces the numbers. */
static const char *const cc_flags[] = {
	"-shared", "-fPIC", "-fvisibility=hidden", "-O1", "-g0", "-pipe",
	"-std=gnu11", "-w",
};
static const char *const ld_flags[] = {
	"-Wl,-z,relro", "-Wl,-z,now", "-Wl,--no-as-needed", "-llttng-ust", "-Wl,--as-needed",
	"-ldl",
};

static char flags_text[256];

static void flags_text_init(void)
{
	size_t off = 0;

	for (size_t i = 0; i < sizeof(cc_flags) / sizeof(cc_flags[0]); i++)
		off += (size_t)snprintf(flags_text + off, sizeof(flags_text) - off, "%s ", cc_flags[i]);
	for (size_t i = 0; i < sizeof(ld_flags) / sizeof(ld_flags[0]); i++)
		off += (size_t)snprintf(flags_text + off, sizeof(flags_text) - off, "%s ", ld_flags[i]);
	snprintf(flags_text + off, sizeof(flags_text) - off, "%s %s", dp_tp_ust_cflags, dp_tp_ust_ldflags);
}

const char *dp_tp_flags_text(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, flags_text_init);
	return flags_text;
}

typedef unsigned __int128 u128;

static u128 fnv_init(void)
{
	return ((u128)0x6c62272e07bb0142ULL << 64) | 0x62b821756295c58dULL;
}

/* Hashes the terminating NUL too, so ("ab","c") and ("a","bc") differ. */
static u128 fnv_str(u128 h, const char *s)
{
	const u128 prime = ((u128)0x0000000001000000ULL << 64) | 0x000000000000013bULL;

	do {
		h ^= (unsigned char)*s;
		h *= prime;
	} while (*s++);
	return h;
}

static void make_name(const char *provider, u128 h, char buf[DP_TP_NAME_MAX])
{
	static const char hex[] = "0123456789abcdef";
	char digits[DP_TP_HASH_HEX + 1];

	for (int i = 0; i < DP_TP_HASH_HEX; i++)
		digits[i] = hex[(unsigned)(h >> (124 - 4 * i)) & 0xf];
	digits[DP_TP_HASH_HEX] = '\0';
	snprintf(buf, DP_TP_NAME_MAX, DP_TP_NAME_PREFIX "%s-%s.so", provider, digits);
}

static u128 source_hash(const char *kind, const char *src)
{
	u128 h = fnv_init();

	h = fnv_str(h, kind);
	h = fnv_str(h, src);
	h = fnv_str(h, dp_tp_ust_version);
	return fnv_str(h, dp_tp_flags_text());
}

void dp_tp_prebuilt_name(const char *provider, const char *src, char buf[DP_TP_NAME_MAX])
{
	make_name(provider, source_hash("prebuilt", src), buf);
}

void dp_tp_cache_name(const char *provider, const char *src, const struct dp_tp_cc *cc,
		      char buf[DP_TP_NAME_MAX])
{
	u128 h = source_hash("cached", src);

	make_name(provider, fnv_str(h, cc->identity), buf);
}

/* ---- the compiler ---- */

/* Resolve an executable name like execvp() does, into a malloc()ed path. */
static char *path_lookup(const char *name)
{
	const char *path = dp_tp_env(DP_TP_ENV_PATH);
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? realpath(name, NULL) : NULL;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n < sizeof(buf) - 2 &&
		    snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* $CC may carry arguments ("ccache gcc", "gcc -m64"): split on blanks. */
static int split_cc(struct dp_tp_cc *cc, const char *text)
{
	char *copy = strdup(text), *save = NULL;
	size_t n = 0;

	if (!copy)
		return -ENOMEM;
	cc->argv = calloc(strlen(text) / 2 + 2, sizeof(char *));
	if (!cc->argv) {
		free(copy);
		return -ENOMEM;
	}
	for (char *tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		cc->argv[n] = strdup(tok);
		if (!cc->argv[n++]) {
			free(copy);
			return -ENOMEM;
		}
	}
	free(copy);
	cc->argc = n;
	return n ? 0 : -DYNPROBE_ENOCOMPILER;
}

int dp_tp_cc_find(struct dp_tp_cc *cc)
{
	static const char *const fallbacks[] = { "cc", "gcc", "clang" };
	const char *env = dp_tp_env(DP_TP_ENV_CC);
	struct stat st;
	int r;

	memset(cc, 0, sizeof(*cc));
	if (env && *env) {
		r = split_cc(cc, env);
		if (r < 0)
			goto err;
		cc->path = path_lookup(cc->argv[0]);
	} else {
		for (size_t i = 0; i < 3 && !cc->path; i++)
			cc->path = path_lookup(fallbacks[i]);
		r = split_cc(cc, cc->path ? cc->path : "cc");
		if (r < 0)
			goto err;
	}
	r = -DYNPROBE_ENOCOMPILER;
	if (!cc->path || stat(cc->path, &st) < 0) {
		dp_logl(DYNPROBE_LOG_INFO, "lttng: no C compiler (CC=%s, PATH=%s)", env ? env : "(unset)",
		       dp_tp_env(DP_TP_ENV_PATH) ? dp_tp_env(DP_TP_ENV_PATH) : "(unset)");
		goto err;
	}
	free(cc->argv[0]);
	cc->argv[0] = strdup(cc->path);
	if (!cc->argv[0]) {
		r = -ENOMEM;
		goto err;
	}
	snprintf(cc->identity, sizeof(cc->identity), "%s %s %lld %lld.%09ld %llu", env ? env : "",
		 cc->path, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		 st.st_mtim.tv_nsec, (unsigned long long)st.st_ino);
	return 0;
err:
	dp_tp_cc_free(cc);
	return r;
}

void dp_tp_cc_free(struct dp_tp_cc *cc)
{
	if (!cc)
		return;
	for (size_t i = 0; cc->argv && cc->argv[i]; i++)
		free(cc->argv[i]);
	free(cc->argv);
	free(cc->path);
	memset(cc, 0, sizeof(*cc));
}

/* ---- compiling ---- */

static int write_all(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r = 0;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0 && !r)
		r = -errno;
	return r;
}

/* Hand the head of the compiler's output to the application's log
 * handler (the caller only sees -DYNPROBE_ECOMPILE), and tell a missing
 * lttng-ust apart from other failures: only a missing header or library
 * says so (gcc's and clang's words); an error inside lttng-ust's headers
 * also names lttng/tracepoint.h and is not one. */
static int compile_error(const char *path)
{
	char buf[2048];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -DYNPROBE_ECOMPILE;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	if (n)
		dp_logl(DYNPROBE_LOG_WARN, "lttng: the compiler said:\n%s", buf);
	if (strstr(buf, "lttng/tracepoint.h: No such file") ||
	    strstr(buf, "'lttng/tracepoint.h' file not found") ||
	    strstr(buf, "cannot find -llttng-ust")) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: lttng-ust headers or library missing (liblttng-ust-dev?)");
		return -DYNPROBE_ENOLTTNG;
	}
	return -DYNPROBE_ECOMPILE;
}

static int run_cc(const struct dp_tp_cc *cc, const char *bdir, const char *src, const char *out,
		  const char *log)
{
	const char *argv[64];
	char inc[PATH_MAX + 16];
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	pid_t pid;
	int r, status;

	snprintf(inc, sizeof(inc), "-iquote%s", bdir);
	for (size_t i = 0; i < cc->argc && n < 20; i++)
		argv[n++] = cc->argv[i];
	for (size_t i = 0; i < sizeof(cc_flags) / sizeof(cc_flags[0]); i++)
		argv[n++] = cc_flags[i];
	if (dp_tp_ust_cflags[0])
		argv[n++] = dp_tp_ust_cflags;
	argv[n++] = inc;
	argv[n++] = "-o";
	argv[n++] = out;
	argv[n++] = src;
	if (dp_tp_ust_ldflags[0])
		argv[n++] = dp_tp_ust_ldflags;
	for (size_t i = 0; i < sizeof(ld_flags) / sizeof(ld_flags[0]); i++)
		argv[n++] = ld_flags[i];
	argv[n] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	r = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: cannot run %s: %s", argv[0], strerror(r));
		return -DYNPROBE_ENOCOMPILER;
	}
	while (waitpid(pid, &status, 0) < 0) {
		/* ECHILD: the host ignores SIGCHLD; judge by the output. */
		if (errno != EINTR)
			return access(out, R_OK) == 0 ? 0 : -DYNPROBE_ECOMPILE;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return compile_error(log);
	return 0;
}

int dp_tp_compile(const struct dp_tp_cc *cc, const char *src, const char *dir,
		  const char *name, mode_t mode)
{
	char bdir[PATH_MAX - DP_TP_NAME_MAX - 32], csrc[PATH_MAX], obj[PATH_MAX], log[PATH_MAX];
	char dst[PATH_MAX];
	int r;

	if ((size_t)snprintf(bdir, sizeof(bdir), "%s/.build-XXXXXX", dir) >= sizeof(bdir) ||
	    (size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= sizeof(dst))
		return -ENAMETOOLONG;
	if (!mkdtemp(bdir))
		return -errno;
	snprintf(csrc, sizeof(csrc), "%s/dynprobe-tp.c", bdir);
	snprintf(obj, sizeof(obj), "%s/%s", bdir, name);
	snprintf(log, sizeof(log), "%s/cc.log", bdir);
	r = write_all(csrc, src, strlen(src));
	if (r < 0)
		goto out;
	dp_logl(DYNPROBE_LOG_INFO, "lttng: compiling %s with %s %s", dst, cc->path,
		dp_tp_flags_text());
	r = run_cc(cc, bdir, csrc, obj, log);
	if (r < 0)
		goto out;
	if (chmod(obj, mode) < 0 || rename(obj, dst) < 0)
		r = -errno;
out:
	unlink(obj);
	unlink(csrc);
	unlink(log);
	rmdir(bdir);
	return r;
}
