#!/usr/bin/env bash
# Hostile shared-image directories: foreign-owned, group-writable, a
# symlink (also behind a trailing / or /.), and a file swapped for one
# with the same name but other content (or another owner or mode).  Each
# is refused with a clear log line naming the path and the rule, the
# image goes into a memfd, and `bpftrace -p` still sees the probes.
. "$(dirname "$0")/lib.sh"
need_bpftrace
NOBODY=65534

# refused DIR MESSAGE: the driver falls back to memfds and says why.
refused() {
	local dir=$1 msg=$2
	drv_start DYNPROBE_USDT_DIR="$dir" DYNPROBE_DEBUG=1
	grep -qF "USDT: not using $dir for shared images: " "$WORK/drv.err" ||
		dp_fail "$dir: no refusal logged: $(cat "$WORK/drv.err")"
	grep -qF "$msg" "$WORK/drv.err" || dp_fail "$dir: log lacks '$msg': $(cat "$WORK/drv.err")"
	grep -q "memfd:dynprobe:$DPT " "/proc/$DRV_PID/maps" || dp_fail "$dir: no memfd image"
	[[ "$(list_image "$DPT")" == "/proc/$DRV_PID/fd/$DRV_FD" ]] ||
		dp_fail "$dir: list image: $("$DYNPROBE" list "$DRV_PID")"
	echo "ok: $dir refused ($msg)"
}

mkdir -m 0700 "$WORK/foreign" "$WORK/gw" "$WORK/good"
chown "$NOBODY" "$WORK/foreign"
chmod 0770 "$WORK/gw"
ln -s "$WORK/good" "$WORK/link"

refused "$WORK/foreign" "$WORK/foreign is owned by uid $NOBODY, not by uid 0"
# -p keeps working on the memfd fallback
bt_start "$WORK/bt" 'usdt::'"$DPT"':tick { printf("tick\n"); }'
attached tick
dp_wait_until 30 "[ \"\$(drv fire tick)\" = 'fired 1' ] && grep -q '^tick' '$WORK/bt'" ||
	dp_fail "bpftrace -p never saw the memfd probe: $(cat "$WORK/bt.err")"
bt_stop
drv_stop
refused "$WORK/gw" "$WORK/gw is group- or world-writable (mode 0770)"
drv_stop
for link in "$WORK/link" "$WORK/link/" "$WORK/link/."; do
	refused "$link" "$WORK/link is a symlink"
	drv_stop
done
[ -z "$(ls -A "$WORK/good")" ] || dp_fail "files written through the symlink: $(ls "$WORK/good")"

# A trusted directory; then its files are tampered with, one per way.
drv_start DYNPROBE_USDT_DIR="$WORK/good" DYNPROBE_DEBUG=1
img=$(list_image "$DPT"); img2=$(list_image "$DPT2")
[[ "$img" == "$WORK/good/$DPT-"*.so && "$img2" == "$WORK/good/$DPT2-"*.so ]] ||
	dp_fail "no shared images in $WORK/good: $("$DYNPROBE" list "$DRV_PID")"
drv_stop
tamper() { # HOW FILE: replace FILE by a file of the same name, changed HOW
	local f=$1 how=$2
	cp "$f" "$WORK/orig"
	rm -f "$f"
	case $how in
	content) cp "$img2" "$f"; chmod 0444 "$f" ;;          # another image's bytes
	flipped) cp "$WORK/orig" "$f"; printf '\x90' | dd of="$f" bs=1 seek=460 conv=notrunc 2>/dev/null
		 chmod 0444 "$f" ;;
	owner) cp "$WORK/orig" "$f"; chown "$NOBODY" "$f" ;;
	mode) cp "$WORK/orig" "$f"; chmod 0664 "$f" ;;
	symlink) ln -s "$WORK/orig" "$f" ;;
	esac
}
for how in content flipped owner mode symlink; do
	tamper "$img" $how
	drv_start DYNPROBE_USDT_DIR="$WORK/good" DYNPROBE_DEBUG=1
	grep -q "USDT: provider $DPT: not using the shared image: " "$WORK/drv.err" ||
		dp_fail "$how: no refusal logged: $(cat "$WORK/drv.err")"
	grep -q "memfd:dynprobe:$DPT " "/proc/$DRV_PID/maps" || dp_fail "$how: no memfd for $DPT"
	grep -q " $img\$" "/proc/$DRV_PID/maps" && dp_fail "$how: the tampered file is mapped"
	# the other provider's file is intact and used
	expect "$how: untouched file still used" "$(list_image "$DPT2")" "$img2"
	echo "ok: $how: $(grep -o "not using the shared image: .*" "$WORK/drv.err" | cut -c1-120)"
	drv_stop
	rm -f "$img"; cp "$WORK/orig" "$img"; chmod 0444 "$img"
done
echo PASS
