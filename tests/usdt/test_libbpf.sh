#!/usr/bin/env bash
# libbpf as a reader of the shared image: bpf_program__attach_usdt() with
# pid -1 on the file's path counts events, with their argument values, in
# two processes and in a third started after it attached.
. "$(dirname "$0")/lib.sh"
need_bpftrace
[ -n "${LIBBPF_USDT:-}" ] && [ -x "$LIBBPF_USDT" ] || dp_skip "libbpf-dev or clang missing at configure time"
P=lb_$RUN_ID

declare -A EMIT_PID
emitter() {
	"$DYNPROBE" emit --provider "$P" --probe req --arg u64:42 --arg i32:-7 --count 0 \
		--interval-ms 20 --quiet >"$WORK/emit$1" 2>&1 7>&- &
	EMIT_PID[$1]=$!; BT_PIDS+=("$!")
	dp_wait_until 10 "grep -q '^usdt:' '$WORK/emit$1'" || dp_fail "emitter $1: $(cat "$WORK/emit$1")"
}
emitter 1; emitter 2
img=$(grep '^usdt:' "$WORK/emit1"); img=${img#usdt:}; img=${img%:$P:req}

mkfifo "$WORK/in"
"$LIBBPF_USDT" "$USDT_BPF_OBJ" "$img" "$P" req <"$WORK/in" >"$WORK/lb" 2>"$WORK/lb.err" &
LB=$!; BT_PIDS+=("$LB")
exec 7>"$WORK/in"
dp_wait_until 30 "grep -q '^attached' '$WORK/lb'" || dp_fail "libbpf did not attach: $(cat "$WORK/lb.err")"
for n in 1 2; do
	dp_wait_until 30 "grep -q '^seen ${EMIT_PID[$n]} 42 -7\$' '$WORK/lb'" ||
		dp_fail "libbpf saw nothing from process $n: $(cat "$WORK/lb" "$WORK/lb.err")"
done
emitter 3
dp_wait_until 30 "grep -q '^seen ${EMIT_PID[3]} 42 -7\$' '$WORK/lb'" ||
	dp_fail "libbpf missed the process started later: $(cat "$WORK/lb" "$WORK/lb.err")"
exec 7>&-
dp_wait_until 10 "! kill -0 $LB 2>/dev/null" || dp_fail "libbpf loader did not exit"
expect "per-process counts" "$(grep -c '^count ' "$WORK/lb")" 3
echo "ok: libbpf attach_usdt(pid -1) on $img saw three processes"
echo PASS
