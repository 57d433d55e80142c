#!/usr/bin/env bash
# Reloading a provider with another probe set unregisters the old object:
# every call is recorded exactly once, the new probe too; loading the first
# object again (still mapped, unregistered) registers it anew.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session rl
lttng enable-event -u 'rl:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
dp_driver reload || dp_fail "driver failed"
lttng stop >/dev/null
lttng destroy >/dev/null
printf '%s\n' 'rl:ev: { arg0 = 1 }' 'rl:ev: { arg0 = 2 }' 'rl:ev2: { arg0 = 3 }' 'rl:ev: { arg0 = 4 }' >"$work/want"
dp_bt rl >"$work/got"
diff -u "$work/want" "$work/got" >&2 || dp_fail "events after reload differ"
echo "ok: 4 events, none doubled, a re-registered object records"
