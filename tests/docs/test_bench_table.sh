#!/usr/bin/env bash
# test_bench_table.sh - the README publishes exactly one benchmark run: the
# Benchmarks section links one bench/results/ directory, bench/results/
# holds only that one, and the table between the bench-table markers is
# what `bench/report.py --readme` prints for it (so no figure is typed by
# hand, and none outlives the run it came from).
set -u
. "$SOURCE_ROOT/tests/lib/common.sh"
src=$SOURCE_ROOT
sec=$(sed -n '/^## Benchmarks$/,/^## /p' "$src/README.md")
dirs=$(grep -o 'bench/results/[0-9][^/)` ]*' <<<"$sec" | sort -u)
[ "$(wc -w <<<"$dirs")" = 1 ] || dp_fail "README's Benchmarks section links $(wc -w <<<"$dirs") result directories: $dirs"
[ -d "$src/$dirs" ] || dp_fail "README links $dirs, which does not exist"
have=$(cd "$src/bench/results" && ls -d */ | tr -d /)
[ "$have" = "$(basename "$dirs")" ] ||
	dp_fail "bench/results/ holds '$(echo $have)'; only the published run ($(basename "$dirs")) belongs there"
echo "ok: one published run, $dirs"
python3 "$src/bench/report.py" --check "$src/$dirs" || dp_fail "$dirs does not pass report.py --check"
want=$(python3 "$src/bench/report.py" --readme "$src/$dirs") || dp_fail "report.py --readme failed"
got=$(sed -n '/^<!-- bench-table: begin -->$/,/^<!-- bench-table: end -->$/p' "$src/README.md" | sed '1d;$d')
[ -n "$got" ] || dp_fail "README has no table between <!-- bench-table: begin --> and <!-- bench-table: end -->"
if [ "$got" != "$want" ]; then
	diff <(echo "$want") <(echo "$got") >&2
	dp_fail "README's benchmark table differs from bench/report.py --readme $dirs (above: - want, + README)"
fi
echo "ok: README's table is report.py --readme of that run"
echo PASS
