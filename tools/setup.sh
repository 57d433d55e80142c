#!/usr/bin/env bash
# setup.sh demo|test|fuzz|deps|build - one entry point for a fresh Debian 12 machine.
#
#   bash tools/setup.sh demo   install dependencies, build, run examples/demo.sh
#   bash tools/setup.sh test   install dependencies, then five steps, each in
#                              its own build directory:
#        plain    build/       every meson suite (unit, usdt, lttng, consumer,
#                              bindings, cli, docs, fuzz-replay, bench smoke)
#        asan     build-asan/  every suite again under ASan+UBSan
#        tsan     build-tsan/  the concurrency suite under ThreadSanitizer
#        busy     build/       the integration suites again while two
#                              CPU-bound processes compete for the CPUs
#        fuzz     build-fuzz/  each libFuzzer target for $DYNPROBE_FUZZ_SECONDS
#                              (default 60) on its committed corpus (clang)
#                              Every step runs even if one fails; the summary
#                              gives each step's status and time.
#   bash tools/setup.sh fuzz   only the last step (DYNPROBE_FUZZ_SECONDS=3600
#                              to fuzz for an hour per target)
#
# Run as root: uprobes, BPF and the tests' private lttng session daemons need
# it.  Set DYNPROBE_TEST_NO_SKIP=1 to turn any skipped test into a failure
# (.ci/run does).  DYNPROBE_CI_STEPS="plain asan" runs only those steps.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

# Debian packages: build tools, the two tracing stacks, test tools, bindings,
# the fuzzers' compiler, the man page checks.
PACKAGES=(
	build-essential g++ meson ninja-build pkg-config
	libelf-dev systemtap-sdt-dev
	liblttng-ust-dev liblttng-ctl-dev lttng-tools babeltrace2 libbabeltrace2-dev
	bpftrace bpfcc-tools libcmocka-dev linux-perf libbpf-dev clang
	ruby ruby-dev ruby-minitest ruby-mocha python3 python3-pytest python3-venv python3-pip
	groff-base man-db bsdextrautils
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

# setup_dir DIR MESON_ARGS...: configure DIR once, then build it.
setup_dir() {
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
	ninja -C "$dir"
}

build() {
	setup_dir build
}

# ---- the test steps ----------------------------------------------------

step_plain() {
	meson test -C build --print-errorlogs --num-processes 1
}

step_asan() {
	setup_dir build-asan -Db_sanitize=address,undefined -Db_lundef=false
	# The build's default test setup preloads the ASan runtime into the
	# uninstrumented programs that load our objects (tests/lib/asan-host).
	# Sanitized code runs 2-3x slower: the time limits scale with it.
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 1 --timeout-multiplier 3
}

# The suite 'concurrency' (fire racing unload and free, fork during load,
# ...); an empty selection would pass vacuously, so it is an error.
step_tsan() {
	local sel=(--suite concurrency)
	setup_dir build-tsan -Db_sanitize=thread -Db_lundef=false
	if ! meson test -C build-tsan --list --no-rebuild "${sel[@]}" 2>/dev/null | grep -q ' / '; then
		echo "setup.sh: no tests in suite 'concurrency'; running test_concurrency" >&2
		sel=(test_concurrency)
	fi
	meson test -C build-tsan --list --no-rebuild "${sel[@]}" 2>/dev/null | grep -q ' / ' ||
		{ echo "setup.sh: no concurrency tests to run under TSan" >&2; return 1; }
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		meson test -C build-tsan "${sel[@]}" --print-errorlogs --num-processes 1 \
		--timeout-multiplier 3
}

# Two processes that keep both CPUs busy for as long as the suites run;
# stopped by PID.
step_busy() {
	local hogs=() st=0
	for _ in 1 2; do
		bash -c 'while :; do :; done' &
		hogs+=($!)
	done
	meson test -C build --suite usdt --suite lttng --suite consumer --suite bindings \
		--suite cli --print-errorlogs --num-processes 1 || st=$?
	kill "${hogs[@]}" 2>/dev/null || true
	wait "${hogs[@]}" 2>/dev/null || true
	return "$st"
}

step_fuzz() {
	if [ ! -f build-fuzz/build.ninja ]; then
		CC=clang CXX=clang++ meson setup build-fuzz -Dfuzz=enabled -Dtests=enabled \
			-Db_sanitize=address,undefined -Db_lundef=false
	fi
	ninja -C build-fuzz
	DYNPROBE_FUZZ_SECONDS=${DYNPROBE_FUZZ_SECONDS:-60} \
		meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 1
}

run_tests() {
	local steps=${DYNPROBE_CI_STEPS:-plain asan tsan busy fuzz} s t0 st failed=0
	local summary=()
	for s in $steps; do
		echo "==== setup.sh test: step $s"
		t0=$SECONDS
		st=0
		"step_$s" || st=$?
		summary+=("$(printf '%-6s %s  %4d s' "$s" "$([ "$st" = 0 ] && echo ok || echo "FAILED ($st)")" $((SECONDS - t0)))")
		[ "$st" = 0 ] || failed=1
	done
	echo "==== setup.sh test: summary"
	printf '  %s\n' "${summary[@]}"
	return "$failed"
}

case "${1:-}" in
deps) deps ;;
build) deps; build ;;
demo) deps; build; examples/demo.sh build ;;
test) deps; build; run_tests ;;
fuzz) deps; DYNPROBE_CI_STEPS=fuzz run_tests ;;
*)
	echo "usage: tools/setup.sh demo|test|fuzz|deps|build" >&2
	exit 2
	;;
esac
