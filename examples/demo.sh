#!/usr/bin/env bash
# demo.sh [BUILD_DIR] - the same latency probe, traced on both paths.
#
#   1. USDT: bpftrace attaches to the running example and prints a log2
#      histogram of the latencies, as in the seed report.
#   2. LTTng: a session (in a private session daemon, so nothing on the
#      machine is disturbed) records the same probe into ring buffers, and
#      `dynprobe report` prints the same histogram from the trace.
# Needs root (uprobes, and the private daemon's mount namespace).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
. "$src/tests/lib/common.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/dynprobe-demo.XXXXXX")
ex=
# Stop the example if it still runs (it may be gone already: that is not
# an error), then remove the work directory; keep the script's status.
cleanup() {
	local status=$?
	if [ -n "$ex" ] && kill -0 "$ex" 2>/dev/null; then
		kill "$ex" 2>/dev/null || true
		wait "$ex" 2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT

echo "== USDT: bpftrace reads the probe while the program runs"
"$build/examples/latency" 100000 >"$work/latency.out" &
ex=$!
dp_wait_until 10 "grep -q '^pid' '$work/latency.out'" || dp_fail "example did not start"
"$build/tools/dynprobe" list "$ex"
echo "\$ bpftrace -p $ex -e 'usdt::global:nsec_latency { @ = hist(arg0); }'   (2,000 events)"
bpftrace -p "$ex" -e 'usdt::global:nsec_latency { @ = hist(arg0); @i++; if (@i >= 2000) { exit(); } }' 2>/dev/null |
	grep -v '^@i:'
kill "$ex"
wait "$ex" 2>/dev/null || true # killed by us: its status says SIGTERM
ex=

echo
echo "== LTTng: an lttng session records the same probe; dynprobe report reads the trace"
DEMO_BUILD=$build DEMO_WORK=$work "$src/tests/lib/lttng-private.sh" bash -c '
	set -e
	lttng create demo --output="$DEMO_WORK/trace" >/dev/null
	lttng enable-event -u "global:*" >/dev/null
	lttng start >/dev/null
	echo "\$ DYNPROBE_BACKENDS=lttng examples/latency 2000"
	DYNPROBE_BACKENDS=lttng "$DEMO_BUILD/examples/latency" 2000 >/dev/null
	lttng stop >/dev/null
	lttng destroy >/dev/null
	echo "\$ dynprobe report TRACE -e global:nsec_latency -f ns -a count,p50,p99,hist"
	"$DEMO_BUILD/tools/dynprobe" report "$DEMO_WORK/trace" -e global:nsec_latency -f ns -a count,p50,p99,hist
'
