#!/usr/bin/env bash
# Discarded events are reported, never hidden: tiny sub-buffers in discard
# mode, a flood, then `lttng stop` and babeltrace2 both say so.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session disc
lttng enable-channel -u --discard --subbuf-size=4096 --num-subbuf=2 small >/dev/null ||
	dp_fail "enable-channel"
lttng enable-event -u -c small 'flood:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
dp_driver flood 300000 || dp_fail "driver failed"
lttng stop >"$work/stop" 2>&1
lttng destroy >/dev/null
grep -qi 'discarded' "$work/stop" || dp_fail "lttng stop reported no discarded events: $(cat "$work/stop")"
babeltrace2 "$work/trace-disc" >"$work/bt" 2>"$work/bt.err"
grep -qi 'discarded' "$work/bt" "$work/bt.err" || dp_fail "babeltrace2 reported no discarded events"
n=$(grep -c 'flood:ev' "$work/bt")
[ "$n" -gt 0 ] || dp_fail "no event recorded at all"
echo "ok: $n recorded; $(grep -i -m1 discarded "$work/stop")"
