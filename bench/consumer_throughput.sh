#!/usr/bin/env bash
# consumer_throughput.sh - `dynprobe report` reading speed vs babeltrace2.
#
#   bench/consumer_throughput.sh [BUILD_DIR [EVENTS [REPS]]]
#       (root; defaults: build, 2000000, 7; CSV of every run to $OUT if set)
#
# Records EVENTS dpgen:req events (+ EVENTS/10 dpgen:tick) with the
# library's LTTng backend (tests/consumer/gen_dynprobe): two processes of
# two threads each, pinned to CPU 0 and CPU 1, with the vpid, vtid and
# procname contexts, in blocking channels (nothing discarded), in a
# private session daemon.  Then, REPS times, every command below once, in
# an order that rotates each repetition (page cache warm, same machine
# state for all), wall time each:
#
#   babeltrace2 TRACE > /dev/null                        text output
#   babeltrace2 TRACE -c sink.utils.dummy                decoding alone: the reference
#   dynprobe report ... count / two keys / compound filter, each with the
#   default readers (one per CPU for this trace) and with --jobs 1
#   dynprobe report ... --interval 100ms                 time order: one reader
#
# Prints per command the median wall and CPU time, events/s, and the median
# and range of its per-repetition speed relative to the dummy sink (> 1:
# faster), in wall time and in CPU time.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 1
events=${2:-2000000}
reps=${3:-7}

if [ "${DYNPROBE_BENCH_INNER:-}" != 1 ]; then
	DYNPROBE_BENCH_INNER=1 exec "$root/tests/lib/lttng-private.sh" "$0" "$build" "$events" "$reps"
fi

dynprobe=$build/tools/dynprobe
gen=$build/tests/consumer/gen_dynprobe
for f in "$dynprobe" "$gen"; do
	[ -x "$f" ] || { echo "missing $f (build first: ninja -C $build)" >&2; exit 1; }
done
[ "$(nproc)" -ge 2 ] || { echo "needs 2 CPUs" >&2; exit 1; }
work=$(mktemp -d /tmp/dynprobe-consumer-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
export DYNPROBE_CACHE_DIR=$work/cache
export LTTNG_UST_ALLOW_BLOCKING=1

per=$((events / 4))     # 2 processes x 2 threads
echo "recording $((per * 4)) events (2 processes x 2 threads, CPUs 0 and 1) ..."
lttng create bench --output="$work/trace" >/dev/null
lttng enable-channel -u --blocking-timeout=inf --subbuf-size=4M --num-subbuf=4 ch >/dev/null
lttng enable-event -u -c ch 'dpgen:*' >/dev/null
lttng add-context -u -c ch -t vpid -t vtid -t procname >/dev/null
lttng start >/dev/null
taskset -c 0 "$gen" "$per" 42 - 2 & a=$!
taskset -c 1 "$gen" "$per" 43 - 2 & b=$!
wait "$a" && wait "$b" || exit 1
lttng stop >/dev/null
lttng destroy bench >/dev/null

csv=$("$dynprobe" report "$work/trace" -e 'dpgen:*' --csv)
total=$(awk -F, '$2 == "events_read" { print $NF }' <<<"$csv")
lost=$(awk -F, '$2 == "discarded_events" { print $NF }' <<<"$csv")
echo "trace: $total events, $lost discarded, $(du -sh "$work/trace" | cut -f1), $(find "$work/trace" -name 'ch_*' | wc -l) stream files"

filter='arg2 > 0 && (arg0 == "GET" || arg0 == "P*") && !(arg1 < 100)'
names=(
	"babeltrace2 TRACE > /dev/null"
	"babeltrace2 TRACE -c sink.utils.dummy"
	"report -e dpgen:req -a count"
	"report -e dpgen:req -a count --jobs 1"
	"report -e dpgen:req -f arg1 -b arg0,vtid -a stats,pct,hist"
	"report -e dpgen:req -f arg1 -b arg0,vtid -a stats,pct,hist --jobs 1"
	"report -e dpgen:req -f arg1 -b arg0 -F '<compound>' -a count,sum"
	"report -e dpgen:req -f arg1 -b arg0 -F '<compound>' -a count,sum --jobs 1"
	"report -e dpgen:req -f arg1 -a count,p99 --interval 100ms"
)
run() {
	local t="$work/trace"
	case $1 in
	0) babeltrace2 "$t" ;;
	1) babeltrace2 "$t" -c sink.utils.dummy ;;
	2) "$dynprobe" report "$t" -e dpgen:req -a count ;;
	3) "$dynprobe" report "$t" -e dpgen:req -a count --jobs 1 ;;
	4) "$dynprobe" report "$t" -e dpgen:req -f arg1 -b arg0,vtid -a stats,pct,hist ;;
	5) "$dynprobe" report "$t" -e dpgen:req -f arg1 -b arg0,vtid -a stats,pct,hist --jobs 1 ;;
	6) "$dynprobe" report "$t" -e dpgen:req -f arg1 -b arg0 -F "$filter" -a count,sum ;;
	7) "$dynprobe" report "$t" -e dpgen:req -f arg1 -b arg0 -F "$filter" -a count,sum --jobs 1 ;;
	8) "$dynprobe" report "$t" -e dpgen:req -f arg1 -a count,p99 --interval 100ms ;;
	esac >/dev/null 2>"$work/err" || { echo "failed: ${names[$1]}: $(cat "$work/err")" >&2; exit 1; }
}

n=${#names[@]}
run 2         # warm the page cache
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$work/times"
# Wall time (what a user waits) and CPU time (user + system, children
# included: what it costs, and what a loaded machine does not distort as
# much), from bash's own `time`.
TIMEFORMAT='%R %U %S'
for ((r = 0; r < reps; r++)); do
	for ((k = 0; k < n; k++)); do
		i=$(((k + r) % n))
		{ time run "$i"; } 2>"$work/t"
		read -r wall user sys <"$work/t"
		echo "$r $i $wall $user $sys" >>"$work/times"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${OUT:-}" ] && { echo "rep,command,wall_s,user_s,sys_s"; awk -v OFS=, '{ print $1, $2, $3, $4, $5 }' "$work/times"; } >"$OUT"

# Per command: median wall and CPU time; per repetition, dummy / its time.
awk -v n="$n" -v total="$total" -v names="$(printf '%s\n' "${names[@]}")" '
function median(a, m,   i, j, t) {
	for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
function ratios(col, i,   r) {
	for (r = 0; r < reps; r++) s[r + 1] = v[r, 1, col] / v[r, i, col]
	lo = hi = s[1]
	for (r = 2; r <= reps; r++) { if (s[r] < lo) lo = s[r]; if (s[r] > hi) hi = s[r] }
	return median(s, reps)
}
BEGIN { split(names, name, "\n") }
{ v[$1, $2, "w"] = $3; v[$1, $2, "c"] = $4 + $5; if ($1 + 1 > reps) reps = $1 + 1 }
END {
	printf "%-70s %7s %10s %17s %7s %17s\n", "command (" reps " interleaved runs)", "wall s",
	       "events/s", "wall speed", "CPU s", "CPU speed"
	for (i = 0; i < n; i++) {
		for (r = 0; r < reps; r++) { w[r + 1] = v[r, i, "w"]; c[r + 1] = v[r, i, "c"] }
		mw = median(w, reps); mc = median(c, reps)
		sw = ratios("w", i); wlo = lo; whi = hi
		sc = ratios("c", i)
		printf "%-70s %7.2f %10.0f %5.2fx [%.2f-%.2f] %7.2f %5.2fx [%.2f-%.2f]\n", name[i + 1], mw,
		       total / mw, sw, wlo, whi, mc, sc, lo, hi
	}
}' "$work/times"
echo "(speed: babeltrace2 -c sink.utils.dummy's time / this command's, per repetition: median [min-max]; > 1 is faster)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r), $(date -u +%Y-%m-%dT%H:%MZ)"
