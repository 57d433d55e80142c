/* SPDX-License-Identifier: MIT */
/*
 * read_record.h - the process's introspection record as `dynprobe list`
 * finds it from another process: its line in /proc/self/maps (the memfd
 * named DP_INTRO_MEMFD_NAME), then /proc/self/map_files.  Shared by the
 * introspection tests.
 */
#ifndef DYNPROBE_TEST_READ_RECORD_H
#define DYNPROBE_TEST_READ_RECORD_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "introspect_format.h"

/* A malloc()ed copy of the record and its length, and (if ino is not
 * NULL) the memfd's inode; NULL when there is none. */
static inline uint8_t *read_record(size_t *len, unsigned long *ino)
{
	char line[512], path[128];
	unsigned long lo = 0, hi = 0, inode = 0;
	uint8_t *buf = NULL;
	FILE *maps = fopen("/proc/self/maps", "r");
	struct stat st;
	ssize_t n;
	int fd;

	while (maps && fgets(line, sizeof(line), maps))
		if (strstr(line, "/memfd:" DP_INTRO_MEMFD_NAME " ") &&
		    sscanf(line, "%lx-%lx %*s %*s %*s %lu", &lo, &hi, &inode) == 3)
			break;
	if (maps)
		fclose(maps);
	if (!hi)
		return NULL;
	if (ino)
		*ino = inode;
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx", lo, hi);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (buf = malloc((size_t)st.st_size + 1))) {
		n = pread(fd, buf, (size_t)st.st_size, 0);
		*len = n > 0 ? (size_t)n : 0;
	}
	close(fd);
	return buf;
}

#endif
