#!/usr/bin/env bash
# Providers created, loaded and freed in a loop (plugin reloads, test
# suites) keep a bounded footprint: no address space or memory kept per
# freed provider.  A thread keeps firing through the newest handle while
# it is freed under it and its memory reused by the next provider: nothing
# crashes, and the trace decodes with exactly the main thread's events (the
# session's filter drops the racing thread's, which keeps the trace small
# while every racing fire still runs the filter).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work
cycles=${DP_TEST_CYCLES:-4000}

dp_session cy
lttng enable-event -u 'cy:*' --filter 'arg1 == "main"' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
DP_MAPS_OUT=$work/maps dp_driver cycles "$cycles" >"$work/out" 2>&1 || dp_fail "driver failed: $(tail -3 "$work/out")"
lttng stop >/dev/null
lttng destroy >/dev/null
# From the half-way point: by then every thread has its malloc arena (64 MiB
# of address space each, reserved on a thread's first allocation; the
# driver's firing thread makes its own when it starts, lttng-ust's threads
# when liblttng-ust is loaded at the first cycle).
read -r _ c1 vsz1 rss1 < <(grep "^mem $((cycles / 2)) " "$work/out")
read -r _ c2 vsz2 rss2 < <(grep "^mem $cycles " "$work/out")
[ -n "${vsz1:-}" ] && [ -n "${vsz2:-}" ] || dp_fail "driver output: $(cat "$work/out")"
grow_vsz=$((vsz2 - vsz1)) grow_rss=$((rss2 - rss1))
echo "after cycle $c1: ${vsz1} KiB address space, ${rss1} KiB resident; after $c2: +${grow_vsz} / +${grow_rss} KiB"
# What changed between the two points, for a failure's message.
maps_diff() { diff "$work/maps.$c1" "$work/maps.$c2" | grep '^[<>]' | head -40; }
# 1 MiB per freed provider would be gigabytes here; allow allocator noise.
# (Under ASan freed memory is held in its quarantine: the bound is checked
# by the ordinary build.)
if grep -q '^sanitized' "$work/out"; then
	echo "note: ASan build: memory bounds not checked (quarantine)"
else
	[ $grow_vsz -lt 8192 ] || dp_fail "address space grew by $grow_vsz KiB over $((c2 - c1)) cycles: $(maps_diff)"
	[ $grow_rss -lt 4096 ] || dp_fail "resident memory grew by $grow_rss KiB over $((c2 - c1)) cycles"
fi
babeltrace2 "$work/trace-cy" >/dev/null 2>"$work/bt.err" || dp_fail "trace does not decode: $(head -3 "$work/bt.err")"
dp_bt cy >"$work/bt"
n=$(grep -c 'cy:ev: ' "$work/bt")
[ "$(grep -c 'arg1 = "main"' "$work/bt")" = "$cycles" ] || dp_fail "main thread's events: $(grep -c '"main"' "$work/bt") of $cycles"
[ "$(seq 1 "$cycles" | awk '{ print "cy:ev: { arg0 = " $1 ", arg1 = \"main\" }" }')" = "$(cat "$work/bt")" ] ||
	dp_fail "recorded events differ: $(head -3 "$work/bt")"
echo "ok: $cycles cycles, bounded memory, $n events decoded, racing fires harmless"
