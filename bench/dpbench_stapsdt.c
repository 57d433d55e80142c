/* SPDX-License-Identifier: MIT */
/*
 * dpbench_stapsdt.c - the real libstapsdt as a reference, when the
 * environment variable DPBENCH_LIBSTAPSDT names a build of it
 * (libstapsdt.so.0).  Nothing of libstapsdt is in this tree: the library is
 * dlopen()ed at run time, and its five entry points are called through
 * pointers declared here from its documented API (libstapsdt.h):
 *
 *	SDTProvider_t *providerInit(const char *name);
 *	SDTProbe_t *providerAddProbe(SDTProvider_t *, const char *name, int argCount, ...);
 *	int providerLoad(SDTProvider_t *);
 *	void probeFire(SDTProbe_t *, ...);
 *	int probeIsEnabled(SDTProbe_t *);
 *
 * Provider "dpb_stapsdt" has probes p0, p2 and p6 typed like the other
 * mechanisms' (strings travel as uint64 pointers, as libstapsdt has no
 * string type).  stapsdt_guard is what libstapsdt's documentation tells
 * callers to write, `if (probeIsEnabled(p)) probeFire(p, ...)`;
 * stapsdt_fire is probeFire() alone.  providerLoad() writes the provider's
 * ELF object to /tmp/dpb_stapsdt-XXXXXX.so and dlopen()s it; bpftrace
 * attaches to that file (dpb_stapsdt_object()).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dpbench.h"

/* libstapsdt's ArgType_t values: the size in bytes, negative when signed. */
enum { LSDT_U64 = 8, LSDT_I64 = -8, LSDT_U32 = 4, LSDT_I32 = -4 };

static struct {
	void *(*provider_init)(const char *name);
	void *(*add_probe)(void *provider, const char *name, int argc, ...);
	int (*provider_load)(void *provider);
	void (*fire)(void *probe, ...);
	int (*enabled)(void *probe);
} lsdt;
static void *dpb_stapsdt_probe[DPB_NARGS_VARIANTS];
static char dpb_stapsdt_path[512];

#define DPB_STAPSDT_ON(k) lsdt.enabled(dpb_stapsdt_probe[k])
DPB_LOOP(loop_stg0, if (DPB_STAPSDT_ON(0)) lsdt.fire(dpb_stapsdt_probe[0]))
DPB_LOOP(loop_stg2, if (DPB_STAPSDT_ON(1)) lsdt.fire(dpb_stapsdt_probe[1], DPB_U2))
DPB_LOOP(loop_stg6, if (DPB_STAPSDT_ON(2)) lsdt.fire(dpb_stapsdt_probe[2], DPB_U6))
DPB_LOOP(loop_stf0, lsdt.fire(dpb_stapsdt_probe[0]))
DPB_LOOP(loop_stf2, lsdt.fire(dpb_stapsdt_probe[1], DPB_U2))
DPB_LOOP(loop_stf6, lsdt.fire(dpb_stapsdt_probe[2], DPB_U6))

static void dpb_stapsdt_na(const char *why)
{
	snprintf(dpb_mechs[DPB_STAPSDT_GUARD].na, DPB_REASON_LEN, "%s", why);
	snprintf(dpb_mechs[DPB_STAPSDT_FIRE].na, DPB_REASON_LEN, "%s", why);
}

/* The object providerLoad() wrote: the mapping whose file name starts with
 * /tmp/dpb_stapsdt- in this process. */
static void dpb_stapsdt_find_object(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[1024], *path;

	while (f && fgets(line, sizeof(line), f)) {
		path = strstr(line, "/tmp/dpb_stapsdt-");
		if (path) {
			path[strcspn(path, "\n")] = '\0';
			snprintf(dpb_stapsdt_path, sizeof(dpb_stapsdt_path), "%s", path);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int dpb_stapsdt_resolve(void *h)
{
	*(void **)&lsdt.provider_init = dlsym(h, "providerInit");
	*(void **)&lsdt.add_probe = dlsym(h, "providerAddProbe");
	*(void **)&lsdt.provider_load = dlsym(h, "providerLoad");
	*(void **)&lsdt.fire = dlsym(h, "probeFire");
	*(void **)&lsdt.enabled = dlsym(h, "probeIsEnabled");
	return lsdt.provider_init && lsdt.add_probe && lsdt.provider_load && lsdt.fire &&
	       lsdt.enabled ? 0 : -1;
}

void dpb_stapsdt_init(void)
{
	const char *lib = secure_getenv("DPBENCH_LIBSTAPSDT");
	char why[DPB_REASON_LEN];
	void *h, *prov;

	dpb_mechs[DPB_STAPSDT_GUARD].name = "stapsdt_guard";
	dpb_mechs[DPB_STAPSDT_GUARD].what = "the real libstapsdt: if (probeIsEnabled(p)) probeFire(p, ...)";
	dpb_mechs[DPB_STAPSDT_FIRE].name = "stapsdt_fire";
	dpb_mechs[DPB_STAPSDT_FIRE].what = "the real libstapsdt: probeFire(p, ...) unguarded";
	if (!lib || !*lib) {
		dpb_stapsdt_na("n/a (the real libstapsdt is measured only when "
			       "DPBENCH_LIBSTAPSDT=/path/libstapsdt.so.0 is set)");
		return;
	}
	h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h || dpb_stapsdt_resolve(h) < 0) {
		snprintf(why, sizeof(why), "n/a (DPBENCH_LIBSTAPSDT: %s)",
			 h ? "not libstapsdt" : dlerror());
		dpb_stapsdt_na(why);
		return;
	}
	prov = lsdt.provider_init("dpb_stapsdt");
	if (prov) {
		dpb_stapsdt_probe[0] = lsdt.add_probe(prov, "p0", 0);
		dpb_stapsdt_probe[1] = lsdt.add_probe(prov, "p2", 2, LSDT_I64, LSDT_U64);
		dpb_stapsdt_probe[2] = lsdt.add_probe(prov, "p6", 6, LSDT_I64, LSDT_U64, LSDT_U32,
						      LSDT_I64, LSDT_U64, LSDT_I32);
	}
	if (!prov || !dpb_stapsdt_probe[0] || !dpb_stapsdt_probe[1] || !dpb_stapsdt_probe[2] ||
	    lsdt.provider_load(prov) != 0) {
		snprintf(why, sizeof(why), "n/a (libstapsdt %s: providerLoad failed)", lib);
		dpb_stapsdt_na(why);
		return;
	}
	dpb_stapsdt_find_object();
	dpb_mechs[DPB_STAPSDT_GUARD].loop[0] = loop_stg0;
	dpb_mechs[DPB_STAPSDT_GUARD].loop[1] = loop_stg2;
	dpb_mechs[DPB_STAPSDT_GUARD].loop[2] = loop_stg6;
	dpb_mechs[DPB_STAPSDT_FIRE].loop[0] = loop_stf0;
	dpb_mechs[DPB_STAPSDT_FIRE].loop[1] = loop_stf2;
	dpb_mechs[DPB_STAPSDT_FIRE].loop[2] = loop_stf6;
	fprintf(stderr, "dpbench: libstapsdt from %s, object %s\n", lib, dpb_stapsdt_path);
}

int dpb_stapsdt_scan(int *watched)
{
	int on = 0;

	if (!dpb_mechs[DPB_STAPSDT_GUARD].loop[0])
		return 0;
	for (int k = 0; k < DPB_NARGS_VARIANTS; k++) {
		(*watched)++;
		on += !!lsdt.enabled(dpb_stapsdt_probe[k]);
	}
	return on;
}

const char *dpb_stapsdt_object(void)
{
	return dpb_mechs[DPB_STAPSDT_GUARD].loop[0] ? dpb_stapsdt_path : "";
}
