/* SPDX-License-Identifier: MIT */
/*
 * plugin.c - the babeltrace2 plugin `dynprobe` with the sink component
 * class `report`, for people who build their own graphs:
 *
 *   babeltrace2 --plugin-path DIR TRACE -c sink.dynprobe.report \
 *       -p 'event="app:req",field="arg1",by="arg0",agg="count,p99,hist"'
 *
 * Parameters (all strings unless noted): event (glob, default "*"), field,
 * by (group-by field), filter ("FIELD OP VALUE"), agg (as --agg),
 * format ("text", "json", "csv"), svg (file), output (file, default
 * stdout), max-keys (integer).  The same sink code as `dynprobe report`
 * (component.c); this file only maps parameters and declares the plugin.
 */
#include "report.h"

#include <string.h>

BT_PLUGIN_MODULE();
BT_PLUGIN(dynprobe);
BT_PLUGIN_DESCRIPTION("dynprobe: aggregate LTTng events like bpftrace (count, hist, lhist, percentiles)");
BT_PLUGIN_LICENSE("MIT");
BT_PLUGIN_SINK_COMPONENT_CLASS(report, dp_sink_consume);
BT_PLUGIN_SINK_COMPONENT_CLASS_DESCRIPTION(report,
	"Aggregate one numeric event field (count, sum, min, max, mean, p50/p90/p99/p99.9, "
	"hist, lhist), optionally grouped and filtered; prints when the input ends.");
BT_PLUGIN_SINK_COMPONENT_CLASS_HELP(report,
	"Parameters: event=GLOB field=NAME by=NAME filter='FIELD OP VALUE' "
	"agg='count,sum,min,max,mean,p50,p90,p99,p99.9,hist,lhist(MIN,MAX,STEP)' "
	"format=text|json|csv svg=FILE output=FILE max-keys=N. "
	"Percentiles are within 0.39 % of the exact nearest-rank value.");
BT_PLUGIN_SINK_COMPONENT_CLASS_INITIALIZE_METHOD(report, dp_sink_init);
BT_PLUGIN_SINK_COMPONENT_CLASS_GRAPH_IS_CONFIGURED_METHOD(report, dp_sink_graph_is_configured);
BT_PLUGIN_SINK_COMPONENT_CLASS_FINALIZE_METHOD(report, dp_sink_finalize);
