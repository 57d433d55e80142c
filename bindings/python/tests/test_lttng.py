# The LTTng path under a real lttng session.  Runs inside a private
# lttng-sessiond (tests/lib/lttng-private.sh sets DYNPROBE_LTTNG_PRIVATE_INNER);
# elsewhere it skips.  Traces are read back with babeltrace2.
import os
import re
import shutil
import subprocess
import time

import pytest

import dynprobe
from conftest import need, read, wait_until

pytestmark = pytest.mark.usefixtures("lttng_ok")
EX_ENV = {"INTERVAL": "0.05", "DYNPROBE_BACKENDS": "lttng"}


def lttng(*args):
    r = subprocess.run(["lttng", *args], capture_output=True, text=True)
    assert r.returncode == 0, "lttng %s: %s%s" % (" ".join(args), r.stdout, r.stderr)
    return r.stdout


def session(tmp_path, name, events, *enable_args):
    d = str(tmp_path / ("trace-" + name))
    lttng("create", name, "--output=" + d)
    lttng("enable-event", "-u", events, *enable_args)
    lttng("start")
    return d


def events(d):
    """babeltrace2 text without timestamp, host and cpu."""
    if not os.path.isdir(d):
        return []
    r = subprocess.run(["babeltrace2", d], capture_output=True, text=True)
    return [re.sub(r"\{ cpu_id = \d+ \}, ", "", re.sub(r"^\[[^]]*\] \([^)]*\) \S+ ", "", l))
            for l in r.stdout.splitlines()]


def test_hello_example(bg, tmp_path):
    d = session(tmp_path, "hello", "pythonapp:firstProbe")
    p, out = bg.example("hello.py", EX_ENV)
    wait_until(lambda: read(out).count("Probe fired!") >= 3, 60,
               "the example to fire: " + read(out + ".err"))
    bg.stop(p)
    lttng("stop")
    ev = events(d)
    assert len(ev) >= 3
    for line in ev:
        # The field names the example sets, as bindings/README.md shows them.
        assert line == 'pythonapp:firstProbe: { text = "My little probe", n = 42 }'


def test_types_recorded_exactly(tmp_path):
    d = session(tmp_path, "types", "pylt:*")
    with dynprobe.Provider("pylt", backends=("lttng",)) as prov:
        pr = prov.add_probe("types", "i8", "u16", "i32", "u64", "str", "double", int,
                            arg_names=("a", "b", "c", "d", "s", "x", "n"))
        assert prov.load() == ("lttng",)
        wait_until(lambda: pr.enabled, 30, "the event to read as enabled")
        assert pr.fire(-128, 65535, -2**31, 2**64 - 1, 'tëxt "q"', -0.125, -2**63) is True
        assert pr.fire(1, 2, 3, 4, None, 1e300, 5) is True
        lttng("stop")
        # unload/reload: the fast check follows the moved watch words
        prov.unload()
        assert pr.fire(1, 2, 3, 4, "x", 0.0, 0) is False
        prov.load()
        assert pr.fire(1, 2, 3, 4, "x", 0.0, 0) is False  # session stopped
    assert events(d) == [
        'pylt:types: { a = -128, b = 65535, c = -2147483648, d = 18446744073709551615, '
        's = "tëxt \\"q\\"", x = -0.125, n = -9223372036854775808 }',
        'pylt:types: { a = 1, b = 2, c = 3, d = 4, s = "(null)", x = 1e+300, n = 5 }']


def test_latency_decorator(tmp_path):
    d = session(tmp_path, "lat", "pylat:*")
    with dynprobe.Provider("pylat", backends=("lttng",)) as prov:
        pr = prov.add_latency_probe("call")
        prov.load()

        @dynprobe.latency(pr)
        def work():
            time.sleep(0.001)

        wait_until(lambda: pr.enabled, 30, "the event to read as enabled")
        for _ in range(3):
            work()
        lttng("stop")
    ev = events(d)
    assert len(ev) == 3
    for line in ev:
        # The Ruby gem's Latency fields, in its order: (method, duration).
        m = re.match(r'pylat:call: \{ method = "test_latency_decorator.<locals>.work", duration = (\d+) \}$',
                     line)
        assert m, line
        assert int(m.group(1)) >= 1_000_000


def test_both_backends_at_once(bg, tmp_path):
    need(shutil.which("bpftrace") is not None, "bpftrace not installed")
    d = session(tmp_path, "both", "pyboth:tick")
    with dynprobe.Provider("pyboth", backends=("usdt", "lttng")) as prov:
        pr = prov.add_probe("tick", "u64")
        assert prov.load() == ("usdt", "lttng")
        _, bto = bg.bpftrace(os.getpid(), 'usdt::pyboth:tick { printf("tick %d\\n", arg0); }')
        n = [0]

        def fire():
            n[0] += 1
            pr.fire(n[0])
            return "tick" in read(bto)

        wait_until(fire, 60, "bpftrace to see a tick: " + read(bto + ".err"))
        lttng("stop")
    assert len([l for l in events(d) if l.startswith("pyboth:tick: { arg0 = ")]) == n[0]


def test_report_stapsdt_example_as_written(bg, tmp_path):
    """The report's python-stapsdt program, unchanged: its string goes into a
    uint64 slot as libstapsdt passed it (an address), 42 is recorded."""
    d = session(tmp_path, "stapsdt", "pythonapp:firstProbe")
    p, out = bg.example("stapsdt_hello.py", {"PYTHONUNBUFFERED": "1", "DYNPROBE_BACKENDS": "lttng"})
    wait_until(lambda: read(out).count("Probe fired!") >= 2, 60,
               "the example to fire: " + read(out + ".err"))
    bg.stop(p)
    lttng("stop")
    ev = events(d)
    assert len(ev) >= 2
    for line in ev:
        assert re.match(r"pythonapp:firstProbe: \{ arg0 = \d+, arg1 = 42 \}$", line), line


def test_latency_example(bg, tmp_path):
    d = session(tmp_path, "latex", "pyapp:request")
    p, out = bg.example("latency.py", EX_ENV)
    wait_until(lambda: "ready" in read(out), 30, "the example to start: " + read(out + ".err"))

    def enough():
        lttng("stop")
        ok = len(events(d)) >= 5
        if not ok:
            lttng("start")
        return ok

    wait_until(enough, 60, "5 request events")
    for line in events(d):
        m = re.match(r'pyapp:request: \{ method = "handle_request", duration = (\d+) \}$', line)
        assert m, line
        assert int(m.group(1)) >= 1_000_000


def test_loglevel_filters_in_a_session(tmp_path):
    """loglevel= is the LTTng event's log level: a session enabling only
    TRACE_INFO records the info probe and not the debug one."""
    d = session(tmp_path, "ll", "pyll:*", "--loglevel-only=TRACE_INFO")
    with dynprobe.Provider("pyll", backends=("lttng",)) as prov:
        info = prov.add_probe("info", "u64", loglevel="info")
        debug = prov.add_probe("debug", "u64", loglevel="TRACE_DEBUG")
        prov.load()
        out = subprocess.run(["lttng", "list", "-u"], capture_output=True, text=True).stdout
        assert "pyll:info (loglevel: TRACE_INFO (6))" in out, out
        wait_until(lambda: info.enabled, 30, "the info event to read as enabled")
        assert not debug.enabled
        for i in range(3):
            info.fire(i)
            debug.fire(i)
        lttng("stop")
    assert events(d) == ["pyll:info: { arg0 = %d }" % i for i in range(3)]
