/* SPDX-License-Identifier: MIT */
/*
 * trusted_dir.h - directories and files that nobody but the user (or root)
 * could have written, opened so that what was checked is what gets used.
 *
 * Code and objects the library loads into a process (LTTng providers, USDT
 * images) come only from such places.  Checking a path and then opening it
 * again by name is a race: whoever controls a parent directory swaps the
 * object in between.  So a directory is walked from "/" one component at a
 * time with openat(O_NOFOLLOW), each step from a directory descriptor that
 * was already checked, and a file is checked with fstat() on the very
 * descriptor the caller then reads, maps or dlopen()s ("/proc/self/fd/N").
 *
 * The rules:
 *   - ancestors are owned by root or the effective user and are not group-
 *     or world-writable, unless sticky (/tmp); an ancestor that is a
 *     symlink is followed only when root or the user owns it (Debian's
 *     /var/run -> /run), since only they could have changed it;
 *   - the directory itself is not a symlink (a trailing "/" or "/." does not
 *     change that), is owned by the effective user (or root, when the
 *     caller allows it) and is not group- or world-writable;
 *   - a file is regular, not a symlink, same owner and mode rules.
 */
#ifndef DYNPROBE_TRUSTED_DIR_H
#define DYNPROBE_TRUSTED_DIR_H

#include <stddef.h>
#include <sys/stat.h>

#include "internal.h"

#define DP_TRUST_CREATE 0x1u  /* mkdir missing components, mode 0700 */
#define DP_TRUST_ROOT_OK 0x2u /* the directory or file may be owned by root */

/* Enough for any message of this file. */
#define DP_TRUST_WHY_MAX 640
/* "/proc/self/fd/" and an int. */
#define DP_FD_PATH_MAX 32

/* An O_RDONLY|O_DIRECTORY|O_CLOEXEC descriptor of `path` (relative paths
 * are taken from getcwd()), or -ENOENT, -ENOTDIR, -ELOOP (a symlink where
 * the rules forbid one), -EPERM (owner or mode), -EINVAL (empty, or a
 * ".." component), -ENAMETOOLONG, -errno.  Logs nothing: on error `why`
 * (may be NULL) gets one sentence that names the path and the rule. */
DP_HIDDEN int dp_trusted_dir_open(const char *path, unsigned int flags, char *why, size_t why_len);

/* An O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC descriptor of the regular
 * file `name` (one path component) in the trusted directory `dirfd`,
 * checked by fstat() on that descriptor, which *ret_st (may be NULL)
 * receives.  Errors as above (-ELOOP: a symlink; -EPERM: owner or mode;
 * -EINVAL: not a regular file or a bad name). */
DP_HIDDEN int dp_trusted_openat(int dirfd, const char *name, unsigned int flags,
				struct stat *ret_st, char *why, size_t why_len);

/* Whether a stat result passes the rules for a directory or file of this
 * kind (S_IFDIR or S_IFREG); on false `why` says which rule, naming `what`. */
DP_HIDDEN bool dp_trusted_stat(const struct stat *st, unsigned int type, unsigned int flags,
			       const char *what, char *why, size_t why_len);

/* "/proc/self/fd/N", for loaders that only take a path (dlopen). */
DP_HIDDEN void dp_fd_path(int fd, char buf[DP_FD_PATH_MAX]);

#endif
