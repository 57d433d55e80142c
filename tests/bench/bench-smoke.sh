#!/usr/bin/env bash
# bench-smoke.sh SRC BUILD - seconds-long smoke run of the benchmark harness.
#
# Runs `bench/run.sh --quick --no-build` on BUILD into a temporary directory
# and checks the outputs: report.md, sysinfo.txt, SVG charts and
# measurements.csv exist; every CSV row is either numeric or an explicit
# "n/a (reason)"; every cell of the matrix is present (report.py --check).
# Timings are never judged here.
#
# Skips (77) only when the machine truly cannot run the harness: not root
# (uprobes, BPF and the private session daemon need it) or no bpftrace.
# With DYNPROBE_TEST_NO_SKIP=1 such a skip fails instead, and so does a
# native cell (sys/sdt.h, static lttng-ust) left n/a by the environment:
# on a capable machine the traced states must really run.
set -u
src=${1:?usage: bench-smoke.sh SRC BUILD}
build=${2:?usage: bench-smoke.sh SRC BUILD}
. "$src/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || dp_skip "the benchmark needs root (uprobes, BPF, private lttng-sessiond)"
command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
[ -x "$build/bench/dpbench" ] || dp_fail "dpbench not built in $build"

out=$(mktemp -d /tmp/dynprobe-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT

"$src/bench/run.sh" --quick --no-build --build-dir "$build" --out "$out" ||
	dp_fail "bench/run.sh --quick failed"

for f in report.md measurements.csv sysinfo.txt; do
	[ -s "$out/$f" ] || dp_fail "missing or empty $f"
done
ls "$out"/charts/*.svg >/dev/null 2>&1 || dp_fail "no SVG chart"
grep -q '^| Disabled: DYNPROBE_FIRE on a static site (USDT)' "$out/report.md" ||
	dp_fail "report.md has no headline table"
# The disabled ratios come from the interleaved pairs, measured in this run.
grep -q '^pair,idle,dp_usdt_site,2,usdt_site-sdt,' "$out/measurements.csv" ||
	dp_fail "no interleaved pair rows"
grep -q 'interleaved in 20 bursts |' "$out/report.md" || dp_fail "headline not from the pairs"

# Independent of report.py: 13 columns; ok rows numeric, na rows explained.
bad=$(awk -F, 'NR == 1 { if ($0 !~ /^kind,state,mechanism,/) print "bad header"; next }
	NF != 13 { print NR ": " NF " columns"; next }
	$12 == "ok" && $10 !~ /^-?[0-9]+(\.[0-9]+)?$/ { print NR ": value " $10; next }
	$12 == "na" && $13 !~ /^n\/a \(.+\)/ { print NR ": n/a without reason"; next }
	$12 != "ok" && $12 != "na" { print NR ": status " $12 }' "$out/measurements.csv")
[ -z "$bad" ] || dp_fail "malformed measurements.csv: $(echo "$bad" | head -5)"

python3 "$src/bench/report.py" --check "$out" || dp_fail "report.py --check failed"

if [ "${DYNPROBE_TEST_NO_SKIP:-}" = 1 ]; then
	natna=$(awk -F, '$1 == "fire" && ($3 == "sdt" || $3 == "ust") && $12 == "na"' "$out/measurements.csv")
	[ -z "$natna" ] || dp_fail "native cells n/a on a machine that must run them: $(echo "$natna" | head -3)"
fi
echo "bench smoke: ok ($(grep -c ',ok,' "$out/measurements.csv") measurements, $(grep -c ',na,' "$out/measurements.csv") n/a rows)"
