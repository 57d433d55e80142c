/* SPDX-License-Identifier: MIT */
/*
 * plugin.c - the babeltrace2 plugin `dynprobe` with the sink component
 * class `report`, for people who build their own graphs:
 *
 *   babeltrace2 --plugin-path DIR TRACE -c sink.dynprobe.report \
 *       -p 'event="app:req",field="arg1",by="arg0",agg="count,p99,hist"'
 *
 * Parameters (strings unless noted), the CLI's long options: event (glob,
 * default "*"), field, by (comma-separated keys), filter (a bpftrace
 * predicate), agg, format ("text", "json", "csv"), svg (file), output
 * (file, default stdout), max-keys (integer), interval (a duration: one
 * aggregate per interval of trace time, printed as each closes), begin and
 * end (trace-time range), pair ("START,END") and key (default "vtid"),
 * top (integer), sort, descending (bool).  The same sink code as `dynprobe
 * report` (component.c); this file only declares the plugin.
 */
#include "report.h"

#include <string.h>

BT_PLUGIN_MODULE();
BT_PLUGIN(dynprobe);
BT_PLUGIN_DESCRIPTION("dynprobe: aggregate LTTng events like bpftrace (count, hist, lhist, percentiles)");
BT_PLUGIN_LICENSE("MIT");
BT_PLUGIN_SINK_COMPONENT_CLASS(report, dp_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(
    report, "Aggregate events like bpftrace (count, sum, min, max, mean, p50/p90/p99/p99.9, "
	    "hist, lhist), by several keys, filtered, per interval of trace time, or the "
	    "latency between paired events; prints when the input ends.");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(
    report, "Parameters: event=GLOB field=NAME by=KEY[,KEY...] filter='PREDICATE' "
	    "agg='count,sum,min,max,mean,p50,p90,p99,p99.9,hist,lhist(MIN,MAX,STEP)' "
	    "format=text|json|csv svg=FILE output=FILE max-keys=N interval=DURATION "
	    "begin=TIME end=TIME pair=START,END key=FIELD[,FIELD...] top=N "
	    "sort=count|key|AGG descending=true|false. "
	    "Percentiles are within 0.39 % of the exact nearest-rank value.");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(report, dp_sink_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(report, dp_sink_graph_is_configured);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(report, dp_sink_finalize);
