#!/usr/bin/env bash
# The semaphore goes 0 -> 1 -> 0 as bpftrace attaches and detaches, and
# is-enabled follows; a plain uprobe on the stub (no semaphore) is seen too.
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start

expect "semaphore before" "$(list_field "$DPT" tick 5)" 0
expect "attached before" "$(list_field "$DPT" tick 6)" no
expect "enabled before" "$(drv enabled tick)" 0
expect "fire before" "$(drv fire tick)" "fired 0"

# fire_until_seen FILE: the uprobe is installed (so the probe reads as
# enabled) a moment before the tracer's BPF program is attached to it;
# fire until the tracer has printed one event.
fire_until_seen() {
	dp_wait_until 30 "[ \"\$(drv fire tick)\" = 'fired 1' ] && grep -q '^tick' '$1'" ||
		dp_fail "tracer never saw the probe: $(cat "$1" "$1.err")"
}

bt_start "$WORK/count" 'usdt::'"$DPT"':tick { printf("tick\n"); }'
attached tick
expect "semaphore attached" "$(list_field "$DPT" tick 5)" 1
expect "attached" "$(list_field "$DPT" tick 6)" yes
expect "other probe untouched" "$(list_field "$DPT" ints 5)" 0
fire_until_seen "$WORK/count"
before=$(grep -c '^tick' "$WORK/count")
expect "fire attached" "$(drv fire tick)" "fired 1"
dp_wait_until 10 "[ \$(grep -c '^tick' '$WORK/count') -gt $before ]" || dp_fail "fire not seen"
echo "ok: every fire reaches bpftrace"
bt_stop
expect "disabled after detach" "$(drv wait-disabled tick 30)" disabled
expect "semaphore after" "$(list_field "$DPT" tick 5)" 0
expect "fire after" "$(drv fire tick)" "fired 0"

# A plain uprobe on the stub's symbol: no semaphore, the stub's first byte
# changes and that alone enables the probe.
bt_start "$WORK/uprobe" "uprobe:/proc/$DRV_PID/fd/$DRV_FD:${DPT}__tick { printf(\"tick\\n\"); }"
attached tick
expect "semaphore with plain uprobe" "$(list_field "$DPT" tick 5)" 0
expect "attached with plain uprobe" "$(list_field "$DPT" tick 6)" yes
fire_until_seen "$WORK/uprobe"
bt_stop
expect "disabled after uprobe detach" "$(drv wait-disabled tick 30)" disabled
echo PASS
