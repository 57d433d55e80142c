#!/usr/bin/env bash
# report_live.sh - `dynprobe report --live` against a private lttng-relayd
# on loopback: refreshes while the session runs, exact totals, and a clean
# end (status 0, final report) once the session is destroyed.
set -u
. "$(dirname "$0")/report_common.sh"

command -v lttng-relayd >/dev/null || dp_skip "lttng-relayd not installed"
command -v ss >/dev/null || dp_skip "ss (iproute2) not installed"

# Three distinct ports nobody listens on (checked, not guessed blindly).
pick_ports() {
	local p tries=0
	PORTS=()
	while [ ${#PORTS[@]} -lt 3 ] && [ $tries -lt 200 ]; do
		tries=$((tries + 1))
		p=$((20000 + RANDOM % 40000))
		ss -Hltn "sport = :$p" | grep -q . && continue
		case " ${PORTS[*]} " in *" $p "*) continue ;; esac
		PORTS+=("$p")
	done
	[ ${#PORTS[@]} = 3 ] || dp_fail "no free TCP ports found"
}
pick_ports
CTRL=${PORTS[0]} DATA=${PORTS[1]} LIVE=${PORTS[2]}

relayd_pid=
report_pid=
stop_all() {
	[ -n "$report_pid" ] && kill "$report_pid" 2>/dev/null
	if [ -n "$relayd_pid" ]; then
		kill "$relayd_pid" 2>/dev/null
		dp_wait_until 10 "! kill -0 $relayd_pid 2>/dev/null" || kill -9 "$relayd_pid" 2>/dev/null
	fi
	cleanup_work
}
trap stop_all EXIT

lttng-relayd -C "tcp://127.0.0.1:$CTRL" -D "tcp://127.0.0.1:$DATA" -L "tcp://127.0.0.1:$LIVE" \
	-o "$WORK/relay" >"$WORK/relayd.log" 2>&1 &
relayd_pid=$!
dp_wait_until 10 "ss -Hltn 'sport = :$LIVE' | grep -q LISTEN" ||
	dp_fail "lttng-relayd did not listen: $(cat "$WORK/relayd.log")"

# No such session: a clear error, not an endless wait.
"$DYNPROBE" report --live "net://127.0.0.1:$LIVE/host/$(hostname)/nosuch" -a count \
	>/dev/null 2>"$WORK/err" && dp_fail "report on a missing live session succeeded"
grep -q "the session does not exist" "$WORK/err" || dp_fail "missing session: $(cat "$WORK/err")"
echo "ok: missing live session -> $(cat "$WORK/err")"

lttng create live --live=100000 --set-url="net://127.0.0.1:$CTRL:$DATA" >/dev/null ||
	dp_fail "lttng create --live"
lttng enable-event -u 'dpgen:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null || dp_fail "start"

URL="net://127.0.0.1:$LIVE/host/$(hostname)/live"
"$DYNPROBE" report --live "$URL" -e dpgen:req -f arg1 -b arg0 -a count,sum --csv --refresh 0.2 \
	>"$WORK/out" 2>"$WORK/err" &
report_pid=$!
# Attached when the relay daemon counts one viewer on the session.
dp_wait_until 20 "babeltrace2 query src.ctf.lttng-live sessions \
	-p 'url=\"net://127.0.0.1:$LIVE\"' 2>/dev/null | grep -q 'client-count: 1'" || dp_fail "report did not attach: $(cat "$WORK/err")"

N=5000
"$GEN" "$N" 11 "$WORK/values" || dp_fail "generator"
# Refreshes arrive while the session is still alive.
want_get=$(awk '$1 == "GET"' "$WORK/values" | wc -l)
dp_wait_until 30 "grep -q '^GET,count,,,,$want_get\$' '$WORK/out'" ||
	dp_fail "no live refresh with all GET events: $(tail -5 "$WORK/out") $(cat "$WORK/err")"
grep -q '^,final,,,,0$' "$WORK/out" || dp_fail "no non-final refresh"
echo "ok: live refresh shows $want_get GET events"

lttng destroy live >/dev/null || dp_fail "destroy"
dp_wait_until 30 "! kill -0 $report_pid 2>/dev/null" || dp_fail "report did not end after destroy"
wait "$report_pid"
rc=$?
report_pid=
[ "$rc" = 0 ] || dp_fail "report exited $rc: $(cat "$WORK/err")"
# The last table is the final one.
awk '/^group,metric/ { n++ } { t[n] = t[n] $0 "\n" } END { printf "%s", t[n] }' "$WORK/out" \
	>"$WORK/final.csv"
expect_eq "final" "$(csv_get "$WORK/final.csv" "" final)" 1
for m in GET POST PUT DELETE; do
	expect_eq "count[$m]" "$(csv_get "$WORK/final.csv" $m count)" \
		"$(awk -v m=$m '$1 == m' "$WORK/values" | wc -l)"
	expect_eq "sum[$m]" "$(csv_get "$WORK/final.csv" $m sum)" \
		"$(awk -v m=$m '$1 == m { s += $2 } END { printf "%.0f", s }' "$WORK/values")"
done
expect_eq "discarded_events" "$(csv_get "$WORK/final.csv" "" discarded_events)" 0
expect_eq "incomplete_streams" "$(csv_get "$WORK/final.csv" "" incomplete_streams)" 0
# --- SIGINT: partial results, flagged incomplete, status 0 ---------------
lttng create live2 --live=100000 --set-url="net://127.0.0.1:$CTRL:$DATA" >/dev/null ||
	dp_fail "lttng create live2"
lttng enable-event -u 'dpgen:*' >/dev/null && lttng start >/dev/null || dp_fail "start live2"
"$DYNPROBE" report --live "net://127.0.0.1:$LIVE/host/$(hostname)/live2" -e dpgen:req -a count \
	>"$WORK/int.out" 2>"$WORK/int.err" &
report_pid=$!
dp_wait_until 20 "babeltrace2 query src.ctf.lttng-live sessions \
	-p 'url=\"net://127.0.0.1:$LIVE\"' 2>/dev/null | grep -A2 'client-count: 1' | grep -q 'live2'" ||
	dp_fail "second report did not attach"
"$GEN" 300 12 "$WORK/values2" || dp_fail "generator"
dp_wait_until 30 "grep -q '^@count: 300\$' '$WORK/int.out'" || dp_fail "no refresh for live2"
kill -INT "$report_pid"
dp_wait_until 30 "! kill -0 $report_pid 2>/dev/null" || dp_fail "report ignored SIGINT"
wait "$report_pid"
rc=$?
report_pid=
[ "$rc" = 0 ] || dp_fail "interrupted report exited $rc: $(cat "$WORK/int.err")"
grep -q '^WARNING: incomplete: interrupted' "$WORK/int.out" || dp_fail "interruption not reported"
tail -1 "$WORK/int.out" | grep -q '^@count: 300$' || dp_fail "final partial count missing"
lttng destroy live2 >/dev/null
echo "ok: SIGINT"
echo "PASS"
