/* SPDX-License-Identifier: MIT */
/*
 * lttng_cache.c - where compiled LTTng providers live, and whether to trust
 * them.
 *
 * A dlopen()ed object runs code with the process's privileges, so an
 * object is only loaded when nobody but the user (or root) could have
 * written it:
 *
 *   cache dir    $DYNPROBE_CACHE_DIR | $XDG_CACHE_HOME/dynprobe |
 *                ~/.cache/dynprobe (or the provider's cache_dir), created
 *                0700; must be a real directory (lstat: no symlink) owned by
 *                the effective user and not group/world-writable.  If it is
 *                not, loading fails with -DYNPROBE_ECACHE: we never fall
 *                back silently, because a private temp dir would mean a
 *                full compile in every process.
 *   cached obj   opened O_NOFOLLOW and fstat()ed: regular, owned by the
 *                effective user, not group/world-writable.  An untrusted
 *                object is not loaded; it is rebuilt and replaced
 *                (rename(2) in a directory we own).
 *   prebuilt     directories from prebuilt_path / $DYNPROBE_TP_PATH: the
 *                same rules, except that root may own them (packages).
 *
 * Parent directories are not checked (as ccache and pip do not): whoever
 * can rename them can already change $HOME.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lttng.h"

static bool trusted(const struct stat *st, mode_t type, bool allow_root, const char *what)
{
	if ((st->st_mode & S_IFMT) != type) {
		dp_log("lttng: %s: not a %s", what, type == S_IFDIR ? "directory" : "regular file");
		return false;
	}
	if (st->st_uid != geteuid() && !(allow_root && st->st_uid == 0)) {
		dp_log("lttng: %s: owned by uid %u, not by uid %u: not trusted", what,
		       (unsigned)st->st_uid, (unsigned)geteuid());
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		dp_log("lttng: %s: writable by group or others (mode %03o): not trusted", what,
		       (unsigned)(st->st_mode & 0777));
		return false;
	}
	return true;
}

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
	else
		return -DYNPROBE_ECACHE;
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* mkdir -p, 0700 for everything we create (XDG wants ~/.cache 0700). */
static int mkdir_p(char *path)
{
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int r = mkdir(path, 0700);
		*p = c;
		if (r < 0 && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
	}
}

int dp_lttng_cache_dir(const char *opt, char *buf, size_t len)
{
	struct stat st;
	int r;

	if (opt && *opt) {
		if ((size_t)snprintf(buf, len, "%s", opt) >= len)
			return -ENAMETOOLONG;
		r = 0;
	} else {
		r = default_dir(buf, len);
	}
	if (r < 0)
		return r;
	if (buf[0] != '/') {
		dp_log("lttng: cache directory '%s' is not absolute", buf);
		return -DYNPROBE_ECACHE;
	}
	r = mkdir_p(buf);
	if (r < 0) {
		dp_log("lttng: cannot create cache directory %s: %s", buf, strerror(-r));
		return -DYNPROBE_ECACHE;
	}
	if (lstat(buf, &st) < 0) {
		dp_log("lttng: cache directory %s: %s", buf, strerror(errno));
		return -DYNPROBE_ECACHE;
	}
	if (!trusted(&st, S_IFDIR, false, buf))
		return -DYNPROBE_ECACHE;
	return 0;
}

static int check_dir(const char *dir, bool allow_root)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return -errno;
	return trusted(&st, S_IFDIR, allow_root, dir) ? 0 : -DYNPROBE_ECACHE;
}

int dp_lttng_check_object(const char *dir, const char *name, bool allow_root)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, r;

	r = check_dir(dir, allow_root);
	if (r < 0)
		return r;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ELOOP ? -DYNPROBE_ECACHE : -errno;
	r = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	return trusted(&st, S_IFREG, allow_root, path) ? 0 : -DYNPROBE_ECACHE;
}

int dp_lttng_find_prebuilt(const char *opt, const char *name, char *buf, size_t len)
{
	const char *list = opt ? opt : dp_env(DP_ENV_TP_PATH);
	char dir[PATH_MAX];

	if (!list)
		return -ENOENT;
	while (*list) {
		size_t n = strcspn(list, ":");
		if (n && n < sizeof(dir)) {
			memcpy(dir, list, n);
			dir[n] = '\0';
			int r = dp_lttng_check_object(dir, name, true);
			if (r == 0 && (size_t)snprintf(buf, len, "%s/%s", dir, name) < len)
				return 0;
			if (r != -ENOENT)
				dp_log("lttng: prebuilt %s/%s skipped: error %d", dir, name, r);
		}
		list += n + (list[n] == ':');
	}
	return -ENOENT;
}
