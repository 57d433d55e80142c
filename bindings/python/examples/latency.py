#!/usr/bin/python3
# Latency of a function, in ns, with its name: the dynprobe.latency decorator
# fires (method, duration), the signature of the Ruby gem's Latency tracer.
#   bpftrace -e 'usdt::pyapp:request { @[str(arg0)] = hist(arg1); }' -p $(pgrep -f latency.py)
#   DYNPROBE_BACKENDS=lttng ./latency.py  +  lttng enable-event -u 'pyapp:request'
import random
import time

import dynprobe

provider = dynprobe.Provider("pyapp")
request = provider.add_latency_probe("request")
provider.load()


@dynprobe.latency(request)
def handle_request():
    time.sleep(random.uniform(0.001, 0.01))


print("ready", flush=True)
while True:
    handle_request()
