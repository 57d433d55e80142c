#!/usr/bin/env bash
# Stale shared images are removed, and only those: when a process writes a
# new image into the directory, files nobody maps and nobody opened for 10
# minutes go; files a live process maps stay however old they look, as do
# recent files and anything that is not an image.
. "$(dirname "$0")/lib.sh"
dir=$WORK/images
mkdir -m 0700 "$dir"
old() { touch -d '-1 hour' "$@"; }

# A live process (the driver) and a dead one (an emit that exited).
drv_start DYNPROBE_USDT_DIR="$dir"
live_a=$(list_image "$DPT"); live_b=$(list_image "$DPT2")
DYNPROBE_USDT_DIR=$dir "$DYNPROBE" emit --provider "gone_$RUN_ID" --probe p --quiet >"$WORK/emit" 2>&1 ||
	dp_fail "emit: $(cat "$WORK/emit")"
gone=$(ls "$dir"/gone_"$RUN_ID"-*.so) || dp_fail "emit wrote no image"
DYNPROBE_USDT_DIR=$dir "$DYNPROBE" emit --provider "recent_$RUN_ID" --probe p --quiet >/dev/null 2>&1
recent=$(ls "$dir"/recent_"$RUN_ID"-*.so) || dp_fail "emit wrote no image"
echo keep >"$dir/notes.txt"
old "$live_a" "$live_b" "$gone" "$dir/notes.txt"

# A new process writes a new image: the cleanup runs.
DYNPROBE_USDT_DIR=$dir DYNPROBE_DEBUG=1 "$DYNPROBE" emit --provider "new_$RUN_ID" --probe p --quiet \
	>"$WORK/new" 2>&1 || dp_fail "emit: $(cat "$WORK/new")"
[ -e "$gone" ] && dp_fail "stale $gone not removed: $(cat "$WORK/new")"
grep -q "removed stale image $(basename "$gone")" "$WORK/new" || dp_fail "no log line: $(cat "$WORK/new")"
for f in "$live_a" "$live_b" "$recent" "$dir/notes.txt"; do
	[ -e "$f" ] || dp_fail "$f removed"
done
echo "ok: the stale image went; mapped, recent and foreign files stayed"
# The live process still works with its file, and a process started now
# shares it (same inode).
expect "live image still mapped" "$(list_image "$DPT")" "$live_a"
ino=$(stat -c %i "$live_a")
drv_stop
DRV_PID=
drv_start DYNPROBE_USDT_DIR="$dir"
expect "same file for the next process" "$(list_image "$DPT")" "$live_a"
grep -q " $ino *$live_a\$" "/proc/$DRV_PID/maps" || dp_fail "another inode for $live_a"
echo PASS
