/* SPDX-License-Identifier: MIT */
/*
 * dpbench_publish.c - USDT provider load with a shared image file versus
 * a private memfd, side by side in one process (issue 15).
 *
 * Usage: dpbench-publish --csv FILE --dir DIR --probes N --reps R
 *                        --pass first|second --tag TAG
 *
 * Each repetition loads two providers of N probes (the benchmark's
 * 2-argument signature): one whose image goes into a memfd (usdt_dir
 * "none": what every load cost before shared files) and one whose image
 * is the shared file in DIR, named TAG_f_<rep>.  In the first pass no file
 * exists yet, so every file load writes one; the second pass, a new
 * process with the same TAG, finds and reuses them (opens, checks, maps).
 * The two loads alternate which goes first, so that drift in the machine's
 * speed falls on both.  Rows (CSV, as dpbench-setup's):
 *   usdt_memfd_<pass>.load, usdt_file_<pass>.load     µs, rep >= 1
 *   usdt_memfd_<pass>_first.load, usdt_file_<pass>_first.load   rep 0: the
 *       process's first loads (the directory walk, the stale-file scan)
 * Providers stay loaded, as in dpbench-setup.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dynprobe.h>

struct dpp_opts {
	const char *csv, *dir, *pass, *tag;
	int probes, reps;
};

static double dpp_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Build a provider of n probes and time its load; < 0 on error. */
static double dpp_load(const char *name, const char *dir, int n)
{
	static const enum dynprobe_type sig[] = {DYNPROBE_I64, DYNPROBE_STR};
	DYNPROBE_OPTS(dynprobe_provider_opts, po, .usdt_dir = dir);
	struct dynprobe_provider *prov = NULL;
	char probe[32];
	double t0, t1;
	int err;

	err = dynprobe_provider_new(name, &po, &prov);
	for (int k = 0; !err && k < n; k++) {
		snprintf(probe, sizeof(probe), "s%d", k);
		err = dynprobe_probe_add(prov, probe, sig, 2, NULL, NULL);
	}
	t0 = dpp_now_us();
	if (!err)
		err = dynprobe_provider_load(prov);
	t1 = dpp_now_us();
	if (err) {
		fprintf(stderr, "dpbench-publish: %s: load failed (%d)\n", name, err);
		return -1;
	}
	return t1 - t0; /* stays loaded on purpose */
}

static void dpp_row(FILE *f, const struct dpp_opts *o, const char *kind, int rep, double us)
{
	fprintf(f, "setup,idle,usdt_%s_%s%s.load,2,%d,1,0,%d,1,%.3f,us,ok,\n", kind, o->pass,
		rep ? "" : "_first", o->probes, rep, us);
}

static void dpp_parse(int argc, char **argv, struct dpp_opts *o)
{
	static const struct option lo[] = {
	    {"csv", 1, 0, 'c'},	 {"dir", 1, 0, 'd'}, {"probes", 1, 0, 'n'}, {"reps", 1, 0, 'r'},
	    {"pass", 1, 0, 'p'}, {"tag", 1, 0, 't'}, {0, 0, 0, 0},
	};
	int c;

	*o = (struct dpp_opts){.probes = 10, .reps = 21};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->csv = optarg;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'n':
			o->probes = atoi(optarg);
			break;
		case 'r':
			o->reps = atoi(optarg);
			break;
		case 'p':
			o->pass = optarg;
			break;
		case 't':
			o->tag = optarg;
			break;
		default:
			exit(2);
		}
	}
	if (!o->csv || !o->dir || !o->pass || !o->tag || o->probes < 1 || o->reps < 2) {
		fprintf(stderr, "usage: dpbench-publish --csv FILE --dir DIR --probes N --reps R "
				"--pass first|second --tag TAG\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct dpp_opts o;
	char mname[96], fname[96];
	FILE *f;

	dpp_parse(argc, argv, &o);
	f = fopen(o.csv, "a");
	if (!f)
		return 1;
	for (int rep = 0; rep < o.reps; rep++) {
		double m, fl;
		snprintf(mname, sizeof(mname), "%s_m%s_%d", o.tag, o.pass, rep);
		snprintf(fname, sizeof(fname), "%s_f_%d", o.tag, rep);
		if (rep % 2) {
			fl = dpp_load(fname, o.dir, o.probes);
			m = dpp_load(mname, "none", o.probes);
		} else {
			m = dpp_load(mname, "none", o.probes);
			fl = dpp_load(fname, o.dir, o.probes);
		}
		if (m < 0 || fl < 0)
			return 1;
		dpp_row(f, &o, "memfd", rep, m);
		dpp_row(f, &o, "file", rep, fl);
	}
	return fclose(f) ? 1 : 0;
}
