#!/usr/bin/env bash
# fork() without exec: the child's events carry the child's vpid (the
# backend registers lttng-ust's fork handlers).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session fork
lttng enable-event -u 'fork:*' >/dev/null || dp_fail "enable-event"
lttng add-context -u -t vpid >/dev/null || dp_fail "add-context vpid"
lttng start >/dev/null
dp_driver fork >"$work/out" || dp_fail "driver failed"
lttng stop >/dev/null
lttng destroy >/dev/null
parent=$(sed -n 's/^parent //p' "$work/out")
child=$(sed -n 's/^child //p' "$work/out")
[ -n "$parent" ] && [ -n "$child" ] || dp_fail "driver output: $(cat "$work/out")"
dp_bt fork >"$work/bt"
grep -q "vpid = $parent }, { who = $parent }" "$work/bt" || dp_fail "no parent event: $(cat "$work/bt")"
grep -q "vpid = $child }, { who = $child }" "$work/bt" ||
	dp_fail "no child event with the child's vpid $child: $(cat "$work/bt")"
if grep -q "vpid = $parent }, { who = $child }" "$work/bt"; then
	dp_fail "child event recorded with the parent's vpid"
fi
echo "ok: parent $parent and child $child events carry their own vpid"
