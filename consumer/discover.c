/* SPDX-License-Identifier: MIT */
/*
 * discover.c - find the CTF traces under the paths the user gave, and
 * check them before babeltrace2 sees them.
 *
 * An LTTng session's output is a tree (ust/uid/0/64-bit/, kernel/, one
 * directory per PID with per-PID buffers...); a CTF trace is any directory
 * holding a `metadata` file.  Every trace found is read; inside a trace we
 * do not descend further (its `index/` is not a trace).  Data stream files
 * are listed (readers split them up) and counted, so that a trace without
 * any, or with empty ones, is reported instead of silently contributing
 * nothing.
 *
 * Then each trace is validated (validate.h): a damaged metadata file
 * leaves its trace out (an error when nothing else is left), a damaged
 * or stale index file is left out through a mirror directory (symlinks to
 * everything else) so babeltrace2 indexes the stream itself, and an index
 * whose stream file is gone is reported.  Mirror directories are made in
 * $TMPDIR (an absolute path; else /tmp), mode 0700, and removed at the end.  Every file is opened with
 * O_NOFOLLOW|O_NONBLOCK and checked to be a regular file through the
 * descriptor that is then read.
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate.h"

#define DISCOVER_MAX_DEPTH 16
#define DISCOVER_MAX_FILE (256u << 20) /* metadata and index files read whole */

static int add_file(struct dp_trace *t, const char *name, uint64_t size)
{
	char **f = realloc(t->files, (t->nfiles + 1) * sizeof(*f));
	uint64_t *s;

	if (!f)
		return -1;
	t->files = f;
	if (!(s = realloc(t->sizes, (t->nfiles + 1) * sizeof(*s))))
		return -1;
	t->sizes = s;
	if (!(f[t->nfiles] = strdup(name)))
		return -1;
	s[t->nfiles++] = size;
	return 0;
}

/* Stream files of one trace: anything regular but metadata and dotfiles. */
static int list_streams(struct dp_report *r, struct dp_trace *t)
{
	DIR *d = opendir(t->dir);
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	int rc = 0;

	if (!d)
		return 0;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		rc = add_file(t, de->d_name, (uint64_t)st.st_size);
		if (st.st_size == 0)
			r->empty_stream_files++;
	}
	closedir(d);
	if (!t->nfiles)
		r->traces_without_streams++;
	return rc;
}

static int add_trace(struct dp_report *r, const char *dir)
{
	struct dp_trace *t = realloc(r->tr, (r->ntraces + 1) * sizeof(*t));

	if (!t)
		return -1;
	r->tr = t;
	t = &r->tr[r->ntraces];
	memset(t, 0, sizeof(*t));
	if (!(t->dir = strdup(dir)))
		return -1;
	r->ntraces++;
	return list_streams(r, t);
}

static int walk(struct dp_report *r, const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (!lstat(path, &st) && S_ISREG(st.st_mode))
		return add_trace(r, dir);
	if (depth >= DISCOVER_MAX_DEPTH || !(d = opendir(dir)))
		return 0;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			rc = walk(r, path, depth + 1);
	}
	closedir(d);
	return rc;
}

/* A whole regular file (not a symlink) into memory; NULL with errno. */
static uint8_t *read_file(const char *path, size_t *len, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > DISCOVER_MAX_FILE) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto out;
	}
	*size = (uint64_t)st.st_size;
	if (!(buf = malloc((size_t)st.st_size + 1)))
		goto out;
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	*len = got;
out:
	close(fd);
	return buf;
}

/* The trace's UUID (packetized metadata header, or the text's
 * `uuid = "..."`) as a string; "" when there is none. */
static void trace_uuid(const uint8_t *buf, size_t n, char *out, size_t len)
{
	const char *p;
	char text[8192];

	out[0] = 0;
	if (n >= 20 && (buf[0] == 0x57 || buf[0] == 0x75) &&
	    (!memcmp(buf, "\x57\x1d\xd1\x75", 4) || !memcmp(buf, "\x75\xd1\x1d\x57", 4))) {
		for (int i = 0; i < 16 && len > 2 * (size_t)i + 2; i++)
			snprintf(out + 2 * i, len - 2 * (size_t)i, "%02x", buf[4 + i]);
		return;
	}
	n = n < sizeof(text) - 1 ? n : sizeof(text) - 1;
	memcpy(text, buf, n);
	text[n] = 0;
	if ((p = strstr(text, "uuid = \"")))
		snprintf(out, len, "%.36s", p + 8);
}

struct stream_fd {
	int fd;
};

static int read_at(void *ctx, uint64_t off, void *buf, size_t n)
{
	return pread(((struct stream_fd *)ctx)->fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Index file `name` of trace t, against its stream file: 0 usable,
 * 1 damaged (a note says why), 2 stream file missing. */
static int check_one_index(struct dp_report *r, struct dp_trace *t, const char *name)
{
	char path[PATH_MAX], stream[PATH_MAX], err[300];
	size_t len = 0, base = strlen(name) - 4;
	uint64_t size = 0;
	struct stat st;
	struct stream_fd sfd;
	uint8_t *buf;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/index/%s", t->dir, name);
	snprintf(stream, sizeof(stream), "%s/%.*s", t->dir, (int)base, name);
	sfd.fd = open(stream, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (sfd.fd < 0 || fstat(sfd.fd, &st) || !S_ISREG(st.st_mode)) {
		if (sfd.fd >= 0)
			close(sfd.fd);
		dp_report_note(r,
			       "stream file %s is missing (its index %s remains): its events "
			       "are missing",
			       stream, path);
		return 2;
	}
	if (!(buf = read_file(path, &len, &size)))
		snprintf(err, sizeof(err), "%s", strerror(errno));
	else if (!dp_check_index(buf, len, (uint64_t)st.st_size, read_at, &sfd, err, sizeof(err)))
		rc = 0;
	if (rc)
		dp_report_note(r,
			       "index file %s is %s: left out, babeltrace2 indexed the stream "
			       "file itself",
			       path, err);
	free(buf);
	close(sfd.fd);
	return rc;
}

static int keep_all_but_index(const char *name, void *arg)
{
	return strncmp(name, "index/", 6) != 0;
}

/* Index files of trace t: any damaged one means reading without them. */
static int check_indexes(struct dp_report *r, struct dp_trace *t)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int bad = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/index", t->dir);
	if (!(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] != '.' && n > 4 && !strcmp(de->d_name + n - 4, ".idx"))
			bad |= check_one_index(r, t, de->d_name) == 1;
	}
	closedir(d);
	if (!bad)
		return 0;
	if (!(t->shadow = dp_make_mirror(t->dir, keep_all_but_index, NULL)))
		return -1;
	t->own_shadow = 1;
	return 0;
}

/* Metadata of trace t: 0 readable (uuid set), 1 left out (a note says why). */
static int check_metadata(struct dp_report *r, struct dp_trace *t, char *uuid, size_t ulen,
			  char *err, size_t errlen)
{
	char path[PATH_MAX], why[300];
	size_t len = 0;
	uint64_t size;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/metadata", t->dir);
	if (!(buf = read_file(path, &len, &size))) {
		snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
		dp_report_note(r, "metadata file %s cannot be read (%s): its trace was not read",
			       path, strerror(errno));
		return 1;
	}
	if (dp_check_metadata(buf, len, why, sizeof(why))) {
		snprintf(err, errlen, "%.400s: %.100s", path, why);
		dp_report_note(r, "metadata file %s is %s: its trace was not read", path, why);
		free(buf);
		return 1;
	}
	trace_uuid(buf, len, uuid, ulen);
	free(buf);
	return 0;
}

/* Validate every trace and give each UUID its own source component:
 * source.ctf.fs takes several inputs only when they share a UUID (one
 * trace split in pieces); different traces need one component each. */
static int check_traces(struct dp_report *r)
{
	char(*uuids)[40] = calloc(r->ntraces ? r->ntraces : 1, sizeof(*uuids));
	size_t readable = 0;

	if (!uuids)
		goto oom;
	r->ngroups = 0;
	for (size_t i = 0; i < r->ntraces; i++) {
		struct dp_trace *t = &r->tr[i];
		size_t j;

		if ((t->skip = check_metadata(r, t, uuids[i], sizeof(uuids[i]), r->errmsg,
					      sizeof(r->errmsg))))
			continue;
		readable++;
		if (check_indexes(r, t))
			goto oom;
		for (j = 0; j < i; j++)
			if (!r->tr[j].skip && uuids[i][0] && !strcmp(uuids[i], uuids[j]))
				break;
		t->group = j < i ? r->tr[j].group : r->ngroups++;
	}
	free(uuids);
	if (!readable)
		return -1; /* errmsg names the (last) damaged metadata file */
	r->errmsg[0] = 0;
	return 0;
oom:
	free(uuids);
	snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
	return -1;
}

static int cmp_trace(const void *a, const void *b)
{
	return strcmp(((const struct dp_trace *)a)->dir, ((const struct dp_trace *)b)->dir);
}

int dp_discover_traces(struct dp_report *r)
{
	struct stat st;

	for (size_t i = 0; i < r->cfg.ninputs; i++) {
		const char *in = r->inputs[i];
		size_t before = r->ntraces;

		if (stat(in, &st)) {
			snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", in, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(r->errmsg, sizeof(r->errmsg), "%s: not a trace (expected a "
				 "directory holding a CTF trace or an LTTng session's output)", in);
			return -1;
		}
		if (walk(r, in, 0)) {
			snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
			return -1;
		}
		if (r->ntraces == before) {
			snprintf(r->errmsg, sizeof(r->errmsg), "%s: not a trace (no CTF "
				 "'metadata' file anywhere under it)", in);
			return -1;
		}
	}
	/* Stable order, so reports of the same trees compare equal. */
	if (r->ntraces > 1) /* r->tr is NULL when there is none */
		qsort(r->tr, r->ntraces, sizeof(*r->tr), cmp_trace);
	return check_traces(r);
}

void dp_remove_mirror(const char *dir)
{
	char path[PATH_MAX], sub[PATH_MAX + 256];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!strcmp(de->d_name, "index") && unlink(path)) {
			/* index/ is a real directory of symlinks. */
			DIR *i = opendir(path);
			struct dirent *ie;

			while (i && (ie = readdir(i)))
				if (ie->d_name[0] != '.') {
					snprintf(sub, sizeof(sub), "%s/%s", path, ie->d_name);
					unlink(sub);
				}
			if (i)
				closedir(i);
			rmdir(path);
		} else {
			unlink(path);
		}
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Symlink `name` of src into dst when keep() wants it. */
static int mirror_entry(const char *src, const char *dst, const char *name, const char *as,
			int (*keep)(const char *, void *), void *arg)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (name[0] == '.' || (keep && !keep(as, arg)))
		return 0;
	if (snprintf(from, sizeof(from), "%s/%s", src, name) >= (int)sizeof(from) ||
	    snprintf(to, sizeof(to), "%s/%s", dst, name) >= (int)sizeof(to))
		return -1;
	return symlink(from, to);
}

/* index/ becomes a real directory holding links to the kept entries. */
static int mirror_index(const char *src, const char *dst, int (*keep)(const char *, void *),
			void *arg)
{
	char from[PATH_MAX + 8], to[PATH_MAX + 8], as[PATH_MAX];
	struct dirent *de;
	int rc = 0, made = 0;
	DIR *d;

	snprintf(from, sizeof(from), "%s/index", src);
	snprintf(to, sizeof(to), "%s/index", dst);
	if (!(d = opendir(from)))
		return 0;
	while (!rc && (de = readdir(d))) {
		snprintf(as, sizeof(as), "index/%s", de->d_name);
		if (de->d_name[0] == '.' || (keep && !keep(as, arg)))
			continue;
		if (!made && (rc = mkdir(to, 0700)))
			break;
		made = 1;
		rc = mirror_entry(from, to, de->d_name, as, NULL, NULL);
	}
	closedir(d);
	return rc;
}

/* Where mirrors go: $TMPDIR like mktemp(1) (read as dp_env() would), so
 * that a test or a user can keep them apart; /tmp when unset or relative. */
static int mirror_template(char *buf, size_t len)
{
	const char *t = secure_getenv("TMPDIR");

	if (!t || t[0] != '/')
		t = "/tmp";
	return snprintf(buf, len, "%s/dynprobe-report.XXXXXX", t) < (int)len ? 0 : -1;
}

char *dp_make_mirror(const char *src, int (*keep)(const char *, void *), void *arg)
{
	char tmpl[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(src);
	char *dir = NULL;
	int rc = 0;

	/* Link targets must be absolute: the links live elsewhere. */
	if (!d || !realpath(src, real) || mirror_template(tmpl, sizeof(tmpl)) || !mkdtemp(tmpl))
		goto err;
	if (!(dir = strdup(tmpl))) {
		rmdir(tmpl);
		goto err;
	}
	while (!rc && (de = readdir(d)))
		rc = strcmp(de->d_name, "index")
			 ? mirror_entry(real, dir, de->d_name, de->d_name, keep, arg)
			 : 0;
	if (rc || mirror_index(real, dir, keep, arg))
		goto err;
	closedir(d);
	return dir;
err:
	if (d)
		closedir(d);
	if (dir)
		dp_remove_mirror(dir);
	free(dir);
	return NULL;
}

static int same_dir(const char *real, const char *other)
{
	char buf[PATH_MAX];

	return other && realpath(other, buf) && !strcmp(real, buf);
}

int dp_exclude_stream_file(struct dp_report *r, const char *path)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX], victim[PATH_MAX];
	struct dp_trace *t = NULL;
	size_t n;

	if (!base || !strcmp(base + 1, "metadata"))
		return -1;
	n = (size_t)(base - path);
	snprintf(victim, sizeof(victim), "%.*s", (int)n, path);
	/* babeltrace2 names files by the path we gave, possibly relative. */
	if (!realpath(victim, dir))
		return -1;
	for (size_t i = 0; i < r->ntraces && !t; i++)
		if (same_dir(dir, r->tr[i].dir) || same_dir(dir, r->tr[i].shadow))
			t = &r->tr[i];
	if (!t)
		return -1;
	if (!t->shadow) {
		if (!(t->shadow = dp_make_mirror(t->dir, keep_all_but_index, NULL)))
			return -1;
		t->own_shadow = 1;
	}
	snprintf(victim, sizeof(victim), "%s%s", t->shadow, base);
	if (unlink(victim))
		return -1;      /* already excluded: do not loop */
	/* Its index entry would describe a file that is not there. */
	snprintf(victim, sizeof(victim), "%s/index%s.idx", t->shadow, base);
	unlink(victim);
	r->c.skipped_files++;
	dp_report_note(r,
		       "stream file %s%s is truncated or corrupt (babeltrace2 cannot index "
		       "it): skipped, its events are missing",
		       t->dir, base);
	return 0;
}

void dp_remove_shadows(struct dp_report *r)
{
	for (size_t i = 0; r->tr && i < r->ntraces; i++) {
		if (r->tr[i].shadow && r->tr[i].own_shadow)
			dp_remove_mirror(r->tr[i].shadow);
		free(r->tr[i].shadow);
		r->tr[i].shadow = NULL;
	}
}

void dp_report_display_path(const struct dp_report *r, const char *path, char *buf, size_t len)
{
	for (size_t i = 0; i < r->ntraces; i++) {
		const char *s = r->tr[i].shadow;
		size_t n = s ? strlen(s) : 0;

		if (n && !strncmp(path, s, n) && (path[n] == '/' || !path[n])) {
			snprintf(buf, len, "%s%s", r->tr[i].dir, path + n);
			return;
		}
	}
	snprintf(buf, len, "%s", path);
}
