#!/usr/bin/env bash
# `dynprobe emit`: prints its PID and probe path, fires only once a tracer
# is attached with --wait-attached (and fails clearly when none comes), and
# logger mode fires one event per input line.
. "$(dirname "$0")/lib.sh"
need_bpftrace
APP=app_$RUN_ID JOB=job_$RUN_ID LONELY=lonely_$RUN_ID

# No tracer: a clear failure within the limit.
if "$DYNPROBE" emit --provider "$LONELY" --probe p --wait-attached 0.3 >"$WORK/lonely" 2>&1; then
	dp_fail "--wait-attached succeeded without a tracer"
fi
grep -q "no tracer attached to $LONELY:p within 0.3 s" "$WORK/lonely" || dp_fail "message: $(cat "$WORK/lonely")"
echo "ok: --wait-attached without tracer fails"

# Bad input: clear errors, nothing fired.
"$DYNPROBE" emit --provider app --probe req --arg u8:300 2>"$WORK/bad" && dp_fail "u8:300 accepted"
grep -q "'300' is not a valid u8" "$WORK/bad" || dp_fail "message: $(cat "$WORK/bad")"
"$DYNPROBE" emit --provider 'a:b' --probe req 2>"$WORK/bad" && dp_fail "bad provider accepted"
grep -q "invalid name" "$WORK/bad" || dp_fail "message: $(cat "$WORK/bad")"
"$DYNPROBE" emit --provider a --probe b --arg blob:1 2>"$WORK/bad" && dp_fail "unknown type accepted"
grep -q "unknown type 'blob'" "$WORK/bad" || dp_fail "message: $(cat "$WORK/bad")"
echo "ok: bad input refused"

# With a tracer: the events after attach reach it with their values.  The
# printed path is the shared image: bpftrace needs no -p.
"$DYNPROBE" emit --provider "$APP" --probe req --arg u64:42 --arg str:hello --arg i16:-5 \
	--count 10 --interval-ms 20 --wait-attached 30 --quiet >"$WORK/emit" 2>&1 &
EMIT=$!
dp_wait_until 10 "grep -q '^usdt:' '$WORK/emit'" || dp_fail "emit printed no probe path: $(cat "$WORK/emit")"
pid=$(awk '/^pid/ {print $2}' "$WORK/emit")
path=$(grep '^usdt:' "$WORK/emit")
[[ "$path" == usdt:/run/dynprobe/$APP-*.so:$APP:req ]] || dp_fail "path '$path'"
bpftrace -e "$path"' { printf("%d %s %d\n", arg0, str(arg1), arg2); }' >"$WORK/bt" 2>"$WORK/bt.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
dp_wait_until 30 "! kill -0 $EMIT 2>/dev/null" || dp_fail "emit never finished"
wait "$EMIT" || dp_fail "emit failed: $(cat "$WORK/emit")"
dp_wait_until 10 "[ \$(grep -c '^42 hello -5$' '$WORK/bt') = 10 ]" || dp_fail "bpftrace saw: $(cat "$WORK/bt")"
bt_stop
echo "ok: emit fired 10 events after attach, bpftrace saw them all"

# Logger mode: every stdin line is one event.
mkfifo "$WORK/in"
"$DYNPROBE" emit --provider "$JOB" --probe line --arg u32 --arg str --stdin --wait-attached 30 \
	>"$WORK/logger" 2>&1 <"$WORK/in" &
LOGGER=$!
exec 7>"$WORK/in"
dp_wait_until 10 "grep -q '^usdt:' '$WORK/logger'" || dp_fail "logger printed no path"
pid=$(awk '/^pid/ {print $2}' "$WORK/logger")
bpftrace -p "$pid" -e 'usdt::'"$JOB"':line { printf("<%d|%s>\n", arg0, str(arg1)); }' >"$WORK/bt2" 2>"$WORK/bt2.err" 7>&- &
BT_PID=$!; BT_PIDS+=("$BT_PID")
# The lines wait in the pipe until emit has seen the tracer attach.
printf '7\tfirst line\n8\tsecond\twith tab\n' >&7
exec 7>&-
dp_wait_until 10 "! kill -0 $LOGGER 2>/dev/null" || dp_fail "logger did not end at EOF"
dp_wait_until 10 "grep -q '<8|second' '$WORK/bt2'" || dp_fail "bpftrace saw: $(cat "$WORK/bt2")"
bt_stop
grep -q '^<7|first line>$' "$WORK/bt2" || dp_fail "first line: $(cat "$WORK/bt2")"
grep -q "^<8|second	with tab>$" "$WORK/bt2" || dp_fail "second line: $(cat "$WORK/bt2")"
echo "ok: logger mode"
echo PASS
