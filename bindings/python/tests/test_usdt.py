# The USDT path under a real bpftrace.  A probe reads as enabled as soon as
# the kernel installs the uprobe, a moment before bpftrace hooks its BPF
# program: fire until bpftrace has printed, never once.
import os
import struct
import time

import pytest

import dynprobe
from conftest import read, wait_until

pytestmark = pytest.mark.usefixtures("bpftrace_ok")
EX_ENV = {"INTERVAL": "0.05", "DYNPROBE_BACKENDS": "usdt"}


def test_hello_example(bg):
    """bindings/README.md's example (examples/hello.py), as written."""
    p, out = bg.example("hello.py", EX_ENV)
    wait_until(lambda: "loaded on ('usdt',)" in read(out), 30,
               "the example to load: " + read(out + ".err"))
    assert "Probe fired!" not in read(out)
    bt, bto = bg.bpftrace(p.pid, 'usdt::pythonapp:firstProbe { printf("%s %d\\n", str(arg0), arg1); '
                                 '@i++; if (@i >= 3) { exit(); } }')
    wait_until(lambda: read(bto).count("My little probe 42\n") >= 3, 60,
               "3 events in bpftrace: " + read(bto + ".err"))
    assert "Probe fired!" in read(out)
    wait_until(lambda: bt.poll() is not None, 30, "bpftrace to exit")


def _fire_until(fire, cond, what):
    return wait_until(lambda: (fire(), cond())[1], 60, what)


def test_types_reach_bpftrace(bg):
    with dynprobe.Provider("pyt_types") as prov:
        pr = prov.add_probe("types", "i8", "u16", "i32", "u64", "str", "double")
        prov.load()
        assert pr.enabled is False
        _, bto = bg.bpftrace(os.getpid(), 'usdt::pyt_types:types { printf("%d %d %d %lu %s %lu\\n", '
                                          'arg0, arg1, arg2, arg3, str(arg4), arg5); }')
        _fire_until(lambda: pr.fire(-5, 65535, -2**31, 2**64 - 1, "héllo", 2.5),
                    lambda: "-5 " in read(bto), "bpftrace to print: " + read(bto + ".err"))
        assert pr.enabled is True
        assert pr.fire(-5, 65535, -2**31, 2**64 - 1, "héllo", 2.5) is True
        bits = struct.unpack("<Q", struct.pack("<d", 2.5))[0]
        assert "-5 65535 -2147483648 18446744073709551615 héllo %d\n" % bits in read(bto)
        # A string with an embedded NUL is recorded up to the NUL (a C string).
        _fire_until(lambda: pr.fire(-6, 1, 2, 3, "cut\0here", 0.5),
                    lambda: "-6 " in read(bto), "bpftrace to print the cut string")
        assert "-6 1 2 3 cut %d\n" % struct.unpack("<Q", struct.pack("<d", 0.5))[0] in read(bto)
        with pytest.raises(TypeError):
            pr.fire(1, 2, 3, 4, 5, 0.5)


def test_fast_check_follows_unload_and_reload(bg):
    """The watch pointers move on load/unload: fire() must follow them."""
    with dynprobe.Provider("pyt_reload") as prov:
        pr = prov.add_probe("tick", "u64")
        prov.load()
        _, bto = bg.bpftrace(os.getpid(), 'usdt::pyt_reload:tick { printf("tick %d\\n", arg0); }')
        i = [0]

        def fire():
            i[0] += 1
            return pr.fire(i[0])

        _fire_until(fire, lambda: "tick" in read(bto), "bpftrace to see a tick")
        prov.unload()
        assert pr.fire(1) is False
        assert pr.enabled is False
        # Reloading an unchanged provider reuses its objects: the attached
        # bpftrace keeps seeing the probe.
        prov.load()
        seen = read(bto).count("tick")
        _fire_until(fire, lambda: read(bto).count("tick") > seen, "ticks after reload")
        assert pr.enabled is True


def test_latency_decorator(bg):
    with dynprobe.Provider("pyt_lat") as prov:
        pr = prov.add_latency_probe("call")
        prov.load()

        @dynprobe.latency(pr)
        def slow_call(x):
            time.sleep(0.002)
            return x * 2

        # (method, duration), as the Ruby gem's Latency tracer fires.
        _, bto = bg.bpftrace(os.getpid(), 'usdt::pyt_lat:call { printf("%s %d\\n", str(arg0), arg1); }')
        wait_until(lambda: (slow_call(1), "slow_call" in read(bto))[1], 60,
                   "bpftrace to see the call: " + read(bto + ".err"))
        assert slow_call(21) == 42
        line = [l for l in read(bto).splitlines() if "slow_call" in l][0]
        name, ns = line.split()
        assert name == "test_latency_decorator.<locals>.slow_call"
        assert 2_000_000 <= int(ns) < 5_000_000_000


def test_report_stapsdt_example_as_written(bg):
    """The report's python-stapsdt program, unchanged, on the stapsdt layer."""
    p, out = bg.example("stapsdt_hello.py", {"PYTHONUNBUFFERED": "1", "DYNPROBE_BACKENDS": "usdt"})
    wait_until(lambda: "Firing probe..." in read(out), 30, "the example to start: " + read(out + ".err"))
    _, bto = bg.bpftrace(p.pid, 'usdt::pythonapp:firstProbe { printf("%s %d\\n", str(arg0), arg1); '
                                '@i++; if (@i >= 2) { exit(); } }')
    wait_until(lambda: read(bto).count("My little probe 42\n") >= 2, 60,
               "2 events in bpftrace: " + read(bto + ".err"))
    assert "Probe fired!" in read(out)


def test_latency_example(bg):
    p, out = bg.example("latency.py", EX_ENV)
    wait_until(lambda: "ready" in read(out), 30, "the example to start: " + read(out + ".err"))
    _, bto = bg.bpftrace(p.pid, 'usdt::pyapp:request { printf("%s %d\\n", str(arg0), arg1); '
                                '@i++; if (@i >= 5) { exit(); } }')
    lines = wait_until(lambda: [l for l in read(bto).splitlines() if l.startswith("handle_request ")]
                       if read(bto).count("handle_request ") >= 5 else None, 60,
                       "5 requests in bpftrace: " + read(bto + ".err"))
    for line in lines:
        assert 1_000_000 <= int(line.split()[1]) < 5_000_000_000
