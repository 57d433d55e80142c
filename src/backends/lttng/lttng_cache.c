/* SPDX-License-Identifier: MIT */
/*
 * lttng_cache.c - where compiled LTTng providers live, and whether to trust
 * them (compiled mode only; the runtime mode loads no file).
 *
 * A dlopen()ed object runs code with the process's privileges, so an
 * object is only loaded when nobody but the user (or root) could have
 * written it, and what is checked is what is loaded: every directory is
 * opened by src/trusted_dir.c (an openat() walk from a checked "/", the
 * directory itself never a symlink, also not behind a trailing "/" or "/."),
 * every object is opened from that directory descriptor with O_NOFOLLOW
 * and checked with fstat() on its own descriptor, and the loader dlopen()s
 * that descriptor (/proc/self/fd/N).  Renaming or swapping files after the
 * check changes nothing that gets loaded.
 *
 *   cache dir    $DYNPROBE_CACHE_DIR | $XDG_CACHE_HOME/dynprobe |
 *                ~/.cache/dynprobe (or the provider's cache_dir), created
 *                0700; owned by the effective user, not group- or
 *                world-writable, nor its ancestors (sticky ones excepted).
 *                Otherwise loading fails with -DYNPROBE_ECACHE and a message
 *                naming the path and the rule: we never fall back silently,
 *                because a private temp dir would mean a full compile in
 *                every process.
 *   cached obj   regular, owned by the effective user, not group- or
 *                world-writable.  An untrusted object is not loaded; it is
 *                rebuilt and replaced (rename(2) in a directory we own).
 *   prebuilt     directories from prebuilt_path / $DYNPROBE_TP_PATH: the
 *                same rules, except that root may own them (packages).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lttng.h"
#include "trusted_dir.h"

static int default_dir(char *buf, size_t len)
{
	const char *e = dp_env(DP_ENV_CACHE_DIR);
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	int n;

	if (e && *e)
		n = snprintf(buf, len, "%s", e);
	else if ((e = dp_env(DP_ENV_XDG_CACHE_HOME)) && *e == '/')
		n = snprintf(buf, len, "%s/dynprobe", e);
	else if ((e = dp_env(DP_ENV_HOME)) && *e == '/')
		n = snprintf(buf, len, "%s/.cache/dynprobe", e);
	else if (getpwuid_r(geteuid(), &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res &&
		 res->pw_dir && *res->pw_dir == '/')
		n = snprintf(buf, len, "%s/.cache/dynprobe", res->pw_dir);
	else {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: no cache directory: set $DYNPROBE_CACHE_DIR or $HOME");
		return -DYNPROBE_ECACHE;
	}
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int dp_lttng_cache_dir(const char *opt, char *buf, size_t len, int *ret_fd)
{
	char why[DP_TRUST_WHY_MAX];
	int r, fd;

	*ret_fd = -1;
	if (opt && *opt) {
		if ((size_t)snprintf(buf, len, "%s", opt) >= len)
			return -ENAMETOOLONG;
	} else {
		r = default_dir(buf, len);
		if (r < 0)
			return r;
	}
	if (buf[0] != '/') {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: cache directory '%s' is not an absolute path", buf);
		return -DYNPROBE_ECACHE;
	}
	fd = dp_trusted_dir_open(buf, DP_TRUST_CREATE, why, sizeof(why));
	if (fd < 0) {
		dp_logl(DYNPROBE_LOG_WARN,
			"lttng: cache directory %s not used: %s (it must be a directory, not a "
			"symlink, owned by uid %u, not group- or world-writable)",
			buf, why, (unsigned int)geteuid());
		return -DYNPROBE_ECACHE;
	}
	*ret_fd = fd;
	return 0;
}

int dp_lttng_open_object(int dirfd, const char *dir, const char *name, bool allow_root)
{
	char why[DP_TRUST_WHY_MAX];
	int fd;

	fd = dp_trusted_openat(dirfd, name, allow_root ? DP_TRUST_ROOT_OK : 0, NULL, why,
			       sizeof(why));
	if (fd == -ENOENT)
		return fd;
	if (fd < 0) {
		dp_logl(DYNPROBE_LOG_WARN, "lttng: %s/%s not trusted: %s", dir, name, why);
		return -DYNPROBE_ECACHE;
	}
	return fd;
}

int dp_lttng_find_prebuilt(const char *opt, const char *name, char *buf, size_t len)
{
	const char *list = opt ? opt : dp_env(DP_ENV_TP_PATH);
	char dir[PATH_MAX], why[DP_TRUST_WHY_MAX];

	if (!list)
		return -ENOENT;
	while (*list) {
		size_t n = strcspn(list, ":");
		if (n && n < sizeof(dir)) {
			memcpy(dir, list, n);
			dir[n] = '\0';
			int dfd = dp_trusted_dir_open(dir, DP_TRUST_ROOT_OK, why, sizeof(why));
			int fd = dfd;
			if (dfd < 0 && dfd != -ENOENT)
				dp_logl(DYNPROBE_LOG_WARN, "lttng: prebuilt directory %s skipped: %s",
					dir, why);
			if (dfd >= 0) {
				fd = dp_lttng_open_object(dfd, dir, name, true);
				close(dfd);
			}
			if (fd >= 0) {
				snprintf(buf, len, "%s/%s", dir, name);
				return fd;
			}
		}
		list += n + (list[n] == ':');
	}
	return -ENOENT;
}
