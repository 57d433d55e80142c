#!/usr/bin/env bash
# report_files.sh - `dynprobe report` and sink.dynprobe.report on recorded
# traces: exact counts, sums, min/max, hist and lhist buckets, group-by,
# filters, the key cap, percentiles within the stated bound, all formats.
set -u
. "$(dirname "$0")/report_common.sh"

N=20000
record_trace t "$N" 42
V=$WORK/t.values     # method lat signed real, one event per line

report() { "$DYNPROBE" report "$WORK/t" -e dpgen:req "$@"; }

# --- count, sum, min, max per method (exact) -------------------------------
report -f arg1 -b arg0 -a stats --csv >"$WORK/stats.csv" || dp_fail "report stats"
for m in GET POST PUT DELETE; do
	want=$(awk -v m=$m '$1 == m { n++; s += $2; if (!c++ || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
		END { printf "%d %.0f %d %d\n", n, s, lo, hi }' "$V")
	set -- $want
	expect_eq "count[$m]" "$(csv_get "$WORK/stats.csv" $m count)" "$1"
	expect_eq "sum[$m]" "$(csv_get "$WORK/stats.csv" $m sum)" "$2"
	expect_eq "min[$m]" "$(csv_get "$WORK/stats.csv" $m min)" "$3"
	expect_eq "max[$m]" "$(csv_get "$WORK/stats.csv" $m max)" "$4"
done
expect_eq "events_read" "$(csv_get "$WORK/stats.csv" "" events_read)" $((N + (N + 9) / 10))
expect_eq "discarded_events" "$(csv_get "$WORK/stats.csv" "" discarded_events)" 0

# --- hist buckets (bpftrace log2 layout), keyed by the bucket's low bound --
report -f arg1 -a hist --csv >"$WORK/hist.csv" || dp_fail "report hist"
awk '{ v = $2; if (v < 0) b = "-inf"; else if (v < 1) b = 0; else { b = 1; while (b * 2 <= v) b *= 2 }
	n[b]++ } END { for (b in n) print b, n[b] }' "$V" | sort >"$WORK/hist.want"
awk -F, '$2 == "hist" { print $(NF-2), $NF }' "$WORK/hist.csv" | awk '$2 != 0' | sort >"$WORK/hist.got"
diff "$WORK/hist.want" "$WORK/hist.got" || dp_fail "hist buckets differ"
echo "ok: hist buckets ($(wc -l <"$WORK/hist.got") non-empty)"

# negatives all land in bpftrace's "(..., 0)" bucket
got=$(report -f arg2 -a hist --csv | awk -F, '$2 == "hist" && $(NF-2) == "-inf" { print $NF }')
expect_eq "hist (..., 0) of arg2" "$got" "$(awk '$3 < 0' "$V" | wc -l)"

# --- lhist on the signed field, including the open-ended buckets -----------
report -f arg2 -a 'lhist(-900,900,100)' --csv >"$WORK/lhist.csv" || dp_fail "report lhist"
awk '{ v = $3; if (v < -900) b = "-inf"; else if (v >= 900) b = 900;
	else b = -900 + 100 * int((v + 900) / 100); n[b]++ } END { for (b in n) print b, n[b] }' \
	"$V" | sort >"$WORK/lhist.want"
awk -F, '$2 == "lhist" && $NF != 0 { print $(NF-2), $NF }' "$WORK/lhist.csv" | sort >"$WORK/lhist.got"
diff "$WORK/lhist.want" "$WORK/lhist.got" || dp_fail "lhist buckets differ"
echo "ok: lhist buckets"

# --- percentiles: nearest rank, within 1/256 of the exact value ------------
report -f arg1 -a pct --csv >"$WORK/pct.csv" || dp_fail "report pct"
sort -n -k2,2 "$V" | awk '{ print $2 }' >"$WORK/sorted"
for p in 50 90 99 99.9; do
	exact=$(awk -v p=$p -v n=$N 'BEGIN { r = p / 100 * n; k = int(r); if (k < r) k++ }
		NR == k { print; exit }' "$WORK/sorted")
	got=$(csv_get "$WORK/pct.csv" "" p$p)
	awk -v e="$exact" -v g="$got" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= e / 256) }' ||
		dp_fail "p$p: got $got, exact $exact (bound 1/256)"
	echo "ok: p$p = $got (exact $exact)"
done

# --- reals: sum and p50 of the double field --------------------------------
report -f arg3 -a sum,p50 --json >"$WORK/real.json" || dp_fail "report real"
sum=$(sed -n 's/.*"sum":\([^,}]*\).*/\1/p' "$WORK/real.json")
want=$(awk '{ s += $4 } END { printf "%.6f", s }' "$V")
awk -v a="$sum" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6 * b) }' ||
	dp_fail "real sum: got $sum, want $want"
echo "ok: real sum = $sum"

# --- filters ----------------------------------------------------------------
got=$(report -f arg1 -F 'arg1 > 100000' -a count --csv | awk -F, '$2 == "count" { print $NF }')
expect_eq "filter arg1 > 100000" "$got" "$(awk '$2 > 100000' "$V" | wc -l)"
got=$(report -a count -F 'arg0 == "PUT"' --csv | awk -F, '$2 == "count" { print $NF }')
expect_eq "filter arg0 == PUT" "$got" "$(awk '$1 == "PUT"' "$V" | wc -l)"
got=$(report -a count -F 'arg2<=-500' --csv | awk -F, '$2 == "events_filtered" { print $NF }')
expect_eq "filtered out by arg2 <= -500" "$got" "$(awk '$3 > -500' "$V" | wc -l)"

# --- glob over several event classes (count only) --------------------------
got=$("$DYNPROBE" report "$WORK" -e 'dpgen:*' --csv | awk -F, '$2 == "count" { print $NF }')
expect_eq "count dpgen:*" "$got" $((N + (N + 9) / 10))

# --- several traces at once: per-PID buffers give one trace per process ---
lttng create pp --output="$WORK/pp" >/dev/null || dp_fail "create pp"
lttng enable-channel -u --buffers-pid ch >/dev/null || dp_fail "enable-channel --buffers-pid"
lttng enable-event -u -c ch 'dpgen:*' >/dev/null || dp_fail "enable-event pp"
lttng start >/dev/null || dp_fail "start pp"
"$GEN" 1000 101 "$WORK/pp1.values" && "$GEN" 1500 102 "$WORK/pp2.values" || dp_fail "gen pp"
lttng stop >/dev/null && lttng destroy pp >/dev/null || dp_fail "stop pp"
"$DYNPROBE" report "$WORK/pp" -e dpgen:req -f arg1 -a count,sum --csv >"$WORK/pp.csv" ||
	dp_fail "report on per-PID traces"
ntraces=$(find "$WORK/pp" -name metadata | wc -l)
[ "$ntraces" -ge 2 ] || dp_fail "expected one trace per process, found $ntraces"
expect_eq "count over $ntraces traces" "$(csv_get "$WORK/pp.csv" "" count)" 2500
expect_eq "sum over $ntraces traces" "$(csv_get "$WORK/pp.csv" "" sum)" \
	"$(cat "$WORK/pp1.values" "$WORK/pp2.values" | awk '{ s += $2 } END { printf "%.0f", s }')"

# --- key cap: 10 keys kept, the rest counted under (other) and reported -----
report -a count -b arg1 --max-keys 10 --csv >"$WORK/cap.csv" || dp_fail "report cap"
keys=$(awk -F, '$2 == "count" && $1 != "" && $1 != "(other)"' "$WORK/cap.csv" | wc -l)
expect_eq "kept keys" "$keys" 10
other=$(csv_get "$WORK/cap.csv" "(other)" count)
expect_eq "other events" "$(csv_get "$WORK/cap.csv" "" other_key_events)" "$other"
grep -q 'key limit (10) reached' "$WORK/cap.csv" || dp_fail "no key-cap warning in CSV"
report -a count -b arg1 --max-keys 10 | grep -q 'WARNING: group-by key limit' ||
	dp_fail "no key-cap warning in text"

# --- text output: bpftrace layout ------------------------------------------
report -f arg1 -b arg0 -a count,hist >"$WORK/text.out" || dp_fail "report text"
grep -qE '^@count\[GET\]: [0-9]+$' "$WORK/text.out" || dp_fail "text: no @count[GET]"
grep -qE '^@hist\[GET\]:$' "$WORK/text.out" || dp_fail "text: no @hist[GET]"
grep -qE '^\[1K, 2K\) +[0-9]+ \|@+ *\|$' "$WORK/text.out" || dp_fail "text: no [1K, 2K) bar"
grep -qE '^discarded events: 0, discarded packets: 0, incomplete streams: 0$' "$WORK/text.out" ||
	dp_fail "text: loss line missing"
echo "ok: text layout"

# --- JSON is well formed and carries the loss facts ------------------------
report -f arg1 -b arg0 -a stats,pct,hist,'lhist(0,1000,100)' --json >"$WORK/all.json" ||
	dp_fail "report json"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1]));
assert d["discarded_events"] == 0 and "incomplete_streams" in d and len(d["groups"]) == 4' \
		"$WORK/all.json" || dp_fail "JSON invalid"
	echo "ok: JSON parses"
fi

# --- SVG ---------------------------------------------------------------------
report -f arg1 -b arg0 -a hist --svg "$WORK/h.svg" >/dev/null || dp_fail "report svg"
grep -q '<svg ' "$WORK/h.svg" && grep -q 'discarded events 0' "$WORK/h.svg" || dp_fail "SVG content"
if command -v python3 >/dev/null; then
	python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$WORK/h.svg" ||
		dp_fail "SVG is not well-formed XML"
fi
echo "ok: SVG"

# --- the babeltrace2 plugin gives the same numbers -------------------------
bt_plugin "$WORK/t" -c sink.dynprobe.report \
	-p 'event="dpgen:req",field="arg1",by="arg0",agg="stats",format="csv"' >"$WORK/plugin.csv" ||
	dp_fail "babeltrace2 with sink.dynprobe.report failed"
for m in GET POST PUT DELETE; do
	expect_eq "plugin sum[$m]" "$(csv_get "$WORK/plugin.csv" $m sum)" \
		"$(csv_get "$WORK/stats.csv" $m sum)"
done
echo "PASS"
