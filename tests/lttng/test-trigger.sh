#!/usr/bin/env bash
# Triggers (lttng-ust event notifiers): a trigger on flt:ev with a filter
# and field captures notifies once per matching fire, with the captured
# values exactly as recorded (integers, strings, doubles, NULL as "(null)").
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
[ -n "${NOTIFY_CLIENT:-}" ] || dp_skip "built without liblttng-ctl (liblttng-ctl-dev): no trigger client"
dp_lttng_private "$@"
dp_work

"$NOTIFY_CLIENT" 'flt:ev' 'n >= 7' 3 n s u d >"$work/notes" 2>"$work/client.err" &
client=$!
dp_bg_pids+=" $client"
dp_wait_until 30 'grep -q ready "$work/notes"' || dp_fail "trigger client: $(cat "$work/client.err")"
dp_driver filter >"$work/out" 2>&1 || dp_fail "driver failed: $(cat "$work/out")"
wait "$client" || dp_fail "trigger client failed: $(cat "$work/client.err") $(cat "$work/notes")"
printf '%s\n' ready '7 "odd" 7696581394432 1.75' '8 "(null)" 8796093022208 2' '9 "odd" 9895604649984 2.25' \
	>"$work/want"
diff -u "$work/want" "$work/notes" >&2 || dp_fail "trigger notifications differ"
echo "ok: 3 notifications with exact captures"
