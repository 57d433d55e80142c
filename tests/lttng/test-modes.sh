#!/usr/bin/env bash
# The runtime and the compiled mode publish the same provider: the same
# events and typed fields in `lttng list -u -f`, the same event
# declarations (names, log levels, field names, integer widths and signs,
# string encodings, floats) in the trace's CTF metadata, field by field,
# and byte-identical babeltrace2 payloads.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

for mode in runtime compiled; do
	dp_session "$mode"
	lttng enable-event -u 'dpt:*' >/dev/null || dp_fail "enable-event"
	lttng start >/dev/null
	DYNPROBE_LTTNG_MODE=$mode DYNPROBE_DEBUG=1 "$DRIVER" values "$work/go-$mode" \
		>"$work/out-$mode" 2>"$work/err-$mode" &
	pid=$!
	dp_bg_pids+=" $pid"
	dp_wait_until 60 'grep -q "^loaded" "$work/out-$mode"' || dp_fail "$mode: driver did not load"
	grep -q "registered in runtime mode" "$work/err-$mode"
	[ $? = $([ $mode = runtime ] && echo 0 || echo 1) ] || dp_fail "$mode: not loaded in $mode mode: $(cat "$work/err-$mode")"
	dp_wait_until 10 'lttng list -u -f >"$work/list" 2>&1 && grep -q "dpt:many" "$work/list"' ||
		dp_fail "$mode: events not listed"
	# This PID's block, without the PID line, one event (its line and its
	# fields) at a time in sorted order: lttng-ust lists its own providers
	# (lttng_ust_lib, lttng_ust_tracef, ...) in the order they registered,
	# which moves with when a compiled provider's object is dlopen()ed.
	awk -v pid="PID: $pid " 'index($0, "PID: ") { on = index($0, pid) > 0; next } on' "$work/list" |
		grep -v '^$' |
		awk '/^      [^ ]/ { if (b != "") print b; b = $0; next } { b = b "\t" $0 }
		     END { if (b != "") print b }' | LC_ALL=C sort | tr '\t' '\n' >"$work/list-$mode"
	touch "$work/go-$mode"
	wait "$pid" || dp_fail "$mode: driver failed"
	lttng stop >/dev/null
	lttng destroy >/dev/null
	babeltrace2 --output-format=ctf-metadata "$work/trace-$mode"/ust/uid/*/64-bit >"$work/meta-$mode" ||
		dp_fail "$mode: no metadata"
	# The event declarations (the stream and clock parts carry UUIDs and times).
	awk '/^event \{/ { on = 1 } on { print } /^\};/ { on = 0 }' "$work/meta-$mode" >"$work/events-$mode"
	dp_bt "$mode" >"$work/bt-$mode"
done
[ -s "$work/list-runtime" ] || dp_fail "empty lttng list block"
diff -u "$work/list-compiled" "$work/list-runtime" >&2 || dp_fail "lttng list -u -f differs"
echo "ok: lttng list -u -f alike ($(grep -c "dpt:" "$work/list-runtime") dpt events)"
[ "$(grep -c '^event {' "$work/events-runtime")" = 5 ] || dp_fail "metadata: $(cat "$work/events-runtime")"
diff -u "$work/events-compiled" "$work/events-runtime" >&2 || dp_fail "CTF event declarations differ"
echo "ok: CTF metadata: $(grep -c ' _[a-z0-9]*;$' "$work/events-runtime") field declarations alike"
[ "$(wc -l <"$work/bt-runtime")" = 13 ] || dp_fail "runtime recorded $(wc -l <"$work/bt-runtime") events"
cmp "$work/bt-compiled" "$work/bt-runtime" || dp_fail "babeltrace2 payloads differ"
echo "ok: 13 payloads identical"
