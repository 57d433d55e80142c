import time

import dynprobe

with dynprobe.Provider("pythonapp", backends=("usdt", "lttng")) as provider:
    probe = provider.add_probe("firstProbe", str, "i32", arg_names=("text", "n"))
    print("loaded on", provider.load(), flush=True)  # ('usdt', 'lttng')
    while True:
        if probe.fire("My little probe", 42):
            print("Probe fired!", flush=True)
        time.sleep(0.1)
