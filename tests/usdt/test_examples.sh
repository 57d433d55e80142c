#!/usr/bin/env bash
# The README's bpftrace one-liners work against the examples as written.
. "$(dirname "$0")/lib.sh"
need_bpftrace
: "${EXAMPLES:?EXAMPLES must point at the examples build dir}"

# start_example NAME ARGS...: sets EX_PID once the example printed its line.
start_example() {
	local name=$1; shift
	"$EXAMPLES/$name" "$@" >"$WORK/$name.out" 2>&1 &
	EX_PID=$!
	BT_PIDS+=("$EX_PID")
	dp_wait_until 10 "grep -q '^pid' '$WORK/$name.out'" || dp_fail "$name did not start"
}

start_example hello 60
bpftrace -p "$EX_PID" -e 'usdt::global:hello_nsec { printf("%lld %s\n", arg0, str(arg1)); exit(); }' \
	>"$WORK/bt_hello" 2>"$WORK/bt_hello.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
bt_wait_exit 30
grep -Eq '^[0-9]+ Hello world$' "$WORK/bt_hello" || dp_fail "hello: $(cat "$WORK/bt_hello")"
dp_wait_until 10 "grep -q 'Probe fired!' '$WORK/hello.out'" || dp_fail "hello never saw its probe enabled"
echo "ok: hello"

start_example randist 60
bpftrace -p "$EX_PID" -e 'usdt::global:randist { @ = lhist(arg0, 0, 100, 10); @i++; if (@i >= 20000) { exit(); } }' \
	>"$WORK/bt_randist" 2>"$WORK/bt_randist.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
bt_wait_exit 60
# Ten buckets, every value in [0, 100), roughly uniform.
buckets=$(grep -c '^\[[0-9]*, [0-9]*)' "$WORK/bt_randist")
expect "randist lhist buckets" "$buckets" 10
grep -q '^\[100, \.\.\.)' "$WORK/bt_randist" && dp_fail "values >= 100: $(cat "$WORK/bt_randist")"
echo "ok: randist"

start_example latency 60000
bpftrace -p "$EX_PID" -e 'usdt::global:nsec_latency { @ = hist(arg0); @i++; if (@i >= 200) { exit(); } }' \
	>"$WORK/bt_latency" 2>"$WORK/bt_latency.err" &
BT_PID=$!; BT_PIDS+=("$BT_PID")
bt_wait_exit 60
grep -Eq '^\[[0-9]+[KM]?, [0-9]+[KM]?\) +[0-9]+ \|@*' "$WORK/bt_latency" || dp_fail "latency hist: $(cat "$WORK/bt_latency")"
echo "ok: latency"
echo PASS
