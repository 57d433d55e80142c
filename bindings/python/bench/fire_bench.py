# fire_bench.py MODE [ITERATIONS] [RUNS] - ns per call, median of RUNS runs.
#   disabled  an empty function with fire's signature, a disabled fire
#             (provider loaded, no tracer) through the inline watch words,
#             and through dynprobe_probe_enabled() (a ctypes call)
#   disabled_both  a disabled fire, provider loaded on USDT and LTTng
#   enabled   wait until a tracer listens (bench/bindings_bench.sh attaches
#             bpftrace count() or runs an lttng session), then fire
# Prints "ready PID" first, then "NAME NS" lines.
import os
import statistics
import sys
import time

import dynprobe

mode = sys.argv[1]
iters = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7


def one_run(fn, s):
    # fn(i, s) spelled out: a *args call would build a tuple per iteration.
    rng = range(iters)
    t0 = time.perf_counter_ns()
    for i in rng:
        fn(i, s)
    return (time.perf_counter_ns() - t0) / iters


def medians(cases, s):
    """Run the cases round-robin (the machine's load changes over time, so
    each round sees the same conditions), then the median of each."""
    samples = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, fn in cases:
            samples[name].append(one_run(fn, s))
    for name, _ in cases:
        print(name, round(statistics.median(samples[name]), 1), flush=True)


prov = dynprobe.Provider("pybench", backends="usdt,lttng" if mode == "disabled_both" else "usdt")
probe = prov.add_probe("tick", "u64", str)
prov.load()
print("ready", os.getpid(), flush=True)

if mode == "disabled":
    def empty(a, b, /):
        return False

    h = probe._h
    enabled = dynprobe._lib.lib().probe_enabled

    def via_c_call(a, b, /):
        if not enabled(h):
            return False
        return probe.fire(a, b)

    medians([("empty", empty), ("disabled", probe.fire), ("disabled_c_call", via_c_call)], "payload")
elif mode == "disabled_both":
    # Loaded on USDT and LTTng: one inline check covers both.
    if len(prov.loaded_backends) != 2:
        sys.exit("not loaded on both: %r" % prov.backend_errors)
    medians([("disabled_both", probe.fire)], "payload")
elif mode == "enabled":
    deadline = time.monotonic() + 60
    while not probe.enabled:
        if time.monotonic() > deadline:
            sys.exit("no tracer attached within 60 s")
        time.sleep(0.01)
    warm = time.monotonic() + 0.5
    while time.monotonic() < warm:
        probe.fire(1, "payload")
    medians([("enabled", probe.fire)], "payload")
else:
    sys.exit("unknown mode " + mode)
