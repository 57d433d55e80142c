/* SPDX-License-Identifier: MIT */
/*
 * trusted_dir.c - the walk behind trusted_dir.h.
 *
 * The path is consumed one component at a time from a buffer; an
 * ancestor symlink that passes the rules has its target spliced in front
 * of what is left (an absolute target restarts the walk at "/"), as the
 * kernel would resolve it, so every directory actually traversed is
 * checked.  `walked` keeps the resolved path so far for messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trusted_dir.h"

#define MAX_LINKS 40 /* as the kernel's MAXSYMLINKS */

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

bool dp_trusted_stat(const struct stat *st, unsigned int type, unsigned int flags, const char *what,
		     char *why, size_t why_len)
{
	uid_t me = geteuid();

	if ((st->st_mode & S_IFMT) != type) {
		say(why, why_len, "%s is not a %s", what,
		    type == S_IFDIR ? "directory" : "regular file");
		return false;
	}
	if (st->st_uid != me && !((flags & DP_TRUST_ROOT_OK) && st->st_uid == 0)) {
		say(why, why_len, "%s is owned by uid %u, not by uid %u%s", what,
		    (unsigned)st->st_uid, (unsigned)me,
		    (flags & DP_TRUST_ROOT_OK) ? " or root" : "");
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		say(why, why_len, "%s is group- or world-writable (mode %04o); it must not be",
		    what, (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

/* A directory we pass through: root's or ours, and nobody else can
 * rename what is in it (not writable by others, or sticky like /tmp). */
static bool ancestor_ok(const struct stat *st, const char *what, char *why, size_t len)
{
	if (!S_ISDIR(st->st_mode)) {
		say(why, len, "%s is not a directory", what);
		return false;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		say(why, len, "%s is owned by uid %u, neither root nor uid %u", what,
		    (unsigned)st->st_uid, (unsigned)geteuid());
		return false;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
		say(why, len, "%s is group- or world-writable (mode %04o) and not sticky", what,
		    (unsigned)(st->st_mode & 07777));
		return false;
	}
	return true;
}

struct walk {
	char path[2 * PATH_MAX]; /* what is left to walk */
	char walked[PATH_MAX];	 /* resolved so far, for messages */
	char comp[NAME_MAX + 1];
	int cur; /* checked descriptor of `walked` */
	int links;
	unsigned int flags;
	char *why;
	size_t why_len;
};

/* Next component into w->comp ("" and "." skipped); false at the end. */
static bool next_comp(struct walk *w, const char **rest)
{
	const char *p = *rest;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p) {
			*rest = p;
			return false;
		}
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n > NAME_MAX)
			n = NAME_MAX + 1; /* caught by the caller */
		memcpy(w->comp, p, n < sizeof(w->comp) ? n : sizeof(w->comp) - 1);
		w->comp[n < sizeof(w->comp) ? n : sizeof(w->comp) - 1] = '\0';
		*rest = p + strcspn(p, "/");
		return true;
	}
}

static bool is_last(const char *rest)
{
	for (const char *p = rest;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return true;
		if (p[0] == '.' && (p[1] == '/' || !p[1])) {
			p++;
			continue;
		}
		return false;
	}
}

static int walk_root(struct walk *w)
{
	struct stat st;

	if (w->cur >= 0)
		close(w->cur);
	w->cur = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->cur < 0 || fstat(w->cur, &st) < 0) {
		int r = -errno;
		say(w->why, w->why_len, "/: %s", strerror(-r));
		return r;
	}
	strcpy(w->walked, "/");
	return ancestor_ok(&st, "/", w->why, w->why_len) ? 0 : -EPERM;
}

/* Append the component to `walked`, for messages. */
static void walked_push(struct walk *w)
{
	size_t n = strlen(w->walked);

	snprintf(w->walked + n, sizeof(w->walked) - n, "%s%s", n > 1 ? "/" : "", w->comp);
}

/* An ancestor symlink: follow it only if root or we own it (it lives in a
 * checked directory, so nobody else could have replaced it). */
static int follow_link(struct walk *w, const char *rest, const struct stat *lst, size_t *ret_pos)
{
	char target[PATH_MAX], tmp[2 * PATH_MAX];
	ssize_t n;

	walked_push(w);
	if (lst->st_uid != 0 && lst->st_uid != geteuid()) {
		say(w->why, w->why_len, "%s is a symlink owned by uid %u, neither root nor uid %u",
		    w->walked, (unsigned)lst->st_uid, (unsigned)geteuid());
		return -ELOOP;
	}
	if (++w->links > MAX_LINKS) {
		say(w->why, w->why_len, "%s: too many levels of symlinks", w->walked);
		return -ELOOP;
	}
	n = readlinkat(w->cur, w->comp, target, sizeof(target) - 1);
	if (n < 0) {
		say(w->why, w->why_len, "%s: %s", w->walked, strerror(errno));
		return -errno;
	}
	target[n] = '\0';
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", target, rest) >= sizeof(w->path)) {
		say(w->why, w->why_len, "%s: path too long", w->walked);
		return -ENAMETOOLONG;
	}
	strcpy(w->path, tmp);
	*ret_pos = 0;
	if (target[0] == '/')
		return walk_root(w);
	/* relative: from the directory that holds the link */
	char *slash = strrchr(w->walked, '/');
	if (slash)
		*(slash == w->walked ? slash + 1 : slash) = '\0';
	return 0;
}

/* Open one component from w->cur; mkdir it first if asked and missing. */
static int open_comp(struct walk *w)
{
	int fd = openat(w->cur, w->comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && (w->flags & DP_TRUST_CREATE)) {
		if (mkdirat(w->cur, w->comp, 0700) < 0 && errno != EEXIST)
			return -errno;
		/* Made by us or, on EEXIST, by a racing process: checked below
		 * either way. */
		fd = openat(w->cur, w->comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd < 0 ? -errno : fd;
}

/* One step: open the component, follow an acceptable ancestor symlink,
 * check what was opened, and make it the current directory. */
static int step(struct walk *w, size_t *pos)
{
	const char *rest = w->path + *pos;
	bool last = is_last(rest);
	struct stat st;
	int fd, r;

	if (strlen(w->comp) > NAME_MAX) {
		say(w->why, w->why_len, "%s/%.32s...: name too long", w->walked, w->comp);
		return -ENAMETOOLONG;
	}
	if (!strcmp(w->comp, "..")) {
		say(w->why, w->why_len, "'..' after %s: not allowed in a trusted directory's path",
		    w->walked);
		return -EINVAL;
	}
	fd = open_comp(w);
	if (fd == -ELOOP || fd == -ENOTDIR) {
		if (fstatat(w->cur, w->comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			if (!last)
				return follow_link(w, rest, &st, pos);
			walked_push(w);
			say(w->why, w->why_len,
			    "%s is a symlink; a trusted directory must not be one", w->walked);
			return -ELOOP;
		}
	}
	walked_push(w);
	if (fd < 0) {
		say(w->why, w->why_len, "%s: %s", w->walked, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (last ? !dp_trusted_stat(&st, S_IFDIR, w->flags, w->walked, w->why, w->why_len)
		 : !ancestor_ok(&st, w->walked, w->why, w->why_len)) {
		close(fd);
		return -EPERM;
	}
	close(w->cur);
	w->cur = fd;
	return 0;
}

static int walk_init(struct walk *w, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (!path || !*path) {
		say(w->why, w->why_len, "empty directory path");
		return -EINVAL;
	}
	if (path[0] == '/') {
		n = snprintf(w->path, sizeof(w->path), "%s", path);
	} else {
		if (!getcwd(cwd, sizeof(cwd))) {
			say(w->why, w->why_len, "%s: cannot resolve a relative path: %s", path,
			    strerror(errno));
			return -errno;
		}
		n = snprintf(w->path, sizeof(w->path), "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= sizeof(w->path) / 2) {
		say(w->why, w->why_len, "%.64s...: path too long", path);
		return -ENAMETOOLONG;
	}
	return walk_root(w);
}

int dp_trusted_dir_open(const char *path, unsigned int flags, char *why, size_t why_len)
{
	struct walk *w = calloc(1, sizeof(*w));
	size_t pos = 0;
	int r;

	if (!w)
		return -ENOMEM;
	w->cur = -1;
	w->flags = flags;
	w->why = why;
	w->why_len = why_len;
	r = walk_init(w, path);
	if (r < 0)
		goto err;
	for (;;) {
		const char *rest = w->path + pos;
		if (!next_comp(w, &rest))
			break;
		pos = (size_t)(rest - w->path);
		r = step(w, &pos);
		if (r < 0)
			goto err;
	}
	/* "/" alone: the root directory is an ancestor of everything. */
	if (!strcmp(w->walked, "/")) {
		struct stat st;
		if (fstat(w->cur, &st) < 0 ||
		    !dp_trusted_stat(&st, S_IFDIR, flags, "/", why, why_len)) {
			r = -EPERM;
			goto err;
		}
	}
	r = w->cur;
	free(w);
	return r;
err:
	if (w->cur >= 0)
		close(w->cur);
	free(w);
	return r;
}

static bool name_ok(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..") &&
	       strlen(name) <= NAME_MAX;
}

/* "DIR/NAME" for a message, DIR read back from the descriptor. */
static void file_what(int dirfd, const char *name, char *buf, size_t len)
{
	char fdpath[DP_FD_PATH_MAX], dir[PATH_MAX];
	ssize_t n;

	dp_fd_path(dirfd, fdpath);
	n = readlink(fdpath, dir, sizeof(dir) - 1);
	if (n < 0)
		n = 0;
	dir[n] = '\0';
	snprintf(buf, len, "%s%s%s", dir, n ? "/" : "", name);
}

int dp_trusted_openat(int dirfd, const char *name, unsigned int flags, struct stat *ret_st,
		      char *why, size_t why_len)
{
	char what[PATH_MAX + NAME_MAX + 2];
	struct stat st;
	int fd, r;

	if (!name_ok(name)) {
		say(why, why_len, "'%s' is not a file name", name ? name : "(null)");
		return -EINVAL;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT) { /* common ("not there yet"): spare the readlink */
			say(why, why_len, "%s: %s", name, strerror(ENOENT));
			return r;
		}
		file_what(dirfd, name, what, sizeof(what));
		if (r == -ELOOP)
			say(why, why_len, "%s is a symlink; a trusted file must not be one", what);
		else
			say(why, why_len, "%s: %s", what, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!dp_trusted_stat(&st, S_IFREG, flags, name, NULL, 0)) {
		file_what(dirfd, name, what, sizeof(what)); /* only for the message */
		dp_trusted_stat(&st, S_IFREG, flags, what, why, why_len);
		close(fd);
		return S_ISREG(st.st_mode) ? -EPERM : -EINVAL;
	}
	if (ret_st)
		*ret_st = st;
	return fd;
}

void dp_fd_path(int fd, char buf[DP_FD_PATH_MAX])
{
	snprintf(buf, DP_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}
