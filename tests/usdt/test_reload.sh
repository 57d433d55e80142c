#!/usr/bin/env bash
# Unload is a state change the fire path sees; loading again an unchanged
# provider reuses its object, so an attached bpftrace keeps its probe.
# Adding a probe after unload builds a new object: tracers must re-attach.
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start

first=$(drv fd)
bt_start "$WORK/count" 'usdt::'"$DPT"':tick { printf("tick\n"); }'
attached tick
# Fire until bpftrace has its program attached (see test_attach.sh).
dp_wait_until 30 "[ \"\$(drv fire tick)\" = 'fired 1' ] && grep -q '^tick' '$WORK/count'" ||
	dp_fail "bpftrace never saw tick"
seen=$(grep -c '^tick' "$WORK/count")
expect "unload" "$(drv unload)" "ok 0"
expect "enabled while unloaded" "$(drv enabled tick)" 0
expect "fire unloaded" "$(drv fire tick)" "fired 0"
expect "reload" "$(drv load)" "ok 0"
expect "same object after reload" "$(drv fd)" "$first"
expect "enabled after reload" "$(drv enabled tick)" 1
expect "fire reloaded" "$(drv fire tick)" "fired 1"
dp_wait_until 10 "[ \$(grep -c '^tick' '$WORK/count') -gt $seen ]" ||
	dp_fail "bpftrace did not see the fire after reload: $(cat "$WORK/count")"
echo "ok: bpftrace still sees the probe after the reload"
bt_stop

bt_start "$WORK/count2" 'usdt::'"$DPT"':tick { @ticks = count(); }'
attached tick
expect "unload again" "$(drv unload)" "ok 0"
expect "add after unload" "$(drv add later)" "ok 0"
expect "load changed provider" "$(drv load)" "ok 0"
[ "$(drv fd)" != "$first" ] || dp_fail "changed provider reused its old object"
expect "old tracer does not see the new object" "$(drv enabled tick)" 0
bt_stop
expect "free" "$(drv free)" "ok 0"
expect "fire after free" "$(drv fire tick)" "fired 0"
echo PASS
