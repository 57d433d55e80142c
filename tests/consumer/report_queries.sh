#!/usr/bin/env bash
# report_queries.sh - every question of issue 18 asked of one recorded
# trace and checked against answers computed independently: two probes
# (dpgen:req, dpgen:tick), two processes with different names pinned to
# the two CPUs, two threads each, recorded with
# `lttng add-context -u -t vpid -t vtid -t procname`.  report_queries.py
# parses babeltrace2's text output of the same trace and computes each
# answer itself (grouping, filters, intervals, time range, pairs, top N,
# sort order, key cap, percentiles), then compares with `dynprobe report`
# (text, JSON lines, CSV, SVG) and with sink.dynprobe.report.
set -u
. "$(dirname "$0")/report_common.sh"

command -v python3 >/dev/null || dp_skip "python3 not installed"
[ "$(nproc)" -ge 2 ] || dp_skip "needs two CPUs (events from both)"

# A second name for the generator: its threads record procname "gen_other".
ln -s "$(readlink -f "$GEN")" "$WORK/gen_other" || dp_fail "symlink"
lttng create q --output="$WORK/q" >/dev/null || dp_fail "lttng create"
# Small sub-buffers: many packets per stream, as in long recordings.
lttng enable-channel -u --subbuf-size=16384 --num-subbuf=64 ch >/dev/null ||
	dp_fail "enable-channel"
lttng enable-event -u -c ch 'dpgen:*' >/dev/null || dp_fail "enable-event"
lttng add-context -u -c ch -t vpid -t vtid -t procname >/dev/null || dp_fail "add-context"
lttng start >/dev/null || dp_fail "start"
taskset -c 0 "$GEN" 3000 21 - 2 5 &
a=$!
taskset -c 1 "$WORK/gen_other" 2000 22 - 2 5 &
b=$!
wait "$a" || dp_fail "generator on CPU 0"
wait "$b" || dp_fail "generator on CPU 1"
lttng stop >/dev/null || dp_fail "stop"
lttng destroy q >/dev/null || dp_fail "destroy"

TZ=UTC python3 "$here/report_queries.py" "$DYNPROBE" "$WORK/q" "$PLUGIN_DIR" "$WORK" ||
	dp_fail "report_queries.py"
echo "PASS"
