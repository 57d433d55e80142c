/* SPDX-License-Identifier: MIT */
/*
 * dpbench.h - shared declarations of the fire-cost benchmark (dpbench).
 *
 * dpbench measures, in one process and one run, what a probe call site costs
 * for every mechanism side by side: an empty loop, a sys/sdt.h probe with a
 * semaphore, a compiled-in lttng-ust tracepoint, dynprobe on USDT, LTTng and
 * both, a libstapsdt-style stub, and fprintf logging.  The pieces:
 *
 *   dpbench_mech.c      the mechanisms: probe definitions and the timed loops
 *   dpbench_stapsdt.c   the real libstapsdt, when $DPBENCH_LIBSTAPSDT names it
 *   dpbench_tracers.c   starting/stopping bpftrace and the lttng session and
 *                       waiting until the process sees them attached
 *   dpbench.c           the matrix: states x mechanisms x args x threads x
 *                       repetitions, calibration, pinning, CSV output
 *
 * Every loop function runs `n` iterations of one call site and returns
 * nothing: the caller times it with CLOCK_MONOTONIC.  A cell that cannot run
 * carries a reason string and is written to the CSV as an explicit "na" row.
 */
#ifndef DPBENCH_H
#define DPBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DPB_NARGS_VARIANTS 3 /* 0, 2 and 6 arguments */
#define DPB_REASON_LEN 256

typedef void (*dpb_loop_fn)(uint64_t n);

enum dpb_mech {
	DPB_EMPTY,
	DPB_SDT,        /* sys/sdt.h STAP_PROBEn guarded by its semaphore */
	DPB_UST,        /* static lttng-ust tracepoint, tracepoint_enabled guard */
	DPB_DP_USDT,    /* DYNPROBE_FIRE, provider on USDT */
	DPB_DP_LTTNG,   /* DYNPROBE_FIRE, provider on LTTng */
	DPB_DP_BOTH,    /* DYNPROBE_FIRE, provider on both */
	DPB_LSDT_GUARD, /* libstapsdt style: 0xCC peek, then variadic fire */
	DPB_LSDT_FIRE,  /* libstapsdt style: unguarded variadic fire */
	DPB_FPRINTF,    /* fprintf of the same fields to a file */
	DPB_DP_ONE,     /* scaling: provider with 1 probe (2 args only) */
	DPB_DP_MANY,    /* scaling: provider with 10,000 probes (2 args only) */
	DPB_DP_USDT_SITE,  /* DYNPROBE_FIRE on a static dynprobe_site, USDT (2 args) */
	DPB_DP_LTTNG_SITE, /* the same, LTTng (2 args) */
	DPB_STAPSDT_GUARD, /* the real libstapsdt: probeIsEnabled(), then probeFire() */
	DPB_STAPSDT_FIRE,  /* the real libstapsdt: unguarded probeFire() */
	DPB_MECH_MAX
};

/* The timed loops: see the comment atop dpbench_mech.c. */
#define DPB_BARRIER() __asm__ __volatile__("" ::: "memory")
#define DPB_CALL(m, ...) m(__VA_ARGS__)
#define DPB_A2 (int64_t)i, dpb_str
#define DPB_A6 (int64_t)i, dpb_str, (uint32_t)i, -(int64_t)i, (uint64_t)i << 1, (int32_t)i
#define DPB_U2 (uint64_t)i, (uint64_t)(uintptr_t)dpb_str
#define DPB_U6 DPB_U2, (uint64_t)(uint32_t)i, (uint64_t)-(int64_t)i, (uint64_t)i << 1, \
	(uint64_t)(int64_t)(int32_t)i
#define DPB_LOOP(fn, body)                                                    \
	static __attribute__((noinline)) void fn(uint64_t n)                  \
	{                                                                     \
		for (uint64_t i = 0; i < n; i++) {                            \
			DPB_BARRIER();                                        \
			body;                                                 \
		}                                                             \
	}
extern const char *dpb_str;

struct dpb_mech_info {
	const char *name;
	const char *what;               /* one line for the report */
	dpb_loop_fn loop[DPB_NARGS_VARIANTS];
	char na[DPB_REASON_LEN];        /* non-empty: the cell cannot run */
};

extern struct dpb_mech_info dpb_mechs[DPB_MECH_MAX];
extern const int dpb_nargs[DPB_NARGS_VARIANTS];

/* dpbench_mech.c */
struct dpb_mech_opts {
	const char *cache_dir;   /* LTTng provider cache of this run */
	const char *log_path;    /* file the fprintf baseline writes */
	bool quick;
};
void dpb_mech_init(const struct dpb_mech_opts *opts);
void dpb_mech_before_run(enum dpb_mech m); /* e.g. truncate the log */
void dpb_mech_fini(void);
/* Process-side view of tracers, for waiting on conditions. */
int dpb_usdt_attached(void);  /* how many watched USDT sites are traced */
int dpb_usdt_watched(void);
int dpb_lttng_enabled(void);  /* how many watched LTTng events are enabled */
int dpb_lttng_watched(void);
/* Append the USDT probe specs (usdt:PATH:prov:probe) bpftrace attaches to,
 * comma-separated. */
int dpb_usdt_targets(char *buf, size_t len, int pid);
/* Event patterns the lttng session enables, NULL-terminated. */
const char *const *dpb_lttng_patterns(void);

/* dpbench_stapsdt.c: the real libstapsdt, dlopen()ed from
 * $DPBENCH_LIBSTAPSDT; without it both cells are n/a with the reason. */
void dpb_stapsdt_init(void);
int dpb_stapsdt_scan(int *watched);  /* attached probes; adds to *watched */
const char *dpb_stapsdt_object(void); /* the provider's ELF file, or "" */

/* dpbench_tracers.c */
struct dpb_tracer {
	const char *log_dir;  /* bpftrace.log and lttng.log go here */
	int bpftrace_pid;     /* > 0 while our bpftrace runs */
	int bpftrace_out;     /* its stdout+stderr (a pipe) */
	FILE *bpftrace_log;
	bool lttng_session;   /* our session exists */
	char session[64];
};
int dpb_bpftrace_start(struct dpb_tracer *t, char *why, size_t len);
int dpb_bpftrace_stop(struct dpb_tracer *t, char *why, size_t len);
int dpb_lttng_start(struct dpb_tracer *t, char *why, size_t len);
int dpb_lttng_stop(struct dpb_tracer *t, char *why, size_t len);
/* Poll cond() until it returns true or timeout_ms passes; 0 or -ETIMEDOUT. */
int dpb_wait_until(bool (*cond)(void), int timeout_ms);
/* Whether the lttng states may run: only next to our private session
 * daemon (tests/lib/lttng-private.sh), never a daemon already running. */
bool dpb_lttng_private(char *why, size_t len);
uint64_t dpb_now_ns(void);

#endif /* DPBENCH_H */
