#!/usr/bin/env bash
# run-python.sh PART - the Python binding's tests: unit | abi | usdt | lttng.
#
# Runs bindings/python/tests/test_PART.py with Debian's python3 and pytest
# against the libdynprobe of $DYNPROBE_BUILD_DIR.  usdt needs root and
# bpftrace; lttng runs inside a private lttng-sessiond
# (tests/lib/lttng-private.sh).  Exit 77 only when the machine truly cannot.
set -u
part=${1:?usage: run-python.sh unit|abi|usdt|lttng}
here=$(cd "$(dirname "$0")" && pwd)
src=${DYNPROBE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
. "$src/tests/lib/common.sh"
: "${DYNPROBE_BUILD_DIR:?DYNPROBE_BUILD_DIR must point at the meson build directory}"
[ -e "$DYNPROBE_BUILD_DIR/src/libdynprobe.so" ] || dp_fail "no libdynprobe.so in $DYNPROBE_BUILD_DIR/src"

# Debian's interpreter, not whatever python3 comes first on PATH.
py=${DYNPROBE_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || dp_skip "$py not installed (apt-get install -y python3)"
"$py" -c 'import pytest' 2>/dev/null || dp_skip "pytest missing for $py (apt-get install -y python3-pytest)"
if [ "$part" = usdt ]; then
	command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
	[ "$(id -u)" = 0 ] || dp_skip "bpftrace needs root"
fi

test_file=$src/bindings/python/tests/test_$part.py
[ -f "$test_file" ] || dp_fail "no such test part: $part"
# Keep the source tree clean: no __pycache__, no .pytest_cache.
export PYTHONDONTWRITEBYTECODE=1
args=(-m pytest -v -p no:cacheprovider --rootdir "$src/bindings/python" "$test_file")
case $part in
lttng) "$src/tests/lib/lttng-private.sh" "$py" "${args[@]}" ;;
*) "$py" "${args[@]}" ;;
esac
