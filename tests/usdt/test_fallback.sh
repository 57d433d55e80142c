#!/usr/bin/env bash
# Without a shared directory (DYNPROBE_USDT_DIR=none) and without
# memfd_create the image lives in an unlinked O_TMPFILE.  The mapping then
# reads "/tmp/#INODE (deleted)", which `bpftrace -p` skips, but the full
# /proc/PID/fd/N path works without -p (as README says).
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start DYNPROBE_USDT_NO_MEMFD=1 DYNPROBE_USDT_DIR=none

# (image memfds are named dynprobe:PROVIDER; the process's introspection
# record, memfd:dynprobe-introspect, is not an image)
grep -q "memfd:dynprobe:" "/proc/$DRV_PID/maps" && dp_fail "memfd used although disabled"
grep -q "/run/dynprobe/" "/proc/$DRV_PID/maps" && dp_fail "shared file used although disabled"
grep -q "(deleted)" "/proc/$DRV_PID/maps" || dp_fail "no unlinked image mapped"
expect "list sees the fallback image" "$(list_field "$DPT" tick 4)" loaded
[[ "$(list_image "$DPT")" == "/proc/$DRV_PID/fd/$DRV_FD" ]] || dp_fail "list image: $("$DYNPROBE" list "$DRV_PID")"
path="usdt:/proc/$DRV_PID/fd/$DRV_FD:$DPT:tick"
bpftrace -l "usdt:/proc/$DRV_PID/fd/$DRV_FD:*" 2>/dev/null | grep -qx "$path" || dp_fail "bpftrace -l misses $path"
bpftrace -e "$path { printf(\"tick\\n\"); }" >"$WORK/bt" 2>"$WORK/bt.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
attached tick
dp_wait_until 30 "[ \"\$(drv fire tick)\" = 'fired 1' ] && grep -q '^tick' '$WORK/bt'" ||
	dp_fail "bpftrace never saw the fallback probe: $(cat "$WORK/bt.err")"
bt_stop
echo PASS
