# Unit tests: types, errors, lifecycle, the fast check, the latency decorator.
# No tracer is attached here: every probe is disabled.
import gc
import os
import sys

import pytest

import dynprobe

NO_ENV_OVERRIDE = "DYNPROBE_BACKENDS" not in os.environ


def test_types_by_name_and_python_type():
    with dynprobe.Provider("pyu1") as p:
        pr = p.add_probe("t", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64",
                         "str", "double", int, str)
        assert pr.nargs == 12
        assert repr(pr) == ("<dynprobe.Probe pyu1:t(i8, u8, i16, u16, i32, u32, i64, u64, "
                            "str, double, i64, str)>")
        pr2 = p.add_probe("aliases", "int", "uint", "string", "float", float, bytes)
        assert [dynprobe._TYPE_NAMES[t] for t in pr2.types] == ["i64", "u64", "str", "double",
                                                               "double", "str"]


def test_bad_types_and_names():
    with dynprobe.Provider("pyu2") as p:
        with pytest.raises(dynprobe.DynprobeValueError, match="unknown type"):
            p.add_probe("t", "u128")
        with pytest.raises(TypeError):
            p.add_probe("t", dict)
        with pytest.raises(ValueError, match="invalid name"):
            p.add_probe("bad-name", "u64")
        with pytest.raises(ValueError):
            p.add_probe("many", *(["u64"] * 13))
        with pytest.raises(ValueError, match="arg_names"):
            p.add_probe("names", "u64", arg_names=("a", "b"))
    with pytest.raises(ValueError, match="invalid name") as ei:
        dynprobe.Provider("bad name")
    assert isinstance(ei.value, dynprobe.DynprobeError)
    assert ei.value.code == 4001
    with pytest.raises(ValueError, match="unknown backend"):
        dynprobe.Provider("pyu3", backends=("dtrace",))
    with pytest.raises(ValueError):
        dynprobe.Provider("pyu3", backends=())


def test_duplicate_probe_refused():
    with dynprobe.Provider("pyu4") as p:
        p.add_probe("dup", "u64")
        with pytest.raises(dynprobe.DynprobeError):
            p.add_probe("dup", "u64")


def test_checks():
    with dynprobe.Provider("pyu5") as p:
        pr = p.add_probe("c", "u8", "i32", "u64", "str", "double")
        pr.check(255, -2**31, 2**64 - 1, "x", 1)
        pr.check(0, 0, 0, None, 0.5)
        pr.check(0, 0, 0, b"bytes", 0.5)
        with pytest.raises(TypeError, match="takes 5 arguments"):
            pr.check(1)
        with pytest.raises(OverflowError):
            pr.check(256, 0, 0, "x", 0.0)
        with pytest.raises(OverflowError):
            pr.check(0, 2**31, 0, "x", 0.0)
        with pytest.raises(OverflowError):
            pr.check(0, 0, -1, "x", 0.0)
        with pytest.raises(TypeError, match="expected int"):
            pr.check("1", 0, 0, "x", 0.0)
        with pytest.raises(TypeError, match="expected str"):
            pr.check(0, 0, 0, 1, 0.0)
        with pytest.raises(ValueError, match="embedded NUL"):
            pr.check(0, 0, 0, "a\0b", 0.0)
        with pytest.raises(TypeError, match="expected float"):
            pr.check(0, 0, 0, "x", "1.0")


def test_lifecycle_and_disabled_fire():
    p = dynprobe.Provider("pyu6")
    pr = p.add_probe("f", "u64", str, arg_names=("n", "s"))
    assert not p.loaded
    assert pr.fire(1, "x") is False
    assert p.load() == (("usdt",) if NO_ENV_OVERRIDE else p.loaded_backends)
    assert p.loaded
    if NO_ENV_OVERRIDE:
        assert p.usdt_fd >= 0
    assert pr.fire(1, "x") is False
    assert pr.enabled is False
    p.unload()
    assert not p.loaded
    assert pr.fire(1, "x") is False
    p.add_probe("g", "u64")  # allowed after unload
    p.load()
    assert pr.fire(1, "x") is False
    p.close()
    p.close()  # idempotent
    assert pr.fire(1, "x") is False
    assert pr.enabled is False
    with pytest.raises(dynprobe.DynprobeError):
        p.add_probe("h", "u64")


def test_context_manager_unloads_and_frees():
    with dynprobe.Provider("pyu7", backends="usdt") as p:
        pr = p.add_probe("f", "u64")
        p.load()
    assert p._h is None
    assert pr.fire(1) is False
    # the name is free again
    with dynprobe.Provider("pyu7") as p2:
        p2.add_probe("f", "u64")
        p2.load()


def test_add_probe_while_loaded_refused():
    with dynprobe.Provider("pyu8") as p:
        p.add_probe("a", "u64")
        p.load()
        with pytest.raises(dynprobe.DynprobeError, match="state"):
            p.add_probe("b", "u64")


def test_backends_property():
    with dynprobe.Provider("pyu9", backends=("usdt", "lttng")) as p:
        if NO_ENV_OVERRIDE:
            assert p.backends == ("usdt", "lttng")
        assert p.backend_errors == {}


def test_strerror():
    assert "invalid name" in dynprobe.strerror(-4001)
    assert "No such file" in dynprobe.strerror(-2)


def test_latency_decorator_disabled_calls_through():
    with dynprobe.Provider("pyu10") as p:
        pr = p.add_probe("lat", "u64", str)
        p.load()

        @dynprobe.latency(pr)
        def work(a, b=2, *, c=3):
            "doc"
            return a + b + c

        assert work(1) == 6
        assert work(1, 1, c=1) == 3
        assert work.__name__ == "work" and work.__doc__ == "doc"


def test_gc_of_unreferenced_provider():
    for i in range(50):
        p = dynprobe.Provider("pygc%d" % i)
        p.add_probe("x", "u64")
        p.load()
        del p
    gc.collect()
    with dynprobe.Provider("pygc0") as p:
        p.add_probe("x", "u64")


def test_stapsdt_layer():
    import stapsdt
    prov = stapsdt.Provider("pyu_stapsdt")
    pr = prov.add_probe("p", stapsdt.ArgTypes.uint64, stapsdt.ArgTypes.int32, stapsdt.ArgTypes.noarg)
    assert [dynprobe._TYPE_NAMES[t] for t in pr._probe.types] == ["u64", "i32"]
    prov.load()
    assert pr.fire("x", 42) is False
    assert pr.is_enabled is False
    prov.unload()
    prov.destroy()


def test_watch_abi_matches_header():
    """fire()'s fast path mirrors dynprobe.h's private inline-check ABI; if
    the header changes, this fails until the binding follows it."""
    src = os.environ.get("DYNPROBE_SOURCE_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "..", "..")
    header = os.path.join(src, "include", "dynprobe.h")
    if not os.path.exists(header):
        pytest.skip("dynprobe.h not found (set DYNPROBE_SOURCE_DIR)")
    text = open(header).read()
    import re
    m = re.search(r"#define DYNPROBE__WATCH_DISTANCE \(1u << (\d+)\)", text)
    assert m and 1 << int(m.group(1)) == dynprobe._WATCH_DISTANCE
    body = re.search(r"struct dynprobe__watch \{(.*?)\};", text, re.S).group(1)
    assert re.sub(r"\s+", " ", body).strip() == "const volatile uint8_t *base;"
    assert ("return *(const volatile uint64_t *)b !=\n"
            "\t       *(const volatile uint64_t *)(b + DYNPROBE__WATCH_DISTANCE);") in text


@pytest.mark.skipif(not NO_ENV_OVERRIDE, reason="DYNPROBE_BACKENDS overrides backends=")
def test_partial_load_warns_and_keeps_usdt(monkeypatch, tmp_path):
    """A backend that cannot load (LTTng with a failing compiler) leaves the
    other one working, with a RuntimeWarning and the reason."""
    monkeypatch.setenv("CC", "/bin/false")
    monkeypatch.setenv("DYNPROBE_CACHE_DIR", str(tmp_path))
    with dynprobe.Provider("pyu_partial", backends=("usdt", "lttng")) as p:
        pr = p.add_probe("tp", "u64")
        with pytest.warns(RuntimeWarning, match="loaded partially"):
            assert p.load() == ("usdt",)
        assert list(p.backend_errors) == ["lttng"]
        assert pr.fire(1) is False


def test_fire_races_with_load_unload_and_close():
    """Firing threads never crash while another thread loads, unloads and
    finally frees the provider (ctypes drops the GIL inside those calls)."""
    import threading
    p = dynprobe.Provider("pyu_race")
    probes = [p.add_probe("p%d" % i, "u64", str) for i in range(4)]
    stop = threading.Event()
    results = []

    def firer(pr):
        n = 0
        while not stop.is_set():
            results.append(pr.fire(n, "x"))
            n += 1

    threads = [threading.Thread(target=firer, args=(pr,)) for pr in probes]
    for t in threads:
        t.start()
    try:
        for _ in range(100):
            p.load()
            p.unload()
        p.load()
        p.close()
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert results and not any(results)
