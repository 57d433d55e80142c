/* SPDX-License-Identifier: MIT */
/*
 * fuzz_report_discovery.c - what `dynprobe report` does with a trace
 * directory before babeltrace2 sees it (consumer/discover.c and
 * validate.c): find the trace, read its metadata and index files as
 * hostile input, leave out what is damaged, mirror what is kept.
 *
 * Input: three little-endian u16 lengths, then the metadata, a stream
 * file ch_0, its index (index/ch_0.idx), and whatever follows as a second
 * stream file ch_1 without an index; written to a fresh directory.  A zero
 * metadata length with bit 0 of the fourth byte set means "no metadata
 * file" (then the directory is not a trace).
 *
 * Invariants: discovery returns; an error names a file of the directory;
 * every index left in use checked clean (dp_check_index on the same
 * bytes); mirrors are removed with the report; nothing is left behind.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int put_file(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (n && write(fd, p, n) != (ssize_t)n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void remove_tree(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path))
			remove_tree(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static size_t take(const uint8_t **p, size_t *left, size_t want)
{
	size_t n = want < *left ? want : *left;

	*p += n;
	*left -= n;
	return n;
}

/* The same verdict discovery reached on the index, recomputed. */
static int index_is_clean(const uint8_t *idx, size_t ilen, size_t slen)
{
	char err[300];

	return dp_check_index(idx, ilen, slen, NULL, NULL, err, sizeof(err)) == 0;
}

static void check(const char *dir, const uint8_t *idx, size_t ilen, size_t slen, int has_idx)
{
	const char *inputs[] = {dir};
	struct dp_report_config cfg = {.inputs = inputs, .ninputs = 1};
	struct dp_report *r;
	char err[512], mirror[512] = "";

	if (!(r = dp_report_new(&cfg, err, sizeof(err))))
		abort();
	if (dp_discover_traces(r)) {
		/* An error names the directory or a file in it. */
		if (!strstr(r->errmsg, dir) && strcmp(r->errmsg, "out of memory"))
			abort();
	} else {
		if (r->ntraces != 1)
			abort();
		/* The index is used as is only when it checks clean (the magic
		 * test at each packet is extra, so this is one way only). */
		if (has_idx && !r->tr[0].shadow && !index_is_clean(idx, ilen, slen))
			abort();
		if (r->tr[0].shadow)
			snprintf(mirror, sizeof(mirror), "%s", r->tr[0].shadow);
	}
	dp_report_free(r);
	if (mirror[0] && access(mirror, F_OK) == 0)
		abort(); /* a mirror directory left behind */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "/tmp/dynprobe-fuzz-discovery.XXXXXX", sub[64];
	const uint8_t *p = data, *md, *st, *idx;
	size_t left = size, mlen, slen, ilen, rest;
	int no_metadata;

	if (size < 7)
		return 0;
	mlen = (size_t)data[0] | (size_t)data[1] << 8;
	slen = (size_t)data[2] | (size_t)data[3] << 8;
	ilen = (size_t)data[4] | (size_t)data[5] << 8;
	no_metadata = !mlen && (data[6] & 1);
	take(&p, &left, 7);
	md = p;
	mlen = take(&p, &left, mlen);
	st = p;
	slen = take(&p, &left, slen);
	idx = p;
	ilen = take(&p, &left, ilen);
	rest = left;
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof(sub), "%s/index", dir);
	if ((!no_metadata && put_file(dir, "metadata", md, mlen)) ||
	    put_file(dir, "ch_0", st, slen) || mkdir(sub, 0700) ||
	    (ilen && put_file(sub, "ch_0.idx", idx, ilen)) ||
	    (rest && put_file(dir, "ch_1", p, rest)))
		abort();
	check(dir, idx, ilen, slen, ilen != 0);
	remove_tree(dir);
	return 0;
}
