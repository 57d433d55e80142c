/* SPDX-License-Identifier: MIT */
/*
 * timefmt.h - durations (--interval) and points in trace time
 * (--begin/--end), parsed once; timestamps printed like babeltrace2.
 *
 * Trace time is nanoseconds from the clock's origin, which for LTTng's
 * clocks is the Unix epoch.  A point is written as
 *
 *   1733333333.25              seconds since the epoch (as babeltrace2's trimmer)
 *   2026-12-04 17:36:32.5      local date and time ('T' instead of the space, and a
 *                              trailing 'Z' for UTC, both accepted)
 *   17:36:32.5                 time of day, on the date of the first event
 *   +2.5s, +500ms              after the first event
 *
 * and a duration as a number with a unit (ns us ms s m h; a bare number is
 * seconds).  Points relative to the first event or its date are resolved
 * when that event is read.
 */
#ifndef DYNPROBE_CONSUMER_TIMEFMT_H
#define DYNPROBE_CONSUMER_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

enum { DP_TIME_NONE, DP_TIME_ABS, DP_TIME_TOD, DP_TIME_REL };

struct dp_time {
	int kind;   /* DP_TIME_* */
	int64_t ns; /* ABS: since the epoch; TOD: since local midnight; REL: offset */
	int utc;    /* TOD written with a trailing Z */
};

/* 0, or -1 with a message naming the text. */
int dp_parse_duration(const char *text, uint64_t *ret_ns, char *err, size_t errlen);
int dp_parse_time(const char *text, struct dp_time *t, char *err, size_t errlen);
/* The point in ns from the epoch, given the first event's timestamp. */
int64_t dp_time_resolve(const struct dp_time *t, int64_t first_ns);
/* "17:36:32.636984030" (local time of day) into buf. */
void dp_format_tod(char *buf, size_t len, int64_t ns);
/* "1s", "250ms", "1.5s": a duration as short as it is exact. */
void dp_format_duration(char *buf, size_t len, uint64_t ns);

#endif
