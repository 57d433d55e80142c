# The constants and struct layouts dynprobe/_lib.py mirrors from dynprobe.h,
# checked against the header: a small C program compiled against it prints
# each one, and the Python side must agree.  A change to the header fails
# here until the binding follows it.
import ctypes
import os
import shutil
import subprocess

import pytest

from dynprobe import _lib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("DYNPROBE_SOURCE_DIR") or os.path.join(HERE, "..", "..", "..")
HEADER_DIR = os.path.join(SOURCE, "include")

PROGRAM = r"""
#include <stddef.h>
#include <stdio.h>
#include <dynprobe.h>

#define V(name, value) printf("%s %lld\n", name, (long long)(value))
#define OFF(type, field) V(#type "." #field, offsetof(struct type, field))

int main(void)
{
	V("VERSION_MAJOR", DYNPROBE_VERSION_MAJOR);
	V("VERSION_MINOR", DYNPROBE_VERSION_MINOR);
	V("VERSION_PATCH", DYNPROBE_VERSION_PATCH);
	V("MAX_ARGS", DYNPROBE_MAX_ARGS);
	V("MAX_PROVIDER_NAME", DYNPROBE_MAX_PROVIDER_NAME);
	V("MAX_PROBE_NAME", DYNPROBE_MAX_PROBE_NAME);
@ERRORS@
@TYPES@
	V("TYPE_MAX", DYNPROBE_TYPE_MAX);
	V("BACKEND_USDT", DYNPROBE_BACKEND_USDT);
	V("BACKEND_LTTNG", DYNPROBE_BACKEND_LTTNG);
	V("BACKEND_ALL", DYNPROBE_BACKEND_ALL);
	V("LOAD_PARTIAL", DYNPROBE_LOAD_PARTIAL);
	V("lttng_mode.auto", DYNPROBE_LTTNG_MODE_AUTO);
	V("lttng_mode.runtime", DYNPROBE_LTTNG_MODE_RUNTIME);
	V("lttng_mode.compiled", DYNPROBE_LTTNG_MODE_COMPILED);
@LOGLEVELS@
	V("LOG_WARN", DYNPROBE_LOG_WARN);
	V("LOG_INFO", DYNPROBE_LOG_INFO);
	V("LOG_DEBUG", DYNPROBE_LOG_DEBUG);
	V("KIND_INT", DYNPROBE_KIND_INT);
	V("KIND_UINT", DYNPROBE_KIND_UINT);
	V("KIND_DOUBLE", DYNPROBE_KIND_DOUBLE);
	V("KIND_STR", DYNPROBE_KIND_STR);
	V("WATCH_DISTANCE", DYNPROBE__WATCH_DISTANCE);
	V("sizeof.dynprobe_arg", sizeof(struct dynprobe_arg));
	OFF(dynprobe_arg, v);
	OFF(dynprobe_arg, kind);
	V("sizeof.dynprobe_provider_opts", sizeof(struct dynprobe_provider_opts));
	OFF(dynprobe_provider_opts, sz);
	OFF(dynprobe_provider_opts, backends);
	OFF(dynprobe_provider_opts, cache_dir);
	OFF(dynprobe_provider_opts, prebuilt_path);
	OFF(dynprobe_provider_opts, lttng_mode);
	OFF(dynprobe_provider_opts, usdt_dir);
	V("sizeof.dynprobe_probe_opts", sizeof(struct dynprobe_probe_opts));
	OFF(dynprobe_probe_opts, sz);
	OFF(dynprobe_probe_opts, arg_names);
	OFF(dynprobe_probe_opts, lttng_loglevel);
	V("sizeof.dynprobe__watch", sizeof(struct dynprobe__watch));
	OFF(dynprobe__watch, base);
	V("watch_word", sizeof(uint64_t));
	return 0;
}
"""


def _program():
    errors = "\n".join('\tV("E.%s", DYNPROBE_%s);' % (k, k) for k in _lib.ERRORS)
    types = "\n".join('\tV("type.%s", DYNPROBE_%s);' % (k, k.upper()) for k in _lib.TYPES)
    levels = "\n".join('\tV("loglevel.%s", DYNPROBE_LOGLEVEL_%s);' % (k, k.upper())
                       for k in _lib.LOGLEVELS)
    return (PROGRAM.replace("@ERRORS@", errors).replace("@TYPES@", types)
            .replace("@LOGLEVELS@", levels))


@pytest.fixture(scope="module")
def header_values(tmp_path_factory):
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        pytest.fail("no C compiler (apt-get install -y gcc)")
    if not os.path.exists(os.path.join(HEADER_DIR, "dynprobe.h")):
        pytest.fail("dynprobe.h not found under %s (set DYNPROBE_SOURCE_DIR)" % HEADER_DIR)
    d = tmp_path_factory.mktemp("abi")
    src, exe = d / "abi.c", d / "abi"
    src.write_text(_program())
    subprocess.run([cc, "-std=c11", "-Wall", "-Werror", "-I", HEADER_DIR, str(src), "-o", str(exe)],
                   check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


def test_constants(header_values):
    h = header_values
    assert _lib.VERSION == (h["VERSION_MAJOR"], h["VERSION_MINOR"], h["VERSION_PATCH"])
    assert _lib.MAX_ARGS == h["MAX_ARGS"]
    assert _lib.MAX_PROVIDER_NAME == h["MAX_PROVIDER_NAME"]
    assert _lib.MAX_PROBE_NAME == h["MAX_PROBE_NAME"]
    assert _lib.ERRORS == {k: h["E." + k] for k in _lib.ERRORS}
    assert _lib.TYPES == {k: h["type." + k] for k in _lib.TYPES}
    assert _lib.TYPE_MAX == h["TYPE_MAX"] == len(_lib.TYPES) + 1, "a type was added to the header"
    assert (_lib.BACKEND_USDT, _lib.BACKEND_LTTNG, _lib.BACKEND_ALL) == (
        h["BACKEND_USDT"], h["BACKEND_LTTNG"], h["BACKEND_ALL"])
    assert _lib.LOAD_PARTIAL == h["LOAD_PARTIAL"]
    assert _lib.LTTNG_MODES == {k: h["lttng_mode." + k] for k in _lib.LTTNG_MODES}
    assert _lib.LOGLEVELS == {k: h["loglevel." + k] for k in _lib.LOGLEVELS}
    assert (_lib.LOG_WARN, _lib.LOG_INFO, _lib.LOG_DEBUG) == (
        h["LOG_WARN"], h["LOG_INFO"], h["LOG_DEBUG"])
    assert (_lib.KIND_INT, _lib.KIND_UINT, _lib.KIND_DOUBLE, _lib.KIND_STR) == (
        h["KIND_INT"], h["KIND_UINT"], h["KIND_DOUBLE"], h["KIND_STR"])
    assert _lib.WATCH_DISTANCE == h["WATCH_DISTANCE"]
    assert _lib.WATCH_WORD == h["watch_word"]


def _layout(cls):
    return {name: getattr(cls, name).offset for name, _ in cls._fields_}


def test_struct_layouts(header_values):
    h = header_values
    for struct, cls in (("dynprobe_arg", _lib.Arg), ("dynprobe_provider_opts", _lib.ProviderOpts),
                        ("dynprobe_probe_opts", _lib.ProbeOpts), ("dynprobe__watch", _lib.Watch)):
        assert ctypes.sizeof(cls) == h["sizeof." + struct], struct
        fields = {k.split(".", 1)[1]: v for k, v in h.items() if k.startswith(struct + ".")}
        assert _layout(cls) == fields, struct


def test_type_names_match_the_library():
    lib = _lib.lib()
    for name, code in _lib.TYPES.items():
        assert lib.type_name(code).decode() == name
    for alias, name in _lib.TYPE_ALIASES.items():
        v = ctypes.c_int()
        assert lib.type_parse(alias.encode(), ctypes.byref(v)) == 0
        assert v.value == _lib.TYPES[name]
    for name, level in _lib.LOGLEVELS.items():
        assert lib.loglevel_name(level).decode() == name
