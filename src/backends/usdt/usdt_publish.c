/* SPDX-License-Identifier: MIT */
/*
 * usdt_publish.c - where a USDT image lives: a shared file in a trusted
 * directory, else a memfd.
 *
 * Kernel uprobes attach to an inode and an offset, so a tracer that names
 * a file (`bpftrace -e 'usdt:/run/dynprobe/app-ID.so:app:req {...}'`, no
 * -p) sees every process that maps that file, also the ones started after
 * it attached, and counts `ref_ctr_offset` semaphores in each.  Images are
 * therefore content-addressed files, PROVIDER-BUILDID.so (the build-id is a
 * hash of everything that makes the image, usdt_id.c), in
 *
 *   the provider's usdt_dir option, else $DYNPROBE_USDT_DIR, else
 *   /run/dynprobe for root, $XDG_RUNTIME_DIR/dynprobe (or
 *   /run/user/UID/dynprobe) for other users;  "none" means no file.
 *
 * The directory must pass trusted_dir.c's rules (created 0700 if missing);
 * it is opened (walked from /) once per process and path, and its
 * descriptor kept: every later file is opened relative to it.  A file is
 * written once, atomically (a temporary file renamed to its final name
 * with RENAME_NOREPLACE; a racing writer's rename fails with EEXIST and it
 * uses the winner's file), mode 0444, and mapped through the descriptor
 * that wrote it.  Every other process opens it read-only through the
 * trusted directory's descriptor, checks owner and mode on that
 * descriptor and compares its bytes with the image it built itself: a
 * file that differs in any way is never mapped.
 *
 * Cost: a load that writes its file makes 5 system calls here (a failed
 * openat, openat, write, flock, renameat2), one that reuses a file 5
 * (openat, flock, fstat, geteuid, pread), a memfd 3 (memfd_create, write,
 * the seals); on this project's VM each costs 2-8 us (creating a file on
 * its ext4 /run the most), so none is spared.
 *
 * Liveness: every process keeps a shared flock() on each file it maps.
 * Files nobody holds and nobody opened for DP_USDT_STALE_SECONDS (opening
 * refreshes the mtime) are removed by the next process that writes a new
 * file there, under an exclusive flock, after checking the name still
 * leads to that inode; a process that opened a file just before it was
 * removed sees, once it holds its lock, that the name is gone, and starts
 * over.  So no file a live process maps is ever removed.
 *
 * Where no directory is usable the image goes into a memfd, as before
 * (tracers then need -p, or /proc/PID/fd/N); the reason is logged (a
 * warning when the directory was asked for explicitly) and kept for
 * `dynprobe list`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trusted_dir.h"
#include "usdt.h"

#define MAX_DIRS 8
#define MAX_SCAN 512 /* directory entries looked at per cleanup */

/* Directories this process has decided on: the decision, its descriptor
 * (never closed: a handful at most), whether it was cleaned up yet. */
struct dir_entry {
	char *path;	   /* as asked for */
	char *real;	   /* as the kernel resolved it, for tracers */
	int fd;		   /* or -errno */
	bool explicit_dir; /* asked for: a refusal is a warning */
	bool cleaned;
	char why[DP_TRUST_WHY_MAX]; /* when refused */
};

static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dir_entry dirs[MAX_DIRS];
static size_t ndirs;
static pid_t self_pid; /* for temporary names; 0 until the first; fork resets it */

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory to use, or NULL for none (`why` says why). */
static const char *dir_choose(const char *opt, char *buf, size_t len, bool *explicit_dir, char *why,
			      size_t why_len)
{
	const char *e = opt ? opt : dp_env(DP_ENV_USDT_DIR);

	*explicit_dir = e && *e;
	if (*explicit_dir) {
		if (!strcmp(e, "none")) {
			snprintf(why, why_len, "%s=none", opt ? "usdt_dir" : "DYNPROBE_USDT_DIR");
			return NULL;
		}
		return e;
	}
	if (geteuid() == 0)
		return "/run/dynprobe";
	e = dp_env(DP_ENV_XDG_RUNTIME_DIR);
	if (e && *e == '/') {
		snprintf(buf, len, "%s/dynprobe", e);
		return buf;
	}
	/* No session variable (su, cron): the runtime directory logind makes
	 * for the user, if there is one; trusted_dir.c checks it. */
	snprintf(buf, len, "/run/user/%u", (unsigned)geteuid());
	if (access(buf, F_OK) == 0) {
		snprintf(buf, len, "/run/user/%u/dynprobe", (unsigned)geteuid());
		return buf;
	}
	snprintf(why, why_len, "no $XDG_RUNTIME_DIR and no /run/user/%u", (unsigned)geteuid());
	return NULL;
}

/* What a tracer must type: the directory's absolute path without
 * symlinks (/proc/self/fd resolves it).  NULL on failure. */
static char *real_path(int fd)
{
	char fdpath[DP_FD_PATH_MAX], buf[PATH_MAX];
	ssize_t n;

	dp_fd_path(fd, fdpath);
	n = readlink(fdpath, buf, sizeof(buf) - 1);
	if (n <= 0 || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* Find or make the entry for `path`; called with dirs_lock held. */
static struct dir_entry *dir_lookup(const char *path, bool explicit_dir)
{
	struct dir_entry *d;

	for (size_t i = 0; i < ndirs; i++)
		if (!strcmp(dirs[i].path, path))
			return &dirs[i];
	if (ndirs == MAX_DIRS)
		return NULL;
	d = &dirs[ndirs];
	d->path = strdup(path);
	if (!d->path)
		return NULL;
	d->explicit_dir = explicit_dir;
	d->fd = dp_trusted_dir_open(path, DP_TRUST_CREATE, d->why, sizeof(d->why));
	if (d->fd >= 0)
		d->real = real_path(d->fd);
	if (d->fd < 0)
		dp_logl(explicit_dir ? DYNPROBE_LOG_WARN : DYNPROBE_LOG_INFO,
			"USDT: not using %s for shared images: %s; images go into memfds "
			"(tracers need -p PID or /proc/PID/fd/N)",
			path, d->why);
	ndirs++;
	return d;
}

static void file_name(const char *provider, const uint8_t id[DP_USDT_BUILD_ID_SIZE],
		      char buf[DP_USDT_FILE_NAME_MAX])
{
	int n = snprintf(buf, DP_USDT_FILE_NAME_MAX, "%s-", provider);

	for (int i = 0; i < DP_USDT_BUILD_ID_SIZE; i++)
		n += snprintf(buf + n, DP_USDT_FILE_NAME_MAX - (size_t)n, "%02x", id[i]);
	snprintf(buf + n, DP_USDT_FILE_NAME_MAX - (size_t)n, "%s", DP_USDT_FILE_SUFFIX);
}

/* PROVIDER-40HEX.so, as file_name() makes them. */
static bool is_image_name(const char *name)
{
	size_t n = strlen(name), sfx = strlen(DP_USDT_FILE_SUFFIX), hex = 2 * DP_USDT_BUILD_ID_SIZE;

	if (n < 2 + hex + sfx || strcmp(name + n - sfx, DP_USDT_FILE_SUFFIX))
		return false;
	const char *h = name + n - sfx - hex;
	if (h[-1] != '-')
		return false;
	for (size_t i = 0; i < hex; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return false;
	return true;
}

/* Whether the file's first `len` bytes are exactly the image. */
static bool same_content(int fd, const uint8_t *buf, size_t len)
{
	uint8_t chunk[8192];
	size_t off = 0;

	while (off < len) {
		size_t want = len - off < sizeof(chunk) ? len - off : sizeof(chunk);
		ssize_t n = pread(fd, chunk, want, (off_t)off);
		if (n <= 0 || memcmp(chunk, buf + off, (size_t)n))
			return false;
		off += (size_t)n;
	}
	return true; /* the caller checked the size */
}

/* Does `name` still lead to the inode we hold? */
static bool still_linked(int dirfd, const char *name, const struct stat *st)
{
	struct stat now;

	return fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st->st_ino &&
	       now.st_dev == st->st_dev;
}

/* "DIR/NAME" of an image file, for messages. */
static void file_what(const struct dir_entry *d, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", d->real ? d->real : d->path, name);
}

/* Open the existing file read-only, check it, and hold it (shared lock).
 * The lock comes first: a cleaner unlinks only under an exclusive lock,
 * so once ours is held a single fstat() says both whether the file may
 * be trusted and whether it is still linked (st_nlink).  -ENOENT: not
 * there, or removed under us (try again); -EBADMSG: wrong bytes; -ELOOP,
 * -EPERM, -EINVAL: refused by trusted_dir.c's rules. */
static int open_existing(const struct dir_entry *d, const char *name, const uint8_t *buf,
			 size_t len, char *why, size_t why_len)
{
	char what[PATH_MAX + DP_USDT_FILE_NAME_MAX];
	int fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), r;
	struct stat st;

	if (fd < 0) {
		r = -errno;
		file_what(d, name, what, sizeof(what));
		snprintf(why, why_len, "%.500s %s", what,
			 r == -ELOOP ? "is a symlink; a trusted file must not be one"
				     : strerror(-r));
		return r;
	}
	if (flock(fd, LOCK_SH) < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		goto err;
	}
	if (!dp_trusted_stat(&st, S_IFREG, 0, name, NULL, 0)) {
		file_what(d, name, what, sizeof(what));
		dp_trusted_stat(&st, S_IFREG, 0, what, why, why_len);
		r = S_ISREG(st.st_mode) ? -EPERM : -EINVAL;
		goto err;
	}
	if (st.st_nlink == 0) {
		r = -ENOENT;
		goto err;
	}
	if ((size_t)st.st_size != len || !same_content(fd, buf, len)) {
		file_what(d, name, what, sizeof(what));
		snprintf(why, why_len, "%.500s: its bytes differ from the image this process built",
			 what);
		r = -EBADMSG;
		goto err;
	}
	/* Tell the cleaner it is in use (as owner we may, read-only or not). */
	if (st.st_mtime < time(NULL) - DP_USDT_STALE_SECONDS / 4)
		futimens(fd, NULL);
	return fd;
err:
	close(fd);
	return r;
}

/* Write the image under `name`, atomically: a temporary file in the
 * directory, renamed to `name` only once complete (RENAME_NOREPLACE: the
 * first writer wins).  The descriptor that wrote it is the one kept and
 * mapped (no second open: each system call costs microseconds here, and
 * the rename moves the open file's name, so /proc/PID/maps and tracers
 * with -p show `name`).  It is locked (shared) before the file has its
 * name, so a cleaner never sees it unheld; its fresh mtime keeps them away
 * anyway.  Returns the descriptor, or -EEXIST when another process was
 * first. */
static int create_file(int dirfd, const char *name, const uint8_t *buf, size_t len)
{
	static unsigned int counter;
	char tmp[DP_USDT_FILE_NAME_MAX + 40];
	pid_t pid = __atomic_load_n(&self_pid, __ATOMIC_RELAXED);
	int fd, r;

	if (!pid) { /* a system call per process, not per file */
		pid = getpid();
		__atomic_store_n(&self_pid, pid, __ATOMIC_RELAXED);
	}
	snprintf(tmp, sizeof(tmp), "%s%d-%u-%s", DP_USDT_TMP_PREFIX, (int)pid,
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), name);
	fd = openat(dirfd, tmp, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && flock(fd, LOCK_SH) < 0)
		r = -errno;
	if (r == 0 && renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		close(fd);
		return r;
	}
	return fd;
}

/* Remove one image file if nobody holds it and nobody opened it lately. */
static void remove_if_stale(int dirfd, const char *name, time_t now)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    st.st_mtime < now - DP_USDT_STALE_SECONDS && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    still_linked(dirfd, name, &st)) {
		/* Holding the exclusive lock: no process maps it, and none
		 * can start to before we are done (open_existing() waits for
		 * its shared lock, then finds the name gone). */
		if (unlinkat(dirfd, name, 0) == 0)
			dp_logl(DYNPROBE_LOG_DEBUG, "USDT: removed stale image %s", name);
	}
	close(fd);
}

/* Once per directory and process, when writing a new file there. */
static void cleanup_stale(int dirfd, const char *keep)
{
	int dfd = dup(dirfd);
	time_t now = time(NULL);
	struct dirent *e;
	DIR *d;

	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	for (int seen = 0; seen < MAX_SCAN && (e = readdir(d)); seen++)
		if ((is_image_name(e->d_name) ||
		     !strncmp(e->d_name, DP_USDT_TMP_PREFIX, strlen(DP_USDT_TMP_PREFIX))) &&
		    strcmp(e->d_name, keep))
			remove_if_stale(dirfd, e->d_name, now);
	closedir(d);
}

/* The shared file for the image in directory entry `d`: opened (or
 * written, then opened) and held.  Errors: see open_existing(). */
static int shared_file(struct dir_entry *d, const char *name, const uint8_t *buf, size_t len,
		       char *why, size_t why_len)
{
	bool wrote = false;
	int fd = -ENOENT;

	for (int attempt = 0; attempt < 4 && fd == -ENOENT; attempt++) {
		fd = open_existing(d, name, buf, len, why, why_len);
		if (fd != -ENOENT)
			break;
		fd = create_file(d->fd, name, buf, len);
		wrote = fd >= 0;
		if (fd == -EEXIST) { /* another process was first: use its file */
			fd = -ENOENT;
		} else if (fd < 0) {
			snprintf(why, why_len, "cannot write %s/%s: %s",
				 d->real ? d->real : d->path, name, strerror(-fd));
			return fd;
		}
	}
	if (fd >= 0 && wrote && !__atomic_exchange_n(&d->cleaned, true, __ATOMIC_RELAXED))
		cleanup_stale(d->fd, name);
	return fd;
}

static int image_fd_memfd(const char *provider)
{
	char name[DYNPROBE_MAX_PROVIDER_NAME + 16];
	int fd;

	if (dp_env(DP_ENV_USDT_NO_MEMFD))
		return -ENOSYS;
	snprintf(name, sizeof(name), "dynprobe:%s", provider);
	fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? -errno : fd;
}

static int image_fd_tmpfile(void)
{
	const char *dir = dp_env(DP_ENV_TMPDIR);
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | O_EXCL, 0600);
	return fd < 0 ? -errno : fd;
}

/* Today's private image: a sealed memfd named after the provider, or an
 * unlinked file in $TMPDIR without memfd_create (mode 0600, made by us). */
static int private_file(const char *provider, const uint8_t *buf, size_t len,
			struct dp_usdt_published *out)
{
	int fd = image_fd_memfd(provider), r;

	out->kind = DP_USDT_IMAGE_MEMFD;
	if (fd < 0) {
		dp_logl(DYNPROBE_LOG_WARN, "memfd_create unavailable (%s), using an unlinked file in $TMPDIR",
		       strerror(-fd));
		out->kind = DP_USDT_IMAGE_TMPFILE;
		fd = image_fd_tmpfile();
		if (fd < 0)
			return fd;
	}
	r = write_all(fd, buf, len);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* Nobody may change the code we are about to run. */
	if (out->kind == DP_USDT_IMAGE_MEMFD)
		fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	out->fd = fd;
	return 0;
}

/* Try the shared file; on any failure say why in out->why. */
static int try_shared(const struct dp_provider_desc *desc, const uint8_t *buf, size_t len,
		      const uint8_t id[DP_USDT_BUILD_ID_SIZE], struct dp_usdt_published *out)
{
	char dbuf[PATH_MAX], name[DP_USDT_FILE_NAME_MAX];
	bool explicit_dir;
	struct dir_entry *d;
	const char *dir = dir_choose(desc->usdt_dir, dbuf, sizeof(dbuf), &explicit_dir, out->why,
				     sizeof(out->why));
	int fd;

	if (!dir)
		return -ENOENT;
	pthread_mutex_lock(&dirs_lock);
	d = dir_lookup(dir, explicit_dir);
	pthread_mutex_unlock(&dirs_lock);
	if (!d) {
		snprintf(out->why, sizeof(out->why), "too many USDT directories in one process");
		return -ENOSPC;
	}
	if (d->fd < 0) {
		snprintf(out->why, sizeof(out->why), "%s", d->why);
		return d->fd;
	}
	file_name(desc->name, id, name);
	fd = shared_file(d, name, buf, len, out->why, sizeof(out->why));
	if (fd < 0) {
		dp_logl(DYNPROBE_LOG_WARN,
			"USDT: provider %s: not using the shared image: %s; "
			"using a memfd (tracers need -p PID or /proc/PID/fd/N)",
			desc->name, out->why);
		return fd;
	}
	out->fd = fd;
	out->kind = DP_USDT_IMAGE_FILE;
	snprintf(out->path, sizeof(out->path), "%s/%s", d->real ? d->real : d->path, name);
	return 0;
}

void dp_usdt_publish_fork_child(void)
{
	pthread_mutex_init(&dirs_lock, NULL);
	self_pid = 0;
}

int dp_usdt_publish(const struct dp_provider_desc *desc, const uint8_t *buf, size_t len,
		    const uint8_t id[DP_USDT_BUILD_ID_SIZE], struct dp_usdt_published *out)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (try_shared(desc, buf, len, id, out) == 0) {
		dp_logl(DYNPROBE_LOG_DEBUG, "USDT: provider %s: shared image %s", desc->name, out->path);
		return 0;
	}
	dp_logl(DYNPROBE_LOG_DEBUG, "USDT: provider %s: private image (%s)", desc->name, out->why);
	return private_file(desc->name, buf, len, out);
}
