#!/usr/bin/env bash
# Tracing every process: three processes declare the same provider and map
# the same shared image file (same inode); one bpftrace without -p on the
# path `dynprobe emit` and `dynprobe list` print counts events from all
# three, and from a fourth started after it attached (@[pid]).
. "$(dirname "$0")/lib.sh"
need_bpftrace
P=sw_$RUN_ID

# emitter N: `dynprobe emit` firing forever, 20 ms apart; EMIT_PID[N].
declare -A EMIT_PID
emitter() {
	"$DYNPROBE" emit --provider "$P" --probe req --arg u64:42 --arg i32:-7 --count 0 \
		--interval-ms 20 --quiet >"$WORK/emit$1" 2>&1 &
	BT_PIDS+=("$!")
	EMIT_PID[$1]=$!
	dp_wait_until 10 "grep -q '^usdt:' '$WORK/emit$1'" || dp_fail "emitter $1: $(cat "$WORK/emit$1")"
	[ "$(awk '/^pid/ {print $2}' "$WORK/emit$1")" = "${EMIT_PID[$1]}" ] || dp_fail "emitter $1 pid"
}
emitter 1; emitter 2; emitter 3

# One file, one inode, in every process.
path=$(grep '^usdt:' "$WORK/emit1")
img=${path#usdt:}; img=${img%:$P:req}
[[ "$img" == /run/dynprobe/$P-[0-9a-f]*.so ]] || dp_fail "image path '$img'"
for n in 2 3; do expect "same path in process $n" "$(grep '^usdt:' "$WORK/emit$n")" "$path"; done
ino=$(stat -c %i "$img")
for n in 1 2 3; do
	grep -q " $ino *$img\$" "/proc/${EMIT_PID[$n]}/maps" || dp_fail "process $n does not map $img ($ino)"
done
expect "dynprobe list names the file" \
	"$("$DYNPROBE" list "${EMIT_PID[2]}" | awk -v p="$P" '$2 == p && $3 ~ /^\// {print $3}')" "$img"

# One bpftrace, no -p.
bpftrace -e "$path"' { @[pid] = count(); printf("hit %d %d %d\n", pid, arg0, arg1); }' \
	>"$WORK/bt" 2>"$WORK/bt.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
for n in 1 2 3; do
	dp_wait_until 30 "grep -q '^hit ${EMIT_PID[$n]} 42 -7\$' '$WORK/bt'" ||
		dp_fail "no events from process $n: $(cat "$WORK/bt" "$WORK/bt.err")"
done
echo "ok: one bpftrace without -p sees three processes"
emitter 4
[ "$(grep '^usdt:' "$WORK/emit4")" = "$path" ] || dp_fail "process 4 has another path"
dp_wait_until 30 "grep -q '^hit ${EMIT_PID[4]} 42 -7\$' '$WORK/bt'" ||
	dp_fail "no events from the process started later: $(cat "$WORK/bt" "$WORK/bt.err")"
echo "ok: and the one started after it attached"
bt_stop
for n in 1 2 3 4; do
	c=$(awk -v p="@[${EMIT_PID[$n]}]:" '$1 == p {print $2}' "$WORK/bt")
	[ -n "$c" ] && [ "$c" -gt 0 ] || dp_fail "@[pid] of process $n: '$c' in $(cat "$WORK/bt")"
done
expect "@[pid] entries" "$(grep -c '^@\[' "$WORK/bt")" 4
echo PASS
