#!/usr/bin/env bash
# bindings_bench.sh [BUILD_DIR] - cost of fire() in C, Ruby and Python.
#
# The same probe (u64, str) fired the same way in each language
# (bindings/c/fire_bench.c, bindings/ruby/bench/fire_bench.rb,
# bindings/python/bench/fire_bench.py); ns per call, median of RUNS runs of
# ITERS calls, the cases of one language measured round-robin in one
# process:
#   empty call        a function/method of the language taking fire's
#                     arguments (C: through a function pointer; C's loop
#                     alone is given too)
#   disabled fire     provider loaded (USDT), nobody listening
#   net               disabled fire minus the empty call (C: minus the
#                     loop: C's fire is inline, no call)
#   usdt+lttng        disabled, provider loaded on both backends
#   traced, bpftrace  USDT probe under `bpftrace -e '... { @ = count(); }'`
#   traced, lttng     LTTng probe recorded by a session (private sessiond)
# Prints a Markdown table.  BUILD_DIR defaults to $DYNPROBE_BUILD_DIR, else
# build/.  Needs root for bpftrace and the private lttng-sessiond; what
# cannot run shows as "n/a" with the reason below the table.
#
# Environment: RUNS, ITERS (disabled cases), ITERS_ENABLED (enabled cases),
# C_ITERS (C's disabled cases), DYNPROBE_PYTHON (default /usr/bin/python3).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/lib/common.sh"
runs=${RUNS:-7}
iters=${ITERS:-1000000}
iters_en=${ITERS_ENABLED:-200000}
c_iters=${C_ITERS:-20000000}
py=${DYNPROBE_PYTHON:-/usr/bin/python3}
rb_bench=$src/bindings/ruby/bench/fire_bench.rb
py_bench=$src/bindings/python/bench/fire_bench.py
c_bench_src=$src/bindings/c/fire_bench.c

# Inner part: one enabled run under a private lttng session.
if [ "${1:-}" = --lttng-inner ]; then
	shift
	out=$1
	shift
	lttng create bindbench --output="$BENCH_TMP/trace" >/dev/null || exit 1
	lttng enable-event -u 'rbbench:*,pybench:*,cbench:*' >/dev/null || exit 1
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
BENCH_TMP=$(mktemp -d /tmp/dynprobe-bindbench.XXXXXX)
export BENCH_TMP
export DYNPROBE_CACHE_DIR=$BENCH_TMP/cache
bg_pids=
trap 'for p in $bg_pids; do kill "$p" 2>/dev/null; done; rm -rf "$BENCH_TMP"' EXIT
notes=()

have_c=0
if ${CC:-cc} -O2 -std=gnu11 -I"$src/include" "$c_bench_src" -o "$BENCH_TMP/c_fire_bench" \
	-L"$build/src" -ldynprobe -Wl,-rpath,"$build/src" 2>"$BENCH_TMP/c.log"; then
	have_c=1
else
	notes+=("C: compiling $c_bench_src failed: $(head -c 300 "$BENCH_TMP/c.log")")
fi
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

# minus A B: A - B with one decimal, or n/a.
minus() {
	case "$1$2" in *n/a*) echo n/a ;; *) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }' ;; esac
}

# run_usdt OUT CMD...: start CMD, attach bpftrace count() to it, wait.
run_usdt() {
	local out=$1
	shift
	if ! command -v bpftrace >/dev/null || [ "$(id -u)" != 0 ]; then
		notes+=("bpftrace: not installed or not root")
		return
	fi
	DYNPROBE_BACKENDS=usdt "$@" >"$out" 2>"$out.err" &
	local pid=$! bt
	bg_pids+=" $pid"
	dp_wait_until 30 "grep -q '^ready' '$out'" || {
		notes+=("bpftrace run: $* did not start")
		return
	}
	bpftrace -p "$pid" -e 'usdt::rbbench:tick, usdt::pybench:tick, usdt::cbench:tick { @ = count(); }' \
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
	local out=$1
	shift
	"$src/tests/lib/lttng-private.sh" "$0" --lttng-inner "$out" "$@" >/dev/null 2>"$out.priv"
	case $? in
	0) grep -i 'discarded' "$out.stop" >/dev/null &&
		notes+=("lttng: $(grep -i discarded "$out.stop" | head -n 1) ($*)") ;;
	77) notes+=("lttng: $(tail -n 1 "$out.priv")") ;;
	*) notes+=("lttng run failed: $(tail -n 3 "$out.priv" "$out.err" 2>/dev/null | tr '\n' ' ')") ;;
	esac
}

# bench LANG DISABLED_ITERS CMD...: every case of one language.
declare -A R
bench() {
	local lang=$1 n=$2
	shift 2
	"$@" disabled "$n" "$runs" >"$BENCH_TMP/$lang.dis" 2>&1
	"$@" disabled_both "$n" "$runs" >"$BENCH_TMP/$lang.both" 2>&1
	run_usdt "$BENCH_TMP/$lang.usdt" "$@" enabled "$iters_en" "$runs"
	run_lttng "$BENCH_TMP/$lang.lttng" "$@" enabled "$iters_en" "$runs"
	R[${lang}_loop]=$(value "$BENCH_TMP/$lang.dis" loop)
	R[${lang}_empty]=$(value "$BENCH_TMP/$lang.dis" empty)
	R[${lang}_dis]=$(value "$BENCH_TMP/$lang.dis" disabled)
	R[${lang}_dis_c]=$(value "$BENCH_TMP/$lang.dis" disabled_c_call)
	R[${lang}_both]=$(value "$BENCH_TMP/$lang.both" disabled_both)
	R[${lang}_usdt]=$(value "$BENCH_TMP/$lang.usdt" enabled)
	R[${lang}_lttng]=$(value "$BENCH_TMP/$lang.lttng" enabled)
	local f
	for f in dis both; do
		grep -q '^ready' "$BENCH_TMP/$lang.$f" ||
			notes+=("$lang $f: $(head -c 300 "$BENCH_TMP/$lang.$f")")
	done
}
[ $have_c = 1 ] && bench c "$c_iters" "$BENCH_TMP/c_fire_bench"
[ $have_ruby = 1 ] && bench rb "$iters" ruby "$rb_bench"
[ $have_py = 1 ] && bench py "$iters" "$py" "$py_bench"

row() { # LABEL LANG BASELINE
	local l=$2
	echo "| $1 | ${R[${l}_empty]} | ${R[${l}_dis]} | $(minus "${R[${l}_dis]}" "$3") | ${R[${l}_both]} | ${R[${l}_usdt]} | ${R[${l}_lttng]} |"
}
rbv=$(ruby -e 'print RUBY_VERSION' 2>/dev/null || echo '?')
pyv=$("$py" -c 'import platform; print(platform.python_version(), end="")' 2>/dev/null || echo '?')
echo "### fire() cost per language (ns per call, median of $runs runs)"
echo
echo "| language | empty call | disabled fire | net of the empty call | disabled, usdt+lttng | traced, bpftrace count() | traced, lttng session |"
echo "|---|---:|---:|---:|---:|---:|---:|"
[ $have_c = 1 ] && row "C, DYNPROBE_FIRE (net: of the empty loop, ${R[c_loop]})" c "${R[c_loop]}"
[ $have_ruby = 1 ] && row "Ruby $rbv (C extension)" rb "${R[rb_empty]}"
[ $have_py = 1 ] && row "Python $pyv (ctypes)" py "${R[py_empty]}"
[ $have_py = 1 ] && echo "| Python, check by dynprobe_probe_enabled() | | ${R[py_dis_c]} | $(minus "${R[py_dis_c]}" "${R[py_empty]}") | | | |"
echo
echo "Probe (u64, str), fired with (loop counter, \"payload\"); $c_iters (C) or $iters calls per disabled run,"
echo "$iters_en per traced run; $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d).  The machine is noisy: compare within one run."
for n in "${notes[@]}"; do
	echo "- $n"
done
