#!/usr/bin/env bash
# run-blocks.sh MARKDOWN... - run every `sh` block of each README as written.
#
# Each block runs in a fresh `bash -e` (a failing command fails the block),
# from the top of a scratch copy of the source tree whose `build` is this
# meson build directory, with that build's `dynprobe` on PATH; background
# jobs it starts must end and succeed; the `docs-test expect` regexes that
# precede it must each match a line of its output.  Blocks run in order
# and share /tmp, so a block may use what an earlier one made.
#
# Isolation: everything runs in a private mount namespace where /tmp is a
# fresh tmpfs and /usr/local, /opt, /etc and /var/lib are overlays whose
# writes land in a tmpfs (so `meson install`, `ldconfig` and `gem install`
# in the README really run, and leave nothing on the machine), next to a private
# lttng-sessiond (tests/lib/lttng-private.sh).  Needs root, bpftrace,
# lttng; skips (77) only without them.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
. "$src/tests/lib/common.sh"
: "${BUILD_ROOT:?BUILD_ROOT must be the meson build directory}"
build=$(cd "$BUILD_ROOT" && pwd)

if [ "${DOCS_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || dp_skip "the README's commands need root"
	for t in bpftrace lttng lttng-sessiond babeltrace2 unshare; do
		command -v "$t" >/dev/null || dp_skip "$t not installed"
	done
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	# Not under /tmp: the namespace hides the real /tmp.
	work=$(mktemp -d "$build/tests/docs/run.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	DOCS_INNER=1 DOCS_WORK=$work unshare --mount --propagation private "$0" "$@"
	exit $?
fi

# ---- inside the private mount namespace ----
work=$DOCS_WORK
mkdir -p "$work/ovl"
mount -t tmpfs -o mode=0755 dynprobe-docs "$work/ovl" || dp_fail "tmpfs for overlays"
for d in /usr/local /opt /etc /var/lib; do
	n=${d//\//_}
	mkdir -p "$work/ovl/$n.up" "$work/ovl/$n.work" "$d"
	mount -t overlay "dynprobe-docs$n" \
		-o "lowerdir=$d,upperdir=$work/ovl/$n.up,workdir=$work/ovl/$n.work" "$d" ||
		dp_fail "overlay over $d"
done
# The copy and the per-block files live in $work (on the build's file
# system), so mounting /tmp does not hide them.
copy=$work/src
mkdir -p "$copy" "$work/blocks" "$work/home"
tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$copy" -xf - ||
	dp_fail "cannot copy the source tree"
ln -s "$build" "$copy/build"
# A fresh /tmp.  The tree and the build may live under /tmp themselves (a
# clone in /tmp): keep a descriptor on each, and bind them back at the same
# paths inside the new /tmp (without canonicalizing /proc/self/fd/N, which
# would name the new, empty directory).
keep=() fds=()
for d in "$src" "$build"; do
	case $d/ in /tmp/*) keep+=("$d"); exec {fd}<"$d"; fds+=("$fd") ;; esac
done
mount -t tmpfs -o mode=1777 dynprobe-docs-tmp /tmp || dp_fail "tmpfs over /tmp"
for i in "${!keep[@]}"; do
	mkdir -p "${keep[$i]}" && mount --no-canonicalize --bind "/proc/self/fd/${fds[$i]}" "${keep[$i]}" ||
		dp_fail "cannot keep ${keep[$i]} visible over the new /tmp"
done

nb=0
for md in "$@"; do
	out=$work/blocks/$nb
	DOCS_ROOT=$src python3 "$here/blocks.py" "$src/$md" "$out" || dp_fail "cannot read $md"
	nb=$((nb + 1))
done

export HOME=$work/home PATH=$build/tools:$PATH
export DOCS_COPY=$copy DOCS_BLOCKS=$work/blocks
exec "$src/tests/lib/lttng-private.sh" bash "$here/run-blocks-inner.sh"
