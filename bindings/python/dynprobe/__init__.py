# SPDX-License-Identifier: MIT
"""Runtime-defined USDT and LTTng tracepoints for Python.

A binding of libdynprobe (through ctypes): declare a provider and typed
probes at run time, load them, and fire them.  Loading publishes the probes
on USDT (bpftrace, bcc and perf attach through uprobes), on LTTng (an
``lttng`` session records them), or on both::

    import dynprobe

    with dynprobe.Provider("pythonapp", backends=("usdt", "lttng")) as provider:
        probe = provider.add_probe("request", "u64", str, arg_names=("id", "path"))
        provider.load()
        if probe.fire(42, "GET /"):
            print("a tracer recorded it")

USDT: ``bpftrace -e 'usdt::pythonapp:request { printf("%d %s\\n", arg0, str(arg1)); }' -p PID``.
LTTng: ``lttng enable-event -u 'pythonapp:*'`` in a started session.

Classes and functions:

- ``Provider(name, backends=("usdt",), ...)``: a named group of probes;
  ``add_probe()``, ``load()``, ``unload()``, ``close()``; a context manager.
- ``Probe``: made by ``Provider.add_probe()``; ``fire(*args)``, ``enabled``,
  ``check(*args)``.
- ``latency(probe)``: a decorator firing ``(function name, duration ns)``, the
  signature of the Ruby gem's latency tracer (``LATENCY_TYPES``).
- ``DynprobeError`` (``.code``), ``DynprobeValueError`` (also a ValueError),
  ``LibraryNotFoundError`` (an OSError saying what to install or set).
- ``strerror(code)``, ``loglevel_parse(text)``, ``library_path()``.

Types: ``"i8" "u8" "i16" "u16" "i32" "u32" "i64" "u64" "str" "double"``
(aliases ``"int" "uint" "string" "float"``), or the Python types ``int``
(i64), ``str``, ``bytes`` (str) and ``float`` (double).

Firing checks every argument against the signature whether or not a tracer
listens (TypeError for a wrong type or count, OverflowError for an integer
out of range), so a mistake shows in development, not only under a tracer.
When nobody listens, ``fire`` then compares the probe's two inline watch
words (dynprobe.h's inline check, read through memoryviews made once per
probe) and returns False without calling into C and without allocating.
A string with an embedded NUL reaches the tracer up to the NUL.

The library's messages go to ``logging.getLogger("dynprobe")`` (warnings
appear on stderr by default; ``DYNPROBE_DEBUG=1`` shows everything).
libdynprobe itself is found on first use: ``$DYNPROBE_LIB``,
``$DYNPROBE_BUILD_DIR``, ``pkg-config dynprobe``, then the dynamic loader's
path (see ``dynprobe._lib``).
"""
from __future__ import annotations

import ctypes
import functools
import os
import sys
import time
import warnings
from typing import (Any, Callable, Dict, Iterable, Optional, Sequence, Tuple, TypeVar,
                    Union)

from . import _lib
from ._lib import BACKEND_LTTNG, BACKEND_USDT, LibraryNotFoundError

__version__ = "%d.%d.%d" % _lib.VERSION
__all__ = ["Provider", "Probe", "DynprobeError", "DynprobeValueError", "LibraryNotFoundError",
           "latency", "strerror", "loglevel_parse", "library_path", "BACKEND_USDT",
           "BACKEND_LTTNG", "LATENCY_TYPES", "LATENCY_ARG_NAMES", "TYPE_NAMES"]

#: The signature of latency probes, shared with the Ruby gem's
#: StaticTracing::Tracer::Latency: (method name, duration in ns).
LATENCY_TYPES = ("str", "i64")
#: Their LTTng field names.
LATENCY_ARG_NAMES = ("method", "duration")
#: The dynprobe type names, in the library's order.
TYPE_NAMES = tuple(_lib.TYPES)

TypeSpec = Union[str, type]
Backends = Union[str, Iterable[str]]
F = TypeVar("F", bound=Callable[..., Any])

_BACKENDS = {"usdt": BACKEND_USDT, "lttng": BACKEND_LTTNG}
_NAME_OF_CODE = {code: name for name, code in _lib.TYPES.items()}
_STR, _DOUBLE = _lib.TYPES["str"], _lib.TYPES["double"]
_EINVAL, _EBADF = 22, 9
_VALUE_ERRORS = {_EINVAL, _lib.ERRORS["ENAME"], _lib.ERRORS["EARGS"], _lib.ERRORS["ETYPE"]}
# DYNPROBE_PY_FAST_CHECK=0: ask dynprobe_probe_enabled() on every fire
# instead of reading the watch words (slower; independent of that private ABI).
_FAST_CHECK = os.environ.get("DYNPROBE_PY_FAST_CHECK", "1") != "0"


class DynprobeError(Exception):
    """A libdynprobe call failed; ``code`` is the positive error code and the
    message is ``dynprobe_strerror``'s text."""

    def __init__(self, what: str, err: int):
        self.code = abs(err)
        super().__init__("%s: %s" % (what, strerror(err)))


class DynprobeValueError(DynprobeError, ValueError):
    """An invalid name, type, option or argument count (also a ValueError)."""


def strerror(err: int) -> str:
    """The library's explanation of an error code (dynprobe or errno, either sign)."""
    return _lib.strerror(err)


def library_path() -> str:
    """The path (or name) libdynprobe was loaded from; loads it if needed."""
    return _lib.lib().path


def loglevel_parse(text: str) -> int:
    """An LTTng log level by name ("info", "debug_line", "TRACE_ERR", ...) ->
    its DYNPROBE_LOGLEVEL_* value; DynprobeValueError if unknown."""
    _no_nul(text, "log level")
    v = ctypes.c_int()
    _check(_lib.lib().loglevel_parse(text.encode(), ctypes.byref(v)), "unknown log level %r" % text)
    return v.value


def _check(err: int, what: str) -> int:
    _lib.flush_log()
    if err < 0:
        raise (DynprobeValueError if -err in _VALUE_ERRORS else DynprobeError)(what, err)
    return err


def _no_nul(s: str, what: str) -> None:
    if not isinstance(s, str):
        raise TypeError("%s must be a str, not %s" % (what, type(s).__name__))
    if "\0" in s:
        raise DynprobeValueError("%s %r contains a NUL byte" % (what, s), -_EINVAL)


def _cstr(s: Optional[Union[str, os.PathLike]], what: str) -> Optional[bytes]:
    if s is None:
        return None
    s = os.fspath(s)
    _no_nul(s, what)
    return s.encode()


def _type_code(t: TypeSpec) -> int:
    if t is int:
        t = "i64"
    elif t is str or t is bytes:
        t = "str"
    elif t is float:
        t = "double"
    if not isinstance(t, str):
        raise TypeError("a probe argument type is a type name (%s) or int/str/bytes/float, not %r"
                        % (", ".join(TYPE_NAMES), t))
    name = _lib.TYPE_ALIASES.get(t, t)
    if name not in _lib.TYPES:
        raise DynprobeValueError("unknown type %r" % t, -_lib.ERRORS["ETYPE"])
    return _lib.TYPES[name]


def _backend_mask(backends: Backends) -> int:
    if isinstance(backends, str):
        backends = [b for b in backends.replace(",", " ").split() if b]
    mask = 0
    for b in backends:
        try:
            mask |= _BACKENDS[b]
        except (KeyError, TypeError):
            raise ValueError("unknown backend %r (use 'usdt' or 'lttng')" % (b,)) from None
    if not mask:
        raise ValueError("backends: name at least one of 'usdt', 'lttng'")
    return mask


# ---- firing -----------------------------------------------------------------

_FLOAT_MAX = int(sys.float_info.max)

# One fire function per probe, generated for its signature: positional-only
# parameters (no *args tuple), one inline check per argument, then the watch
# words.  Nothing in it allocates: the comparisons are of ints and of
# memoryviews over the watch words ('B' format, compared with memcmp).
_FIRE_SOURCE = '''
def make(slow, bad, views_of, handle):
    pv, pb, wa, wb = views_of(handle)

    def refresh():
        # The base pointer moved (a load or an unload): new views.
        nonlocal pv, pb, wa, wb
        pv, pb, wa, wb = views_of(handle)

    def fire({params}):
{checks}        if pv == pb:
            if {idle}:
                return False
        else:
            refresh()
        return slow(({args}))

    def maybe():
        return {maybe}

    def kill():
        nonlocal pv, pb, wa, wb, handle
        handle = None
        pv, pb, wa, wb = views_of(None)

    return fire, maybe, kill
'''


def _check_source(i: int, code: int) -> str:
    a = "a%d" % i
    if code == _STR:
        cond = "%s.__class__ is not str" % a
    elif code == _DOUBLE:
        cond = ("%s.__class__ is not float and (%s.__class__ is not int or not %d <= %s <= %d)"
                % (a, a, -_FLOAT_MAX, a, _FLOAT_MAX))
    else:
        lo, hi = _lib.INT_RANGES[code]
        cond = "%s.__class__ is not int or not %d <= %s <= %d" % (a, lo, a, hi)
    return "        if %s:\n            bad(%d, %s)\n" % (cond, i, a)


def _compile_fire(codes: Sequence[int], fast: bool) -> Callable:
    n = len(codes)
    names = ["a%d" % i for i in range(n)]
    src = _FIRE_SOURCE.format(
        params=", ".join(names) + (", /" if n else ""),
        checks="".join(_check_source(i, c) for i, c in enumerate(codes)),
        idle="wa == wb" if fast else "False",
        maybe="not (pv == pb and wa == wb)" if fast else "True",
        args="".join(x + ", " for x in names))
    ns: Dict[str, Any] = {}
    exec(compile(src, "<dynprobe fire %s>" % ",".join(map(str, codes)), "exec"), ns)
    return ns["make"]


_KILLED_VIEWS = (b"", b"", b"", b"")


def _watch_views(handle: Optional[int]) -> Tuple[Any, bytes, Any, Any]:
    """Views of a probe's watch: its base pointer (and that pointer's bytes
    now), the 8 bytes at base and the 8 bytes WATCH_DISTANCE further.  For a
    freed probe (None), or without the fast check, bytes that always compare
    equal."""
    if handle is None or not _FAST_CHECK:
        return _KILLED_VIEWS
    w = _lib.WATCH_WORD
    ptr = memoryview((ctypes.c_char * w).from_address(handle)).cast("B")
    pb = bytes(ptr)
    base = int.from_bytes(pb, sys.byteorder)
    wa = memoryview((ctypes.c_char * w).from_address(base)).cast("B")
    wb = memoryview((ctypes.c_char * w).from_address(base + _lib.WATCH_DISTANCE)).cast("B")
    return ptr, pb, wa, wb


class Probe:
    """A typed probe; made by :meth:`Provider.add_probe`.

    ``fire(*args)`` emits the event when a tracer listens and returns True
    when one recorded it, False otherwise.  It checks every argument first,
    always: TypeError for a wrong count or type, OverflowError for an integer
    out of its type's range.  ``str`` arguments take str, bytes or None (a
    NULL string); ``double`` takes float or int.
    """

    __slots__ = ("provider", "name", "types", "arg_names", "loglevel", "fire", "_h", "_codes",
                 "_maybe", "_kill_watch", "_kinds", "_pack", "__weakref__")

    fire: Callable[..., bool]

    def __init__(self, provider: "Provider", name: str, handle: int, codes: Sequence[int],
                 arg_names: Optional[Tuple[Optional[str], ...]], loglevel: int):
        self.provider = provider
        self.name = name
        self._codes = tuple(codes)
        #: The dynprobe type names of the arguments.
        self.types = tuple(_NAME_OF_CODE[c] for c in self._codes)
        self.arg_names = arg_names
        #: The LTTng log level (a DYNPROBE_LOGLEVEL_* value; 0 when unset).
        self.loglevel = loglevel
        self._h: Optional[int] = handle
        self._kinds, self._pack = self._layout()
        make = _compile_fire(self._codes, _FAST_CHECK)
        fire, self._maybe, self._kill_watch = make(self._slow, self._bad, _watch_views, handle)
        fire.__doc__ = "fire(%s) -> bool: emit %s:%s if a tracer listens; True when one recorded it." % (
            ", ".join(self.types), provider.name, name)
        fire.__qualname__ = "Probe(%s:%s).fire" % (provider.name, name)
        self.fire = fire

    def _layout(self):
        # A probe's argument array is one flat ctypes Structure laid out like
        # struct dynprobe_arg[n]: an 8-byte value then the int kind, so each
        # pair spans sizeof(struct dynprobe_arg) (16 bytes).
        kinds, fields = [], []
        for i, c in enumerate(self._codes):
            if c == _STR:
                k, f = _lib.KIND_STR, ctypes.c_char_p
            elif c == _DOUBLE:
                k, f = _lib.KIND_DOUBLE, ctypes.c_double
            elif _lib.INT_RANGES[c][0] == 0:
                k, f = _lib.KIND_UINT, ctypes.c_uint64
            else:
                k, f = _lib.KIND_INT, ctypes.c_int64
            kinds.append(k)
            fields += [("v%d" % i, f), ("k%d" % i, ctypes.c_int)]
        pack = type("_Args%d" % len(kinds), (ctypes.Structure,), {"_fields_": fields})
        if ctypes.sizeof(pack) != len(kinds) * ctypes.sizeof(_lib.Arg):
            raise AssertionError("argument array layout differs from struct dynprobe_arg")
        return tuple(kinds), pack

    def _bad(self, i: int, v: Any) -> None:
        """The full check of argument i, for what the inline check did not
        accept at once: returns when v is acceptable (a subclass, bytes,
        None), raises otherwise."""
        code = self._codes[i]
        where = "probe %s:%s argument %d" % (self.provider.name, self.name, i)
        if code == _STR:
            if v is None or isinstance(v, (str, bytes, bytearray)):
                return
            raise TypeError("%s: expected str, bytes or None, got %s" % (where, type(v).__name__))
        if code == _DOUBLE:
            if isinstance(v, float) or (isinstance(v, int) and -_FLOAT_MAX <= v <= _FLOAT_MAX):
                return
            if isinstance(v, int):
                raise OverflowError("%s: %d does not fit a double" % (where, v))
            raise TypeError("%s: expected float or int, got %s" % (where, type(v).__name__))
        if not isinstance(v, int):
            raise TypeError("%s: expected int (%s), got %s" % (where, _NAME_OF_CODE[code],
                                                                type(v).__name__))
        lo, hi = _lib.INT_RANGES[code]
        if not lo <= v <= hi:
            raise OverflowError("%s: %d out of range for %s" % (where, v, _NAME_OF_CODE[code]))

    def check(self, *args: Any) -> None:
        """Check args against the signature, as fire() does, without firing."""
        if len(args) != len(self._codes):
            raise TypeError("probe %s:%s takes %d arguments (%d given)"
                            % (self.provider.name, self.name, len(self._codes), len(args)))
        for i, v in enumerate(args):
            self._bad(i, v)

    def _convert(self, args: Tuple[Any, ...]):
        flat = []
        for c, k, v in zip(self._codes, self._kinds, args):
            if c == _STR:
                v = None if v is None else v.encode() if isinstance(v, str) else bytes(v)
            elif c == _DOUBLE:
                v = float(v)
            else:
                v = int(v)
            flat.append(v)
            flat.append(k)
        return self._pack(*flat)

    def _slow(self, args: Tuple[Any, ...]) -> bool:
        # The watch words moved (a tracer, or a load or unload): re-read the
        # base pointer, and ask the library before converting anything.
        h = self._h
        if h is None:
            return False
        lib = _lib.lib()
        if not lib.probe_enabled(h):
            return False
        pack = self._convert(args)
        return _check(lib.fire(h, ctypes.byref(pack), len(args)),
                      "cannot fire %s:%s" % (self.provider.name, self.name)) > 0

    def _kill(self) -> None:
        # The provider is being freed: stop reading its memory (views that
        # always compare equal), and never reach the library again.
        self._h = None
        self._kill_watch()

    @property
    def enabled(self) -> bool:
        """Is a tracer attached to this probe now?"""
        h = self._h
        return self._maybe() and h is not None and _lib.lib().probe_enabled(h) > 0

    @property
    def listening(self) -> Tuple[str, ...]:
        """The backends with a tracer on this probe now, e.g. ("usdt",)."""
        h = self._h
        mask = _lib.lib().probe_listening(h) if h is not None else 0
        return tuple(n for n, bit in _BACKENDS.items() if mask & bit)

    @property
    def nargs(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return "<dynprobe.Probe %s:%s(%s)>" % (self.provider.name, self.name, ", ".join(self.types))


class Provider:
    """A named group of probes published on USDT and/or LTTng.

    ``name`` is a C identifier: the USDT provider (``usdt::NAME:probe``) and
    the LTTng provider (``lttng enable-event -u 'NAME:*'``).  ``backends``:
    an iterable of "usdt", "lttng" (or a string "usdt,lttng"); the
    environment variable DYNPROBE_BACKENDS overrides it.  ``lttng_mode``:
    "auto" (default), "runtime" (no compiler needed) or "compiled".
    ``cache_dir``, ``prebuilt_path`` and ``usdt_dir``: see dynprobe.h.  As a
    context manager, leaving the block unloads and frees the provider.
    """

    def __init__(self, name: str, backends: Backends = ("usdt",),
                 cache_dir: Optional[Union[str, os.PathLike]] = None, *,
                 prebuilt_path: Optional[str] = None, lttng_mode: Optional[str] = None,
                 usdt_dir: Optional[Union[str, os.PathLike]] = None):
        self._h: Optional[int] = None
        _no_nul(name, "provider name")
        self.name = name
        self._probes: list = []
        mode = _lib.LTTNG_MODES.get(lttng_mode or "auto")
        if mode is None:
            raise ValueError("unknown lttng_mode %r (use 'auto', 'runtime' or 'compiled')"
                             % (lttng_mode,))
        # The opts struct points at these bytes: keep them for the call.
        self._strings = (_cstr(cache_dir, "cache_dir"), _cstr(prebuilt_path, "prebuilt_path"),
                         _cstr(usdt_dir, "usdt_dir"))
        opts = _lib.ProviderOpts(sz=ctypes.sizeof(_lib.ProviderOpts),
                                 backends=_backend_mask(backends), cache_dir=self._strings[0],
                                 prebuilt_path=self._strings[1], lttng_mode=mode,
                                 usdt_dir=self._strings[2])
        h = ctypes.c_void_p()
        _check(_lib.lib().provider_new(name.encode(), ctypes.byref(opts), ctypes.byref(h)),
               "cannot create provider %r" % name)
        self._h = h.value

    def _handle(self) -> int:
        if self._h is None:
            raise DynprobeError("provider %s is closed" % self.name, -_EBADF)
        return self._h

    def add_probe(self, name: str, *types: TypeSpec,
                  arg_names: Optional[Sequence[Optional[str]]] = None,
                  loglevel: Optional[Union[str, int]] = None) -> Probe:
        """Add a probe with argument types ("u64", "str", ... or int/str/float).

        ``arg_names`` name the LTTng fields (default arg0, arg1, ...);
        ``loglevel`` is the LTTng event's log level ("info", "debug", ...).
        Allowed before load() or after unload().
        """
        h = self._handle()
        _no_nul(name, "probe name")
        codes = [_type_code(t) for t in types]
        if len(codes) > _lib.MAX_ARGS:
            raise DynprobeValueError("cannot add probe %r (%d arguments)" % (name, len(codes)),
                                     -_lib.ERRORS["EARGS"])
        level = 0 if loglevel is None else (
            loglevel if isinstance(loglevel, int) else loglevel_parse(loglevel))
        names_arr = None
        if arg_names is not None:
            arg_names = tuple(arg_names)
            if len(arg_names) != len(codes):
                raise DynprobeValueError("arg_names has %d names for %d arguments"
                                         % (len(arg_names), len(codes)), -_EINVAL)
            names_arr = (ctypes.c_char_p * max(1, len(codes)))(
                *[_cstr(n, "argument name") for n in arg_names])
        opts = _lib.ProbeOpts(sz=ctypes.sizeof(_lib.ProbeOpts), arg_names=names_arr,
                              lttng_loglevel=level)
        ctypes_types = (ctypes.c_int * max(1, len(codes)))(*codes)
        out = ctypes.c_void_p()
        _check(_lib.lib().probe_add(h, name.encode(), ctypes_types, len(codes), ctypes.byref(opts),
                                    ctypes.byref(out)), "cannot add probe %r" % name)
        probe = Probe(self, name, out.value, codes, arg_names, level)
        self._probes.append(probe)
        return probe

    def add_latency_probe(self, name: str = "latency") -> Probe:
        """A probe for :func:`latency`: (method str, duration i64), the Ruby
        gem's Latency signature and LTTng field names."""
        return self.add_probe(name, *LATENCY_TYPES, arg_names=LATENCY_ARG_NAMES)

    def load(self) -> Tuple[str, ...]:
        """Publish the probes.  Returns the loaded backends.  A backend that
        failed while another loaded gives a RuntimeWarning (see
        backend_errors); when none loads, DynprobeError."""
        ret = _check(_lib.lib().provider_load(self._handle()),
                     "cannot load provider %r" % self.name)
        if ret == _lib.LOAD_PARTIAL:
            warnings.warn("dynprobe provider %s loaded partially: %r"
                          % (self.name, self.backend_errors), RuntimeWarning, stacklevel=2)
        return self.loaded_backends

    def unload(self) -> None:
        """Unpublish the probes (a no-op when not loaded)."""
        if self._h is not None and _lib.lib().provider_loaded(self._h):
            _check(_lib.lib().provider_unload(self._h), "cannot unload provider %r" % self.name)

    def close(self) -> None:
        """Unload and free; the probes then never fire (fire() returns False
        after checking its arguments).  Idempotent."""
        if self._h is not None:
            h, self._h = self._h, None
            # Probes stop using their handles first: a fire racing with
            # this in another thread must not reach a freed probe.
            for p in self._probes:
                p._kill()
            _lib.lib().provider_free(h)
            _lib.flush_log()

    free = close

    def __enter__(self) -> "Provider":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.unload()
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    @staticmethod
    def _names(mask: int) -> Tuple[str, ...]:
        return tuple(n for n, bit in _BACKENDS.items() if mask & bit)

    @property
    def backends(self) -> Tuple[str, ...]:
        """The backends this provider publishes on (after DYNPROBE_BACKENDS)."""
        return self._names(_lib.lib().provider_backends(self._handle()))

    @property
    def loaded_backends(self) -> Tuple[str, ...]:
        """The backends it is loaded on now."""
        return self._names(_lib.lib().provider_loaded(self._h)) if self._h is not None else ()

    @property
    def loaded(self) -> bool:
        return bool(self.loaded_backends)

    @property
    def backend_errors(self) -> Dict[str, str]:
        """Why a backend did not load: {"lttng": "..."} (empty when all did)."""
        h = self._handle()
        errs = {}
        for n, bit in _BACKENDS.items():
            e = _lib.lib().provider_backend_error(h, bit)
            if e:
                errs[n] = strerror(e)
        return errs

    @property
    def usdt_fd(self) -> int:
        """The descriptor of the loaded USDT object, or -1."""
        return _lib.lib().provider_usdt_fd(self._h) if self._h is not None else -1

    @property
    def usdt_path(self) -> Optional[str]:
        """The file tracers attach to while loaded on USDT (``usdt:PATH:name:probe``):
        the shared image in the trusted directory (without ``-p``, bpftrace
        traces every process that loads it), else ``/proc/PID/fd/N`` for a
        private image; None when not loaded on USDT."""
        if "usdt" not in self.loaded_backends:
            return None
        shared = _lib.lib().provider_usdt_path(self._h)
        if shared:
            return shared.decode(errors="surrogateescape")
        fd = self.usdt_fd
        return "/proc/%d/fd/%d" % (os.getpid(), fd) if fd >= 0 else None

    @property
    def probes(self) -> Tuple[Probe, ...]:
        return tuple(self._probes)

    def __repr__(self) -> str:
        return "<dynprobe.Provider %s %s>" % (
            self.name, "loaded on " + ",".join(self.loaded_backends) if self.loaded else "not loaded")


def latency(probe: Probe) -> Callable[[F], F]:
    """Decorator: fire ``probe`` with (function name, duration in ns) after
    each call of the decorated function, also when it raises.

    The probe's signature must be :data:`LATENCY_TYPES` (str, i64), the Ruby
    gem's Latency tracer's, in the same order; make it with
    :meth:`Provider.add_latency_probe`.  The name is the function's
    ``__qualname__``.  When no tracer listens, the function runs untimed.
    """
    if probe.types != LATENCY_TYPES:
        raise DynprobeValueError("latency() needs a probe declared (%s), as "
                                 "Provider.add_latency_probe() makes; %r is (%s)"
                                 % (", ".join(LATENCY_TYPES), probe, ", ".join(probe.types)),
                                 -_EINVAL)

    def decorate(fn: F) -> F:
        label = getattr(fn, "__qualname__", getattr(fn, "__name__", "?"))
        clock = time.perf_counter_ns

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not probe.enabled:
                return fn(*args, **kwargs)
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                probe.fire(label, clock() - start)
        return wrapper  # type: ignore[return-value]
    return decorate
