/* SPDX-License-Identifier: MIT */
/*
 * replay.c - main() for fuzz targets in ordinary (gcc, ASan+UBSan) builds:
 * feeds every file named on the command line, or found in a directory
 * named there, once to LLVMFuzzerTestOneInput.  This makes each committed
 * corpus a regression test in every build; the clang build (-Dfuzz=enabled)
 * links libFuzzer's main instead and explores from the same corpus.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int r = -1;

	if (!f)
		goto err;
	if (fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		goto err;
	/* An exact-size heap copy, so ASan sees any read past the input. */
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto err;
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	r = 0;
err:
	if (r < 0)
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno ? errno : EIO));
	free(buf);
	if (f)
		fclose(f);
	return r;
}

static int run_dir(const char *dir, unsigned *count)
{
	struct dirent **names;
	char path[4096];
	int n = scandir(dir, &names, NULL, alphasort), r = 0;

	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			if (run_file(path) < 0)
				r = -1;
			else
				(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return r;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	struct stat st;
	int r = 0;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			r = -1;
		} else if (S_ISDIR(st.st_mode)) {
			r |= run_dir(argv[i], &count);
		} else if (run_file(argv[i]) < 0) {
			r = -1;
		} else {
			count++;
		}
	}
	printf("replayed %u inputs\n", count);
	/* An empty corpus proves nothing: fail rather than pass vacuously. */
	return r < 0 || count == 0 ? 1 : 0;
}
