/* SPDX-License-Identifier: MIT */
/*
 * usdt_driver - a process with known probes that integration tests steer
 * through stdin, one command per line, one reply line each:
 *
 *   fire PROBE [PROVIDER]   fire once with the fixed values below -> "fired R"
 *   enabled PROBE           -> "1" or "0" (dynprobe_probe_enabled)
 *   wait-enabled PROBE S [PROVIDER]   poll until enabled, S seconds max
 *                           -> "enabled"/"timeout"
 *   wait-disabled PROBE S [PROVIDER]  the reverse -> "disabled"/"timeout"
 *   load | unload | free    provider "dpt" lifecycle -> "ok R"
 *   add NAME                add a 0-argument probe to "dpt" -> "ok R"
 *   fd                      the USDT memfd -> "fd N inode I"
 *
 * Providers $DPT (default "dpt") and $DPT2 (default "dpt2") declare the
 * same probe names with different values, so tests can tell them apart;
 * PROVIDER in a command names either.  Tests give every run its own names:
 * shared USDT images are traced in every process that maps them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

enum { P_INTS, P_WIDE, P_TWELVE, P_TICK, NPROBES };
static const char *const probe_names[NPROBES] = { "ints", "wide", "twelve", "tick" };

struct prov {
	struct dynprobe_provider *p;
	struct dynprobe_probe *probes[NPROBES];
};
static struct prov provs[2];
static const char *prov_names[2] = { "dpt", "dpt2" };

static int declare(struct prov *pv, const char *name)
{
	static const enum dynprobe_type ints[] = { DYNPROBE_I8, DYNPROBE_U8, DYNPROBE_I16,
						   DYNPROBE_U16, DYNPROBE_I32, DYNPROBE_U32 };
	static const enum dynprobe_type wide[] = { DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_STR,
						   DYNPROBE_DOUBLE, DYNPROBE_STR, DYNPROBE_I64 };
	enum dynprobe_type twelve[12];
	int r;

	for (int i = 0; i < 12; i++)
		twelve[i] = DYNPROBE_I64;
	r = dynprobe_provider_new(name, NULL, &pv->p);
	if (!r) r = dynprobe_probe_add(pv->p, "ints", ints, 6, NULL, &pv->probes[P_INTS]);
	if (!r) r = dynprobe_probe_add(pv->p, "wide", wide, 6, NULL, &pv->probes[P_WIDE]);
	if (!r) r = dynprobe_probe_add(pv->p, "twelve", twelve, 12, NULL, &pv->probes[P_TWELVE]);
	if (!r) r = dynprobe_probe_add(pv->p, "tick", NULL, 0, NULL, &pv->probes[P_TICK]);
	if (!r) r = dynprobe_provider_load(pv->p);
	return r;
}

static int fire(int which, int probe)
{
	struct dynprobe_probe *pr = provs[which].probes[probe];
	int k = which ? 1 : 0; /* dpt2 fires different values */

	switch (probe) {
	case P_INTS:
		return k ? DYNPROBE_FIRE(pr, -1, 1, -2, 2, -3, 3)
			 : DYNPROBE_FIRE(pr, (int8_t)INT8_MIN, (uint8_t)UINT8_MAX,
					 (int16_t)INT16_MIN, (uint16_t)UINT16_MAX,
					 (int32_t)INT32_MIN, (uint32_t)UINT32_MAX);
	case P_WIDE:
		return DYNPROBE_FIRE(pr, (int64_t)INT64_MIN, (uint64_t)UINT64_MAX,
				     k ? "second" : "hello world", 2.5, (const char *)NULL,
				     (int64_t)-1);
	case P_TWELVE:
		return DYNPROBE_FIRE(pr, -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11, 12);
	case P_TICK:
		return DYNPROBE_FIRE(pr);
	}
	return -EINVAL;
}

static int probe_index(const char *name)
{
	for (int i = 0; i < NPROBES; i++)
		if (!strcmp(name, probe_names[i]))
			return i;
	return -1;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *wait_state(struct dynprobe_probe *pr, int want, double seconds)
{
	double end = now() + seconds;
	struct timespec ms = { 0, 1000000 };

	while (!!dynprobe_probe_enabled(pr) != want) {
		if (now() > end)
			return "timeout";
		nanosleep(&ms, NULL);
	}
	return want ? "enabled" : "disabled";
}

static void command(char *line)
{
	char cmd[32] = "", arg[64] = "", arg2[64] = "", arg3[64] = "";
	int n = sscanf(line, "%31s %63s %63s %63s", cmd, arg, arg2, arg3);
	int idx = n >= 2 ? probe_index(arg) : -1;
	int which = (n >= 3 && !strcmp(arg2, prov_names[1])) ||
		    (n >= 4 && !strcmp(arg3, prov_names[1]));
	struct dynprobe_probe *pr = idx >= 0 ? provs[which].probes[idx] : NULL;

	if (!strcmp(cmd, "fire") && pr)
		printf("fired %d\n", fire(which, idx));
	else if (!strcmp(cmd, "enabled") && pr)
		printf("%d\n", dynprobe_probe_enabled(pr));
	else if (!strcmp(cmd, "wait-enabled") && pr)
		printf("%s\n", wait_state(pr, 1, atof(arg2)));
	else if (!strcmp(cmd, "wait-disabled") && pr)
		printf("%s\n", wait_state(pr, 0, atof(arg2)));
	else if (!strcmp(cmd, "load"))
		printf("ok %d\n", dynprobe_provider_load(provs[0].p));
	else if (!strcmp(cmd, "unload"))
		printf("ok %d\n", dynprobe_provider_unload(provs[0].p));
	else if (!strcmp(cmd, "add") && n >= 2)
		printf("ok %d\n", dynprobe_probe_add(provs[0].p, arg, NULL, 0, NULL, NULL));
	else if (!strcmp(cmd, "fd")) {
		struct stat st = { 0 };
		int fd = dynprobe_provider_usdt_fd(provs[0].p);
		fstat(fd, &st);
		printf("fd %d inode %lu\n", fd, (unsigned long)st.st_ino);
	}
	else if (!strcmp(cmd, "free")) {
		provs[0].p = dynprobe_provider_free(provs[0].p);
		printf("ok 0\n");
	} else
		printf("error unknown command: %s", line);
	fflush(stdout);
}

int main(void)
{
	char line[256], err[256];
	int r;

	if (getenv("DPT"))
		prov_names[0] = getenv("DPT");
	if (getenv("DPT2"))
		prov_names[1] = getenv("DPT2");
	r = declare(&provs[0], prov_names[0]);
	if (!r)
		r = declare(&provs[1], prov_names[1]);
	if (r) {
		fprintf(stderr, "usdt_driver: %s\n", dynprobe_strerror(r, err, sizeof(err)));
		return 1;
	}
	printf("ready %d %d %d\n", (int)getpid(), dynprobe_provider_usdt_fd(provs[0].p),
	       dynprobe_provider_usdt_fd(provs[1].p));
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin))
		command(line);
	dynprobe_provider_free(provs[0].p);
	dynprobe_provider_free(provs[1].p);
	return 0;
}
