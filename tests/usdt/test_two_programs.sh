#!/usr/bin/env bash
# Two programs declare different probe sets under the same provider name:
# each set is its own image file (its name carries the build-id of what was
# declared), `dynprobe list` names both, and one bpftrace without -p traces
# both through their paths: neither shadows the other.
. "$(dirname "$0")/lib.sh"
need_bpftrace
P=$DPT   # program A: the driver's probes ints, wide, twelve, tick

drv_start
"$DYNPROBE" emit --provider "$P" --probe other --arg u64:9 --count 0 --interval-ms 20 --quiet \
	>"$WORK/emit" 2>&1 &
B_PID=$!; BT_PIDS+=("$B_PID")
dp_wait_until 10 "grep -q '^usdt:' '$WORK/emit'" || dp_fail "program B: $(cat "$WORK/emit")"
img_a=$(list_image "$P")
img_b=$("$DYNPROBE" list "$B_PID" | awk -v p="$P" '$2 == p && $3 ~ /^\// {print $3}')
[[ "$img_a" == /run/dynprobe/$P-*.so && "$img_b" == /run/dynprobe/$P-*.so ]] ||
	dp_fail "images: '$img_a' '$img_b'"
[ "$img_a" != "$img_b" ] || dp_fail "both probe sets in one file $img_a"
expect "program B's probes" "$(bpftrace -l "usdt:$img_b:*" 2>/dev/null)" "usdt:$img_b:$P:other"
expect "program A's probes" "$(bpftrace -l "usdt:$img_a:*" 2>/dev/null | wc -l)" 4
# `dynprobe list` (all processes) shows both images under the one name.
"$DYNPROBE" list >"$WORK/list"
grep -q "^$DRV_PID  *$P  *$img_a\$" "$WORK/list" || dp_fail "list lacks A's image: $(grep "$P" "$WORK/list")"
grep -q "^$B_PID  *$P  *$img_b\$" "$WORK/list" || dp_fail "list lacks B's image: $(grep "$P" "$WORK/list")"

bpftrace -e "usdt:$img_a:$P:tick { printf(\"A %d\\n\", pid); }
	     usdt:$img_b:$P:other { printf(\"B %d %d\\n\", pid, arg0); }" >"$WORK/bt" 2>"$WORK/bt.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
attached tick
dp_wait_until 30 "[ \"\$(drv fire tick)\" = 'fired 1' ] && grep -q '^A $DRV_PID\$' '$WORK/bt'" ||
	dp_fail "program A not traced: $(cat "$WORK/bt" "$WORK/bt.err")"
dp_wait_until 30 "grep -q '^B $B_PID 9\$' '$WORK/bt'" ||
	dp_fail "program B not traced: $(cat "$WORK/bt" "$WORK/bt.err")"
bt_stop
echo "ok: both probe sets of provider $P traced at once"
echo PASS
