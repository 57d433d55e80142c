#!/usr/bin/env bash
# run.sh - build and run dynprobe's whole overhead matrix and write the report.
#
#   bench/run.sh [--quick] [--out DIR] [--build-dir DIR] [--reps N] [--no-build]
#   meson compile -C BUILD bench        (the same, on that build directory)
#
# Writes DIR (default bench/results/<UTC date and time>-<host>/):
#   report.md          headline table, every cell, set-up costs, environment
#   measurements.csv   every measurement of every repetition (and n/a rows)
#   sysinfo.txt        kernel, CPU, compiler, tracer and library versions
#   charts/*.svg       hand-written SVG charts
#   raw/               logs (bpftrace, lttng, build), caches; gitignored
#
# DPBENCH_LIBSTAPSDT=/path/libstapsdt.so.0 adds the real libstapsdt's cells
# (dlopen()ed; build it yourself, outside this tree); without it they are
# n/a and only the clearly labelled stand-in is measured.
#
# --quick is the CI smoke: seconds long, two repetitions of ~2 ms per cell,
# the 1,000-probe LTTng compile skipped (an explicit n/a).  It asserts
# nothing about timings; report.py --check asserts only that every cell
# produced numbers or an n/a with a reason, and that the files exist.
#
# How: dpbench (fire costs) and dpbench-setup (load time, memory) run inside
# tests/lib/lttng-private.sh, i.e. next to a private lttng-sessiond in a
# private mount namespace, so the lttng states never touch a session daemon
# already running.  When that wrapper cannot run (not root, no namespaces)
# the lttng cells are n/a with the reason.  dpbench starts and stops its own
# bpftrace.  If libdynprobe does not build, a native-only dpbench is built
# with cc and every dynprobe cell says n/a.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

quick=0 out= build= reps= nobuild=0 inner=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	--build-dir) build=$2; shift ;;
	--reps) reps=$2; shift ;;
	--no-build) nobuild=1 ;;
	--inner) inner=1 ;; # internal: already inside lttng-private.sh
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
build=${build:-$src/build-bench}
[ "$quick" = 1 ] && reps=${reps:-2} || reps=${reps:-7}

log() { echo "bench: $*" >&2; }

# CSV rows for set-up cells that cannot run, so the report can say why.
na_setup() { # LABEL NPROBES REASON
	local m
	for m in build load rss vsz mapped; do
		echo "setup,idle,$1.$m,2,$2,1,,,,,,na,${3//,/;}" >>"$out/measurements.csv"
	done
}

# USDT shared image files vs memfds (issue 15): a first process writes the
# files, a second reuses them, each timing memfd loads side by side.  The
# directory is a fresh one where the library's default lives (/run for
# root), removed afterwards.
run_publish() {
	local pub=$1 n=$2 base=/run dir c
	[ "$(id -u)" = 0 ] || base=${XDG_RUNTIME_DIR:-/tmp}
	if [ ! -x "$pub" ] || ! dir=$(mktemp -d -p "$base" dynprobe-bench.XXXXXX); then
		for c in usdt_memfd_first usdt_file_first usdt_memfd_second usdt_file_second; do
			echo "setup,idle,$c.load,2,10,1,,,,,,na,n/a (dpbench-publish did not build or no directory)" \
				>>"$out/measurements.csv"
		done
		return 0
	fi
	log "set-up: USDT shared image files vs memfds (10 probes)"
	"$pub" --csv "$out/measurements.csv" --dir "$dir" --probes 10 --reps "$n" --pass first --tag "dpbp$$"
	"$pub" --csv "$out/measurements.csv" --dir "$dir" --probes 10 --reps "$n" --pass second --tag "dpbp$$"
	rm -rf "$dir"
}

# dpbench-setup passes; LTTng ones only next to the private daemon.
run_setup() {
	local ds=$1 csv=$out/measurements.csv c
	local usdt_reps=$(( quick ? 3 : 21 )) big_reps=$(( quick ? 2 : 6 ))
	local cold_reps=$(( quick ? 2 : 6 ))

	if [ ! -x "$ds" ]; then
		for c in usdt lttng_rt lttng_cold lttng_cached; do
			na_setup $c 10 "n/a (backend unavailable: libdynprobe did not build)"
			na_setup $c 1000 "n/a (backend unavailable: libdynprobe did not build)"
		done
		na_setup usdt 10000 "n/a (backend unavailable: libdynprobe did not build)"
		return 0
	fi
	log "set-up: USDT loads"
	"$ds" --csv "$csv" --backend usdt --probes 10 --reps "$usdt_reps" --label usdt
	"$ds" --csv "$csv" --backend usdt --probes 1000 --reps "$big_reps" --label usdt
	# probe_add at scale and memory per probe, next to the real libstapsdt
	# when $DPBENCH_LIBSTAPSDT names one (built outside this tree).
	log "set-up: 10,000 probes; libstapsdt side by side (${DPBENCH_LIBSTAPSDT:-not given})"
	"$ds" --csv "$csv" --backend usdt --probes 10000 --reps "$big_reps" --label usdt
	"$ds" --csv "$csv" --backend libstapsdt --probes 1000 --reps "$big_reps" --label lsdt
	"$ds" --csv "$csv" --backend libstapsdt --probes 10000 --reps "$big_reps" --label lsdt
	run_publish "${ds%/*}/dpbench-publish" "$usdt_reps"
	if [ -z "${DYNPROBE_LTTNG_SESSIOND_PID:-}" ]; then
		local why="n/a (no private lttng-sessiond: $lttng_why)"
		na_setup lttng_rt 10 "$why"; na_setup lttng_rt 1000 "$why"
		na_setup lttng_cold 10 "$why"; na_setup lttng_cached 10 "$why"
		na_setup lttng_cold 1000 "$why"; na_setup lttng_cached 1000 "$why"
		return 0
	fi
	# Runtime mode (the default): nothing to compile or cache; every load
	# is cold.  The first of a process also loads liblttng-ust.
	log "set-up: LTTng runtime-mode loads (10 and 1,000 probes)"
	DYNPROBE_LTTNG_MODE=runtime "$ds" --csv "$csv" --backend lttng --probes 10 --reps "$usdt_reps" --label lttng_rt --names r10
	DYNPROBE_LTTNG_MODE=runtime "$ds" --csv "$csv" --backend lttng --probes 1000 --reps "$big_reps" --label lttng_rt --names r1000
	# Compiled mode.  Cold = a fresh cache directory; cached = the same
	# directory and names in a new process.
	log "set-up: LTTng compiled mode: cold compiles and cached loads (10 probes)"
	c=$(mktemp -d "$out/raw/cache-l10.XXXXXX")
	DYNPROBE_LTTNG_MODE=compiled "$ds" --csv "$csv" --backend lttng --probes 10 --reps "$cold_reps" --label lttng_cold --names l10 --cache-dir "$c"
	DYNPROBE_LTTNG_MODE=compiled "$ds" --csv "$csv" --backend lttng --probes 10 --reps "$cold_reps" --label lttng_cached --names l10 --cache-dir "$c"
	if [ "$quick" = 1 ]; then
		na_setup lttng_cold 1000 "n/a (skipped in --quick: a 1000-event provider compiles for tens of seconds)"
		na_setup lttng_cached 1000 "n/a (skipped in --quick: needs the cold compile)"
	else
		log "set-up: LTTng compiled mode: cold compile and cached load (1,000 probes; slow)"
		c=$(mktemp -d "$out/raw/cache-l1000.XXXXXX")
		DYNPROBE_LTTNG_MODE=compiled "$ds" --csv "$csv" --backend lttng --probes 1000 --reps 1 --label lttng_cold --names l1000 --cache-dir "$c"
		DYNPROBE_LTTNG_MODE=compiled "$ds" --csv "$csv" --backend lttng --probes 1000 --reps 1 --label lttng_cached --names l1000 --cache-dir "$c"
	fi
}

# LTTng recording, runtime and compiled mode vs static tracepoints with the
# same fields, 0/2/6/12 arguments (dpbench-lttng; rows kind fire, state lttng).
run_lttng_modes() {
	local dl=$1
	if [ ! -x "$dl" ] || [ -z "${DYNPROBE_LTTNG_SESSIOND_PID:-}" ]; then
		log "LTTng modes: skipped (no dpbench-lttng or no private session daemon)"
		return 0
	fi
	# Three processes of five repetitions rather than one of fifteen: a
	# process's address-space layout moves these ratios by about 1 %
	# from one process to the next, so one process would decide them.
	local procs=$(( quick ? 1 : 3 )) per=$(( quick ? 2 : 5 )) p
	log "LTTng recording: runtime and compiled mode vs static tracepoints ($procs x $per repetitions)"
	for (( p = 0; p < procs; p++ )); do
		"$dl" --csv "$out/measurements.csv" --reps "$per" --first-rep $(( p * per )) \
			--ms $(( quick ? 5 : 40 )) 2>>"$out/raw/lttng.log"
	done
}

# The part that runs next to the private session daemon (or without one).
inner_main() {
	local bin=${DPBENCH_BIN_DIR:?}
	local q=()
	[ "$quick" = 1 ] && q=(--quick)
	log "fire matrix ($bin/dpbench)"
	"$bin/dpbench" --out "$out/raw" --csv "$out/measurements.csv" --cache-dir "$out/raw/cache" \
		--reps "$reps" "${q[@]}"
	run_setup "$bin/dpbench-setup"
	run_lttng_modes "$bin/dpbench-lttng"
	# Keep what proves the sessions recorded (sizes), drop the bulk.
	if [ -d "$out/raw/lttng-snapshot" ]; then
		du -sb "$out/raw/lttng-snapshot" >>"$out/raw/lttng.log"
		rm -rf "$out/raw/lttng-snapshot"
	fi
}

if [ "$inner" = 1 ]; then
	lttng_why=${DPBENCH_LTTNG_WHY:-}
	inner_main
	exit 0
fi

# meson build of dpbench and dpbench-setup; without libdynprobe, a
# native-only dpbench (dynprobe cells n/a).  Prints the binaries' directory.
build_bench() {
	local blog=$out/raw/build.log nat=$build/bench-native
	if [ "$nobuild" = 1 ]; then
		echo "$build/bench"
		return 0
	fi
	if { [ -f "$build/build.ninja" ] || meson setup "$build" "$src"; } >>"$blog" 2>&1 &&
		meson compile -C "$build" bench/dpbench bench/dpbench-setup bench/dpbench-publish >>"$blog" 2>&1; then
		meson compile -C "$build" bench/dpbench-lttng >>"$blog" 2>&1 || true
		echo "$build/bench"
		return 0
	fi
	log "libdynprobe or the harness did not build (see $blog); building native-only dpbench"
	local ust=0 tp=() uflags=()
	if pkg-config --exists lttng-ust; then
		ust=1 tp=("$src/bench/dpbench_tp.c")
		read -ra uflags <<<"$(pkg-config --cflags --libs lttng-ust)"
	fi
	mkdir -p "$nat"
	rm -f "$nat/dpbench-setup"
	# Same alignment flags as bench/meson.build (see there why).
	cc -O2 -falign-loops=32 -Wa,-mbranches-within-32B-boundaries -std=gnu11 \
		-D_GNU_SOURCE -DDPBENCH_HAVE_DYNPROBE=0 -DDPBENCH_HAVE_UST=$ust \
		-I"$src/bench" "$src/bench/dpbench.c" "$src/bench/dpbench_mech.c" \
		"$src/bench/dpbench_tracers.c" "$src/bench/dpbench_stapsdt.c" "${tp[@]}" \
		-o "$nat/dpbench" "${uflags[@]}" -lpthread -ldl >>"$blog" 2>&1 ||
		{ log "native build failed too: see $blog"; exit 1; }
	echo "$nat"
}

sysinfo() {
	local ver=unknown
	[ -f "$build/config.h" ] && ver=$(sed -n 's/^#define DYNPROBE_VERSION "\(.*\)"/\1/p' "$build/config.h")
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host: $(hostname)"
	echo "mode: $([ "$quick" = 1 ] && echo quick || echo full), $reps repetitions per cell"
	echo "kernel: $(uname -srm) $(uname -v)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) x $(nproc)"
	echo "affinity: $(taskset -pc $$ 2>/dev/null | sed 's/.*: //')"
	echo "nice: $(nice)"
	echo "compiler: $(cc --version | head -1)"
	echo "bpftrace: $(bpftrace --version 2>/dev/null || echo none)"
	echo "lttng-ust: $(pkg-config --modversion lttng-ust 2>/dev/null || echo none)"
	echo "lttng-tools: $(lttng --version 2>/dev/null | head -1 || echo none)"
	echo "dynprobe: $ver ($(git -C "$src" describe --always --dirty 2>/dev/null || echo no git))"
	echo "libstapsdt: ${DPBENCH_LIBSTAPSDT:-not measured (DPBENCH_LIBSTAPSDT unset)}"
	echo "loadavg_start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cpu_stat_start: $(head -1 /proc/stat)"
}

main() {
	local host stamp rc
	host=$(hostname -s 2>/dev/null || hostname)
	stamp=$(date -u +%Y-%m-%dT%H%MZ)
	out=${out:-$src/bench/results/$stamp-$host}
	mkdir -p "$out/raw" "$out/charts"
	out=$(cd "$out" && pwd)
	# A reused directory must not mix runs: logs are appended to.
	rm -rf "$out/measurements.csv" "$out/report.md" "$out/sysinfo.txt" "$out"/charts/*.svg \
		"$out"/raw/*.log "$out"/raw/*.err "$out"/raw/cache* "$out/raw/lttng-snapshot"
	export DPBENCH_BIN_DIR
	DPBENCH_BIN_DIR=$(build_bench)
	sysinfo >"$out/sysinfo.txt"
	log "writing $out"
	local args=(--inner --out "$out" --build-dir "$build" --reps "$reps")
	[ "$quick" = 1 ] && args+=(--quick)
	# The wrapper's skip must reach us as 77, whatever the caller's policy.
	set +e
	env -u DYNPROBE_TEST_NO_SKIP "$src/tests/lib/lttng-private.sh" "$src/bench/run.sh" "${args[@]}" \
		2> >(tee "$out/raw/private.err" >&2)
	rc=$?
	set -e
	if [ "$rc" = 77 ]; then
		export DPBENCH_LTTNG_WHY
		DPBENCH_LTTNG_WHY=$(sed -n 's/^SKIP: //p' "$out/raw/private.err" | head -1)
		log "no private lttng-sessiond ($DPBENCH_LTTNG_WHY): lttng cells will be n/a"
		"$src/bench/run.sh" "${args[@]}"
	elif [ "$rc" != 0 ]; then
		log "matrix failed (exit $rc)"
		exit "$rc"
	fi
	{
		echo "loadavg_end: $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "cpu_stat_end: $(head -1 /proc/stat)"
	} >>"$out/sysinfo.txt"
	top -b -n 1 2>/dev/null | head -20 >"$out/raw/top-at-end.txt" || true
	python3 "$src/bench/report.py" "$out"
	python3 "$src/bench/report.py" --check "$out"
	log "report: $out/report.md"
}

main
