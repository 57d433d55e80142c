#!/usr/bin/env bash
# A provider on both backends: one fire reaches bpftrace and the lttng
# session alike, and the inline check sees either tracer alone.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
dp_lttng_private "$@"
dp_work

dp_session both
lttng enable-event -u 'both:*' >/dev/null || dp_fail "enable-event"
lttng start >/dev/null

mkfifo "$work/in"
"$DYNPROBE_TOOL" emit --backend both --provider both --probe ev --arg u32:0 --arg str --stdin \
	<"$work/in" >"$work/emit" 2>&1 &
emit=$!
dp_bg_pids+=" $emit"
exec 7>"$work/in"
dp_wait_until 60 'grep -q "^lttng:both:ev" "$work/emit"' || dp_fail "emit: $(cat "$work/emit")"
grep -q '^usdt:' "$work/emit" || dp_fail "no USDT side: $(cat "$work/emit")"
pid=$(awk '/^pid/ {print $2}' "$work/emit")

# LTTng alone enables the probe: the first events are recorded before any
# uprobe exists.
seq=0
send() { seq=$((seq + 1)); printf '%d\tline %d\n' "$seq" "$seq" >&7; }
for _ in 1 2 3; do send; done

bpftrace -p "$pid" -e 'usdt::both:ev { printf("%d %s\n", arg0, str(arg1)); }' \
	>"$work/bt" 2>"$work/bt.err" 7>&- &
bt=$!
dp_bg_pids+=" $bt"
# Send until bpftrace has its program attached and prints.
dp_wait_until 30 'send; grep -q "^[0-9]* line" "$work/bt"' || dp_fail "bpftrace saw nothing: $(cat "$work/bt.err")"
first=$(grep -m1 '^[0-9]* line' "$work/bt" | awk '{print $1}')
for _ in $(seq 1 20); do send; done
last=$seq
dp_wait_until 10 'grep -q "^$last line $last\$" "$work/bt"' || dp_fail "bpftrace missed $last: $(tail -3 "$work/bt")"
expect_bt=$(seq "$first" "$last" | awk '{print $1 " line " $1}')
[ "$(grep '^[0-9]* line' "$work/bt")" = "$expect_bt" ] || dp_fail "bpftrace saw a gap after $first"
echo "ok: bpftrace saw every event from $first to $last"

# The session has them all, 1..last, with the same values.
lttng stop >/dev/null
lttng destroy >/dev/null
dp_bt both | grep -o 'arg0 = [0-9]*, arg1 = "[^"]*"' >"$work/lt"
expect_lt=$(seq 1 "$last" | awk '{print "arg0 = " $1 ", arg1 = \"line " $1 "\""}')
[ "$(cat "$work/lt")" = "$expect_lt" ] || dp_fail "lttng recorded: $(head -5 "$work/lt") ... ($(wc -l <"$work/lt") events)"
echo "ok: the session recorded all $last events"

# With the session gone, bpftrace alone still enables the probe.
send
dp_wait_until 10 'grep -q "^$seq line $seq\$" "$work/bt"' || dp_fail "bpftrace alone: $(tail -2 "$work/bt")"
echo "ok: bpftrace alone"
exec 7>&-
dp_wait_until 10 '! kill -0 $emit 2>/dev/null' || dp_fail "emit did not end at EOF"
kill -INT "$bt"
echo PASS
