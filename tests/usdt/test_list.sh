#!/usr/bin/env bash
# bpftrace -l -p lists every probe of both providers; `dynprobe list` shows
# them with their argument types.
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start

dp_wait_until 10 "bpftrace -l 'usdt:*' -p $DRV_PID 2>/dev/null | grep -q ':dpt2:tick\$'" ||
	dp_fail "bpftrace -l does not list dpt2:tick"
# (other libraries of the process, e.g. libstdc++ under ASan, have probes too)
listing=$(bpftrace -l 'usdt:*' -p "$DRV_PID" 2>/dev/null | sed 's/.*:\([^:]*:[^:]*\)$/\1/' | grep '^dpt2\?:' | sort | tr '\n' ' ')
expect "bpftrace -l" "$listing" "dpt2:ints dpt2:tick dpt2:twelve dpt2:wide dpt:ints dpt:tick dpt:twelve dpt:wide "
path=$(bpftrace -l 'usdt:*' -p "$DRV_PID" 2>/dev/null | grep ':dpt:ints$')
expect "probe path" "$path" "usdt:/proc/$DRV_PID/fd/$DRV_FD:dpt:ints"

# bcc sees them too.
if [ -x /usr/sbin/tplist-bpfcc ]; then
	n=$(/usr/sbin/tplist-bpfcc -p "$DRV_PID" 2>/dev/null | grep -c ' dpt2\?:')
	expect "tplist-bpfcc count" "$n" 8
fi

expect "list types ints" "$("$DYNPROBE" list "$DRV_PID" | awk '$2=="dpt" && $3=="ints" {print $8,$9,$10,$11,$12,$13}')" \
	"i8 u8 i16 u16 i32 u32"
expect "list types wide" "$("$DYNPROBE" list "$DRV_PID" | awk '$2=="dpt2" && $3=="wide" {print $8,$9,$10,$11,$12,$13}')" \
	"i64 u64 str double str i64"
expect "list state" "$(list_field dpt tick 5)" loaded
expect "list all processes" "$("$DYNPROBE" list | awk -v p="$DRV_PID" '$1==p' | wc -l)" 8
expect "unload shows" "$(drv unload)" "ok 0"
expect "list unloaded" "$(list_field dpt tick 5)" unloaded
"$DYNPROBE" list 999999999 >/dev/null 2>&1 && dp_fail "list of a missing PID succeeded"
echo PASS
