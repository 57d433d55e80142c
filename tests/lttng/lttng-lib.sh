# lttng-lib.sh - helpers for the LTTng integration tests (sourced).
#
# dp_lttng_private ARGS   re-exec the calling script next to a private
#                         lttng-sessiond (tests/lib/lttng-private.sh)
# dp_work                 $work: a scratch dir removed at exit, with a
#                         private provider cache ($DYNPROBE_CACHE_DIR, or
#                         $DP_TEST_CACHE_DIR when the caller set one)
# dp_session NAME [ARGS]  create a session writing to $work/trace-NAME
# dp_bt NAME              babeltrace2 text of that trace, without the
#                         timestamp, hostname and cpu_id (stable lines)
# dp_driver ARGS          run the test driver
#                         (in the background: "$DRIVER" ... & dp_bg_pids+=" $!")
set -u
TESTS_LIB=${TESTS_LIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)}
. "$TESTS_LIB/common.sh"
[ -n "${DRIVER:-}" ] || dp_fail "DRIVER not set (run through meson test)"

dp_lttng_private() {
	if [ "${DYNPROBE_LTTNG_PRIVATE_INNER:-}" != 1 ]; then
		command -v babeltrace2 >/dev/null || dp_skip "babeltrace2 not installed"
		exec "$TESTS_LIB/lttng-private.sh" "$0" "$@"
	fi
}

dp_bg_pids=
dp_work() {
	work=$(mktemp -d /tmp/dynprobe-lttng-test.XXXXXX)
	trap 'for p in $dp_bg_pids; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
	export DYNPROBE_CACHE_DIR=${DP_TEST_CACHE_DIR:-$work/cache}
}

dp_session() {
	local name=$1
	shift
	lttng create "$name" --output="$work/trace-$name" "$@" >/dev/null || dp_fail "lttng create $name"
}

dp_bt() {
	babeltrace2 "$work/trace-$1" | sed -E 's/^\[[^]]*\] \([^)]*\) [^ ]+ //; s/\{ cpu_id = [0-9]+ \}, //'
}

dp_driver() {
	"$DRIVER" "$@"
}
