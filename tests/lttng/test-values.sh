#!/usr/bin/env bash
# Every argument type records its exact value: integer extremes of every
# width, negatives, empty/NULL/long strings, doubles; the event is enabled
# (`lttng enable-event -u 'dpt:*'`) before the provider exists.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
dp_lttng_private "$@"
dp_work

dp_session values
lttng enable-event -u 'dpt:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null
dp_driver values >"$work/out" || dp_fail "driver failed"
lttng stop >/dev/null
lttng destroy >/dev/null

long=$(printf 'x%.0s' $(seq 5000))
cat >"$work/want" <<EOT
dpt:sint: { a8 = -128, a16 = -32768, a32 = -2147483648, a64 = -9223372036854775808 }
dpt:sint: { a8 = 127, a16 = 32767, a32 = 2147483647, a64 = 9223372036854775807 }
dpt:sint: { a8 = -1, a16 = -2, a32 = -3, a64 = -4 }
dpt:uint: { b8 = 255, b16 = 65535, b32 = 4294967295, b64 = 18446744073709551615 }
dpt:uint: { b8 = 0, b16 = 0, b32 = 0, b64 = 0 }
dpt:str: { text = "" }
dpt:str: { text = "(null)" }
dpt:str: { text = "hello \"world\"" }
dpt:str: { text = "$long" }
dpt:dbl: { real = 3.5 }
dpt:dbl: { real = -0.125 }
dpt:dbl: { real = 1e+300 }
dpt:many: { m0 = -8, m1 = 8, m2 = -16, m3 = 16, m4 = -32, m5 = 32, m6 = -64, m7 = 64, m8 = "m", m9 = 2.25, int = 7, linux = "L" }
EOT
dp_bt values >"$work/got" || dp_fail "babeltrace2 failed"
if ! diff -u "$work/want" "$work/got" >"$work/diff"; then
	cut -c1-200 "$work/diff" >&2
	dp_fail "recorded values differ"
fi
echo "ok: $(wc -l <"$work/got") events, exact values"
