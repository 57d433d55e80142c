#!/usr/bin/env bash
# Threads firing survive concurrent unloads and reloads (including reloads
# that switch to a new object): objects are never dlclose()d.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session race
lttng enable-event -u 'race:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
dp_driver race 3 >"$work/out" || dp_fail "driver crashed or failed ($?)"
lttng stop >/dev/null
lttng destroy >/dev/null
n=$(babeltrace2 "$work/trace-race" 2>/dev/null | grep -c 'race:ev:')
[ "$n" -gt 0 ] || dp_fail "no event recorded"
echo "ok: $(cat "$work/out"), $n events recorded"
