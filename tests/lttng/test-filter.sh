#!/usr/bin/env bash
# `lttng enable-event --filter` on integer, string, u64 and double fields
# (lttng-ust's filter interpreter reads the probe's arguments), and on a
# NULL string, which records as "(null)".
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

filters=('n > 3' 's == "odd"' 'n >= 2 && s == "even"' 'u == 5497558138880' 'd > 1.6' 's == "(null)"' 's == "od*"')
expect=('4 5 6 7 8 9' '1 3 5 7 9' '2 4 6' '5' '7 8 9' '8' '1 3 5 7 9')
for i in "${!filters[@]}"; do
	dp_session "f$i"
	lttng enable-event -u 'flt:ev' --filter "${filters[$i]}" >/dev/null || dp_fail "enable-event --filter '${filters[$i]}'"
	lttng start >/dev/null
done
dp_driver filter >"$work/out" 2>&1 || dp_fail "driver failed: $(cat "$work/out")"
for i in "${!filters[@]}"; do
	lttng stop "f$i" >/dev/null
	lttng destroy "f$i" >/dev/null
	got=$(dp_bt "f$i" | sed -n 's/^flt:ev: { n = \([0-9]*\),.*/\1/p' | xargs)
	[ "$got" = "${expect[$i]}" ] || dp_fail "--filter '${filters[$i]}': recorded n = '$got', want '${expect[$i]}'"
	echo "ok: --filter '${filters[$i]}': $got"
done
# The payload itself, exactly.
want='flt:ev: { n = 8, s = "(null)", u = 8796093022208, d = 2 }'
[ "$(dp_bt f5)" = "$want" ] || dp_fail "payload: $(dp_bt f5)"
echo PASS
