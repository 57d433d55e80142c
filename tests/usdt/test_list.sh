#!/usr/bin/env bash
# bpftrace -l -p lists every probe of both providers; `dynprobe list` shows
# them one row per probe with their argument types, and names the shared
# image file of each provider; bcc lists the probes of that file.
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start

dp_wait_until 10 "bpftrace -l 'usdt:*' -p $DRV_PID 2>/dev/null | grep -q ':$DPT2:tick\$'" ||
	dp_fail "bpftrace -l does not list $DPT2:tick"
# (other libraries of the process, e.g. libstdc++ under ASan, have probes too)
listing=$(bpftrace -l 'usdt:*' -p "$DRV_PID" 2>/dev/null | sed 's/.*:\([^:]*:[^:]*\)$/\1/' |
	grep "^dpt2\?_$RUN_ID:" | sed "s/_$RUN_ID//" | sort | tr '\n' ' ')
expect "bpftrace -l" "$listing" "dpt2:ints dpt2:tick dpt2:twelve dpt2:wide dpt:ints dpt:tick dpt:twelve dpt:wide "

# The shared image: a file in the trusted directory, named after the
# provider and the image's build-id, mapped by the driver.
img=$(list_image "$DPT")
[[ "$img" == /run/dynprobe/$DPT-[0-9a-f]*.so ]] || dp_fail "image path '$img'"
[ "$(stat -c '%U %a' "$img")" = "root 444" ] || dp_fail "image owner/mode: $(stat -c '%U %a' "$img")"
grep -q " $img\$" "/proc/$DRV_PID/maps" || dp_fail "$img is not what the driver maps"
path=$(bpftrace -l 'usdt:*' -p "$DRV_PID" 2>/dev/null | grep ":$DPT:ints$")
expect "probe path (-p)" "$path" "usdt:/proc/$DRV_PID/root$img:$DPT:ints"
expect "probe path (file)" "$(bpftrace -l "usdt:$img:*" 2>/dev/null | sort | tr '\n' ' ')" \
	"usdt:$img:$DPT:ints usdt:$img:$DPT:tick usdt:$img:$DPT:twelve usdt:$img:$DPT:wide "
readelf -n "$img" | grep -q "Build ID: $(basename "$img" .so | sed 's/.*-//')" ||
	dp_fail "build-id of $img: $(readelf -n "$img" | grep 'Build ID')"

# bcc sees them too, in the process and in the file.
if [ -x /usr/sbin/tplist-bpfcc ]; then
	n=$(/usr/sbin/tplist-bpfcc -p "$DRV_PID" 2>/dev/null | grep -c " dpt2\?_$RUN_ID:")
	expect "tplist-bpfcc -p count" "$n" 8
	expect "tplist-bpfcc -l" "$(/usr/sbin/tplist-bpfcc -l "$img" 2>/dev/null | sort | tr '\n' ' ')" \
		"$img $DPT:ints $img $DPT:tick $img $DPT:twelve $img $DPT:wide "
fi

expect "list types ints" "$("$DYNPROBE" list "$DRV_PID" | awk -v p="$DPT" '$2==p && $3=="ints" {print $9,$10,$11,$12,$13,$14}')" \
	"i8 u8 i16 u16 i32 u32"
expect "list types wide" "$("$DYNPROBE" list "$DRV_PID" | awk -v p="$DPT2" '$2==p && $3=="wide" {print $9,$10,$11,$12,$13,$14}')" \
	"i64 u64 str double str i64"
expect "list state" "$(list_field "$DPT" tick 4)" loaded
expect "list LTTng state of a USDT-only probe" "$(list_field "$DPT" tick 7)" -
expect "list all processes" "$("$DYNPROBE" list | awk -v p="$DRV_PID" '$1==p && $3 !~ /^\// && $4 != ""' | wc -l)" 8
expect "list all processes: images" "$("$DYNPROBE" list | awk -v p="$DRV_PID" '$1==p && $3 ~ /^\//' | wc -l)" 2
expect "unload shows" "$(drv unload)" "ok 0"
expect "list unloaded" "$(list_field "$DPT" tick 4)" unloaded
expect "free hides" "$(drv free)" "ok 0"
expect "list after free" "$(list_field "$DPT" tick 4)" ""

# Errors: nothing but the error (no table header).
"$DYNPROBE" list 999999999 >"$WORK/out" 2>&1 && dp_fail "list of a missing PID succeeded"
grep -q "no process 999999999" "$WORK/out" || dp_fail "missing PID: $(cat "$WORK/out")"
grep -q PROVIDER "$WORK/out" && dp_fail "table header after an error: $(cat "$WORK/out")"
"$DYNPROBE" list --bogus >"$WORK/out" 2>&1 && dp_fail "list --bogus succeeded"
grep -q "'--bogus' is not an option of list" "$WORK/out" || dp_fail "--bogus: $(cat "$WORK/out")"
grep -q '^PID ' "$WORK/out" && dp_fail "table header after --bogus: $(cat "$WORK/out")"
echo PASS
