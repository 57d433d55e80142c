/* SPDX-License-Identifier: MIT */
/*
 * hostile_proc - a process that shows `dynprobe list` whatever bytes it is
 * given: FILE goes into a memfd named NAME ("dynprobe:evil" looks like a
 * USDT image, "dynprobe-introspect" like the introspection record), mapped
 * at offset 0 so that list finds it; then the process waits on stdin.
 *
 *   hostile_proc NAME FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	FILE *f = argc == 3 ? fopen(argv[2], "rb") : NULL;
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	int fd = argc == 3 ? memfd_create(argv[1], 0) : -1;
	char c;

	if (!f || fd < 0 || write(fd, buf, n) != (ssize_t)n ||
	    ftruncate(fd, (off_t)(n + 8192)) < 0 ||
	    mmap(NULL, n + 8192, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED) {
		fprintf(stderr, "usage: hostile_proc NAME FILE\n");
		return 2;
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
