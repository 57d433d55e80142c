#!/usr/bin/python3
# The report's Python hello world, on dynprobe.  (The report declares
# (uint64, int32) and fires a string first; here the signature matches.)
#   bpftrace -e 'usdt::pythonapp:firstProbe { printf("%s %d\n", str(arg0), arg1); }' -p $(pgrep -f hello.py)
#   DYNPROBE_BACKENDS=lttng ./hello.py  +  lttng enable-event -u 'pythonapp:firstProbe'
# INTERVAL=seconds changes the pause (tests use a short one).
import os
from time import sleep

import dynprobe

provider = dynprobe.Provider("pythonapp")
probe = provider.add_probe("firstProbe", str, "i32")
provider.load()

while True:
    print("Firing probe...", flush=True)
    if probe.fire("My little probe", 42):
        print("Probe fired!", flush=True)
    sleep(float(os.environ.get("INTERVAL", "1")))
