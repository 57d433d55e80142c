# SPDX-License-Identifier: MIT
"""dynprobe - runtime-defined USDT and LTTng tracepoints for Python.

A pure-Python binding (ctypes) over libdynprobe::

    import dynprobe

    with dynprobe.Provider("pythonapp", backends=("usdt", "lttng")) as provider:
        probe = provider.add_probe("request", "u64", str, arg_names=("id", "path"))
        provider.load()
        if probe.fire(42, "GET /"):
            print("a tracer recorded it")

USDT: ``bpftrace -e 'usdt::pythonapp:request { printf("%d %s\\n", arg0, str(arg1)); }' -p PID``.
LTTng: ``lttng enable-event -u 'pythonapp:*'`` in a started session.

The disabled fire path reads the probe's two inline watch words (the
``struct dynprobe__watch`` at the start of every probe handle) through ctypes
objects made once per probe, and returns False without calling into C; only
when a word moved does it check the arguments, convert them and call
``dynprobe_fire()``.  So argument errors (TypeError, ValueError,
OverflowError) show up only while a tracer listens; ``Probe.check(*args)``
runs the same checks unconditionally (for tests).

The library is found through $DYNPROBE_LIB (a path to libdynprobe.so),
$DYNPROBE_BUILD_DIR (a meson build directory: BUILD/src/libdynprobe.so),
or the system's loader (``libdynprobe.so.0``).
"""
import ctypes
import ctypes.util
import functools
import os
import time
import warnings

__all__ = ["Provider", "Probe", "DynprobeError", "DynprobeValueError", "latency",
           "strerror", "BACKEND_USDT", "BACKEND_LTTNG"]

BACKEND_USDT = 0x1
BACKEND_LTTNG = 0x2
_BACKENDS = {"usdt": BACKEND_USDT, "lttng": BACKEND_LTTNG}
_LOAD_PARTIAL = 1
_MAX_ARGS = 12

# enum dynprobe_kind
_KIND_INT, _KIND_UINT, _KIND_DOUBLE, _KIND_STR = 1, 2, 3, 4
# error codes (negated on return)
_EINVAL = 22
_DYNPROBE_ENAME, _DYNPROBE_EARGS, _DYNPROBE_ETYPE = 4001, 4002, 4003


def _load_library():
    path = os.environ.get("DYNPROBE_LIB")
    if not path and os.environ.get("DYNPROBE_BUILD_DIR"):
        path = os.path.join(os.environ["DYNPROBE_BUILD_DIR"], "src", "libdynprobe.so")
    if not path:
        path = ctypes.util.find_library("dynprobe") or "libdynprobe.so.0"
    return ctypes.CDLL(path)


_lib = _load_library()


class _ArgValue(ctypes.Union):
    _fields_ = [("i", ctypes.c_int64), ("u", ctypes.c_uint64),
                ("d", ctypes.c_double), ("s", ctypes.c_char_p)]


class _Arg(ctypes.Structure):
    _fields_ = [("v", _ArgValue), ("kind", ctypes.c_int)]


# A probe's argument array is one flat ctypes Structure laid out like
# struct dynprobe_arg[n] (see _converters), so one constructor call builds it.
class _ProviderOpts(ctypes.Structure):
    _fields_ = [("sz", ctypes.c_size_t), ("backends", ctypes.c_uint),
                ("cache_dir", ctypes.c_char_p), ("prebuilt_path", ctypes.c_char_p)]


class _ProbeOpts(ctypes.Structure):
    _fields_ = [("sz", ctypes.c_size_t), ("arg_names", ctypes.POINTER(ctypes.c_char_p))]


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = argtypes
    return f


_vp = ctypes.c_void_p
_provider_new = _fn("dynprobe_provider_new", ctypes.c_int, ctypes.c_char_p,
                    ctypes.POINTER(_ProviderOpts), ctypes.POINTER(_vp))
_probe_add = _fn("dynprobe_probe_add", ctypes.c_int, _vp, ctypes.c_char_p,
                 ctypes.POINTER(ctypes.c_int), ctypes.c_size_t,
                 ctypes.POINTER(_ProbeOpts), ctypes.POINTER(_vp))
_provider_load = _fn("dynprobe_provider_load", ctypes.c_int, _vp)
_provider_unload = _fn("dynprobe_provider_unload", ctypes.c_int, _vp)
_provider_free = _fn("dynprobe_provider_free", _vp, _vp)
_provider_backends = _fn("dynprobe_provider_backends", ctypes.c_uint, _vp)
_provider_loaded = _fn("dynprobe_provider_loaded_backends", ctypes.c_uint, _vp)
_provider_backend_error = _fn("dynprobe_provider_backend_error", ctypes.c_int, _vp, ctypes.c_uint)
_provider_usdt_fd = _fn("dynprobe_provider_usdt_fd", ctypes.c_int, _vp)
_type_parse = _fn("dynprobe_type_parse", ctypes.c_int, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int))
_type_name = _fn("dynprobe_type_name", ctypes.c_char_p, ctypes.c_int)
_strerror = _fn("dynprobe_strerror", ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
_fire = _fn("dynprobe_fire", ctypes.c_int, _vp, _vp, ctypes.c_size_t)
_probe_enabled = _fn("dynprobe_probe_enabled", ctypes.c_int, _vp)


def strerror(err):
    """dynprobe_strerror(): the text for a dynprobe or errno code."""
    buf = ctypes.create_string_buffer(256)
    return _strerror(err, buf, len(buf)).decode(errors="replace")


class DynprobeError(Exception):
    """A libdynprobe call failed; ``code`` is the positive error code."""

    def __init__(self, what, err):
        self.code = abs(err)
        super().__init__("%s: %s" % (what, strerror(err)))


class DynprobeValueError(DynprobeError, ValueError):
    """Invalid name, type or argument count (also a ValueError)."""


def _check(err, what):
    if err < 0:
        cls = DynprobeValueError if -err in (_EINVAL, _DYNPROBE_ENAME, _DYNPROBE_EARGS,
                                             _DYNPROBE_ETYPE) else DynprobeError
        raise cls(what, err)
    return err


def _type_code(t):
    if t is int:
        t = "i64"
    elif t is str or t is bytes:
        t = "str"
    elif t is float:
        t = "double"
    if not isinstance(t, str):
        raise TypeError("probe argument type must be a type name or int/str/float, not %r" % (t,))
    code = ctypes.c_int()
    _check(_type_parse(t.encode(), ctypes.byref(code)), "unknown type %r" % t)
    return code.value


_TYPE_NAMES = {}
_INT_RANGE = {}
for _code in range(1, 11):
    _TYPE_NAMES[_code] = _type_name(_code).decode()
for _name, _lo, _hi in (("i8", -2**7, 2**7 - 1), ("u8", 0, 2**8 - 1),
                        ("i16", -2**15, 2**15 - 1), ("u16", 0, 2**16 - 1),
                        ("i32", -2**31, 2**31 - 1), ("u32", 0, 2**32 - 1),
                        ("i64", -2**63, 2**63 - 1), ("u64", 0, 2**64 - 1)):
    _INT_RANGE[_type_code(_name)] = (_lo, _hi, _KIND_UINT if _name[0] == "u" else _KIND_INT)
_STR = _type_code("str")
_DOUBLE = _type_code("double")

# DYNPROBE__WATCH_DISTANCE of dynprobe.h (the inline check's private ABI).
# DYNPROBE_PY_FAST_CHECK=0 makes fire() call dynprobe_probe_enabled()
# instead: slower, independent of that ABI.
_WATCH_DISTANCE = 1 << 20
_FAST_CHECK = os.environ.get("DYNPROBE_PY_FAST_CHECK", "1") != "0"


def _conv_str(v):
    if v is None:
        return None
    if isinstance(v, str):
        b = v.encode()
    elif isinstance(v, (bytes, bytearray)):
        b = bytes(v)
    else:
        raise TypeError("expected str, got %s" % type(v).__name__)
    if b"\0" in b:
        raise ValueError("embedded NUL in string")
    return b


def _conv_double(v):
    if not isinstance(v, (int, float)):
        raise TypeError("expected float, got %s" % type(v).__name__)
    return float(v)


def _conv_int(code):
    lo, hi, _ = _INT_RANGE[code]
    name = _TYPE_NAMES[code]

    def conv(v):
        if not isinstance(v, int):
            raise TypeError("expected int (%s), got %s" % (name, type(v).__name__))
        if not lo <= v <= hi:
            raise OverflowError("%d out of range for %s" % (v, name))
        return v
    return conv


def _converters(types):
    """Per-argument converters and kinds, and the argument-array type."""
    conv, kinds, fields = [], [], []
    for i, t in enumerate(types):
        if t == _STR:
            c, k, f = _conv_str, _KIND_STR, ctypes.c_char_p
        elif t == _DOUBLE:
            c, k, f = _conv_double, _KIND_DOUBLE, ctypes.c_double
        else:
            kind = _INT_RANGE[t][2]
            c, k = _conv_int(t), kind
            f = ctypes.c_uint64 if kind == _KIND_UINT else ctypes.c_int64
        conv.append(c)
        kinds.append(k)
        # 8-byte value then the int kind: the next value is 8-aligned, so
        # each pair spans sizeof(struct dynprobe_arg) == 16 bytes.
        fields += [("v%d" % i, f), ("k%d" % i, ctypes.c_int)]
    pack = type("_Args%d" % len(types), (ctypes.Structure,), {"_fields_": fields})
    assert ctypes.sizeof(pack) == len(types) * ctypes.sizeof(_Arg)
    return tuple(conv), tuple(kinds), pack


def _backend_mask(backends):
    if isinstance(backends, str):
        backends = [b for b in backends.replace(",", " ").split() if b]
    mask = 0
    for b in backends:
        try:
            mask |= _BACKENDS[b]
        except KeyError:
            raise ValueError("unknown backend %r (use 'usdt' or 'lttng')" % (b,)) from None
    if not mask:
        raise ValueError("backends: name at least one of 'usdt', 'lttng'")
    return mask


class Probe:
    """A typed probe; made by Provider.add_probe()."""

    __slots__ = ("provider", "name", "types", "arg_names", "_h", "fire", "_maybe", "_kill_watch",
                 "_conv", "_kinds", "_pack")

    def __init__(self, provider, name, handle, types, arg_names):
        self.provider = provider
        self.name = name
        self.types = tuple(types)
        self.arg_names = arg_names
        self._h = handle
        self._conv, self._kinds, self._pack = _converters(self.types)
        self.fire, self._maybe, self._kill_watch = self._make_fire(handle)

    def _make_fire(self, handle):
        # The private ABI of dynprobe.h's inline check: every probe handle
        # starts with one pointer, base; the probe may be enabled when the
        # 8 bytes at base differ from the 8 bytes _WATCH_DISTANCE further.
        # word is a pointer object
        # laid over that field of the handle itself, so each subscript
        # re-reads the current base (load and unload move it) and then the
        # memory it points at.  A stale read can only send us to
        # dynprobe_fire(), which decides.  Closure cells keep the disabled
        # path to one call, two ctypes reads and a compare.
        if not _FAST_CHECK:
            slow = self._fire

            def fire(*args):
                """Emit the event if a tracer listens; True when one recorded it."""
                return slow(args)

            def maybe():
                return True

            return fire, maybe, lambda: None

        word = ctypes.POINTER(ctypes.c_uint64).from_address(handle)
        cell = word
        at = _WATCH_DISTANCE // 8
        slow = self._fire

        def fire(*args):
            """Emit the event if a tracer listens; True when one recorded it."""
            if word[0] == cell[at]:
                return False
            return slow(args)

        def maybe():
            return word[0] != cell[at]

        def kill():
            # The provider was freed and the handle's slot may be reused:
            # stop looking at it (reads that always compare equal).
            nonlocal word, cell
            word = (0,)
            cell = {at: 0}

        return fire, maybe, kill

    def _kill(self):
        self._h = None
        self._kill_watch()

    @property
    def enabled(self):
        """Is a tracer attached to this probe now?"""
        return self._maybe() and self._h is not None and _probe_enabled(self._h) > 0

    @property
    def nargs(self):
        return len(self.types)

    def check(self, *args):
        """Check args against the signature (as fire() does when enabled)."""
        self._convert(args)

    def _convert(self, args):
        if len(args) != len(self._conv):
            raise TypeError("probe %s takes %d arguments (%d given)"
                            % (self.name, len(self._conv), len(args)))
        flat = []
        try:
            for c, k, v in zip(self._conv, self._kinds, args):
                flat.append(c(v))
                flat.append(k)
        except (TypeError, ValueError, OverflowError) as e:
            # Name the probe and the argument.
            for i, (c, v) in enumerate(zip(self._conv, args)):
                try:
                    c(v)
                except (TypeError, ValueError, OverflowError):
                    raise type(e)("probe %s argument %d: %s" % (self.name, i, e)) from None
            raise
        return self._pack(*flat)

    def _fire(self, args):
        # The inline check said "maybe" (always so on a provider loaded on
        # both backends): ask the library before converting anything.
        h = self._h
        if h is None or not _probe_enabled(h):
            return False
        pack = self._convert(args)
        return _check(_fire(h, ctypes.byref(pack), len(args)), "cannot fire %s" % self.name) > 0

    def __repr__(self):
        return "<dynprobe.Probe %s:%s(%s)>" % (self.provider.name, self.name,
                                                ", ".join(_TYPE_NAMES[t] for t in self.types))


class Provider:
    """A named group of probes published on USDT and/or LTTng.

    ``backends``: an iterable of "usdt", "lttng" (or a string "usdt,lttng").
    The environment variable DYNPROBE_BACKENDS overrides it.  As a context
    manager, leaving the block unloads and frees the provider.
    """

    def __init__(self, name, backends=("usdt",), cache_dir=None):
        self.name = name
        self._probes = []
        self._cache_dir = cache_dir.encode() if cache_dir else None
        opts = _ProviderOpts(sz=ctypes.sizeof(_ProviderOpts), backends=_backend_mask(backends),
                             cache_dir=self._cache_dir, prebuilt_path=None)
        h = _vp()
        _check(_provider_new(name.encode(), ctypes.byref(opts), ctypes.byref(h)),
               "cannot create provider %r" % name)
        self._h = h.value

    def _handle(self):
        if self._h is None:
            raise DynprobeError("provider %s" % self.name, -9)  # EBADF: freed
        return self._h

    def add_probe(self, name, *types, arg_names=None):
        """Add a probe; types are "u64", "str", ... or int/str/float."""
        h = self._handle()
        codes = [_type_code(t) for t in types]
        if len(codes) > _MAX_ARGS:
            raise DynprobeValueError("cannot add probe %r" % name, -_DYNPROBE_EARGS)
        ctypes_types = (ctypes.c_int * max(1, len(codes)))(*codes)
        opts = None
        if arg_names is not None:
            arg_names = tuple(arg_names)
            if len(arg_names) != len(codes):
                raise ValueError("arg_names has %d names for %d arguments"
                                 % (len(arg_names), len(codes)))
            names = (ctypes.c_char_p * max(1, len(codes)))(
                *[n.encode() if n is not None else None for n in arg_names])
            opts = _ProbeOpts(sz=ctypes.sizeof(_ProbeOpts), arg_names=names)
        out = _vp()
        _check(_probe_add(h, name.encode(), ctypes_types, len(codes),
                          ctypes.byref(opts) if opts is not None else None, ctypes.byref(out)),
               "cannot add probe %r" % name)
        probe = Probe(self, name, out.value, codes, arg_names)
        self._probes.append(probe)
        return probe

    def load(self):
        """Publish the probes.  Returns the loaded backends; a backend that
        failed while another loaded gives a RuntimeWarning (see
        backend_errors)."""
        ret = _check(_provider_load(self._handle()), "cannot load provider %r" % self.name)
        if ret == _LOAD_PARTIAL:
            warnings.warn("dynprobe provider %s loaded partially: %r"
                          % (self.name, self.backend_errors), RuntimeWarning, stacklevel=2)
        return self.loaded_backends

    def unload(self):
        """Unpublish the probes (a no-op when not loaded)."""
        if self._h is not None and _provider_loaded(self._h):
            _check(_provider_unload(self._h), "cannot unload provider %r" % self.name)

    def close(self):
        """Unload and free; the probes then never fire.  Idempotent."""
        if self._h is not None:
            h, self._h = self._h, None
            # Probes stop using their handles first: a fire racing with
            # this in another thread must not reach a freed probe.
            for p in self._probes:
                p._kill()
            _provider_free(h)

    free = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.unload()
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @staticmethod
    def _names(mask):
        return tuple(n for n, bit in _BACKENDS.items() if mask & bit)

    @property
    def backends(self):
        return self._names(_provider_backends(self._handle()))

    @property
    def loaded_backends(self):
        return self._names(_provider_loaded(self._h)) if self._h is not None else ()

    @property
    def loaded(self):
        return bool(self.loaded_backends)

    @property
    def backend_errors(self):
        h = self._handle()
        errs = {}
        for n, bit in _BACKENDS.items():
            e = _provider_backend_error(h, bit)
            if e:
                errs[n] = strerror(e)
        return errs

    @property
    def usdt_fd(self):
        return _provider_usdt_fd(self._handle())

    @property
    def probes(self):
        return tuple(self._probes)

    def __repr__(self):
        return "<dynprobe.Provider %s %s>" % (self.name, "loaded" if self.loaded else "not loaded")


def latency(probe, with_name=None):
    """Decorator: fire ``probe`` with each call's duration in ns.

    The probe's signature is (u64) or, with the function's name, (u64, str);
    ``with_name`` defaults to ``probe.nargs == 2``.  When no tracer listens
    at the call, the wrapped function runs without timing.
    """
    if with_name is None:
        with_name = probe.nargs == 2

    def decorate(fn):
        label = getattr(fn, "__qualname__", getattr(fn, "__name__", "?"))
        clock = time.perf_counter_ns

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not probe.enabled:
                return fn(*args, **kwargs)
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                if with_name:
                    probe.fire(clock() - start, label)
                else:
                    probe.fire(clock() - start)
        return wrapper
    return decorate
