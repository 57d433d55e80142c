# SPDX-License-Identifier: MIT
"""libdynprobe through ctypes: finding the library, and what dynprobe.h declares.

Every constant and struct layout below mirrors include/dynprobe.h;
tests/test_abi.py compiles a small C program against the header and checks
each one, so the two cannot drift apart.

The library is loaded on first use (so ``import dynprobe`` and
``help(dynprobe)`` work without it), from the first of:

1. ``$DYNPROBE_LIB``: the path of libdynprobe.so (an error if it is set but
   does not load);
2. ``$DYNPROBE_BUILD_DIR``: an uninstalled meson build directory
   (``BUILD/src/libdynprobe.so``);
3. ``pkg-config dynprobe``: the ``libdir`` of an installed library (this
   also finds a prefix listed in ``$PKG_CONFIG_PATH``);
4. the dynamic loader's own search (``ldconfig``'s cache, ``$LD_LIBRARY_PATH``,
   the standard directories): ``libdynprobe.so.0``.
"""
from __future__ import annotations

import collections
import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import threading
from typing import List, Optional, Tuple

SONAME = "libdynprobe.so.0"

# ---- constants of dynprobe.h -------------------------------------------------

VERSION = (0, 2, 0)  # DYNPROBE_VERSION_MAJOR, _MINOR, _PATCH
MAX_ARGS = 12  # DYNPROBE_MAX_ARGS
MAX_PROVIDER_NAME = 64  # DYNPROBE_MAX_PROVIDER_NAME
MAX_PROBE_NAME = 128  # DYNPROBE_MAX_PROBE_NAME

# Library-specific error codes (returned negated).
ERRORS = {
    "EBASE": 4000, "ENAME": 4001, "EARGS": 4002, "ETYPE": 4003, "ESTATE": 4004,
    "EMISMATCH": 4005, "EOPTS": 4006, "EBACKEND": 4007, "ENOCOMPILER": 4008,
    "ENOLTTNG": 4009, "ECACHE": 4010, "ECOMPILE": 4011, "EELF": 4012, "EPROBES": 4013,
    "EMAX": 4014,
}

# enum dynprobe_type
TYPES = {"i8": 1, "u8": 2, "i16": 3, "u16": 4, "i32": 5, "u32": 6, "i64": 7, "u64": 8,
         "str": 9, "double": 10}
TYPE_MAX = 11  # DYNPROBE_TYPE_MAX
TYPE_ALIASES = {"int": "i64", "uint": "u64", "string": "str", "float": "double"}

BACKEND_USDT = 0x1  # DYNPROBE_BACKEND_USDT
BACKEND_LTTNG = 0x2  # DYNPROBE_BACKEND_LTTNG
BACKEND_ALL = BACKEND_USDT | BACKEND_LTTNG
LOAD_PARTIAL = 1  # DYNPROBE_LOAD_PARTIAL

# enum dynprobe_lttng_mode
LTTNG_MODES = {"auto": 0, "runtime": 1, "compiled": 2}

# enum dynprobe_loglevel: lttng-ust's TRACE_EMERG (0) .. TRACE_DEBUG (14) plus one.
LOGLEVELS = {"emerg": 1, "alert": 2, "crit": 3, "err": 4, "warning": 5, "notice": 6,
             "info": 7, "debug_system": 8, "debug_program": 9, "debug_process": 10,
             "debug_module": 11, "debug_unit": 12, "debug_function": 13, "debug_line": 14,
             "debug": 15}

# enum dynprobe_log_level
LOG_WARN, LOG_INFO, LOG_DEBUG = 1, 2, 3

# enum dynprobe_kind
KIND_INT, KIND_UINT, KIND_DOUBLE, KIND_STR = 1, 2, 3, 4

# The private ABI of the inline check: every probe handle starts with one
# pointer (struct dynprobe__watch); the probe may be enabled when the 8 bytes
# at that pointer differ from the 8 bytes WATCH_DISTANCE further.
WATCH_DISTANCE = 1 << 20  # DYNPROBE__WATCH_DISTANCE
WATCH_WORD = 8  # the compared width, bytes

INT_RANGES = {
    TYPES["i8"]: (-2**7, 2**7 - 1), TYPES["u8"]: (0, 2**8 - 1),
    TYPES["i16"]: (-2**15, 2**15 - 1), TYPES["u16"]: (0, 2**16 - 1),
    TYPES["i32"]: (-2**31, 2**31 - 1), TYPES["u32"]: (0, 2**32 - 1),
    TYPES["i64"]: (-2**63, 2**63 - 1), TYPES["u64"]: (0, 2**64 - 1),
}


# ---- struct layouts of dynprobe.h ------------------------------------------

class ArgValue(ctypes.Union):
    """The value union of struct dynprobe_arg."""
    _fields_ = [("i", ctypes.c_int64), ("u", ctypes.c_uint64),
                ("d", ctypes.c_double), ("s", ctypes.c_char_p)]


class Arg(ctypes.Structure):
    """struct dynprobe_arg."""
    _fields_ = [("v", ArgValue), ("kind", ctypes.c_int)]


class ProviderOpts(ctypes.Structure):
    """struct dynprobe_provider_opts."""
    _fields_ = [("sz", ctypes.c_size_t), ("backends", ctypes.c_uint),
                ("cache_dir", ctypes.c_char_p), ("prebuilt_path", ctypes.c_char_p),
                ("lttng_mode", ctypes.c_uint), ("usdt_dir", ctypes.c_char_p)]


class ProbeOpts(ctypes.Structure):
    """struct dynprobe_probe_opts."""
    _fields_ = [("sz", ctypes.c_size_t), ("arg_names", ctypes.POINTER(ctypes.c_char_p)),
                ("lttng_loglevel", ctypes.c_int)]


class Watch(ctypes.Structure):
    """struct dynprobe__watch: the first member of every probe handle."""
    _fields_ = [("base", ctypes.c_void_p)]


LogFn = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


# ---- finding and loading the library ----------------------------------------

class LibraryNotFoundError(OSError):
    """libdynprobe could not be loaded; the message says what was tried and
    what to install or set."""


LibraryNotFoundError.__module__ = "dynprobe"


def _pkg_config_libdir() -> Tuple[Optional[str], str]:
    """The libdir pkg-config knows for dynprobe, and what happened."""
    exe = shutil.which("pkg-config")
    if not exe:
        return None, "pkg-config is not installed"
    try:
        r = subprocess.run([exe, "--variable=libdir", "dynprobe"], capture_output=True,
                           text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as e:
        return None, "pkg-config failed: %s" % e
    if r.returncode != 0 or not r.stdout.strip():
        return None, "pkg-config knows no dynprobe package"
    return r.stdout.strip(), "pkg-config: libdir %s" % r.stdout.strip()


def _candidates() -> List[Tuple[str, str]]:
    """(path or name, where it came from), in the order they are tried."""
    env_lib = os.environ.get("DYNPROBE_LIB")
    if env_lib:
        return [(env_lib, "$DYNPROBE_LIB")]
    out = []
    build = os.environ.get("DYNPROBE_BUILD_DIR")
    if build:
        out.append((os.path.join(build, "src", "libdynprobe.so"), "$DYNPROBE_BUILD_DIR"))
    libdir, _ = _pkg_config_libdir()
    if libdir:
        out.append((os.path.join(libdir, SONAME), "pkg-config dynprobe"))
    out.append((SONAME, "the dynamic loader's search path"))
    found = ctypes.util.find_library("dynprobe")
    if found and found != SONAME:
        out.append((found, "ldconfig's cache"))
    return out


def _load() -> Tuple[ctypes.CDLL, str]:
    tried = []
    for path, origin in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s): %s" % (path, origin, e))
    if not os.environ.get("DYNPROBE_LIB"):
        _, pc = _pkg_config_libdir()
        tried.append(pc)
    raise LibraryNotFoundError(
        "cannot load libdynprobe. Tried:\n  " + "\n  ".join(tried) + "\n"
        "Install it (from a dynprobe checkout: `meson setup build && ninja -C build && "
        "meson install -C build && ldconfig`), or point at it: "
        "DYNPROBE_LIB=/path/to/libdynprobe.so.0, or DYNPROBE_BUILD_DIR=/path/to/dynprobe/build "
        "for an uninstalled build.")


class Lib:
    """The loaded library with its prototypes (one per process)."""

    def __init__(self, cdll: ctypes.CDLL, path: str):
        self.cdll = cdll
        self.path = path
        vp, ci, cu, cs = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint, ctypes.c_char_p
        f = self._fn
        self.provider_new = f("dynprobe_provider_new", ci, cs, ctypes.POINTER(ProviderOpts),
                              ctypes.POINTER(vp))
        self.probe_add = f("dynprobe_probe_add", ci, vp, cs, ctypes.POINTER(ci), ctypes.c_size_t,
                           ctypes.POINTER(ProbeOpts), ctypes.POINTER(vp))
        self.provider_load = f("dynprobe_provider_load", ci, vp)
        self.provider_unload = f("dynprobe_provider_unload", ci, vp)
        self.provider_free = f("dynprobe_provider_free", vp, vp)
        self.provider_backends = f("dynprobe_provider_backends", cu, vp)
        self.provider_loaded = f("dynprobe_provider_loaded_backends", cu, vp)
        self.provider_backend_error = f("dynprobe_provider_backend_error", ci, vp, cu)
        self.provider_usdt_fd = f("dynprobe_provider_usdt_fd", ci, vp)
        self.provider_usdt_path = f("dynprobe_provider_usdt_path", cs, vp)
        self.type_parse = f("dynprobe_type_parse", ci, cs, ctypes.POINTER(ci))
        self.type_name = f("dynprobe_type_name", cs, ci)
        self.strerror = f("dynprobe_strerror", cs, ci, cs, ctypes.c_size_t)
        self.loglevel_parse = f("dynprobe_loglevel_parse", ci, cs, ctypes.POINTER(ci))
        self.loglevel_name = f("dynprobe_loglevel_name", cs, ci)
        self.fire = f("dynprobe_fire", ci, vp, vp, ctypes.c_size_t)
        self.probe_enabled = f("dynprobe_probe_enabled", ci, vp)
        self.probe_listening = f("dynprobe_probe_listening", cu, vp)
        self.set_log_handler = f("dynprobe_set_log_handler", None, LogFn, vp)

    def _fn(self, name: str, restype, *argtypes):
        fn = getattr(self.cdll, name)
        fn.restype = restype
        fn.argtypes = argtypes
        return fn


_lock = threading.Lock()
_lib: Optional[Lib] = None


def lib() -> Lib:
    """The library, loaded on first call (LibraryNotFoundError if it cannot be)."""
    global _lib
    if _lib is None:
        with _lock:
            if _lib is None:
                loaded = Lib(*_load())
                _install_log_handler(loaded)
                _lib = loaded
    return _lib


# ---- the library's messages -> logging.getLogger("dynprobe") ---------------
#
# The library calls the handler from inside its own calls, possibly with its
# locks held: the handler only queues the text; flush_log() hands it to
# logging (whose handlers may do anything, even call dynprobe) once the call
# has returned.

log = logging.getLogger("dynprobe")
_PY_LEVEL = {LOG_WARN: logging.WARNING, LOG_INFO: logging.INFO, LOG_DEBUG: logging.DEBUG}
_pending: "collections.deque[Tuple[int, str]]" = collections.deque(maxlen=1024)


def _on_message(level: int, message: bytes, _user: Optional[int]) -> None:
    _pending.append((level, message.decode(errors="replace") if message else ""))


_handler = LogFn(_on_message)  # kept alive as long as the module


def _install_log_handler(loaded: Lib) -> None:
    debug = os.environ.get("DYNPROBE_DEBUG", "")
    if debug and debug != "0" and not log.handlers:
        # As libdynprobe's default handler: every message on stderr.
        h = logging.StreamHandler()
        h.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.DEBUG)
    loaded.set_log_handler(_handler, None)


def flush_log() -> None:
    """Pass the library's queued messages to the "dynprobe" logger."""
    while _pending:
        try:
            level, text = _pending.popleft()
        except IndexError:
            return
        log.log(_PY_LEVEL.get(level, logging.DEBUG), "%s", text)


def strerror(err: int) -> str:
    buf = ctypes.create_string_buffer(256)
    return lib().strerror(err, buf, len(buf)).decode(errors="replace")

