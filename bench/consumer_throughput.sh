#!/usr/bin/env bash
# consumer_throughput.sh - `dynprobe report` vs `babeltrace2 > /dev/null`.
#
#   bench/consumer_throughput.sh [BUILD_DIR [EVENTS]]    (root; default build, 2000000)
#
# Records EVENTS dpgen:req events (+ EVENTS/10 dpgen:tick) with the
# library's LTTng backend (tests/consumer/gen_dynprobe) in a private
# session daemon, with blocking channels so nothing is discarded, then
# times on the same trace (best of 3 runs each, page cache warm):
#   babeltrace2 TRACE > /dev/null                   (text, the reference)
#   babeltrace2 TRACE -c sink.utils.dummy           (decoding alone)
#   dynprobe report -e dpgen:req -a count           (count only)
#   dynprobe report -e dpgen:req -f arg1 -b arg0 -a stats,pct,hist
# and prints events/s and each one's speed relative to babeltrace2 text.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 1
events=${2:-2000000}

if [ "${DYNPROBE_BENCH_INNER:-}" != 1 ]; then
	DYNPROBE_BENCH_INNER=1 exec "$root/tests/lib/lttng-private.sh" "$0" "$build" "$events"
fi

dynprobe=$build/tools/dynprobe
gen=$build/tests/consumer/gen_dynprobe
for f in "$dynprobe" "$gen"; do
	[ -x "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/dynprobe-consumer-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DYNPROBE_CACHE_DIR=$work/cache
export LTTNG_UST_ALLOW_BLOCKING=1

echo "recording $events events ..."
lttng create bench --output="$work/trace" >/dev/null
lttng enable-channel -u --blocking-timeout=inf --subbuf-size=4M --num-subbuf=4 ch >/dev/null
lttng enable-event -u -c ch 'dpgen:*' >/dev/null
lttng start >/dev/null
"$gen" "$events" 42 || exit 1
lttng stop >/dev/null
lttng destroy bench >/dev/null

total=$("$dynprobe" report "$work/trace" -e 'dpgen:*' --csv | awk -F, '$2 == "events_read" { print $NF }')
lost=$("$dynprobe" report "$work/trace" -e 'dpgen:*' --csv | awk -F, '$2 == "discarded_events" { print $NF }')
echo "trace: $total events, $lost discarded, $(du -sh "$work/trace" | cut -f1)"

# best_of3 CMD...: fastest wall time in seconds
best_of3() {
	local best= t0 t1 d
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
		t1=$(date +%s%N)
		d=$((t1 - t0))
		[ -z "$best" ] || [ "$d" -lt "$best" ] && best=$d
	done
	awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

"$dynprobe" report "$work/trace" -e dpgen:req -a count >/dev/null    # warm the page cache
ref=$(best_of3 babeltrace2 "$work/trace")
printf '%-62s %8s %12s %8s\n' "command" "seconds" "events/s" "speed"
row() {
	awk -v name="$1" -v s="$2" -v n="$total" -v ref="$ref" \
		'BEGIN { printf "%-62s %8.3f %12.0f %7.2fx\n", name, s, n / s, ref / s }'
}
row "babeltrace2 TRACE > /dev/null" "$ref"
row "babeltrace2 TRACE -c sink.utils.dummy" \
	"$(best_of3 babeltrace2 "$work/trace" -c sink.utils.dummy)"
row "dynprobe report -e dpgen:req -a count" \
	"$(best_of3 "$dynprobe" report "$work/trace" -e dpgen:req -a count)"
row "dynprobe report -e dpgen:req -f arg1 -b arg0 -a stats,pct,hist" \
	"$(best_of3 "$dynprobe" report "$work/trace" -e dpgen:req -f arg1 -b arg0 -a stats,pct,hist)"
echo "(speed: babeltrace2 text time / this time; > 1 means faster than babeltrace2)"
