# common.sh - helpers for integration tests (sourced).
#
# dp_skip REASON   exit 77 (meson SKIP), or fail when DYNPROBE_TEST_NO_SKIP=1
#                  (.ci/run sets it: nothing silently stops being tested)
# dp_fail MSG      exit 1
# dp_wait_until SECONDS 'SHELL CONDITION'   poll the condition, 20 ms apart
dp_skip() {
	if [ "${DYNPROBE_TEST_NO_SKIP:-}" = 1 ]; then
		echo "FAIL (skip not allowed here): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

dp_fail() {
	echo "FAIL: $*" >&2
	exit 1
}

dp_wait_until() {
	local timeout=$1 cond=$2 deadline
	deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while ! eval "$cond"; do
		[ "$(date +%s%N)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
	return 0
}
