#!/usr/bin/env bash
# With no session daemon at all, loading adds no multi-second delay
# (lttng-ust's registration wait, LTTNG_UST_REGISTER_TIMEOUT, must not
# apply).  Runs in a private mount namespace where no daemon can answer.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lttng-lib.sh"
if [ "${DYNPROBE_NOSESSIOND_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || dp_skip "needs root for a private mount namespace"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	DYNPROBE_NOSESSIOND_INNER=1 exec unshare --mount --propagation private "$0" "$@"
fi
mount -t tmpfs dynprobe-nosessiond /var/run/lttng 2>/dev/null ||
	{ mkdir -p /var/run/lttng && mount -t tmpfs dynprobe-nosessiond /var/run/lttng; } ||
	dp_fail "cannot hide /var/run/lttng"
dp_work
export LTTNG_HOME=$work/home
mkdir -p "$LTTNG_HOME"
unset LTTNG_UST_REGISTER_TIMEOUT

DRIVER_PREFIX=ns dp_driver time 10 1 >/dev/null || dp_fail "cold load failed"
start=$(date +%s%N)
ms=$(DRIVER_PREFIX=ns dp_driver time 10 1) || dp_fail "cached load failed"
total=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$total" -lt 1000 ] || dp_fail "process with a cached 10-probe provider took $total ms without a sessiond"
echo "ok: cached 10-probe load ${ms} ms, whole process ${total} ms, no session daemon"
