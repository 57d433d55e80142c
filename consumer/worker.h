/* SPDX-License-Identifier: MIT */
/*
 * worker.h - what a reader process shares with the `dynprobe report`
 * process that watches it (worker.c), and its results' wire format
 * (serialize.c).
 *
 * A reader bumps `progress` every time the graph hands control back to
 * dynprobe code and says which input (stream file) it is reading; the
 * parent, which never links a byte of a damaged trace into its own
 * address space, can then name the file when babeltrace2 aborts or stops
 * making progress.  In the babeltrace2 plugin there is no watcher and
 * these are no-ops.
 */
#ifndef DYNPROBE_CONSUMER_WORKER_H
#define DYNPROBE_CONSUMER_WORKER_H

#include <stdio.h>

#include "report.h"

#define DP_WATCH_NAMES 128
#define DP_WATCH_NAME_LEN 512

struct dp_watch {
	uint64_t progress;
	int32_t current;		 /* input being read; -1: opening a trace */
	char opening[DP_WATCH_NAME_LEN]; /* the trace being opened */
	char names[DP_WATCH_NAMES][DP_WATCH_NAME_LEN];
};

static inline void dp_watch_progress(struct dp_report *r)
{
	if (r->watch)
		__atomic_add_fetch(&((struct dp_watch *)r->watch)->progress, 1, __ATOMIC_RELAXED);
}

static inline void dp_watch_at(struct dp_report *r, unsigned input)
{
	if (r->watch)
		__atomic_store_n(&((struct dp_watch *)r->watch)->current, (int32_t)input,
				 __ATOMIC_RELAXED);
}

void dp_watch_name(struct dp_report *r, unsigned input, const char *name);
void dp_watch_opening(struct dp_report *r, const char *trace);

/* A reader's results, written to `f` when it is done; the parent adds
 * them up (dp_report_load). 0, or -1. */
int dp_report_save(const struct dp_report *r, FILE *f);
int dp_report_load(struct dp_report *r, FILE *f);

#endif
