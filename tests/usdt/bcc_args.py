#!/usr/bin/python3
# bcc_args.py PID PROVIDER PROBE: print the first firing's 12 arguments,
# read with bcc's bpf_usdt_readarg (which handles stack slots), then exit.
import ctypes
import sys

from bcc import BPF, USDT

pid, provider, probe = int(sys.argv[1]), sys.argv[2], sys.argv[3]
prog = """
#include <uapi/linux/ptrace.h>
struct args { s64 v[12]; };
BPF_PERF_OUTPUT(events);
int on_probe(struct pt_regs *ctx) {
    struct args a = {};
""" + "".join(f"    bpf_usdt_readarg({i + 1}, ctx, &a.v[{i}]);\n" for i in range(12)) + """
    events.perf_submit(ctx, &a, sizeof(a));
    return 0;
}
"""
u = USDT(pid=pid)
u.enable_probe(probe=f"{provider}:{probe}", fn_name="on_probe")
b = BPF(text=prog, usdt_contexts=[u])
done = False


def on_event(cpu, data, size):
    global done
    vals = ctypes.cast(data, ctypes.POINTER(ctypes.c_int64 * 12)).contents
    print(" ".join(str(v) for v in vals), flush=True)
    done = True


b["events"].open_perf_buffer(on_event)
while not done:
    b.perf_buffer_poll(timeout=100)
