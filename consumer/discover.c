/* SPDX-License-Identifier: MIT */
/*
 * discover.c - find the CTF traces under the paths the user gave.
 *
 * An LTTng session's output is a tree (ust/uid/0/64-bit/, kernel/, one
 * directory per PID with per-PID buffers...); a CTF trace is any directory
 * holding a `metadata` file.  Every trace found is read; inside a trace we
 * do not descend further (its `index/` is not a trace).  Data stream files
 * are counted so that a trace without any, or with empty ones, is reported
 * instead of silently contributing nothing.
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DISCOVER_MAX_DEPTH 16

static int add_trace(struct dp_report *r, const char *dir)
{
	char **t = realloc(r->traces, (r->ntraces + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	r->traces = t;
	if (!(t = realloc(r->shadows, (r->ntraces + 1) * sizeof(*t))))
		return -ENOMEM;
	r->shadows = t;
	t[r->ntraces] = NULL;
	t = r->traces;
	if (!(t[r->ntraces] = strdup(dir)))
		return -ENOMEM;
	r->ntraces++;
	return 0;
}

/* Stream files of one trace: anything regular but metadata and dotfiles. */
static void count_streams(struct dp_report *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned streams = 0;
	char path[PATH_MAX];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "metadata"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		streams++;
		if (st.st_size == 0)
			r->empty_stream_files++;
	}
	closedir(d);
	if (!streams)
		r->traces_without_streams++;
}

static int walk(struct dp_report *r, const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (!stat(path, &st) && S_ISREG(st.st_mode)) {
		count_streams(r, dir);
		return add_trace(r, dir);
	}
	if (depth >= DISCOVER_MAX_DEPTH || !(d = opendir(dir)))
		return 0;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode))
			rc = walk(r, path, depth + 1);
	}
	closedir(d);
	return rc;
}

/* The trace's UUID (packetized metadata header, or the text's
 * `uuid = "..."`) as a string; "" when there is none. */
static void trace_uuid(const char *dir, char *out, size_t len)
{
	char path[PATH_MAX], buf[8192];
	FILE *f;
	size_t n;
	uint32_t magic;
	const char *p;

	out[0] = 0;
	snprintf(path, sizeof(path), "%s/metadata", dir);
	if (!(f = fopen(path, "rb")))
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	memcpy(&magic, buf, n >= 4 ? 4 : 0);
	if (n >= 20 && magic == 0x75d11d57) {
		for (int i = 0; i < 16 && len > 2 * (size_t)i + 2; i++)
			snprintf(out + 2 * i, len - 2 * (size_t)i, "%02x", (unsigned char)buf[4 + i]);
	} else if ((p = strstr(buf, "uuid = \""))) {
		snprintf(out, len, "%.36s", p + 8);
	}
}

/* source.ctf.fs takes several inputs only when they share a UUID (one
 * trace split in pieces); different traces need one component each. */
static int group_traces(struct dp_report *r)
{
	char (*uuids)[40] = calloc(r->ntraces ? r->ntraces : 1, sizeof(*uuids));

	free(r->groups);
	r->groups = calloc(r->ntraces ? r->ntraces : 1, sizeof(*r->groups));
	if (!uuids || !r->groups) {
		free(uuids);
		return -1;
	}
	r->ngroups = 0;
	for (size_t i = 0; i < r->ntraces; i++) {
		size_t j;

		trace_uuid(r->traces[i], uuids[i], sizeof(uuids[i]));
		for (j = 0; j < i; j++)
			if (uuids[i][0] && !strcmp(uuids[i], uuids[j]))
				break;
		r->groups[i] = j < i ? r->groups[j] : r->ngroups++;
	}
	free(uuids);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
	/* Stable order, so reports of the same trees compare equal (no
	 * shadow exists yet, so r->shadows needs no reordering). */
	qsort(r->traces, r->ntraces, sizeof(*r->traces), cmp_str);
	if (group_traces(r)) {
		snprintf(r->errmsg, sizeof(r->errmsg), "out of memory");
		return -1;
	}
	return 0;
}

/* Undo make_shadow(): the directory only ever holds symlinks. */
static void remove_shadow(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Mirror a trace directory with symlinks, leaving out `index/` (its
 * entries would describe the file we drop) and dotfiles. */
static char *make_shadow(const char *trace)
{
	char tmpl[] = "/tmp/dynprobe-report.XXXXXX", src[PATH_MAX], dst[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(trace);
	char *dir = NULL;

	/* Link targets must be absolute: the links live elsewhere. */
	if (!d || !realpath(trace, real) || !mkdtemp(tmpl))
		goto err;
	if (!(dir = strdup(tmpl))) {
		rmdir(tmpl);
		goto err;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "index"))
			continue;
		if (snprintf(src, sizeof(src), "%s/%s", real, de->d_name) >= (int)sizeof(src) ||
		    snprintf(dst, sizeof(dst), "%s/%s", dir, de->d_name) >= (int)sizeof(dst) ||
		    symlink(src, dst))
			goto err;
	}
	closedir(d);
	return dir;
err:
	if (d)
		closedir(d);
	if (dir)
		remove_shadow(dir);
	free(dir);
	return NULL;
}

static int same_dir(const char *real, const char *other)
{
	char buf[PATH_MAX];

	return realpath(other, buf) && !strcmp(real, buf);
}

int dp_exclude_stream_file(struct dp_report *r, const char *path)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX], victim[PATH_MAX];
	size_t i, n;

	if (!base || !strcmp(base + 1, "metadata"))
		return -1;
	n = (size_t)(base - path);
	snprintf(victim, sizeof(victim), "%.*s", (int)n, path);
	/* babeltrace2 names files by the path we gave, possibly relative. */
	if (!realpath(victim, dir))
		return -1;
	for (i = 0; i < r->ntraces; i++)
		if (same_dir(dir, r->traces[i]) || (r->shadows[i] && same_dir(dir, r->shadows[i])))
			break;
	if (i == r->ntraces)
		return -1;
	if (!r->shadows[i] && !(r->shadows[i] = make_shadow(r->traces[i])))
		return -1;
	snprintf(victim, sizeof(victim), "%s%s", r->shadows[i], base);
	if (unlink(victim))
		return -1;      /* already excluded: do not loop */
	snprintf(victim, sizeof(victim), "%s%s", r->traces[i], base);
	if (r->nskipped < sizeof(r->skipped) / sizeof(r->skipped[0]))
		r->skipped[r->nskipped] = strdup(victim);
	r->nskipped++;
	return 0;
}

void dp_remove_shadows(struct dp_report *r)
{
	for (size_t i = 0; r->shadows && i < r->ntraces; i++) {
		if (r->shadows[i])
			remove_shadow(r->shadows[i]);
		free(r->shadows[i]);
		r->shadows[i] = NULL;
	}
}
