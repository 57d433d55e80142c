#!/usr/bin/env bash
# perf as a third reader of a shared image: `perf buildid-cache --add`,
# `perf list 'sdt_*:*'`, `perf probe -x PATH sdt_P:req`, `perf record -e
# sdt_P:req -a` and `perf script` show the events with their argument
# values from two processes; `perf probe -d` removes the probe and nothing
# is left behind (no uprobe event, no attached probe, no cache).
#
# perf probe writes uprobe_events in tracefs: the test mounts tracefs in a
# private mount namespace, gives perf a private $HOME (its build-id cache)
# and names everything after this run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
if [ "${DP_PERF_INNER:-}" != 1 ]; then
	command -v perf >/dev/null && perf --version >/dev/null 2>&1 || dp_skip "perf not installed (linux-perf)"
	[ "$(id -u)" = 0 ] || dp_skip "perf probe needs root"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	DP_PERF_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
. "$here/lib.sh"
tracefs=/sys/kernel/tracing
[ -e "$tracefs/uprobe_events" ] || mount -t tracefs nodev "$tracefs" 2>/dev/null ||
	dp_skip "cannot mount tracefs"
export HOME=$WORK/home
mkdir -p "$HOME"
P=pf_$RUN_ID

declare -A EMIT_PID
for n in 1 2; do
	"$DYNPROBE" emit --provider "$P" --probe req --arg u64:42 --arg i32:-7 --arg u8:200 \
		--count 0 --interval-ms 20 --quiet >"$WORK/emit$n" 2>&1 &
	EMIT_PID[$n]=$!; BT_PIDS+=("$!")
	dp_wait_until 10 "grep -q '^usdt:' '$WORK/emit$n'" || dp_fail "emitter $n: $(cat "$WORK/emit$n")"
done
img=$(grep '^usdt:' "$WORK/emit1"); img=${img#usdt:}; img=${img%:$P:req}
[ "$(grep '^usdt:' "$WORK/emit2")" = "usdt:$img:$P:req" ] || dp_fail "two paths"

perf buildid-cache --add "$img" >"$WORK/cache.out" 2>&1 || dp_fail "buildid-cache: $(cat "$WORK/cache.out")"
id=$(basename "$img" .so); id=${id##*-}
perf buildid-cache --list 2>/dev/null | grep -q "^$id $img\$" || dp_fail "build-id $id not cached"
# (perf 6.1 matches SDT events only with a provider:event glob, as for
# sys/sdt.h binaries: 'sdt_*' alone lists none)
for glob in 'sdt_*:*' sdt; do
	perf list "$glob" 2>/dev/null | grep -q "sdt_$P:req .*\[SDT event\]" ||
		dp_fail "perf list $glob: $(perf list "$glob" 2>&1)"
done
perf probe -x "$img" "sdt_$P:req" >"$WORK/probe.out" 2>&1 || dp_fail "perf probe: $(cat "$WORK/probe.out")"
grep -q "sdt_$P/req" "$tracefs/uprobe_events" || dp_fail "no uprobe event: $(cat "$tracefs/uprobe_events")"
perf record -q -o "$WORK/perf.data" -e "sdt_$P:req" -a -- sleep 1 >"$WORK/record.out" 2>&1 ||
	dp_fail "perf record: $(cat "$WORK/record.out")"
perf script -i "$WORK/perf.data" >"$WORK/script" 2>"$WORK/script.err" || dp_fail "perf script: $(cat "$WORK/script.err")"
for n in 1 2; do
	# "dynprobe 4242 [000] 123.456: sdt_P:req: (7f...) arg1=42 arg2=-7 arg3=200"
	grep -Eq "^ *dynprobe +${EMIT_PID[$n]} .* sdt_$P:req: \([0-9a-f]+\) arg1=42 arg2=-7 arg3=200\$" "$WORK/script" ||
		dp_fail "perf script lacks process $n: $(head -5 "$WORK/script")"
done
echo "ok: perf record -a saw both processes with their argument values"

perf probe -d "sdt_$P:*" >"$WORK/del.out" 2>&1 || dp_fail "perf probe -d: $(cat "$WORK/del.out")"
grep -q "sdt_$P" "$tracefs/uprobe_events" && dp_fail "uprobe event left: $(cat "$tracefs/uprobe_events")"
for n in 1 2; do
	row=$("$DYNPROBE" list "${EMIT_PID[$n]}" | awk -v p="$P" '$2 == p && $3 == "req"')
	[ "$(echo "$row" | awk '{print $5, $6}')" = "0 no" ] || dp_fail "still attached in process $n: $row"
done
perf buildid-cache --remove "$img" >/dev/null 2>&1 || dp_fail "buildid-cache --remove"
perf buildid-cache --list 2>/dev/null | grep -q "$id" && dp_fail "build-id still cached"
echo "ok: perf probe -d removed the probe; nothing attached, nothing cached"
echo PASS
