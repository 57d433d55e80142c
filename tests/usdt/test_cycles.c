/* SPDX-License-Identifier: MIT */
/*
 * test_cycles - a program that creates, loads and frees providers forever
 * keeps working, with bounded address space (issue 13: before, 21,831
 * free/new/load cycles exhausted the 65,530 mappings a process may have).
 *
 *   same      10^5 cycles of one provider: its retired image is taken over
 *             as it is (no file, no mapping);
 *   renamed   distinct names, same probes: each image borrows a retired
 *             one's address range (private memfds, DYNPROBE_USDT_DIR=none,
 *             so that no file is left per name);
 *   shared    distinct names as shared files in a private directory;
 *   empty     a provider without probes (its image has no notes: the
 *             builder once passed memcpy() a NULL source, which UBSan
 *             reports in the sanitizer builds).
 *
 * After each phase the process maps no more than a small constant more
 * than after its first cycles, and a fire through a handle of the last
 * provider still works.  Usage: test_cycles same|renamed|shared N [DIR]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dynprobe.h>

static long mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int cycle(const char *name, const char *dir, bool empty)
{
	static const enum dynprobe_type sig[] = {DYNPROBE_U64, DYNPROBE_STR};
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .usdt_dir = dir);
	struct dynprobe_provider *p = NULL;
	struct dynprobe_probe *req = NULL;
	int r;

	r = dynprobe_provider_new(name, &o, &p);
	if (!r && !empty)
		r = dynprobe_probe_add(p, "req", sig, 2, NULL, &req);
	if (!r && !empty)
		r = dynprobe_probe_add(p, "tick", NULL, 0, NULL, NULL);
	if (!r)
		r = dynprobe_provider_load(p);
	if (!r && req && DYNPROBE_FIRE(req, (uint64_t)1, "x") != 0)
		r = -EIO; /* nobody listens */
	dynprobe_provider_free(p);
	return r;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "same";
	long n = argc > 2 ? atol(argv[2]) : 100000, base = -1;
	const char *dir = !strcmp(mode, "renamed") ? "none" : argc > 3 ? argv[3] : NULL;
	char name[64], err[128];

	for (long i = 0; i < n; i++) {
		if (!strcmp(mode, "same") || !strcmp(mode, "empty"))
			snprintf(name, sizeof(name), "cycles_%s", mode);
		else
			snprintf(name, sizeof(name), "cycles_%s_%ld", mode, i);
		int r = cycle(name, dir, !strcmp(mode, "empty"));
		if (r) {
			printf("not ok: cycle %ld: %s\n", i,
			       dynprobe_strerror(r, err, sizeof(err)));
			return 1;
		}
		if (i == 9)
			base = mappings();
	}
	long now = mappings();
	printf("%s: %ld cycles, %ld mappings after 10, %ld after all\n", mode, n, base, now);
	if (base < 0 || now > base + 8) {
		printf("not ok: mappings grew from %ld to %ld\n", base, now);
		return 1;
	}
	printf("ok\n");
	return 0;
}
