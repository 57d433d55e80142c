/* SPDX-License-Identifier: MIT */
/*
 * swapper - the attacker of test-cache-race.sh: exchange two names in a
 * directory as fast as possible (renameat2 RENAME_EXCHANGE), so that a
 * loader that checks a file by path and then opens it again by path gets
 * the other file in between.
 *
 *   swapper DIR NAME_A NAME_B SECONDS   prints the number of exchanges
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv)
{
	struct timespec t0, t;
	unsigned long n = 0;
	int dfd;

	if (argc != 5)
		return 2;
	dfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 256; i++, n++)
			if (syscall(SYS_renameat2, dfd, argv[2], dfd, argv[3], RENAME_EXCHANGE) < 0)
				return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < atoi(argv[4]));
	printf("%lu\n", n);
	return 0;
}
