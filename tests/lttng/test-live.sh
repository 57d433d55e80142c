#!/usr/bin/env bash
# lttng-relayd live: a `lttng create --live` session streams to a private
# relay daemon, and babeltrace2's lttng-live reader gets every value while
# the session is still running, exactly as recorded on disk (test-values.sh).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
command -v lttng-relayd >/dev/null || dp_skip "lttng-relayd not installed"
dp_lttng_private "$@"
dp_work

# Three distinct ports nobody listens on.
ports=()
for _ in $(seq 200); do
	p=$((20000 + RANDOM % 40000))
	ss -Hltn "sport = :$p" | grep -q . && continue
	case " ${ports[*]} " in *" $p "*) continue ;; esac
	ports+=("$p")
	[ ${#ports[@]} = 3 ] && break
done
[ ${#ports[@]} = 3 ] || dp_fail "no free TCP ports"
lttng-relayd -C "tcp://127.0.0.1:${ports[0]}" -D "tcp://127.0.0.1:${ports[1]}" \
	-L "tcp://127.0.0.1:${ports[2]}" -o "$work/relay" >"$work/relayd.log" 2>&1 &
relayd=$!
dp_bg_pids+=" $relayd"
dp_wait_until 10 "ss -Hltn 'sport = :${ports[2]}' | grep -q LISTEN" || dp_fail "relayd: $(cat "$work/relayd.log")"

session=live$$
lttng create "$session" --live=100000 --set-url="net://127.0.0.1:${ports[0]}:${ports[1]}" >/dev/null ||
	dp_fail "lttng create --live"
lttng enable-event -u 'dpt:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null || dp_fail "start"
url="net://127.0.0.1:${ports[2]}/host/$(hostname)/$session"
babeltrace2 --input-format=lttng-live "$url" >"$work/live" 2>"$work/live.err" &
reader=$!
dp_bg_pids+=" $reader"
dp_wait_until 20 "babeltrace2 query src.ctf.lttng-live sessions -p 'url=\"net://127.0.0.1:${ports[2]}\"' 2>/dev/null |
	grep -q 'client-count: 1'" || dp_fail "reader did not attach: $(cat "$work/live.err")"

dp_driver values >"$work/out" 2>&1 || dp_fail "driver failed: $(cat "$work/out")"
# Live: all 13 events arrive before the session ends.
dp_wait_until 30 '[ "$(grep -c " dpt:" "$work/live")" -ge 13 ]' ||
	dp_fail "live reader got $(grep -c ' dpt:' "$work/live") of 13 events: $(cat "$work/live.err")"
lttng destroy "$session" >/dev/null
dp_wait_until 30 "! kill -0 $reader 2>/dev/null" || dp_fail "reader did not end after destroy"
sed -E 's/^\[[^]]*\] \([^)]*\) [^ ]+ //; s/\{ cpu_id = [0-9]+ \}, //' "$work/live" | grep '^dpt:' >"$work/got"
[ "$(wc -l <"$work/got")" = 13 ] || dp_fail "live reader: $(wc -l <"$work/got") events"
grep -qxF 'dpt:sint: { a8 = -128, a16 = -32768, a32 = -2147483648, a64 = -9223372036854775808 }' "$work/got" ||
	dp_fail "live payloads: $(head -3 "$work/got")"
grep -qxF 'dpt:uint: { b8 = 255, b16 = 65535, b32 = 4294967295, b64 = 18446744073709551615 }' "$work/got" ||
	dp_fail "live payloads: $(head -3 "$work/got")"
echo "ok: 13 events streamed live through lttng-relayd, exact values"
