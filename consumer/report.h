/* SPDX-License-Identifier: MIT */
/*
 * report.h - the consumer behind `dynprobe report` and sink.dynprobe.report.
 *
 * A `struct dp_report` is a complete query (event glob or START,END pair,
 * value field, group-by keys, filter, time range and interval,
 * aggregations, sort and top N) plus its running results.  The sink
 * component (component.c) pulls messages from its inputs, merging them in
 * time order when the query needs time, and hands each one to sink.c;
 * graph.c builds the source.ctf.fs / source.ctf.lttng-live -> sink graph
 * and runs it; worker.c runs graphs in child processes (a watchdog, and
 * several readers in parallel) for the CLI; output.c, output_data.c and
 * svg.c print.  The CLI (tools/cmd_report.c) and the babeltrace2 plugin
 * (plugin.c, params.c) are thin front ends over this.
 */
#ifndef DYNPROBE_CONSUMER_REPORT_H
#define DYNPROBE_CONSUMER_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <babeltrace2/babeltrace.h>

#include "agg.h"
#include "expr.h"
#include "timefmt.h"

enum dp_format { DP_FORMAT_TEXT, DP_FORMAT_JSON, DP_FORMAT_CSV };

/* What the user asked for; strings are copied by dp_report_new(). */
struct dp_report_config {
	const char *event;        /* event name or glob; NULL = "*" */
	const char *field;        /* numeric field; NULL for count only */
	const char *group_by;	  /* comma-separated keys, or NULL */
	const char *filter;	  /* predicate (expr.h), or NULL */
	const char *aggs;         /* dp_agg_parse() syntax; NULL = default */
	size_t max_keys;          /* 0 = DP_DEFAULT_MAX_KEYS */
	enum dp_format format;
	const char *svg_path;     /* also write an SVG histogram, or NULL */
	const char *live_url;     /* net://HOST/host/HOSTNAME/SESSION, or NULL */
	double refresh;		  /* live: seconds between running totals (0 = 1) */
	const char *interval;	  /* one aggregate per DURATION of trace time, or NULL */
	const char *begin, *end;  /* trace-time range (timefmt.h), or NULL */
	const char *pair;	  /* "START,END": aggregate END - START durations */
	const char *pair_key;	  /* fields pairing them; NULL = "vtid" */
	size_t top;		  /* keep the N greatest groups; 0 = all */
	const char *sort;	  /* "count" (default), "key", or an aggregation */
	int descending;
	unsigned jobs;		   /* CLI: reader processes; 0 = one per CPU when it pays */
	double watchdog;	   /* CLI: seconds without progress before giving up; 0 = 30 */
	const char *const *inputs; /* trace directories (searched recursively) */
	size_t ninputs;
};

enum {
	DP_SCOPE_NONE,
	DP_SCOPE_PAYLOAD,
	DP_SCOPE_SPEC_CTX,
	DP_SCOPE_COMMON_CTX,
	DP_SCOPE_PACKET_CTX,
	DP_SCOPE_EVENT_NAME
};
enum { DP_ROLE_AGG = 1, DP_ROLE_START = 2, DP_ROLE_END = 4 };
enum { DP_SORT_COUNT, DP_SORT_KEY, DP_SORT_AGG };

/* Where a field lives in events of one class: resolved once per class. */
struct dp_fieldref {
	uint8_t scope;            /* DP_SCOPE_* */
	uint8_t kind;             /* DP_FK_* */
	uint32_t index;           /* member index in that scope's structure */
};

/* Per event class: does it take part, as what, and where are its fields. */
struct dp_ec {
	const void *ec;           /* const bt_event_class *, the cache key */
	uint8_t use;		  /* DP_ROLE_* bits; 0 = not read */
	uint8_t has_clock;	  /* its events carry a timestamp */
	const char *name;
	struct dp_fieldref ref[DP_MAX_SLOTS];
};

/* Per stream: the timestamp checks, and its name (a file) for messages. */
struct dp_stream {
	const void *stream; /* const bt_stream *, the cache key */
	char *name;
	uint64_t last, pkt_begin; /* raw clock values */
	uint64_t events, bad_ts;
	int have_last, in_packet;
};

/* Counters: added up when parallel readers' results are merged. */
struct dp_counters {
	uint64_t events_read, events_matched, events_filtered, events_outside;
	uint64_t discarded_events, discarded_events_msgs, discarded_events_unknown;
	uint64_t discarded_packets, discarded_packets_msgs, discarded_packets_unknown;
	uint64_t streams_begun, streams_ended, streams_failed;
	uint64_t pairs, unmatched_starts, unmatched_ends, open_starts, pending_dropped;
	uint64_t bad_timestamps, keys_cut, skipped_files;
};
#define DP_NCOUNTERS (sizeof(struct dp_counters) / sizeof(uint64_t))

#define DP_MAX_REPORT_NOTES 12

struct dp_pending;

/* One CTF trace (a directory holding `metadata`) and its stream files. */
struct dp_trace {
	char *dir;	/* as found under the user's input */
	char *shadow;	/* a mirror directory to read instead, or NULL */
	int own_shadow; /* this process made it (and removes it) */
	unsigned group; /* source component: same UUID, same one */
	int skip;	/* not read: damaged metadata, or another reader's */
	char **files;	/* data stream file names, and their sizes */
	uint64_t *sizes;
	size_t nfiles;
};

struct dp_report {
	struct dp_report_config cfg;  /* strings owned below */
	char *event, *field, *group_by, *filter_text, *aggs_text, *svg_path, *live_url;
	char *interval_text, *begin_text, *end_text, *pair_text, *pair_key_text, *sort_text;
	char *pair_start, *pair_end; /* the two globs of --pair */
	char **inputs;
	struct dp_agg_spec spec;
	struct dp_fieldset fields; /* every name the query uses */
	int val_slot;		   /* --field's slot, or -1 */
	int key_slot[DP_MAX_KEYS]; /* --by */
	unsigned nkeys;
	int pair_slot[DP_MAX_KEYS]; /* --key */
	unsigned npair;
	struct dp_expr filter;
	int sort_by; /* DP_SORT_*; sort_agg for DP_SORT_AGG */
	unsigned sort_agg;
	struct dp_table table;
	struct dp_keybuf keybuf;
	struct dp_pending *pending; /* --pair: open starts */

	/* Time: --begin/--end/--interval need events in time order. */
	int ordered; /* merge inputs by time */
	struct dp_time begin, end;
	uint64_t interval_ns;
	int time_started; /* the first timestamp was seen */
	int in_range;	  /* ...and one at or after --begin */
	int64_t first_ns, begin_ns, end_ns;
	int64_t ivl_begin, ivl_end; /* the current interval */
	uint64_t ivl_span;	    /* intervals it covers (> 1: folded empty ones) */
	uint64_t nintervals;
	struct dp_counters ivl_base; /* counters when the interval began */
	int stop;		     /* past --end: stop reading */

	/* Event-class and stream caches: open addressing keyed by pointer. */
	struct dp_ec *ecs;
	size_t necs, ecs_cap;
	const void *last_ec;
	struct dp_ec *last;
	struct dp_stream *streams;
	size_t nstreams, streams_cap;
	const void *last_stream_key;
	struct dp_stream *last_stream;

	struct dp_counters c; /* printed in every format */
	uint64_t classes_matched, classes_used, classes_without_field;
	uint64_t empty_stream_files, traces_without_streams;
	struct dp_trace *tr; /* trace directories found */
	size_t ntraces;
	unsigned ngroups;
	char *notes[DP_MAX_REPORT_NOTES]; /* damaged files and the like, for every format */
	size_t nnotes;
	uint64_t notes_dropped;
	int ended, interrupted, live;
	int header_printed;	      /* --interval: the query line (text), CSV header */
	char incomplete_reason[512];  /* reading stopped early: why */

	/* Diagnostics for "unknown event" / "unknown field". */
	char known_events[512];
	char known_fields[512];
	const char *missing_field;

	char errmsg[512];             /* first fatal error, one line */
	FILE *out;		      /* where reports go */
	int owned_by_sink;
	unsigned ninput_ports;	     /* CLI: one sink input per source output port */
	volatile uint64_t *progress; /* CLI worker: bumped as reading progresses */
	void *watch;		     /* CLI worker: struct dp_watch (worker.c) */
};

struct dp_report *dp_report_new(const struct dp_report_config *cfg, char *err, size_t errlen);
struct dp_report *dp_report_free(struct dp_report *r);
/* A note (a damaged file, a failed stream...) shown as a warning in every format. */
void dp_report_note(struct dp_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sink side (sink.c): one message, already in time order when r->ordered. */
int dp_report_message(struct dp_report *r, const bt_message *m, int64_t ns, int has_ns);
/* The input ended (or failed): print what is pending (last interval). */
int dp_report_finish(struct dp_report *r);
/* After the graph ended: unknown event / field / nothing matched -> -1. */
int dp_report_check_end(struct dp_report *r);
/* A new reference to the component class the CLI instantiates. */
bt_component_class_sink *dp_sink_class_create(void);
/* Append `name` to a ", "-separated list unless already there. */
void dp_name_list_add(char *list, size_t len, const char *name);
/* Name of a file for messages: mirror directories mapped back. */
void dp_report_display_path(const struct dp_report *r, const char *path, char *buf, size_t len);

/* Traces under cfg.inputs (discover.c); -1 with errmsg set. */
int dp_discover_traces(struct dp_report *r);
/* A stream file source.ctf.fs cannot index: read its trace without it
 * (through a mirror directory) and report it.  -1 if it cannot. */
int dp_exclude_stream_file(struct dp_report *r, const char *path);
void dp_remove_shadows(struct dp_report *r);
/* A mirror of `dir` (symlinks) holding only the files keep() accepts;
 * names in index/ are passed as "index/NAME". */
char *dp_make_mirror(const char *dir, int (*keep)(const char *name, void *arg), void *arg);
void dp_remove_mirror(const char *dir);

/* Graph (graph.c): files or live; prints live refreshes to `out`. */
int dp_report_run(struct dp_report *r, FILE *out);
/* The CLI: discovery, reader processes under a watchdog, output. Exit status. */
int dp_report_main(struct dp_report *r);

/* Output (output.c, svg.c). */
int dp_report_print(struct dp_report *r, FILE *out);
int dp_report_print_interval(struct dp_report *r, FILE *out);
int dp_report_write_svg(struct dp_report *r, const char *path);

/* Sink callbacks, shared with the plugin's descriptors. */
bt_component_class_initialize_method_status
dp_sink_init(bt_self_component_sink *self, bt_self_component_sink_configuration *conf,
	     const bt_value *params, void *init_data);
bt_component_class_sink_graph_is_configured_method_status
dp_sink_graph_is_configured(bt_self_component_sink *self);
bt_component_class_sink_consume_method_status dp_sink_consume(bt_self_component_sink *self);
void dp_sink_finalize(bt_self_component_sink *self);

/* Plugin parameters -> config (plugin.c); NULL-safe on error. */
struct dp_report *dp_report_from_params(const bt_value *params, char *err, size_t errlen);

#endif
