#!/usr/bin/env bash
# report_corrupt.sh - damaged traces: the report always ends, never by a
# crash, with an error naming the file or a warning naming it.
#
# babeltrace2 2.0 (and so every report before this test existed) loops
# forever on a truncated metadata file and aborts on an index entry that
# points past its stream file; a damaged event header stopped the whole
# report with an error that named no file.  Then 40 random damages
# (tests/consumer/mutate_traces.py, fixed seed): no hang, no crash, no
# error without a file name.
set -u
. "$(dirname "$0")/report_common.sh"

command -v python3 >/dev/null || dp_skip "python3 not installed"
command -v timeout >/dev/null || dp_skip "timeout (coreutils) not installed"

# Many packets per stream (4 KiB sub-buffers), nothing discarded (blocking).
export LTTNG_UST_ALLOW_BLOCKING=1
record_trace t 3000 9 --subbuf-size=4096 --num-subbuf=8 --blocking-timeout=inf
T=$(dirname "$(find "$WORK/t" -name metadata)")
report() { timeout 60 "$DYNPROBE" report "$@" -e dpgen:req -a count --csv; }
count() { csv_get "$1" "" count; }
report "$WORK/t" >"$WORK/intact.csv" 2>"$WORK/err" || dp_fail "intact trace: $(cat "$WORK/err")"
intact=$(count "$WORK/intact.csv")
expect_eq "intact count" "$intact" 3000

damaged() {     # NAME: a fresh copy at $WORK/NAME, its trace dir in $D
	rm -rf "${WORK:?}/$1"
	cp -r "$WORK/t" "$WORK/$1"
	D=$(dirname "$(find "$WORK/$1" -name metadata)")
}

# --- truncated metadata: an error naming it, not a hang --------------------
damaged md
truncate -s $(($(stat -c %s "$D/metadata") / 2)) "$D/metadata"
report "$WORK/md" >"$WORK/out" 2>"$WORK/err"
rc=$?
[ "$rc" = 124 ] && dp_fail "truncated metadata: still running after 60 s"
[ "$rc" = 1 ] || dp_fail "truncated metadata: exit $rc: $(cat "$WORK/err")"
grep -q "^dynprobe report: $D/metadata: truncated: packet 1 at byte 0 is" "$WORK/err" ||
	dp_fail "truncated metadata: $(cat "$WORK/err")"
echo "ok: truncated metadata -> $(cat "$WORK/err")"

# --- an index entry past the end of its stream: left out, all events read ---
damaged idx
python3 - "$D"/index/*.idx <<'PY' || dp_fail "patching the index"
import struct, sys
for p in sys.argv[1:]:
    d = bytearray(open(p, "rb").read())
    if len(d) >= 16 + 2 * 72:
        struct.pack_into(">Q", d, 16 + 72, 1 << 40)   # entry 2's offset
        open(p, "wb").write(d)
        break
else:
    sys.exit("no index with two entries")
PY
report "$WORK/idx" >"$WORK/out" 2>"$WORK/err" || dp_fail "damaged index: exit $?: $(cat "$WORK/err")"
expect_eq "damaged index: count" "$(count "$WORK/out")" "$intact"
grep -q "^,warning,,,,\"\?index file $D/index/[a-z0-9_]*.idx is damaged: entry 2 has an offset" "$WORK/out" ||
	dp_fail "damaged index: no warning naming it: $(cat "$WORK/out")"
echo "ok: damaged index left out, $intact events read, reported"

# --- a damaged event header: the stream is named, the rest is read --------------
damaged ev
S=$(cd "$D" && ls -S | grep -v -e metadata -e index | head -1)    # the biggest stream
python3 - "$D/index/$S.idx" "$D/$S" <<'PY' || dp_fail "patching the stream"
import struct, sys
idx = open(sys.argv[1], "rb").read()
n = (len(idx) - 16) // 72
last = struct.unpack_from(">Q", idx, 16 + (n - 1) * 72)[0]
d = bytearray(open(sys.argv[2], "rb").read())
d[last + 200:last + 264] = b"\xff" * 64     # past the packet context, in its events
open(sys.argv[2], "wb").write(d)
PY
report "$WORK/ev" >"$WORK/out" 2>"$WORK/err" || dp_fail "damaged event: exit $?: $(cat "$WORK/err")"
got=$(count "$WORK/out")
[ "$got" -gt 0 ] && [ "$got" -lt "$intact" ] || dp_fail "damaged event: count $got of $intact"
[ "$(csv_get "$WORK/out" "" incomplete_streams)" -ge 1 ] || dp_fail "damaged event: no incomplete stream"
grep -q "^,warning,,,,\"\?$D/$S: cannot be decoded after [0-9]* events" "$WORK/out" ||
	dp_fail "damaged event: no warning naming the stream: $(cat "$WORK/out")"
[ -s "$WORK/err" ] && dp_fail "damaged event: stderr not empty: $(cat "$WORK/err")"
echo "ok: damaged event header: $got of $intact events, the stream named"

# --- a stream file gone, its index still there -----------------------------
damaged gone
S=$(cd "$D" && ls -Sr | grep -v -e metadata -e index | head -1)    # the smallest stream
rm "$D/$S"
report "$WORK/gone" >"$WORK/out" 2>"$WORK/err" || dp_fail "missing stream: exit $?: $(cat "$WORK/err")"
grep -q "^,warning,,,,\"\?stream file $D/$S is missing" "$WORK/out" ||
	dp_fail "missing stream: no warning: $(cat "$WORK/out")"
echo "ok: missing stream file reported"

# --- random damage: always an end, a file named ------------------------------
python3 "$here/mutate_traces.py" --seed 18 --count 40 --timeout 60 "$DYNPROBE" "$WORK/t" \
	-e dpgen:req -f arg1 -b arg0 -a count,sum >"$WORK/mut" || dp_fail "mutate_traces.py"
cat "$WORK/mut"
for o in hang crash error-anon; do
	expect_eq "random damage: $o" "$(awk -v o=$o '$1 == o { print $2 }' "$WORK/mut")" 0
done
no_mirrors_left "damaged traces"
echo "PASS"
