#!/usr/bin/env bash
# Enabling after the provider is loaded lights it up; `lttng list -u -f`
# shows the events and their typed fields while the program runs.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

"$DRIVER" values "$work/go" >"$work/out" &
pid=$!
dp_bg_pids+=" $pid"
dp_wait_until 60 'grep -q "^loaded" "$work/out"' || dp_fail "driver did not load"
dp_wait_until 10 'lttng list -u -f >"$work/list" 2>&1 && grep -q "dpt:many" "$work/list"' ||
	dp_fail "dpt events not listed: $(cat "$work/list")"
for want in 'dpt:sint' 'field: a8 (integer)' 'field: a64 (integer)' 'field: b64 (integer)' \
	    'field: text (string)' 'field: real (float)' 'field: linux (string)'; do
	grep -qF "$want" "$work/list" || dp_fail "lttng list -u -f lacks '$want'"
done
grep -qF "PID: $pid" "$work/list" || dp_fail "lttng list does not show PID $pid"
# `dynprobe list` reads the same events from the process: the mode, typed
# fields, and lttng-ust's enabled state.  A runtime-mode provider maps no
# object file: list finds it through the process's introspection record.
# (columns: PID PROVIDER PROBE USDT SEM ATTACHED LTTNG ENABLED ARGS...)
mode=${DYNPROBE_LTTNG_MODE:-runtime}
row=$("$DYNPROBE_TOOL" list "$pid" | awk '$2 == "dpt" && $3 == "sint" && $7 != "-"')
[ -n "$row" ] || dp_fail "dynprobe list misses dpt:sint: $("$DYNPROBE_TOOL" list "$pid")"
[ "$(echo "$row" | awk '{print $7}')" = "loaded/$mode" ] ||
	dp_fail "dynprobe list does not show loaded/$mode: $row"
[ "$(echo "$row" | awk '{print $8}')" = no ] || dp_fail "enabled before any session: $row"
# The record carries argument types; field names come from a compiled
# object's descriptor, which only the compiled mode has.
case $mode in
compiled) want='i8:a8 i16:a16 i32:a32 i64:a64' ;;
*) want='i8 i16 i32 i64' ;;
esac
[ "$(echo "$row" | awk '{ for (i = 9; i <= NF; i++) printf "%s%s", $i, i < NF ? " " : "\n" }')" = "$want" ] ||
	dp_fail "dynprobe list fields: $row (want $want)"

dp_session after
lttng enable-event -u 'dpt:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
dp_wait_until 10 '"$DYNPROBE_TOOL" list "$pid" | awk '"'"'$3 == "sint" && $7 != "-" {print $8}'"'"' | grep -qx yes' ||
	dp_fail "dynprobe list does not show dpt:sint enabled: $("$DYNPROBE_TOOL" list "$pid")"
touch "$work/go"
wait "$pid" || dp_fail "driver failed"
lttng stop >/dev/null
lttng destroy >/dev/null
n=$(dp_bt after | grep -c '^dpt:')
[ "$n" = 13 ] || dp_fail "expected 13 events after a late enable, got $n"
echo "ok: listed with fields, 13 events after enabling a loaded provider"
