#!/usr/bin/env bash
# setup.sh demo|test|deps|build - one entry point for a fresh Debian 12 machine.
#
#   sudo tools/setup.sh demo   install dependencies, build, run examples/demo.sh
#   sudo tools/setup.sh test   install dependencies, build, run every test:
#                              unit + integration (real bpftrace, real lttng),
#                              unit + USDT tests again under ASan+UBSan, and a
#                              seconds-long smoke run of the benchmark harness
#
# Run as root: uprobes, BPF and the tests' private lttng session daemons need
# it.  Set DYNPROBE_TEST_NO_SKIP=1 to turn any skipped test into a failure
# (.ci/run does).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

# Debian packages: build tools, the two tracing stacks, test tools, bindings.
PACKAGES=(
	build-essential g++ meson ninja-build pkg-config
	libelf-dev systemtap-sdt-dev
	liblttng-ust-dev liblttng-ctl-dev lttng-tools babeltrace2 libbabeltrace2-dev
	bpftrace bpfcc-tools libcmocka-dev linux-perf libbpf-dev clang
	ruby ruby-dev ruby-minitest ruby-mocha python3 python3-pytest python3-venv python3-pip
)

deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "setup.sh: missing packages (run as root to install): ${missing[*]}" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# The tests start their own private daemons; keep the packaged ones
	# from starting at install time.
	apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
	[ -d build ] || meson setup build
	ninja -C build
}

run_tests() {
	meson test -C build --print-errorlogs --num-processes 1
	[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --suite unit --suite usdt --print-errorlogs --num-processes 1
}

case "${1:-}" in
deps) deps ;;
build) deps; build ;;
demo) deps; build; examples/demo.sh build ;;
test) deps; build; run_tests ;;
*)
	echo "usage: tools/setup.sh demo|test|deps|build" >&2
	exit 2
	;;
esac
