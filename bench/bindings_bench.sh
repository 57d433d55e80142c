#!/usr/bin/env bash
# bindings_bench.sh [BUILD_DIR] - cost of fire() in the Ruby and Python
# bindings, next to an empty method call with the same arguments.
#
# ns per call, median of RUNS runs (default 7) of ITERS calls:
#   empty call        a method/function of the language taking fire's arguments
#   disabled fire     provider loaded (USDT), nobody listening
#   ... usdt+lttng    the same, provider loaded on both backends (the inline
#                     check cannot cover both: the library decides each time)
#   enabled, bpftrace USDT probe under `bpftrace -e '... { @ = count(); }'`
#   enabled, lttng    LTTng probe recorded by a session (private sessiond)
# Prints a Markdown table.  BUILD_DIR defaults to $DYNPROBE_BUILD_DIR, else
# build/.  Needs root for bpftrace and the private lttng-sessiond; what
# cannot run shows as "n/a" with the reason below the table.
#
# Environment: RUNS, ITERS (disabled cases), ITERS_ENABLED (enabled cases),
# DYNPROBE_PYTHON (default /usr/bin/python3).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/lib/common.sh"
runs=${RUNS:-7}
iters=${ITERS:-1000000}
iters_en=${ITERS_ENABLED:-200000}
py=${DYNPROBE_PYTHON:-/usr/bin/python3}
rb_bench=$src/bindings/ruby/bench/fire_bench.rb
py_bench=$src/bindings/python/bench/fire_bench.py

# Inner part: one enabled run under a private lttng session.
if [ "${1:-}" = --lttng-inner ]; then
	shift
	out=$1; shift
	lttng create bindbench --output="$BENCH_TMP/trace" >/dev/null || exit 1
	lttng enable-event -u 'rbbench:*,pybench:*' >/dev/null || exit 1
	lttng start >/dev/null || exit 1
	DYNPROBE_BACKENDS=lttng "$@" >"$out" 2>"$out.err"
	rc=$?
	lttng stop >"$out.stop" 2>&1
	lttng destroy >/dev/null 2>&1
	exit $rc
fi

build=$(cd "${1:-${DYNPROBE_BUILD_DIR:-$src/build}}" && pwd) || dp_fail "no build directory"
[ -e "$build/src/libdynprobe.so" ] || dp_fail "no libdynprobe.so in $build/src (build it first)"
export DYNPROBE_BUILD_DIR=$build DYNPROBE_SOURCE_DIR=$src
export BENCH_TMP=$(mktemp -d /tmp/dynprobe-bindbench.XXXXXX)
export DYNPROBE_CACHE_DIR=$BENCH_TMP/cache
bg_pids=
trap 'for p in $bg_pids; do kill "$p" 2>/dev/null; done; rm -rf "$BENCH_TMP"' EXIT
notes=()

have_ruby=0
if command -v ruby >/dev/null && ruby -e 'require "mkmf"' 2>/dev/null; then
	if (cd "$BENCH_TMP" && ruby "$src/bindings/ruby/ext/dynprobe_static_tracing/extconf.rb" >build.log 2>&1 &&
		make >>build.log 2>&1); then
		have_ruby=1
		export RUBYLIB=$BENCH_TMP:$src/bindings/ruby/lib
	else
		notes+=("Ruby: building the extension failed (see extconf/make output)")
	fi
else
	notes+=("Ruby: not installed (apt-get install -y ruby ruby-dev)")
fi
have_py=0
if [ -x "$py" ]; then
	have_py=1
	export PYTHONPATH=$src/bindings/python PYTHONDONTWRITEBYTECODE=1
else
	notes+=("Python: $py not installed")
fi

# value FILE NAME: the number printed after NAME, or n/a.
value() {
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print "n/a" }' "$1" 2>/dev/null || echo n/a
}

# run_usdt OUT CMD...: start CMD, attach bpftrace count() to it, wait.
run_usdt() {
	local out=$1; shift
	if ! command -v bpftrace >/dev/null || [ "$(id -u)" != 0 ]; then
		notes+=("bpftrace: not installed or not root")
		return
	fi
	DYNPROBE_BACKENDS=usdt "$@" >"$out" 2>"$out.err" &
	local pid=$! bt
	bg_pids+=" $pid"
	dp_wait_until 30 "grep -q '^ready' '$out'" || { notes+=("bpftrace run: $* did not start"); return; }
	bpftrace -p "$pid" -e 'usdt::rbbench:tick, usdt::pybench:tick { @ = count(); }' \
		>"$out.bt" 2>&1 &
	bt=$!
	bg_pids+=" $bt"
	wait "$pid" || notes+=("bpftrace run: $(head -c 300 "$out.err")")
	kill -INT "$bt" 2>/dev/null
	dp_wait_until 20 "! kill -0 $bt 2>/dev/null" || kill -9 "$bt" 2>/dev/null
	wait "$bt" 2>/dev/null
	grep -q '^@: [1-9]' "$out.bt" || notes+=("bpftrace counted nothing for $*: $(head -c 300 "$out.bt")")
}

# run_lttng OUT CMD...: run CMD while a private lttng session records it.
run_lttng() {
	local out=$1; shift
	"$src/tests/lib/lttng-private.sh" "$0" --lttng-inner "$out" "$@" >/dev/null 2>"$out.priv"
	case $? in
	0) grep -i 'discarded' "$out.stop" >/dev/null &&
		notes+=("lttng: $(grep -i discarded "$out.stop" | head -n 1) ($*)") ;;
	77) notes+=("lttng: $(tail -n 1 "$out.priv")") ;;
	*) notes+=("lttng run failed: $(tail -n 3 "$out.priv" "$out.err" 2>/dev/null | tr '\n' ' ')") ;;
	esac
}

declare -A R
if [ $have_ruby = 1 ]; then
	ruby "$rb_bench" disabled "$iters" "$runs" >"$BENCH_TMP/rb.dis" 2>&1
	ruby "$rb_bench" disabled_both "$iters" "$runs" >"$BENCH_TMP/rb.both" 2>&1
	run_usdt "$BENCH_TMP/rb.usdt" ruby "$rb_bench" enabled "$iters_en" "$runs"
	run_lttng "$BENCH_TMP/rb.lttng" ruby "$rb_bench" enabled "$iters_en" "$runs"
	R[rb_empty]=$(value "$BENCH_TMP/rb.dis" empty)
	R[rb_dis]=$(value "$BENCH_TMP/rb.dis" disabled)
	R[rb_both]=$(value "$BENCH_TMP/rb.both" disabled_both)
	R[rb_usdt]=$(value "$BENCH_TMP/rb.usdt" enabled)
	R[rb_lttng]=$(value "$BENCH_TMP/rb.lttng" enabled)
fi
if [ $have_py = 1 ]; then
	"$py" "$py_bench" disabled "$iters" "$runs" >"$BENCH_TMP/py.dis" 2>&1
	"$py" "$py_bench" disabled_both "$iters" "$runs" >"$BENCH_TMP/py.both" 2>&1
	run_usdt "$BENCH_TMP/py.usdt" "$py" "$py_bench" enabled "$iters_en" "$runs"
	run_lttng "$BENCH_TMP/py.lttng" "$py" "$py_bench" enabled "$iters_en" "$runs"
	R[py_empty]=$(value "$BENCH_TMP/py.dis" empty)
	R[py_dis]=$(value "$BENCH_TMP/py.dis" disabled)
	R[py_both]=$(value "$BENCH_TMP/py.both" disabled_both)
	R[py_dis_c]=$(value "$BENCH_TMP/py.dis" disabled_c_call)
	R[py_usdt]=$(value "$BENCH_TMP/py.usdt" enabled)
	R[py_lttng]=$(value "$BENCH_TMP/py.lttng" enabled)
fi

rbv=$(ruby -e 'print RUBY_VERSION' 2>/dev/null || echo '?')
pyv=$("$py" -c 'import platform; print(platform.python_version(), end="")' 2>/dev/null || echo '?')
echo "### fire() cost in the bindings (ns per call, median of $runs runs)"
echo
echo "| language | empty call | disabled fire | disabled fire, provider on usdt+lttng | enabled, bpftrace count() | enabled, lttng session |"
echo "|---|---:|---:|---:|---:|---:|"
[ $have_ruby = 1 ] && echo "| Ruby $rbv (C extension) | ${R[rb_empty]} | ${R[rb_dis]} | ${R[rb_both]} | ${R[rb_usdt]} | ${R[rb_lttng]} |"
[ $have_py = 1 ] && echo "| Python $pyv (ctypes) | ${R[py_empty]} | ${R[py_dis]} | ${R[py_both]} | ${R[py_usdt]} | ${R[py_lttng]} |"
[ $have_py = 1 ] && echo "| Python, disabled check via dynprobe_probe_enabled() | | ${R[py_dis_c]} | | | |"
echo
echo "Arguments: (Integer/int, String/str).  $iters calls per disabled run, $iters_en per enabled run;"
echo "$(uname -r), $(nproc) CPUs.  The machine is noisy: compare within one run."
for n in "${notes[@]}"; do
	echo "- $n"
done
