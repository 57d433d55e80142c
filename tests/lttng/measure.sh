#!/usr/bin/env bash
# measure.sh - the LTTng backend's numbers for the report (not a test).
#
#   DRIVER=build/tests/lttng/lttng-driver DYNPROBE_TOOL=build/tools/dynprobe \
#     tests/lttng/measure.sh [--sessiond]
#
# Prints medians (ms) of: cold load (generate + compile + dlopen) of a 1- and
# a 10-probe provider, cached load of a 10-probe provider (first in the
# process: includes loading liblttng-ust; then later ones), and the raw
# compile time of the same sources at -O1 and -O2.  With --sessiond, runs
# itself next to a private session daemon.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
if [ "${1:-}" = --sessiond ]; then
	shift
	dp_lttng_private "$@"
fi
dp_work
N=${N:-7}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

for np in 1 10; do
	# One cold provider per process (the first load also pays liblttng-ust).
	for i in $(seq "$N"); do DRIVER_PREFIX=cold$i dp_driver time "$np" 1; done >"$work/cold$np"
	# Later cold loads in a process that already has liblttng-ust.
	DRIVER_PREFIX=warm dp_driver time "$np" "$N" | tail -n +2 >"$work/coldw$np"
	echo "cold load, $np probes: first in process $(median <"$work/cold$np") ms, later $(median <"$work/coldw$np") ms"
done
for i in $(seq "$N"); do DRIVER_PREFIX=cold1 dp_driver time 10 1; done >"$work/c1" 2>/dev/null
DRIVER_PREFIX=warm dp_driver time 10 "$N" | tail -n +2 >"$work/c2"
echo "cached load, 10 probes: first in process $(median <"$work/c1") ms, later $(median <"$work/c2") ms"

printf 'provider m1\nprobe ev0 u64 str double\n' >"$work/m1.tp"
{ echo 'provider m10'; for i in $(seq 0 9); do echo "probe ev$i u64 str double"; done; } >"$work/m10.tp"
for np in 1 10; do
	"$DYNPROBE_TOOL" tp --source "$work/m$np.tp" >"$work/dynprobe-tp.c"
	for o in -O0 -O1 -O2; do
		for i in $(seq "$N"); do
			s=$(date +%s%N)
			cc -shared -fPIC -fvisibility=hidden $o -g0 -pipe -w -iquote"$work" -o "$work/x.so" \
				"$work/dynprobe-tp.c" -Wl,--no-as-needed -llttng-ust
			echo $(( ($(date +%s%N) - s) / 1000000 ))
		done | median >"$work/t"
		echo "compile only, $np probes, $o: $(cat "$work/t") ms, $(stat -c %s "$work/x.so") bytes"
	done
done
