# lib.sh - shared by the USDT integration tests (sourced).
#
# Every test runs a real usdt_driver process and real tracers against it.
# Waiting is always on a condition (the driver polls its probe's enabled
# state; bpftrace output is polled for a line) with a timeout.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/common.sh"

: "${DRIVER:?DRIVER must point at usdt_driver}"
: "${DYNPROBE:?DYNPROBE must point at the dynprobe tool}"
WORK=$(mktemp -d /tmp/dynprobe-usdt-test.XXXXXX)
BT_PIDS=()
# Provider names of this run: shared USDT images are traced in every
# process that maps them, and other tests run on this machine at once.
RUN_ID=$$_$RANDOM
export DPT=dpt_$RUN_ID DPT2=dpt2_$RUN_ID

cleanup() {
	for p in "${BT_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${DRV_PID:-}" ] && kill "$DRV_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

need_bpftrace() {
	command -v bpftrace >/dev/null || dp_skip "bpftrace not installed"
	[ "$(id -u)" = 0 ] || dp_skip "bpftrace needs root"
	[ -e /sys/kernel/btf/vmlinux ] || [ -d /sys/kernel/debug ] || dp_skip "no BPF support visible"
}

# drv_start [VAR=VALUE...]: start the driver as a coprocess, its stderr in
# $WORK/drv.err; sets DRV_PID, DRV_FD, DRV2_FD.
drv_start() {
	coproc DRV { exec env "$@" "$DRIVER" 2>"$WORK/drv.err"; }
	local ready
	read -r -t 20 ready DRV_PID DRV_FD DRV2_FD <&"${DRV[0]}" ||
		dp_fail "driver did not start: $(cat "$WORK/drv.err")"
	[ "$ready" = ready ] || dp_fail "driver said '$ready'"
}

# drv_stop: end the driver (EOF on its stdin) and wait until it is gone.
drv_stop() {
	local pid=$DRV_PID
	eval "exec ${DRV[1]}>&-"
	dp_wait_until 20 "! kill -0 $pid 2>/dev/null" || dp_fail "driver did not exit"
	DRV_PID=
}

# drv CMD...: send one command, print the one-line reply.
drv() {
	echo "$*" >&"${DRV[1]}"
	local reply
	read -r -t 60 reply <&"${DRV[0]}" || dp_fail "driver did not answer '$*'"
	echo "$reply"
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || dp_fail "$1: got '$2', want '$3'"
	echo "ok: $1"
}

# bt_start OUTFILE PROGRAM: run bpftrace against the driver in the
# background; BT_PID is its PID.
bt_start() {
	local out=$1 prog=$2
	bpftrace -p "$DRV_PID" -e "$prog" >"$out" 2>"$out.err" &
	BT_PID=$!
	BT_PIDS+=("$BT_PID")
}

# bt_wait_exit SECONDS: wait for bpftrace to exit by itself (exit()).
bt_wait_exit() {
	dp_wait_until "$1" "! kill -0 $BT_PID 2>/dev/null" ||
		dp_fail "bpftrace did not finish: $(cat "$WORK"/*.err 2>/dev/null)"
}

# bt_stop: stop bpftrace (SIGINT, as Ctrl-C) and wait until it is gone.
bt_stop() {
	kill -INT "$BT_PID" 2>/dev/null
	dp_wait_until 20 "! kill -0 $BT_PID 2>/dev/null" || kill -9 "$BT_PID" 2>/dev/null
}

# attached PROBE [PROVIDER]: wait until the driver sees a tracer on PROBE.
attached() {
	local r
	r=$(drv wait-enabled "$1" 30 "${2:-$DPT}")
	[ "$r" = enabled ] || dp_fail "no tracer attached to $1 within 30 s: $(cat "$WORK"/*.err 2>/dev/null)"
}

# list_field PROVIDER PROBE COLUMN: one column of `dynprobe list` for a probe.
# Columns: 1 PID, 2 PROVIDER, 3 PROBE, 4 USDT state, 5 SEM, 6 ATTACHED,
# 7 LTTNG state, 8 ENABLED, 9... ARGS.
list_field() {
	"$DYNPROBE" list "$DRV_PID" | awk -v p="$1" -v n="$2" -v c="$3" '$2 == p && $3 == n { print $c }'
}

# list_image PROVIDER: the USDT image `dynprobe list` names for the driver.
list_image() {
	"$DYNPROBE" list "$DRV_PID" | awk -v p="$1" '$2 == p && $3 ~ /^\// { print $3 }'
}
