#!/usr/bin/env bash
# Every argument type reaches tracers with its exact value: integer extremes
# of every width with their sign, strings, a NULL string, doubles (as their
# IEEE-754 bits), 12 arguments, and two providers with the same probe names
# stay apart.
. "$(dirname "$0")/lib.sh"
need_bpftrace
drv_start

run_bt() { # NAME PROBE PROGRAM [PROVIDER]
	local name=$1 probe=$2 prog=$3 prov=${4:-}
	bt_start "$WORK/$name" "$prog"
	attached "$probe" "${prov:-$DPT}"
	# Fire until bpftrace has printed (it exits after the first event).
	dp_wait_until 30 "[ \"\$(drv fire $probe $prov)\" ] && ! kill -0 $BT_PID 2>/dev/null" ||
		dp_fail "$name: bpftrace saw nothing: $(cat "$WORK/$name.err")"
	grep -v '^Attaching' "$WORK/$name" | grep -v '^$' | head -n 1
}

got=$(run_bt ints ints 'usdt::'"$DPT"':ints { printf("%d %u %d %u %d %u\n", arg0, arg1, arg2, arg3, arg4, arg5); exit(); }')
expect "i8 u8 i16 u16 i32 u32 extremes" "$got" "-128 255 -32768 65535 -2147483648 4294967295"

got=$(run_bt wide wide 'usdt::'"$DPT"':wide { printf("%lld %llu [%s] %llx [%s] %lld\n", arg0, arg1, str(arg2), arg3, str(arg4), arg5); exit(); }')
expect "i64 u64 str double(bits) NULL-str i64" "$got" \
	"-9223372036854775808 18446744073709551615 [hello world] 4004000000000000 [] -1"

got=$(run_bt second ints "usdt:/proc/$DRV_PID/fd/$DRV2_FD:$DPT2:ints { printf(\"%d %d %d %d %d %d\\n\", arg0, arg1, arg2, arg3, arg4, arg5); exit(); }" "$DPT2")
expect "same probe name, second provider" "$got" "-1 1 -2 2 -3 3"

# Arguments 7..12 live on the stack at 8(%rsp) .. 48(%rsp), as the note
# says.  bpftrace < 0.24 reads only arg0..arg5 and bcc cannot compile here
# without kernel headers, so read the slots the way the note's specs
# describe them, relative to the stub's stack pointer.
got=$(run_bt twelve twelve 'usdt::'"$DPT"':twelve { $sp = reg("sp");
	printf("%d %d %d %d %d %d %d %d %d %d %d %d\n", arg0, arg1, arg2, arg3, arg4, arg5,
	       *(int64 *)($sp + 8), *(int64 *)($sp + 16), *(int64 *)($sp + 24),
	       *(int64 *)($sp + 32), *(int64 *)($sp + 40), *(int64 *)($sp + 48)); exit(); }')
expect "twelve arguments" "$got" "-1 2 -3 4 -5 6 -7 8 -9 10 -11 12"
echo PASS
