#!/usr/bin/env bash
# report_losses.sh - lost data is reported in every format, never hidden:
# discarded events (tiny ring buffers, compared with babeltrace2's own
# count and with what the generator fired), truncated stream files,
# traces without data streams, empty stream files.
set -u
. "$(dirname "$0")/report_common.sh"

# --- discarded events ----------------------------------------------------
# Two 4 KiB sub-buffers cannot absorb 300000 events fired in a tight loop.
N=300000
record_trace d "$N" 3 --subbuf-size=4096 --num-subbuf=2
fired=$((N + (N + 9) / 10))
"$DYNPROBE" report "$WORK/d" -e 'dpgen:*' --csv >"$WORK/d.csv" || dp_fail "report on discards"
disc=$(csv_get "$WORK/d.csv" "" discarded_events)
read=$(csv_get "$WORK/d.csv" "" events_read)
[ "$disc" -gt 0 ] 2>/dev/null || dp_fail "no discarded events recorded (got '$disc'); cannot test"
expect_eq "read + discarded" $((read + disc)) "$fired"
bt=$(babeltrace2 "$WORK/d" 2>&1 >/dev/null |
	sed -n 's/.*Tracer discarded \([0-9]*\) events\?.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
expect_eq "discarded vs babeltrace2" "$disc" "$bt"
"$DYNPROBE" report "$WORK/d" -e 'dpgen:*' | grep -q "^discarded events: $disc," ||
	dp_fail "text output hides discards"
"$DYNPROBE" report "$WORK/d" -e 'dpgen:*' --json | grep -q "\"discarded_events\":$disc," ||
	dp_fail "JSON output hides discards"
"$DYNPROBE" report "$WORK/d" -e dpgen:req -f arg1 --svg "$WORK/d.svg" >/dev/null &&
	grep -q "discarded events $disc" "$WORK/d.svg" || dp_fail "SVG hides discards"
bt_plugin "$WORK/d" -c sink.dynprobe.report \
	-p 'event="dpgen:*",format="csv"' >"$WORK/dp.csv" || dp_fail "plugin on discards"
expect_eq "plugin discarded" "$(csv_get "$WORK/dp.csv" "" discarded_events)" "$disc"
# Per interval too: the intervals' discarded events add up to the total,
# and the summary line carries the total and a warning.
"$DYNPROBE" report "$WORK/d" -e 'dpgen:*' -i 1ms --json >"$WORK/d.jsonl" 2>"$WORK/d.err" ||
	dp_fail "--interval on discards (exit $?): $(cat "$WORK/d.err")"
python3 - "$WORK/d.jsonl" "$disc" <<'PY' || dp_fail "--interval hides discards: $(tail -1 "$WORK/d.jsonl")"
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
want = int(sys.argv[2])
assert sum(d["discarded_events"] for d in docs[:-1]) == want
assert docs[-1]["summary"] and docs[-1]["discarded_events"] == want
assert any("discarded %d events" % want in w for w in docs[-1]["warnings"])
PY
echo "ok: per-interval discarded events add up to $disc"

# --- a truncated stream file is skipped and reported, the rest is read -----
record_trace a 2000 5
record_trace b 2000 6
mkdir "$WORK/two"
mv "$WORK/a" "$WORK/b" "$WORK/two/"
for f in "$WORK"/two/b/ust/uid/*/64-bit/channel*; do
	size=$(stat -c %s "$f")
	# Packets are multiples of 4 KiB: cutting 3000 bytes always lands mid-packet.
	[ "$size" -gt 4096 ] && truncate -s $((size - 3000)) "$f"
done
"$DYNPROBE" report "$WORK/two" -e 'dpgen:*' --csv >"$WORK/two.csv" 2>"$WORK/two.err" ||
	dp_fail "report with a truncated stream: $(cat "$WORK/two.err")"
expect_eq "events of the intact trace" "$(csv_get "$WORK/two.csv" "" count)" 2200
inc=$(csv_get "$WORK/two.csv" "" incomplete_streams)
[ "$inc" -ge 1 ] || dp_fail "incomplete_streams = $inc"
grep -q 'truncated or corrupt.*skipped' "$WORK/two.csv" || dp_fail "no warning for the truncated file"
"$DYNPROBE" report "$WORK/two" -e 'dpgen:*' | grep -q '^WARNING: stream file .*/two/b/.* truncated' ||
	dp_fail "text output hides the truncated file"
echo "ok: truncated stream reported ($inc)"
no_mirrors_left "truncated stream"

# --- parallel readers whose output is gone (`| head`) clean up ------------
# stdout is a pipe whose read end is already closed, so the first write
# fails for certain (no race with a reader that exits on its own time).
# The parent prints the merged report: it must remove the readers' mirrors
# and its own, then exit 128 + SIGPIPE silently, as a single reader does.
rc=$(python3 - "$DYNPROBE" report --jobs 2 "$WORK/two" -e 'dpgen:*' 2>"$WORK/pipe.err" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=sys.stderr)
print(p.returncode)
PY
) || dp_fail "python3 failed"
expect_eq "exit status with stdout gone (--jobs 2)" "$rc" 141
[ ! -s "$WORK/pipe.err" ] || dp_fail "stdout gone: said $(cat "$WORK/pipe.err")"
no_mirrors_left "parallel report with its output gone"

# --- a trace with metadata only, and an empty stream file -----------------
mkdir -p "$WORK/meta/t"
cp "$WORK"/two/a/ust/uid/*/64-bit/metadata "$WORK/meta/t/"
"$DYNPROBE" report "$WORK/meta" -e 'dpgen:*' >/dev/null 2>"$WORK/meta.err" &&
	dp_fail "a trace without streams reported success"
grep -q 'no data stream file (missing streams)' "$WORK/meta.err" || dp_fail "meta-only: $(cat "$WORK/meta.err")"
: >"$WORK/meta/t/channel0_9"
cp -r "$WORK/two/a" "$WORK/meta/a"
"$DYNPROBE" report "$WORK/meta" -e 'dpgen:*' >"$WORK/meta.out" || dp_fail "report meta + a"
grep -q '^WARNING: 1 empty data stream file' "$WORK/meta.out" || dp_fail "empty stream file not reported"
echo "PASS"
