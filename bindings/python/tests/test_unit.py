# Unit tests: types, errors, lifecycle, argument checks, the fast check, the
# latency decorator, messages, finding the library.  No tracer is attached
# here: every probe is disabled.
import gc
import itertools
import logging
import os
import pydoc
import subprocess
import sys
import threading
import tracemalloc

import pytest

import dynprobe
from dynprobe import _lib

NO_ENV_OVERRIDE = "DYNPROBE_BACKENDS" not in os.environ


def test_types_by_name_and_python_type():
    with dynprobe.Provider("pyu1") as p:
        pr = p.add_probe("t", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64",
                         "str", "double", int, str)
        assert pr.nargs == 12
        assert repr(pr) == ("<dynprobe.Probe pyu1:t(i8, u8, i16, u16, i32, u32, i64, u64, "
                            "str, double, i64, str)>")
        pr2 = p.add_probe("aliases", "int", "uint", "string", "float", float, bytes)
        assert pr2.types == ("i64", "u64", "str", "double", "double", "str")


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
        with pytest.raises(ValueError, match="unknown log level"):
            p.add_probe("lvl", "u64", loglevel="loud")
    with pytest.raises(ValueError, match="invalid name") as ei:
        dynprobe.Provider("bad name")
    assert isinstance(ei.value, dynprobe.DynprobeError)
    assert ei.value.code == 4001
    with pytest.raises(ValueError, match="unknown backend"):
        dynprobe.Provider("pyu3", backends=("dtrace",))
    with pytest.raises(ValueError):
        dynprobe.Provider("pyu3", backends=())
    with pytest.raises(ValueError, match="lttng_mode"):
        dynprobe.Provider("pyu3", lttng_mode="fast")


def test_names_with_nul_refused():
    """A NUL byte must not cut a name short (issue 13): "good\\0evil" would
    register "good"."""
    with pytest.raises(dynprobe.DynprobeValueError, match="NUL"):
        dynprobe.Provider("good\x00evil")
    # "good" was not registered: the name is free.
    with dynprobe.Provider("good") as p:
        with pytest.raises(ValueError, match="NUL"):
            p.add_probe("pr\x00x", "u64")
        with pytest.raises(ValueError, match="NUL"):
            p.add_probe("pr", "u64", arg_names=("a\x00b",))
        with pytest.raises(ValueError, match="NUL"):
            p.add_probe("pr", "u64", loglevel="info\x00")
        assert p.probes == ()
        p.add_probe("pr", "u64")
    with pytest.raises(ValueError, match="NUL"):
        dynprobe.Provider("pyu_nul", cache_dir="/tmp\x00/x")


def test_options():
    with dynprobe.Provider("pyu_opts", backends="usdt,lttng", lttng_mode="runtime",
                           cache_dir="/nonexistent/cache", prebuilt_path="/a:/b",
                           usdt_dir="/nonexistent/usdt") as p:
        if NO_ENV_OVERRIDE:
            assert p.backends == ("usdt", "lttng")
        pr = p.add_probe("lvl", "u64", loglevel="info")
        assert pr.loglevel == dynprobe.loglevel_parse("info") == _lib.LOGLEVELS["info"]
        assert p.add_probe("lvl2", "u64", loglevel="TRACE_DEBUG_LINE").loglevel == 14


def test_duplicate_probe_refused():
    with dynprobe.Provider("pyu4") as p:
        p.add_probe("dup", "u64")
        with pytest.raises(dynprobe.DynprobeError):
            p.add_probe("dup", "u64")


def test_checks_always_even_without_a_tracer():
    """fire() checks its arguments whether or not a tracer listens: a
    mistake shows in development, not only under a tracer."""
    with dynprobe.Provider("pyu5") as p:
        pr = p.add_probe("c", "u8", "i32", "u64", "str", "double")
        for fire in (pr.fire, pr.check):
            assert not fire(255, -2**31, 2**64 - 1, "x", 1)
            assert not fire(0, 0, 0, None, 0.5)
            assert not fire(True, 0, 0, b"bytes", 0.5)
            with pytest.raises(TypeError):
                fire(1)
            with pytest.raises(OverflowError):
                fire(256, 0, 0, "x", 0.0)
            with pytest.raises(OverflowError):
                fire(0, 2**31, 0, "x", 0.0)
            with pytest.raises(OverflowError):
                fire(0, 0, -1, "x", 0.0)
            with pytest.raises(TypeError, match="argument 0: expected int"):
                fire("1", 0, 0, "x", 0.0)
            with pytest.raises(TypeError, match="expected str"):
                fire(0, 0, 0, 1, 0.0)
            with pytest.raises(TypeError, match="expected float"):
                fire(0, 0, 0, "x", "1.0")
            with pytest.raises(OverflowError):
                fire(0, 0, 0, "x", 10**400)
            # A NUL inside a value is data: recorded up to the NUL.
            assert not fire(0, 0, 0, "a\0b", 0.0)
        with pytest.raises(TypeError, match=r"pyu5:c\).fire\(\) takes 5"):
            pr.fire(1, 2, 3, 4, 5, 6)
        p.load()
        with pytest.raises(OverflowError):
            pr.fire(256, 0, 0, "x", 0.0)


def test_lifecycle_and_disabled_fire():
    p = dynprobe.Provider("pyu6")
    pr = p.add_probe("f", "u64", str, arg_names=("n", "s"))
    assert not p.loaded
    assert p.usdt_path is None
    assert pr.fire(1, "x") is False
    assert p.load() == (("usdt",) if NO_ENV_OVERRIDE else p.loaded_backends)
    assert p.loaded
    if NO_ENV_OVERRIDE:
        assert p.usdt_fd >= 0
        assert os.path.exists(p.usdt_path)
        assert p.usdt_path.endswith(".so") or p.usdt_path == "/proc/%d/fd/%d" % (os.getpid(), p.usdt_fd)
    assert pr.fire(1, "x") is False
    assert pr.enabled is False
    assert pr.listening == ()
    p.unload()
    assert not p.loaded
    assert pr.fire(1, "x") is False
    p.add_probe("g", "u64")  # allowed after unload
    p.load()
    assert pr.fire(1, "x") is False
    p.close()
    p.close()  # idempotent
    assert pr.fire(1, "x") is False
    with pytest.raises(TypeError):
        pr.fire("x", 1)  # still checked after close
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


def _alloc_growth(fn, *args):
    """Peak traced memory while calling fn 10,000 times, after warming up
    (the interpreter specializes the code on its first calls)."""
    for _ in itertools.repeat(None, 2000):
        fn(*args)
    tracemalloc.start()
    try:
        fn(*args)
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        for _ in itertools.repeat(None, 10000):
            fn(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


@pytest.mark.parametrize("backends", ["usdt", "usdt,lttng"])
def test_disabled_fire_allocates_nothing(backends, tmp_path, monkeypatch):
    """With nobody listening, fire() allocates nothing: its peak of traced
    memory over 10,000 calls is that of an empty function with the same
    arguments (the measurement's own constant)."""
    monkeypatch.setenv("DYNPROBE_CACHE_DIR", str(tmp_path))
    with dynprobe.Provider("pyu_alloc", backends=backends) as p:
        pr = p.add_probe("a", "u64", str, "double", "i8")
        p.load()
        big = 2**64 - 1

        def empty(a, b, c, d, /):
            return False

        baseline = _alloc_growth(empty, big, "some text", 0.5, -3)
        assert _alloc_growth(pr.fire, big, "some text", 0.5, -3) <= baseline
        p.unload()
        assert _alloc_growth(pr.fire, big, "some text", 0.5, -3) <= baseline


def test_latency_signature_matches_ruby():
    assert dynprobe.LATENCY_TYPES == ("str", "i64")
    assert dynprobe.LATENCY_ARG_NAMES == ("method", "duration")
    with dynprobe.Provider("pyu10") as p:
        pr = p.add_latency_probe("lat")
        assert pr.types == ("str", "i64") and pr.arg_names == ("method", "duration")
        with pytest.raises(ValueError, match=r"latency\(\) needs a probe declared \(str, i64\)"):
            dynprobe.latency(p.add_probe("old", "u64", str))
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
    assert pr._probe.types == ("u64", "i32")
    prov.load()
    assert pr.fire("x", 42) is False
    assert pr.is_enabled is False
    prov.unload()
    prov.destroy()


@pytest.mark.skipif(not NO_ENV_OVERRIDE, reason="DYNPROBE_BACKENDS overrides backends=")
def test_partial_load_warns_and_logs(monkeypatch, tmp_path, caplog):
    """A backend that cannot load (LTTng with a failing compiler) leaves the
    other one working, with a RuntimeWarning and the reason; the library's
    own messages reach logging.getLogger("dynprobe") with their levels."""
    monkeypatch.setenv("CC", "/bin/false")
    monkeypatch.setenv("DYNPROBE_LTTNG_MODE", "compiled")
    monkeypatch.setenv("DYNPROBE_CACHE_DIR", str(tmp_path))
    caplog.set_level(logging.DEBUG, logger="dynprobe")
    with dynprobe.Provider("pyu_partial", backends=("usdt", "lttng")) as p:
        pr = p.add_probe("tp", "u64")
        with pytest.warns(RuntimeWarning, match="loaded partially"):
            assert p.load() == ("usdt",)
        assert list(p.backend_errors) == ["lttng"]
        assert pr.fire(1) is False
    mine = [r for r in caplog.records if r.name == "dynprobe" and "pyu_partial" in r.getMessage()]
    assert mine and all(r.levelno in (logging.DEBUG, logging.INFO, logging.WARNING) for r in mine)
    assert any(r.levelno == logging.DEBUG for r in mine)


def test_fire_races_with_load_unload_and_close():
    """Firing threads never crash while another thread loads, unloads and
    finally frees the provider (ctypes drops the GIL inside those calls)."""
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


def test_help_explains_the_api():
    text = pydoc.render_doc(dynprobe, renderer=pydoc.plaintext)
    for word in ("Provider(", "add_probe", "fire", "latency", "DynprobeError", "DYNPROBE_LIB",
                 "bpftrace", "lttng enable-event"):
        assert word in text, word
    assert "Provider.add_probe" in pydoc.render_doc(dynprobe.Probe, renderer=pydoc.plaintext)
    assert dynprobe.__version__ == "%d.%d.%d" % _lib.VERSION


def _python(code, env):
    e = {k: v for k, v in os.environ.items()
         if k not in ("DYNPROBE_LIB", "DYNPROBE_BUILD_DIR", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH")}
    e.update(env)
    e["PYTHONPATH"] = os.path.dirname(os.path.dirname(dynprobe.__file__))
    return subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                          timeout=60)


def test_library_not_found_says_what_to_do():
    """Without the library, import works (help() too) and first use raises
    LibraryNotFoundError (an OSError) naming DYNPROBE_LIB, the build
    directory and what to install."""
    code = ("import dynprobe\n"
            "try:\n    dynprobe.Provider('x')\n"
            "except dynprobe.LibraryNotFoundError as e:\n"
            "    assert isinstance(e, OSError)\n    print(e)\n")
    r = _python(code, {"PKG_CONFIG_PATH": "/nonexistent", "PKG_CONFIG_LIBDIR": "/nonexistent"})
    if "cannot load libdynprobe" not in r.stdout:
        pytest.skip("a libdynprobe is installed on this machine: %s %s" % (r.stdout, r.stderr))
    for word in ("DYNPROBE_LIB=", "DYNPROBE_BUILD_DIR=", "meson install", "libdynprobe.so.0"):
        assert word in r.stdout, r.stdout
    r = _python(code, {"DYNPROBE_LIB": "/nonexistent/libdynprobe.so"})
    assert "/nonexistent/libdynprobe.so ($DYNPROBE_LIB)" in r.stdout, r.stdout + r.stderr


def test_library_found_by_pkg_config(tmp_path):
    """pkg-config's libdir is used when nothing else is set."""
    lib = dynprobe.library_path()
    libdir = os.path.dirname(os.path.realpath(lib))
    os.symlink(os.path.realpath(lib), str(tmp_path / "libdynprobe.so.0"))
    (tmp_path / "dynprobe.pc").write_text(
        "libdir=%s\nName: dynprobe\nDescription: test\nVersion: 0.2.0\nLibs: -L${libdir} -ldynprobe\n"
        % tmp_path)
    r = _python("import dynprobe; print(dynprobe.library_path())",
                {"PKG_CONFIG_PATH": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "libdynprobe.so.0"), (r.stdout, libdir)


def test_readme_example_is_examples_hello():
    """The Python example of bindings/README.md is examples/hello.py (the
    integration tests run it; bindings-install runs the README's copy)."""
    here = os.path.dirname(os.path.abspath(__file__))
    readme = open(os.path.join(here, "..", "..", "README.md")).read()
    block = readme.split("## Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert block == open(os.path.join(here, "..", "examples", "hello.py")).read()
