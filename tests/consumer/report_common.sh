# report_common.sh - shared by the consumer integration tests (sourced).
#
# Usage of every test: lttng-private.sh TEST.sh DYNPROBE GENERATOR PLUGIN_DIR
# (meson passes these).  GENERATOR fires N dpgen:req events with a known
# value sequence and dumps the values (gen_values.h).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

DYNPROBE=${1:?dynprobe tool}
GEN=${2:?trace generator}
PLUGIN_DIR=${3:?babeltrace2 plugin directory}

WORK=$(mktemp -d /tmp/dynprobe-consumer-test.XXXXXX)
cleanup_work() { rm -rf "$WORK"; }
trap cleanup_work EXIT
# gen_dynprobe compiles its provider here, not in the user's cache.
export DYNPROBE_CACHE_DIR=$WORK/cache
# Temporary files of this run only (report's mirror directories among them):
# other runs on the machine make theirs in /tmp at the same time.
export TMPDIR=$WORK/tmp
mkdir "$TMPDIR" || dp_fail "mkdir $TMPDIR"

# no_mirrors_left WHAT: every report so far removed its mirror directories.
no_mirrors_left() {
	local left
	left=$(find "$TMPDIR" -maxdepth 1 -name 'dynprobe-report.*')
	[ -z "$left" ] || dp_fail "$1: mirror directories left behind: $left"
}

command -v babeltrace2 >/dev/null || dp_skip "babeltrace2 not installed"

# bt_plugin ARGS...: babeltrace2 with our plugin.  A plugin built with
# ASan/UBSan (the sanitizer build) needs their runtimes loaded first in
# babeltrace2, which is not built with them: preload them, as found by the
# plugin's own dependencies.  DP_BT_PRELOAD passes the same to Python.
DP_BT_PRELOAD=$(ldd "$PLUGIN_DIR/babeltrace-plugin-dynprobe.so" 2>/dev/null |
	awk '/lib(asan|ubsan)\.so/ { printf "%s%s", sep, $3; sep = ":" }')
export DP_BT_PRELOAD
bt_plugin() {
	LD_PRELOAD=${DP_BT_PRELOAD:-${LD_PRELOAD:-}} babeltrace2 --plugin-path "$PLUGIN_DIR" "$@"
}

# record_trace NAME N SEED [CHANNEL-OPTIONS...]: a file session with every
# dpgen event, GEN run once; the values land in $WORK/NAME.values.
record_trace() {
	local name=$1 n=$2 seed=$3
	shift 3
	lttng create "$name" --output="$WORK/$name" >/dev/null || dp_fail "lttng create"
	if [ $# -gt 0 ]; then
		lttng enable-channel -u "$@" ch >/dev/null || dp_fail "lttng enable-channel $*"
		lttng enable-event -u -c ch 'dpgen:*' >/dev/null || dp_fail "lttng enable-event"
	else
		lttng enable-event -u 'dpgen:*' >/dev/null || dp_fail "lttng enable-event"
	fi
	lttng start >/dev/null || dp_fail "lttng start"
	"$GEN" "$n" "$seed" "$WORK/$name.values" || dp_fail "generator failed"
	# stop waits until the consumer daemon has written everything out
	lttng stop >/dev/null || dp_fail "lttng stop"
	lttng destroy "$name" >/dev/null || dp_fail "lttng destroy"
}

# csv_get FILE GROUP METRIC: the value column of one CSV row.
csv_get() {
	awk -F, -v g="$2" -v m="$3" '$1 == g && $2 == m { print $NF; found = 1 }
		END { if (!found) print "MISSING" }' "$1"
}

expect_eq() {
	[ "$2" = "$3" ] || dp_fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}
