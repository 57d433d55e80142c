#!/usr/bin/env bash
# lttng-private.sh CMD [ARGS...] - run CMD next to a private lttng-sessiond.
#
# The daemon lives in a private mount namespace with fresh tmpfs mounts over
# /var/run/lttng (its sockets) and /dev/shm (the ring buffers' shm), so it
# never talks to, or depends on, a session daemon already running on the
# machine.  CMD runs inside that namespace (traced apps must too) with
# LTTNG_HOME set to a private directory.  The daemon is stopped by PID when
# CMD exits; CMD's exit status is returned.
#
# Exit 77 (skip) only when the machine truly cannot: no lttng-sessiond, not
# root, or no mount namespaces.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

# Already next to a private daemon (DYNPROBE_LTTNG_PRIVATE_INNER=1 and its
# PID alive: the demo run by the README test, a test script re-run by
# itself): use that one.  A second daemon in the same namespace would mount
# a new tmpfs over the first one's sockets, and removes its own on exit.
# DYNPROBE_LTTNG_PRIVATE_REEXEC marks only this script's own re-execution
# inside the namespace it made.
daemon=${DYNPROBE_LTTNG_SESSIOND_PID:-}
case $daemon in '' | *[!0-9]* | 0 | 1) daemon= ;; esac
if [ "${DYNPROBE_LTTNG_PRIVATE_REEXEC:-}" = 1 ]; then
	unset DYNPROBE_LTTNG_PRIVATE_REEXEC
elif [ "${DYNPROBE_LTTNG_PRIVATE_INNER:-}" = 1 ] && [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
	exec "$@"
else
	command -v lttng-sessiond >/dev/null || dp_skip "lttng-sessiond not installed"
	command -v lttng >/dev/null || dp_skip "lttng not installed"
	[ "$(id -u)" = 0 ] || dp_skip "private session daemon needs root (mount namespace)"
	unshare --mount --propagation private true 2>/dev/null || dp_skip "no mount namespaces"
	DYNPROBE_LTTNG_PRIVATE_INNER=1 DYNPROBE_LTTNG_PRIVATE_REEXEC=1 \
		exec unshare --mount --propagation private "$0" "$@"
fi

# Inside the private namespace.
mkdir -p /var/run/lttng /dev/shm
mount -t tmpfs -o mode=0755 dynprobe-lttng-run /var/run/lttng || dp_fail "cannot mount tmpfs over /var/run/lttng"
mount -t tmpfs -o mode=1777 dynprobe-lttng-shm /dev/shm || dp_fail "cannot mount tmpfs over /dev/shm"
export LTTNG_HOME=$(mktemp -d /tmp/dynprobe-lttng-home.XXXXXX)
# Apps must not wait for a session daemon that is slow to answer.
export LTTNG_UST_REGISTER_TIMEOUT=${LTTNG_UST_REGISTER_TIMEOUT:-3000}

lttng-sessiond --daemonize --pidfile="$LTTNG_HOME/sessiond.pid" \
	>"$LTTNG_HOME/sessiond.log" 2>&1 || dp_fail "lttng-sessiond failed to start: $(cat "$LTTNG_HOME/sessiond.log")"
sessiond_pid=$(cat "$LTTNG_HOME/sessiond.pid")
export DYNPROBE_LTTNG_SESSIOND_PID=$sessiond_pid

stop_daemon() {
	kill "$sessiond_pid" 2>/dev/null
	dp_wait_until 10 '! kill -0 '"$sessiond_pid"' 2>/dev/null' || kill -9 "$sessiond_pid" 2>/dev/null
	rm -rf "$LTTNG_HOME"
}
trap stop_daemon EXIT

# Ready when the client can talk to it.
dp_wait_until 10 'lttng list >/dev/null 2>&1' || dp_fail "private lttng-sessiond did not answer"

"$@"
