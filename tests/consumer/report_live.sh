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

# --- --interval over a live session: intervals print while events arrive ---
lttng create live3 --live=100000 --set-url="net://127.0.0.1:$CTRL:$DATA" >/dev/null ||
	dp_fail "lttng create live3"
lttng enable-event -u 'dpgen:*' >/dev/null && lttng start >/dev/null || dp_fail "start live3"
"$DYNPROBE" report --live "net://127.0.0.1:$LIVE/host/$(hostname)/live3" -e dpgen:req -a count \
	-i 500ms --json >"$WORK/ivl.out" 2>"$WORK/ivl.err" &
report_pid=$!
dp_wait_until 20 "babeltrace2 query src.ctf.lttng-live sessions \
	-p 'url=\"net://127.0.0.1:$LIVE\"' 2>/dev/null | grep -A2 'client-count: 1' | grep -q 'live3'" ||
	dp_fail "interval report did not attach"
# 80 events 50 ms apart: about 4 s of trace time, 8 intervals.
"$GEN" 80 13 "$WORK/values3" 1 50000 &
gen_pid=$!
dp_wait_until 30 "[ \$(grep -c '\"interval\"' '$WORK/ivl.out') -ge 2 ]" ||
	dp_fail "no two intervals printed: $(cat "$WORK/ivl.out" "$WORK/ivl.err")"
kill -0 "$gen_pid" 2>/dev/null || dp_fail "the generator ended before two intervals were printed"
echo "ok: $(grep -c '"interval"' "$WORK/ivl.out") intervals printed while events arrive"
wait "$gen_pid" || dp_fail "generator"
lttng destroy live3 >/dev/null || dp_fail "destroy live3"
dp_wait_until 30 "! kill -0 $report_pid 2>/dev/null" || dp_fail "interval report did not end"
wait "$report_pid"
rc=$?
report_pid=
[ "$rc" = 0 ] || dp_fail "interval report exited $rc: $(cat "$WORK/ivl.err")"
python3 - "$WORK/ivl.out" <<'PY' || dp_fail "live intervals: $(cat "$WORK/ivl.out")"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
ivls, summary = docs[:-1], docs[-1]
assert all("interval" in d for d in ivls) and summary.get("summary"), "shape"
assert sum(d["events_matched"] for d in ivls) == 80, "every event in one interval"
assert summary["events_matched"] == 80 and summary["intervals"] == len(ivls)
ends = [d["interval"]["end_ns"] for d in ivls]
assert all(b["interval"]["begin_ns"] == a for a, b in zip(ends, ivls[1:])), "contiguous"
assert all(d["interval"]["end_ns"] - d["interval"]["begin_ns"] == 500000000 for d in ivls)
PY
echo "ok: live --interval: $(($(wc -l <"$WORK/ivl.out") - 1)) contiguous 500 ms intervals, 80 events"

# --- a reader that hangs or crashes inside libbabeltrace2 ------------------
# A live reader waits for data forever, so it is there to be stopped (what a
# hang inside the library looks like to its parent) or killed the way an
# assertion kills it.  Either way the report ends, with one line naming
# what was being read.
lttng create live4 --live=100000 --set-url="net://127.0.0.1:$CTRL:$DATA" >/dev/null ||
	dp_fail "lttng create live4"
lttng enable-event -u 'dpgen:*' >/dev/null && lttng start >/dev/null || dp_fail "start live4"
for how in STOP ABRT; do
	"$DYNPROBE" report --live "net://127.0.0.1:$LIVE/host/$(hostname)/live4" -a count \
		--watchdog 2 >"$WORK/w.out" 2>"$WORK/w.err" &
	report_pid=$!
	dp_wait_until 20 "babeltrace2 query src.ctf.lttng-live sessions \
		-p 'url=\"net://127.0.0.1:$LIVE\"' 2>/dev/null | grep -A2 'client-count: 1' | grep -q 'live4'" ||
		dp_fail "report did not attach to live4"
	reader=$(pgrep -P "$report_pid")
	[ -n "$reader" ] || dp_fail "no reader process under $report_pid"
	kill -"$how" "$reader"
	dp_wait_until 30 "! kill -0 $report_pid 2>/dev/null" || dp_fail "report did not end after SIG$how"
	wait "$report_pid"
	rc=$?
	report_pid=
	[ "$rc" = 1 ] || dp_fail "SIG$how: exit $rc, want 1"
	[ "$(wc -l <"$WORK/w.err")" = 1 ] || dp_fail "SIG$how: stderr is not one line: $(cat "$WORK/w.err")"
	if [ "$how" = STOP ]; then
		grep -q "no progress for 2 s while reading .*live4.*: stopped" "$WORK/w.err"
	else
		grep -q "babeltrace2 crashed (Aborted) while reading .*live4.*: it is probably damaged" "$WORK/w.err"
	fi || dp_fail "SIG$how: $(cat "$WORK/w.err")"
	pgrep -P "$report_pid" >/dev/null 2>&1 && dp_fail "SIG$how: a reader was left behind"
	echo "ok: SIG$how -> $(cat "$WORK/w.err")"
done
lttng destroy live4 >/dev/null
echo "PASS"
