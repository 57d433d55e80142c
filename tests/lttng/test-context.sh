#!/usr/bin/env bash
# Context fields (`lttng add-context -u -t vtid -t procname -t ip`) are
# recorded with the provider's events, next to the exact payload.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session ctx
lttng enable-event -u 'flt:*' >/dev/null || dp_fail "enable-event"
lttng add-context -u -t vtid -t procname -t vpid >/dev/null || dp_fail "add-context"
lttng start >/dev/null
dp_driver filter >"$work/out" 2>&1 || dp_fail "driver failed: $(cat "$work/out")"
lttng stop >/dev/null
lttng destroy >/dev/null
dp_bt ctx >"$work/bt"
[ "$(grep -c '^flt:ev: { vtid = [0-9]*, procname = "lttng-driver", vpid = [0-9]* }, { n = ' "$work/bt")" = 10 ] ||
	dp_fail "context fields: $(head -3 "$work/bt")"
grep -qF '{ n = 7, s = "odd", u = 7696581394432, d = 1.75 }' "$work/bt" || dp_fail "payload: $(sed -n 8p "$work/bt")"
echo "ok: 10 events with vtid, procname and vpid"
