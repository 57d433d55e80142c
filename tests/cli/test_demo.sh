#!/usr/bin/env bash
# The first command a user runs (issue 14 item 1): examples/demo.sh, which
# `tools/setup.sh demo` runs, exits 0 and leaves nothing behind - twice in
# a row (its exit trap once failed on an example that had already exited).
set -u
. "$TESTS_LIB/common.sh"
: "${BUILD_ROOT:?}" "${SOURCE_ROOT:?}"
[ "$(id -u)" = 0 ] || dp_skip "the demo needs root (uprobes, a private lttng-sessiond)"
command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
WORK=$(mktemp -d /tmp/dynprobe-demo-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for run in 1 2; do
	TMPDIR=$WORK "$SOURCE_ROOT/examples/demo.sh" "$BUILD_ROOT" >"$WORK.out" 2>&1
	st=$?
	[ "$st" = 0 ] || dp_fail "demo run $run exited $st: $(tail -n 20 "$WORK.out")"
	grep -q '^@count: 2000$' "$WORK.out" || dp_fail "demo run $run: no LTTng report: $(tail -n 20 "$WORK.out")"
	grep -qE '^\[[0-9]+, [0-9]+\) +[0-9]+ \|' "$WORK.out" || dp_fail "demo run $run: no bpftrace histogram"
	left=$(ls -A "$WORK")
	[ -z "$left" ] || dp_fail "demo run $run left $left behind"
	echo "ok: demo run $run exited 0 and cleaned up"
done
rm -f "$WORK.out"
echo PASS
