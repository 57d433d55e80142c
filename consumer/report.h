/* SPDX-License-Identifier: MIT */
/*
 * report.h - the consumer behind `dynprobe report` and sink.dynprobe.report.
 *
 * A `struct dp_report` is a complete query (event glob, value field,
 * group-by, filter, aggregations) plus its running results.  The sink
 * component (sink.c) feeds it from babeltrace2 messages; graph.c builds the
 * source.ctf.fs / source.ctf.lttng-live -> filter.utils.muxer -> sink graph
 * and runs it; output.c and svg.c print it.  The CLI (tools/cmd_report.c)
 * and the babeltrace2 plugin (plugin.c) are thin front ends over this.
 */
#ifndef DYNPROBE_CONSUMER_REPORT_H
#define DYNPROBE_CONSUMER_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <babeltrace2/babeltrace.h>

#include "agg.h"

enum dp_format { DP_FORMAT_TEXT, DP_FORMAT_JSON, DP_FORMAT_CSV };

/* What the user asked for; strings are copied by dp_report_new(). */
struct dp_report_config {
	const char *event;        /* event name or glob; NULL = "*" */
	const char *field;        /* numeric field; NULL for count only */
	const char *group_by;     /* string or integer field, or NULL */
	const char *filter;       /* "FIELD OP VALUE", or NULL */
	const char *aggs;         /* dp_agg_parse() syntax; NULL = default */
	size_t max_keys;          /* 0 = DP_DEFAULT_MAX_KEYS */
	enum dp_format format;
	const char *svg_path;     /* also write an SVG histogram, or NULL */
	const char *live_url;     /* net://HOST/host/HOSTNAME/SESSION, or NULL */
	double interval;          /* live refresh period in seconds (0 = 1) */
	const char *const *inputs; /* trace directories (searched recursively) */
	size_t ninputs;
};

enum { DP_SCOPE_NONE, DP_SCOPE_PAYLOAD, DP_SCOPE_SPEC_CTX, DP_SCOPE_COMMON_CTX };
enum { DP_FK_NONE, DP_FK_UINT, DP_FK_INT, DP_FK_F64, DP_FK_F32, DP_FK_STR, DP_FK_BOOL,
       DP_FK_OTHER };
enum { DP_OP_EQ, DP_OP_NE, DP_OP_LT, DP_OP_LE, DP_OP_GT, DP_OP_GE };

/* Where a field lives in events of one class: resolved once per class. */
struct dp_fieldref {
	uint8_t scope;            /* DP_SCOPE_* */
	uint8_t kind;             /* DP_FK_* */
	uint32_t index;           /* member index in that scope's structure */
};

/* Per event class: does it take part, and where are its fields. */
struct dp_ec {
	const void *ec;           /* const bt_event_class *, the cache key */
	int use;
	struct dp_fieldref val, key, filt;
};

struct dp_filter {
	char *field;
	int op;                   /* DP_OP_* */
	char *text;               /* the value as written (string compare) */
	int is_num, is_int;       /* the value parses as a number / an integer */
	__int128 i;
	double d;
};

struct dp_report {
	struct dp_report_config cfg;  /* strings owned below */
	char *event, *field, *group_by, *filter_text, *aggs_text, *svg_path, *live_url;
	char **inputs;
	struct dp_agg_spec spec;
	struct dp_filter filter;
	struct dp_table table;
	struct dp_group *single;      /* the group when there is no group-by */

	/* Event-class cache: open addressing keyed by class pointer. */
	struct dp_ec *ecs;
	size_t necs, ecs_cap;
	const void *last_ec;
	struct dp_ec *last;

	/* Counters, all printed in every format. */
	uint64_t events_read, events_matched, events_filtered;
	uint64_t discarded_events, discarded_events_msgs, discarded_events_unknown;
	uint64_t discarded_packets, discarded_packets_msgs, discarded_packets_unknown;
	uint64_t streams_begun, streams_ended;
	uint64_t classes_matched, classes_used, classes_without_field;
	uint64_t empty_stream_files, traces_without_streams;
	char **traces;                /* trace directories found */
	char **shadows;               /* per trace: symlink mirror minus bad files, or NULL */
	unsigned *groups;             /* per trace: source component (same UUID, same one) */
	unsigned ngroups;
	size_t ntraces;
	char *skipped[8];             /* unreadable stream files (first 8) */
	uint64_t nskipped;
	int ended, interrupted, live;
	char incomplete_reason[512];  /* reading stopped early: why */

	/* Diagnostics for "unknown event" / "unknown field". */
	char known_events[512];
	char known_fields[512];
	const char *missing_field;

	char errmsg[512];             /* first fatal error, one line */
	FILE *out;                    /* plugin mode: where to print */
	int owned_by_sink;
};

struct dp_report *dp_report_new(const struct dp_report_config *cfg, char *err, size_t errlen);
struct dp_report *dp_report_free(struct dp_report *r);

/* Sink side (sink.c). */
int dp_report_process(struct dp_report *r, const bt_message *const *msgs, uint64_t n);
/* After the graph ended: unknown event / field / nothing matched -> -1. */
int dp_report_check_end(struct dp_report *r);
/* A new reference to the component class the CLI instantiates. */
bt_component_class_sink *dp_sink_class_create(void);

/* Traces under cfg.inputs (discover.c); -1 with errmsg set. */
int dp_discover_traces(struct dp_report *r);
/* A stream file source.ctf.fs cannot index: read its trace without it
 * (through a mirror directory) and report it.  -1 if it cannot. */
int dp_exclude_stream_file(struct dp_report *r, const char *path);
void dp_remove_shadows(struct dp_report *r);

/* Graph (graph.c): files or live; prints live refreshes to `out`. */
int dp_report_run(struct dp_report *r, FILE *out);

/* Output (output.c, svg.c). */
int dp_report_print(struct dp_report *r, FILE *out);
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
