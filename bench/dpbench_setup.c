/* SPDX-License-Identifier: MIT */
/*
 * dpbench_setup.c - set-up costs of dynprobe providers: load time and memory.
 *
 * Usage: dpbench-setup --csv FILE --backend usdt|lttng|libstapsdt --probes N
 *                      --reps R --label NAME [--names TAG] [--cache-dir DIR]
 *
 * --backend libstapsdt measures the real libstapsdt the same way, side by
 * side in the same kind of process: $DPBENCH_LIBSTAPSDT names its shared
 * object (built by you, outside this tree), dlopen()ed at start, before
 * any measurement; build = providerInit + N x providerAddProbe (int64,
 * uint64: the string as a pointer), load = providerLoad.
 *
 * Each repetition builds a new provider named dpbs_<TAG>_<N>_<rep> (TAG
 * defaults to the label; a cached pass reuses the cold pass's TAG) with N
 * probes of the benchmark's 2-argument signature (a:int64, s:string) and
 * loads it, recording:
 *   <label>.build   µs for dynprobe_provider_new + N x dynprobe_probe_add
 *   <label>.load    µs for dynprobe_provider_load (what the issue targets)
 *   <label>.rss     KiB of resident memory the provider added (statm delta
 *                   around build + load)
 *   <label>.vsz     KiB of address space it added (statm delta)
 *   <label>.mapped  KiB mapped from the provider's own object (the
 *                   /proc/self/maps lines of its USDT memfd or its LTTng
 *                   .so), or n/a
 * Providers are kept loaded, so every repetition adds to the process like a
 * real second, third... provider would.
 *
 * This program links libdynprobe only, never liblttng-ust, as an ordinary
 * application would: the first LTTng load in the process also pays for
 * loading and initialising liblttng-ust (and registering with the session
 * daemon).  The first repetition of every run is reported apart, as
 * <label>_first.*, for that reason.
 * Cold versus cached is the caller's doing: bench/run.sh runs a cold pass
 * with a fresh cache directory, then a cached pass on the same directory
 * and provider names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dlfcn.h>

#include <dynprobe.h>

struct dps_opts {
	const char *csv, *backend, *label, *names, *cache_dir;
	int probes, reps;
};

struct dps_sample {
	double build_us, load_us, rss_kib, vsz_kib, mapped_kib;
};

static double dps_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Virtual size and resident size in KiB. */
static void dps_statm(double *vsz, double *rss)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	double kib = (double)sysconf(_SC_PAGESIZE) / 1024.0;

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			size = res = 0;
		fclose(f);
	}
	*vsz = (double)size * kib;
	*rss = (double)res * kib;
}

/* Whether a maps line's path names this provider: the USDT memfd is
 * "memfd:dynprobe:NAME", the LTTng object "libdynprobe-lttng-NAME-HASH.so";
 * NAME must not continue (dpbs_x_10_1 is not dpbs_x_10_12). */
static bool dps_names(const char *line, const char *name)
{
	size_t l = strlen(name);

	for (const char *p = strstr(line, name); p; p = strstr(p + 1, name)) {
		char c = p[l];

		if (!(c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z')))
			return true;
	}
	return false;
}

/* KiB mapped from the provider's own object; -1 when nothing matches. */
static double dps_mapped(const char *name)
{
	char line[1024];
	unsigned long lo, hi;
	double kib = -1;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!dps_names(line, name) || sscanf(line, "%lx-%lx", &lo, &hi) != 2)
			continue;
		kib = (kib < 0 ? 0 : kib) + (double)(hi - lo) / 1024.0;
	}
	fclose(f);
	return kib;
}

/* libstapsdt's entry points (its libstapsdt.h, as a specification). */
static struct {
	void *(*init)(const char *name);
	void *(*add)(void *provider, const char *name, int argc, ...);
	int (*load)(void *provider);
} dps_lsdt;

static int dps_lsdt_open(char *why, size_t len)
{
	const char *path = getenv("DPBENCH_LIBSTAPSDT");
	void *h = path && *path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;

	if (h) {
		*(void **)&dps_lsdt.init = dlsym(h, "providerInit");
		*(void **)&dps_lsdt.add = dlsym(h, "providerAddProbe");
		*(void **)&dps_lsdt.load = dlsym(h, "providerLoad");
	}
	if (!h || !dps_lsdt.init || !dps_lsdt.add || !dps_lsdt.load) {
		snprintf(why, len, "n/a (set DPBENCH_LIBSTAPSDT to a built libstapsdt.so%s%s)",
			 path ? ": " : "", path ? (h ? "symbols missing" : dlerror()) : "");
		return -1;
	}
	return 0;
}

static int dps_lsdt_one(const struct dps_opts *o, int rep, struct dps_sample *s, char *why,
			size_t len)
{
	char pname[64], probe[32];
	double v0, r0, v1, r1, t0, t1, t2;
	void *prov;
	int err = 0;

	snprintf(pname, sizeof(pname), "dpbs_%s_%d_%d", o->names, o->probes, rep);
	dps_statm(&v0, &r0);
	t0 = dps_now_us();
	prov = dps_lsdt.init(pname);
	for (int k = 0; prov && k < o->probes; k++) {
		snprintf(probe, sizeof(probe), "s%d", k);
		if (!dps_lsdt.add(prov, probe, 2, -8 /* int64 */, 8 /* uint64 */))
			err = -1;
	}
	t1 = dps_now_us();
	if (!prov || err || dps_lsdt.load(prov) != 0) {
		snprintf(why, len, "n/a (libstapsdt provider load failed)");
		return -1;
	}
	t2 = dps_now_us();
	dps_statm(&v1, &r1);
	*s = (struct dps_sample){ .build_us = t1 - t0, .load_us = t2 - t1, .rss_kib = r1 - r0,
				  .vsz_kib = v1 - v0, .mapped_kib = dps_mapped(pname) };
	return 0; /* kept loaded, as the dynprobe providers are */
}

static int dps_one(const struct dps_opts *o, int rep, struct dps_sample *s, char *why, size_t len)
{
	static const enum dynprobe_type sig[] = { DYNPROBE_I64, DYNPROBE_STR };
	static const char *const names[] = { "a", "s" };
	unsigned int bk = strcmp(o->backend, "lttng") == 0 ? DYNPROBE_BACKEND_LTTNG
							     : DYNPROBE_BACKEND_USDT;
	DYNPROBE_OPTS(dynprobe_provider_opts, po, .backends = bk, .cache_dir = o->cache_dir);
	DYNPROBE_OPTS(dynprobe_probe_opts, pr, .arg_names = names);
	struct dynprobe_provider *prov = NULL;
	char pname[64], probe[32], ebuf[200];
	double v0, r0, v1, r1, t0, t1, t2;
	int err;

	snprintf(pname, sizeof(pname), "dpbs_%s_%d_%d", o->names, o->probes, rep);
	dps_statm(&v0, &r0);
	t0 = dps_now_us();
	err = dynprobe_provider_new(pname, &po, &prov);
	for (int k = 0; !err && k < o->probes; k++) {
		snprintf(probe, sizeof(probe), "s%d", k);
		err = dynprobe_probe_add(prov, probe, sig, 2, &pr, NULL);
	}
	t1 = dps_now_us();
	if (!err)
		err = dynprobe_provider_load(prov);
	t2 = dps_now_us();
	dps_statm(&v1, &r1);
	if (err) {
		snprintf(why, len, "n/a (%s provider load failed: %s)", o->backend,
			 dynprobe_strerror(err, ebuf, sizeof(ebuf)));
		dynprobe_provider_free(prov);
		return err;
	}
	*s = (struct dps_sample){ .build_us = t1 - t0, .load_us = t2 - t1, .rss_kib = r1 - r0,
				  .vsz_kib = v1 - v0, .mapped_kib = dps_mapped(pname) };
	return 0; /* the provider stays loaded on purpose */
}

static void dps_row(FILE *f, const struct dps_opts *o, const char *label, const char *metric,
		    int rep, double v, const char *unit, const char *why)
{
	if (why || v < 0)
		fprintf(f, "setup,idle,%s.%s,2,%d,1,,,,,%s,na,%s\n", label, metric, o->probes,
			unit, why ? why : "n/a (no mapping named after the provider)");
	else
		fprintf(f, "setup,idle,%s.%s,2,%d,1,0,%d,1,%.3f,%s,ok,\n", label, metric,
			o->probes, rep, v, unit);
}

static void dps_rows(FILE *f, const struct dps_opts *o, int rep, const struct dps_sample *s,
		     const char *why)
{
	char label[80];

	/* The first load in a process pays one-time costs (lazy binding, the
	 * allocator's first pages; for LTTng, loading and initialising
	 * liblttng-ust): report it apart from the steady-state loads. */
	snprintf(label, sizeof(label), "%s%s", o->label, rep == 0 ? "_first" : "");
	dps_row(f, o, label, "build", rep, why ? 0 : s->build_us, "us", why);
	dps_row(f, o, label, "load", rep, why ? 0 : s->load_us, "us", why);
	dps_row(f, o, label, "rss", rep, why ? 0 : s->rss_kib, "KiB", why);
	dps_row(f, o, label, "vsz", rep, why ? 0 : s->vsz_kib, "KiB", why);
	dps_row(f, o, label, "mapped", rep, why ? 0 : s->mapped_kib, "KiB", why);
}

static void dps_usage(void)
{
	fprintf(stderr, "usage: dpbench-setup --csv FILE --backend usdt|lttng|libstapsdt --probes N "
			"--reps R --label NAME [--names TAG] [--cache-dir DIR]\n");
	exit(2);
}

static void dps_parse(int argc, char **argv, struct dps_opts *o)
{
	static const struct option lo[] = {
		{ "csv", 1, 0, 'c' }, { "backend", 1, 0, 'b' }, { "probes", 1, 0, 'n' },
		{ "reps", 1, 0, 'r' }, { "label", 1, 0, 'l' }, { "cache-dir", 1, 0, 'C' },
		{ "names", 1, 0, 'N' }, { 0, 0, 0, 0 },
	};
	int c;

	*o = (struct dps_opts){ .probes = 10, .reps = 5 };
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->csv = optarg; break;
		case 'b': o->backend = optarg; break;
		case 'n': o->probes = atoi(optarg); break;
		case 'r': o->reps = atoi(optarg); break;
		case 'l': o->label = optarg; break;
		case 'C': o->cache_dir = optarg; break;
		case 'N': o->names = optarg; break;
		default: dps_usage();
		}
	}
	if (!o->csv || !o->backend || !o->label || o->probes < 1 || o->reps < 1 ||
	    (strcmp(o->backend, "usdt") && strcmp(o->backend, "lttng") &&
	     strcmp(o->backend, "libstapsdt")))
		dps_usage();
	if (!o->names)
		o->names = o->label;
}

int main(int argc, char **argv)
{
	struct dps_opts o;
	struct dps_sample s = { 0 };
	char why[256];
	FILE *f;

	dps_parse(argc, argv, &o);
	unsetenv("DYNPROBE_BACKENDS"); /* an override would change what is measured */
	f = fopen(o.csv, "a");
	if (!f) {
		perror("dpbench-setup: csv");
		return 1;
	}
	bool lsdt = !strcmp(o.backend, "libstapsdt");

	if (lsdt && dps_lsdt_open(why, sizeof(why))) {
		fprintf(stderr, "dpbench-setup: %s\n", why);
		dps_rows(f, &o, 0, &s, why);
		fclose(f);
		return 0;
	}
	for (int rep = 0; rep < o.reps; rep++) {
		int r = lsdt ? dps_lsdt_one(&o, rep, &s, why, sizeof(why))
			     : dps_one(&o, rep, &s, why, sizeof(why));

		if (r) {
			fprintf(stderr, "dpbench-setup: %s\n", why);
			dps_rows(f, &o, rep, &s, why);
			break; /* the same failure would repeat */
		}
		dps_rows(f, &o, rep, &s, NULL);
		fflush(f);
	}
	fclose(f);
	return 0;
}
