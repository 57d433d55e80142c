/* SPDX-License-Identifier: MIT */
/*
 * dpbench_lttng.c - recording cost of the LTTng backend's two modes against
 * a static lttng_ust_tracepoint() with the same fields, side by side.
 *
 * Usage: dpbench-lttng --csv FILE [--reps R] [--ms MS] [--first-rep N]
 *
 * Runs next to a session daemon (bench/run.sh runs it inside
 * tests/lib/lttng-private.sh): one snapshot-mode session with an
 * overwrite channel (4 x 1 MiB sub-buffers, like dpbench's) records
 *
 *   ust        static tracepoints dpbl_ust:p0/p2/p6/p12 (dpbench_lttng_tp.h)
 *   rt         DYNPROBE_FIRE(probe, ...), provider dpbl_rt in runtime mode
 *   compiled   the same, provider dpbl_cc in compiled mode
 *
 * for 0, 2, 6 and 12 arguments (2, 6 and 12 with strings; 12 also with a
 * double and every integer width).  Each repetition runs every cell in 16
 * short bursts, the cells taking turns, so that the machine's drift falls
 * on all of them alike; ratios are taken within a repetition.  An empty
 * loop gives the loop's own cost.  Times are the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), so preemption by other processes on a shared
 * machine does not count.  Rows, as dpbench's: kind fire,
 * state lttng, mechanism lttng_ust|lttng_rt|lttng_compiled|empty, nargs,
 * repetition numbered from --first-rep: bench/run.sh runs several
 * processes (each its own address-space layout, which moves a ratio by
 * about 1 % from one process to the next) into one file.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dynprobe.h>

#include "dpbench_lttng_tp.h"

#define NVARIANTS 4
static const int nargs_of[NVARIANTS] = { 0, 2, 6, 12 };
static const enum dynprobe_type sig12[] = {
	DYNPROBE_I64, DYNPROBE_STR, DYNPROBE_U32, DYNPROBE_I64, DYNPROBE_U64, DYNPROBE_I32,
	DYNPROBE_I8, DYNPROBE_U16, DYNPROBE_DOUBLE, DYNPROBE_STR, DYNPROBE_U8, DYNPROBE_I16,
};
static const char *const names12[] = { "a", "s", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k" };
static struct dynprobe_probe *rt[NVARIANTS], *cc[NVARIANTS];
const char *dpbl_str = "GET /index.html";

#define BARRIER() __asm__ __volatile__("" ::: "memory")
#define LOOP(fn, body)                                                          \
	static __attribute__((noinline)) void fn(uint64_t n)                    \
	{                                                                       \
		for (uint64_t i = 0; i < n; i++) {                              \
			BARRIER();                                              \
			body;                                                   \
		}                                                               \
	}
#define A2 (int64_t)i, dpbl_str
#define A6 A2, (uint32_t)i, -(int64_t)i, (uint64_t)i << 1, (int32_t)i
#define A12 A6, (int8_t)i, (uint16_t)i, (double)i * 0.5, dpbl_str, (uint8_t)i, (int16_t)i
#define UST(n, ...)                                                             \
	if (lttng_ust_tracepoint_enabled(dpbl_ust, n))                          \
	lttng_ust_do_tracepoint(dpbl_ust, n, ##__VA_ARGS__)

LOOP(loop_empty, (void)i)
LOOP(loop_ust0, UST(p0))
LOOP(loop_ust2, UST(p2, A2))
LOOP(loop_ust6, UST(p6, A6))
LOOP(loop_ust12, if (lttng_ust_tracepoint_enabled(dpbl_ust, p12)) {
	struct dpbl_a12 v = { A12 };
	lttng_ust_do_tracepoint(dpbl_ust, p12, &v);
})
LOOP(loop_rt0, DYNPROBE_FIRE(rt[0]))
LOOP(loop_rt2, DYNPROBE_FIRE(rt[1], A2))
LOOP(loop_rt6, DYNPROBE_FIRE(rt[2], A6))
LOOP(loop_rt12, DYNPROBE_FIRE(rt[3], A12))
LOOP(loop_cc0, DYNPROBE_FIRE(cc[0]))
LOOP(loop_cc2, DYNPROBE_FIRE(cc[1], A2))
LOOP(loop_cc6, DYNPROBE_FIRE(cc[2], A6))
LOOP(loop_cc12, DYNPROBE_FIRE(cc[3], A12))

struct cell {
	const char *mech;
	int variant;
	void (*loop)(uint64_t);
	uint64_t iters;
};

static struct cell cells[] = {
	{ "empty", 1, loop_empty, 0 },
	{ "lttng_ust", 0, loop_ust0, 0 }, { "lttng_ust", 1, loop_ust2, 0 },
	{ "lttng_ust", 2, loop_ust6, 0 }, { "lttng_ust", 3, loop_ust12, 0 },
	{ "lttng_rt", 0, loop_rt0, 0 }, { "lttng_rt", 1, loop_rt2, 0 },
	{ "lttng_rt", 2, loop_rt6, 0 }, { "lttng_rt", 3, loop_rt12, 0 },
	{ "lttng_compiled", 0, loop_cc0, 0 }, { "lttng_compiled", 1, loop_cc2, 0 },
	{ "lttng_compiled", 2, loop_cc6, 0 }, { "lttng_compiled", 3, loop_cc12, 0 },
};
#define NCELLS (sizeof(cells) / sizeof(cells[0]))

/* The thread's CPU time: on a shared machine, time spent preempted by
 * other processes is not the probe's cost. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int run(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int make(const char *name, unsigned int mode, struct dynprobe_probe **out)
{
	struct dynprobe_provider *p;
	char pn[8];
	int r;

	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DYNPROBE_BACKEND_LTTNG,
		      .lttng_mode = mode);
	DYNPROBE_OPTS(dynprobe_probe_opts, po, .arg_names = names12);
	r = dynprobe_provider_new(name, &o, &p);
	for (int k = 0; !r && k < NVARIANTS; k++) {
		snprintf(pn, sizeof(pn), "p%d", nargs_of[k]);
		r = dynprobe_probe_add(p, pn, sig12, (size_t)nargs_of[k], &po, &out[k]);
	}
	return r ? r : dynprobe_provider_load(p);
}

/* Iterations for about `ms` per cell, from a short calibration. */
static uint64_t calibrate(void (*loop)(uint64_t), double ms)
{
	double t0 = now_ns();

	loop(20000);
	double per = (now_ns() - t0) / 20000;
	uint64_t n = (uint64_t)(ms * 1e6 / (per > 0.05 ? per : 0.05));
	return n < 1000 ? 1000 : n;
}

/* One repetition: every cell runs in BURSTS short bursts, the cells taking
 * turns (in an order rotated per burst), so that the machine's slow and
 * fast phases fall on all of them alike; one row per cell with its mean. */
#define BURSTS 16
static void run_rep(FILE *out, int rep)
{
	double ns[NCELLS] = { 0 };

	for (int b = 0; b < BURSTS; b++) {
		for (size_t j = 0; j < NCELLS; j++) {
			size_t k = (j + (size_t)b + (size_t)rep) % NCELLS;
			double t0 = now_ns();
			cells[k].loop(cells[k].iters);
			ns[k] += (now_ns() - t0) / (double)cells[k].iters;
		}
	}
	for (size_t k = 0; k < NCELLS; k++)
		fprintf(out, "fire,lttng,%s,%d,,1,0,%d,%" PRIu64 ",%.4f,ns/call,ok,\n", cells[k].mech,
			nargs_of[cells[k].variant], rep, cells[k].iters * BURSTS, ns[k] / BURSTS);
}

static int all_enabled(void)
{
	for (int k = 0; k < NVARIANTS; k++)
		if (!dynprobe_probe_enabled(rt[k]) || !dynprobe_probe_enabled(cc[k]))
			return 0;
	return lttng_ust_tracepoint_enabled(dpbl_ust, p0) &&
	       lttng_ust_tracepoint_enabled(dpbl_ust, p12);
}

int main(int argc, char **argv)
{
	const char *csv = NULL;
	int reps = 15, first_rep = 0, c, r;
	double ms = 40;
	char cmd[512], session[64];
	FILE *out;

	while ((c = getopt_long(argc, argv, "", (struct option[]){
			{ "csv", 1, 0, 'c' }, { "reps", 1, 0, 'r' }, { "ms", 1, 0, 'm' },
			{ "first-rep", 1, 0, 'f' }, { 0 } },
			NULL)) != -1) {
		if (c == 'c') csv = optarg;
		else if (c == 'r') reps = atoi(optarg);
		else if (c == 'm') ms = atof(optarg);
		else if (c == 'f') first_rep = atoi(optarg);
		else return 2;
	}
	out = csv ? fopen(csv, "a") : stdout;
	if (!out)
		return 1;
	r = make("dpbl_rt", DYNPROBE_LTTNG_MODE_RUNTIME, rt);
	if (!r)
		r = make("dpbl_cc", DYNPROBE_LTTNG_MODE_COMPILED, cc);
	if (r) {
		for (size_t k = 0; k < NCELLS; k++)
			fprintf(out, "fire,lttng,%s,%d,,1,,,,,ns/call,na,n/a (load failed: %d)\n",
				cells[k].mech, nargs_of[cells[k].variant], r);
		return 0;
	}
	snprintf(session, sizeof(session), "dpbl%d", (int)getpid());
	snprintf(cmd, sizeof(cmd),
		 "{ lttng create %s --snapshot --output=/tmp/%s && "
		 "lttng enable-channel -u -s %s --overwrite --subbuf-size=1M --num-subbuf=4 ch && "
		 "lttng enable-event -u -s %s -c ch 'dpbl_*' && lttng start %s; } >/dev/null",
		 session, session, session, session, session);
	if (run(cmd) < 0)
		return 1;
	for (int t = 0; t < 1000 && !all_enabled(); t++)
		usleep(10000);
	for (size_t k = 0; k < NCELLS; k++)
		cells[k].iters = calibrate(cells[k].loop, ms / BURSTS);
	for (int rep = first_rep; rep < first_rep + reps; rep++)
		run_rep(out, rep);
	snprintf(cmd, sizeof(cmd), "{ lttng destroy %s; rm -rf /tmp/%s; } >/dev/null 2>&1",
		 session, session);
	run(cmd);
	if (csv)
		fclose(out);
	return 0;
}
