/* SPDX-License-Identifier: MIT */
/*
 * dpbench.c - the fire-cost matrix: states x mechanisms x argument counts x
 * thread counts x repetitions, measured side by side in one process.
 *
 * States, in this order: idle (nothing attached, no session), bpftrace
 * (count() on every USDT site), lttng (a session recording the LTTng
 * events), both.  Within a state, repetition r measures every cell once
 * before repetition r+1 starts, so the cells a ratio compares (say dp_usdt
 * and sdt, 2 args, 1 thread, rep r) were measured seconds apart under the
 * same machine load; the report computes each ratio per repetition and
 * gives its median and min-max.
 *
 * One measurement: T threads (1 or 2), thread t pinned to the t-th CPU this
 * process may use, all released together by a barrier, each running a
 * warm-up of n/8 iterations, then n timed iterations between two
 * CLOCK_MONOTONIC reads; ns/call = elapsed / n, one CSV row per thread.
 * n is calibrated once per cell (first repetition, one thread) so that a
 * run lasts about --target-ms.
 *
 * In the idle state each repetition also measures the disabled-check pairs
 * interleaved (dpb_run_pairs(), kind "pair").
 *
 * Output: CSV rows appended to --csv (header written when the file is
 * empty):  kind,state,mechanism,nargs,nprobes,threads,thread,rep,
 * iterations,value,unit,status,note.  A cell that cannot run is one row
 * with status "na" and the reason in note.  dpbench asserts nothing about
 * timings; the report generator judges them.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dpbench.h"

enum dpb_state { DPB_IDLE, DPB_BPFTRACE, DPB_LTTNG, DPB_BOTH, DPB_STATE_MAX };
static const char *const dpb_state_name[DPB_STATE_MAX] = { "idle", "bpftrace", "lttng", "both" };

struct dpb_opts {
	const char *csv, *out_dir, *cache_dir;
	int reps, target_ms, max_threads;
	bool quick, state_on[DPB_STATE_MAX];
};

struct dpb_job {
	dpb_loop_fn loop;
	uint64_t n;
	int cpu;
	pthread_barrier_t *bar;
	double ns_per_call;
};

static FILE *dpb_csv;
static int dpb_cpus[CPU_SETSIZE], dpb_ncpus;
static uint64_t dpb_calib[DPB_MECH_MAX][DPB_NARGS_VARIANTS];
static struct dpb_tracer dpb_tr;

static void *dpb_worker(void *arg)
{
	struct dpb_job *j = arg;
	cpu_set_t set;
	uint64_t t0, t1;

	CPU_ZERO(&set);
	CPU_SET(j->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	pthread_barrier_wait(j->bar);
	j->loop(j->n / 8 + 1); /* warm-up: caches, branch predictors, page faults */
	pthread_barrier_wait(j->bar);
	t0 = dpb_now_ns();
	j->loop(j->n);
	t1 = dpb_now_ns();
	j->ns_per_call = (double)(t1 - t0) / (double)j->n;
	return NULL;
}

/* One measurement with `threads` threads; fills ns[t] per thread. */
static void dpb_measure(enum dpb_mech m, dpb_loop_fn loop, uint64_t n, int threads, double *ns)
{
	struct dpb_job job[2];
	pthread_t th[2];
	pthread_barrier_t bar;

	dpb_mech_before_run(m);
	pthread_barrier_init(&bar, NULL, (unsigned int)threads);
	for (int t = 0; t < threads; t++) {
		int err;

		job[t] = (struct dpb_job){ .loop = loop, .n = n, .bar = &bar,
					   .cpu = dpb_cpus[t % dpb_ncpus] };
		err = pthread_create(&th[t], NULL, dpb_worker, &job[t]);
		if (err) { /* the barrier would never open: no partial result */
			fprintf(stderr, "dpbench: pthread_create: %s\n", strerror(err));
			exit(1);
		}
	}
	for (int t = 0; t < threads; t++) {
		pthread_join(th[t], NULL);
		ns[t] = job[t].ns_per_call;
	}
	pthread_barrier_destroy(&bar);
}

/* Iterations for about target_ms on one thread: double until a run is long
 * enough to time, then scale. */
static uint64_t dpb_calibrate(enum dpb_mech m, dpb_loop_fn loop, int target_ms)
{
	uint64_t n = 256, min_ns = (uint64_t)target_ms * 1000000u / 8;
	double ns[2];

	for (;;) {
		dpb_measure(m, loop, n, 1, ns);
		if (ns[0] * (double)n >= (double)min_ns || n >= (1ull << 34))
			break;
		n *= 2;
	}
	n = (uint64_t)((double)target_ms * 1e6 / (ns[0] > 0.01 ? ns[0] : 0.01));
	return n < 256 ? 256 : n;
}

/* CSV notes must not break the format. */
static void dpb_csv_row(const char *state, const char *mech, int nargs, int threads, int thread,
			int rep, uint64_t iters, double value, const char *status, const char *note)
{
	char clean[DPB_REASON_LEN];
	size_t k;

	for (k = 0; note && note[k] && k < sizeof(clean) - 1; k++)
		clean[k] = (note[k] == ',' || note[k] == '"' || note[k] == '\n') ? ';' : note[k];
	clean[note ? k : 0] = '\0';
	if (strcmp(status, "ok") == 0)
		fprintf(dpb_csv, "fire,%s,%s,%d,,%d,%d,%d,%llu,%.4f,ns/call,ok,%s\n", state, mech,
			nargs, threads, thread, rep, (unsigned long long)iters, value, clean);
	else
		fprintf(dpb_csv, "fire,%s,%s,%d,,%d,,,,,ns/call,%s,%s\n", state, mech, nargs,
			threads, status, clean);
}

/* Every cell of one repetition in the current state. */
static void dpb_run_rep(const struct dpb_opts *o, enum dpb_state s, int rep)
{
	for (int m = 0; m < DPB_MECH_MAX; m++) {
		const struct dpb_mech_info *mi = &dpb_mechs[m];

		if (mi->na[0]) /* reported by dpb_na_rows() */
			continue;
		for (int k = 0; k < DPB_NARGS_VARIANTS; k++) {
			dpb_loop_fn loop = mi->loop[k];

			if (!loop)
				continue;
			if (rep == 0)
				dpb_calib[m][k] = dpb_calibrate((enum dpb_mech)m, loop, o->target_ms);
			for (int threads = 1; threads <= o->max_threads; threads++) {
				double ns[2];

				dpb_measure((enum dpb_mech)m, loop, dpb_calib[m][k], threads, ns);
				for (int t = 0; t < threads; t++)
					dpb_csv_row(dpb_state_name[s], mi->name, dpb_nargs[k], threads,
						    t, rep, dpb_calib[m][k], ns[t], "ok", NULL);
				fflush(dpb_csv); /* a crash still leaves every finished cell */
			}
		}
	}
	fflush(dpb_csv);
}

/*
 * Interleaved pairs for the disabled-check ratios.  The cells above put
 * seconds between the two sides of a ratio, and this project's VM switches
 * between two clock speeds (the empty loop reads 0.41 or 0.8 ns), so a
 * ratio of two sub-nanosecond cells can be either mode against either.
 * Here A, B and the empty loop alternate in DPB_PAIR_BURSTS bursts of about
 * target_ms / DPB_PAIR_BURSTS each, on one pinned thread, so all three see
 * the same mix of clocks and load: the report gives A/B with the loop
 * around the check and (A - empty)/(B - empty), the check alone.  Rows:
 * kind "pair", nprobes = the pair's name, one row per side (and one for
 * the empty loop) per repetition: ns/call of its median burst.
 */
#define DPB_PAIR_BURSTS 20
static const struct { enum dpb_mech a, b; const char *name; } dpb_pairs[] = {
	{ DPB_DP_USDT_SITE, DPB_SDT, "usdt_site-sdt" },
	{ DPB_DP_LTTNG_SITE, DPB_UST, "lttng_site-ust" },
	{ DPB_DP_USDT, DPB_SDT, "usdt-sdt" },
	{ DPB_DP_LTTNG, DPB_UST, "lttng-ust" },
	{ DPB_DP_BOTH, DPB_SDT, "both-sdt" },
	{ DPB_STAPSDT_GUARD, DPB_SDT, "stapsdt-sdt" },
	{ DPB_LSDT_GUARD, DPB_SDT, "lsdt-sdt" },
};

struct dpb_pair_job {
	dpb_loop_fn loop[3]; /* A, B, empty */
	uint64_t n[3];
	int cpu;
	bool fifo;
	double ns[3];
};

static int dpb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Each side's figure is its median burst: on a shared machine a burst in
 * which the thread was preempted is an outlier, not a cost.  The worker
 * also asks for SCHED_FIFO (root only) for its short life (3 x 20 bursts of
 * ~2 ms): sub-nanosecond differences drown when other processes share the
 * CPU, and a few seconds of real-time bursts over a whole run take little
 * from them.  j->fifo says whether it got it (the CSV note records it). */
static void *dpb_pair_worker(void *arg)
{
	struct dpb_pair_job *j = arg;
	struct sched_param sp = { .sched_priority = 1 };
	uint64_t t[3][DPB_PAIR_BURSTS], n[3], t0;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(j->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	j->fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	for (int k = 0; k < 3; k++) {
		n[k] = j->n[k] / DPB_PAIR_BURSTS + 1;
		j->loop[k](n[k]); /* warm-up */
	}
	for (int i = 0; i < DPB_PAIR_BURSTS; i++) {
		for (int k = 0; k < 3; k++) {
			t0 = dpb_now_ns();
			j->loop[k](n[k]);
			t[k][i] = dpb_now_ns() - t0;
		}
	}
	for (int k = 0; k < 3; k++) {
		qsort(t[k], DPB_PAIR_BURSTS, sizeof(t[k][0]), dpb_cmp_u64);
		j->ns[k] = (double)(t[k][DPB_PAIR_BURSTS / 2 - 1] + t[k][DPB_PAIR_BURSTS / 2]) /
			   2.0 / (double)n[k];
	}
	return NULL;
}

static void dpb_run_pairs(enum dpb_state s, int rep)
{
	const int k = 1; /* 2 arguments */

	for (size_t i = 0; i < sizeof(dpb_pairs) / sizeof(dpb_pairs[0]); i++) {
		enum dpb_mech m[3] = { dpb_pairs[i].a, dpb_pairs[i].b, DPB_EMPTY };
		struct dpb_pair_job j = { .cpu = dpb_cpus[0] };
		pthread_t th;
		bool ok = true;

		for (int x = 0; x < 3; x++) {
			j.loop[x] = dpb_mechs[m[x]].loop[k];
			j.n[x] = dpb_calib[m[x]][k];
			ok = ok && !dpb_mechs[m[x]].na[0] && j.loop[x] && j.n[x];
		}
		if (!ok)
			continue;
		if (pthread_create(&th, NULL, dpb_pair_worker, &j)) {
			fprintf(stderr, "dpbench: pthread_create failed\n");
			exit(1);
		}
		pthread_join(th, NULL);
		for (int x = 0; x < 3; x++)
			fprintf(dpb_csv, "pair,%s,%s,2,%s,1,0,%d,%llu,%.4f,ns/call,ok,%s\n",
				dpb_state_name[s], dpb_mechs[m[x]].name, dpb_pairs[i].name, rep,
				(unsigned long long)j.n[x], j.ns[x],
				j.fifo ? "SCHED_FIFO" : "SCHED_OTHER");
	}
	fflush(dpb_csv);
}

/* A cell that cannot run in this state (or at all) gets one na row. */
static void dpb_na_rows(const struct dpb_opts *o, enum dpb_state s, const char *state_why)
{
	for (int m = 0; m < DPB_MECH_MAX; m++) {
		const struct dpb_mech_info *mi = &dpb_mechs[m];
		bool scaling = (m == DPB_DP_ONE || m == DPB_DP_MANY);

		if (!state_why && !mi->na[0])
			continue;
		for (int k = 0; k < DPB_NARGS_VARIANTS; k++) {
			if (scaling && dpb_nargs[k] != 2)
				continue;
			for (int threads = 1; threads <= o->max_threads; threads++)
				dpb_csv_row(dpb_state_name[s], mi->name, dpb_nargs[k], threads, 0, 0,
					    0, 0, "na", state_why ? state_why : mi->na);
		}
	}
	fflush(dpb_csv);
}

static int dpb_enter(enum dpb_state s, char *why, size_t len)
{
	int err = 0;

	if (s == DPB_LTTNG || s == DPB_BOTH)
		err = dpb_lttng_start(&dpb_tr, why, len);
	if (!err && (s == DPB_BPFTRACE || s == DPB_BOTH))
		err = dpb_bpftrace_start(&dpb_tr, why, len);
	if (err)
		dpb_lttng_stop(&dpb_tr, NULL, 0);
	return err;
}

static void dpb_leave(void)
{
	char why[DPB_REASON_LEN] = "";

	if (dpb_bpftrace_stop(&dpb_tr, why, sizeof(why)) || dpb_lttng_stop(&dpb_tr, why, sizeof(why)))
		fprintf(stderr, "dpbench: warning: %s\n", why);
}

static void dpb_run_state(const struct dpb_opts *o, enum dpb_state s)
{
	char why[DPB_REASON_LEN] = "";
	uint64_t t0 = dpb_now_ns();

	fprintf(stderr, "dpbench: state %s\n", dpb_state_name[s]);
	if (dpb_enter(s, why, sizeof(why))) {
		fprintf(stderr, "dpbench: state %s: %s\n", dpb_state_name[s], why);
		dpb_na_rows(o, s, why);
		return;
	}
	dpb_na_rows(o, s, NULL);
	fprintf(stderr, "dpbench:   %s ready after %.1f s\n", dpb_state_name[s],
		(double)(dpb_now_ns() - t0) / 1e9);
	for (int rep = 0; rep < o->reps; rep++) {
		fprintf(stderr, "dpbench:   %s rep %d/%d\n", dpb_state_name[s], rep + 1, o->reps);
		dpb_run_rep(o, s, rep);
		if (s == DPB_IDLE)
			dpb_run_pairs(s, rep);
	}
	t0 = dpb_now_ns();
	dpb_leave();
	fprintf(stderr, "dpbench:   %s left in %.1f s\n", dpb_state_name[s],
		(double)(dpb_now_ns() - t0) / 1e9);
}

/* A bpftrace left attached to a dead process would outlive us. */
static void dpb_on_signal(int sig)
{
	if (dpb_tr.bpftrace_pid > 0)
		kill(dpb_tr.bpftrace_pid, SIGINT);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void dpb_init_cpus(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				dpb_cpus[dpb_ncpus++] = c;
	if (!dpb_ncpus)
		dpb_cpus[dpb_ncpus++] = 0;
}

static void dpb_usage(void)
{
	fprintf(stderr,
		"usage: dpbench --out DIR [--csv FILE] [--reps N] [--target-ms MS]\n"
		"               [--states idle,bpftrace,lttng,both] [--threads 1|2]\n"
		"               [--cache-dir DIR] [--quick]\n"
		"Run from bench/run.sh, which also starts the private lttng-sessiond.\n");
	exit(2);
}

static void dpb_parse_states(struct dpb_opts *o, const char *list)
{
	for (int s = 0; s < DPB_STATE_MAX; s++) {
		const char *p = strstr(list, dpb_state_name[s]);
		size_t l = strlen(dpb_state_name[s]);

		o->state_on[s] = p && (p == list || p[-1] == ',') && (p[l] == ',' || !p[l]);
	}
}

static void dpb_parse(int argc, char **argv, struct dpb_opts *o)
{
	static const struct option lo[] = {
		{ "out", 1, 0, 'o' }, { "csv", 1, 0, 'c' }, { "reps", 1, 0, 'r' },
		{ "target-ms", 1, 0, 't' }, { "states", 1, 0, 's' }, { "threads", 1, 0, 'T' },
		{ "cache-dir", 1, 0, 'C' }, { "quick", 0, 0, 'q' }, { 0, 0, 0, 0 },
	};
	int c;

	*o = (struct dpb_opts){ .reps = 7, .target_ms = 40, .max_threads = 2 };
	dpb_parse_states(o, "idle,bpftrace,lttng,both");
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->out_dir = optarg; break;
		case 'c': o->csv = optarg; break;
		case 'r': o->reps = atoi(optarg); break;
		case 't': o->target_ms = atoi(optarg); break;
		case 's': dpb_parse_states(o, optarg); break;
		case 'T': o->max_threads = atoi(optarg); break;
		case 'C': o->cache_dir = optarg; break;
		case 'q': o->quick = true; o->reps = 2; o->target_ms = 2; break;
		default: dpb_usage();
		}
	}
	if (!o->out_dir || o->reps < 1 || o->target_ms < 1 || o->max_threads < 1 ||
	    o->max_threads > 2)
		dpb_usage();
}

int main(int argc, char **argv)
{
	static char csv_path[1024], log_path[1024];
	struct dpb_opts o;

	dpb_parse(argc, argv, &o);
	snprintf(csv_path, sizeof(csv_path), "%s/measurements.csv", o.out_dir);
	snprintf(log_path, sizeof(log_path), "%s/fprintf-baseline.log", o.out_dir);
	dpb_csv = fopen(o.csv ? o.csv : csv_path, "a");
	if (!dpb_csv) {
		perror("dpbench: csv");
		return 1;
	}
	if (ftell(dpb_csv) == 0)
		fprintf(dpb_csv, "kind,state,mechanism,nargs,nprobes,threads,thread,rep,"
				 "iterations,value,unit,status,note\n");
	signal(SIGINT, dpb_on_signal);
	signal(SIGTERM, dpb_on_signal);
	dpb_init_cpus();
	dpb_tr.log_dir = o.out_dir;
	dpb_mech_init(&(struct dpb_mech_opts){ .cache_dir = o.cache_dir,
					       .log_path = log_path, .quick = o.quick });
	for (int s = 0; s < DPB_STATE_MAX; s++)
		if (o.state_on[s])
			dpb_run_state(&o, (enum dpb_state)s);
	dpb_mech_fini();
	unlink(log_path);
	fclose(dpb_csv);
	return 0;
}
