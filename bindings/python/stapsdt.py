# SPDX-License-Identifier: MIT
"""stapsdt - the python-stapsdt API on top of dynprobe, for existing programs.

    import stapsdt
    provider = stapsdt.Provider("pythonapp")
    probe = provider.add_probe("firstProbe", stapsdt.ArgTypes.uint64, stapsdt.ArgTypes.int32)
    provider.load()
    probe.fire("My little probe", 42)

libstapsdt's arguments are untyped machine words: a str given where an
integer was declared travels as the address of its bytes, which is what a
USDT reader's str(argN) expects.  This layer keeps that behaviour (an LTTng
session then records the address as a number); new code should use dynprobe
and declare "str".
"""
import ctypes
import enum

import dynprobe
from dynprobe import _lib

_RANGES = {name: _lib.INT_RANGES[code] for name, code in _lib.TYPES.items()
           if code in _lib.INT_RANGES}

__all__ = ["Provider", "Probe", "ArgTypes"]


class ArgTypes(enum.IntEnum):
    noarg = 0
    uint8 = 1
    int8 = -1
    uint16 = 2
    int16 = -2
    uint32 = 4
    int32 = -4
    uint64 = 8
    int64 = -8


_NAMES = {ArgTypes.uint8: "u8", ArgTypes.int8: "i8", ArgTypes.uint16: "u16",
          ArgTypes.int16: "i16", ArgTypes.uint32: "u32", ArgTypes.int32: "i32",
          ArgTypes.uint64: "u64", ArgTypes.int64: "i64"}


class Probe:
    """A probe of the python-stapsdt API (made by Provider.add_probe)."""

    def __init__(self, probe):
        self._probe = probe
        self.name = probe.name

    @property
    def is_enabled(self):
        return self._probe.enabled

    def fire(self, *args):
        """Fire with libstapsdt's untyped words: a str or bytes travels as the
        address of its bytes, an int is truncated to its slot's width."""
        if not self._probe.enabled:
            return False
        keep = []
        words = []
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            if isinstance(a, bytes):
                buf = ctypes.c_char_p(a)
                keep.append(buf)
                a = ctypes.cast(buf, ctypes.c_void_p).value or 0
            words.append(a)
        # Integer slots take the C-style truncation libstapsdt applied.
        for i, t in enumerate(self._probe.types):
            lo, hi = _RANGES[t]
            v = words[i] & (hi - lo)
            words[i] = v - (hi - lo + 1) if lo < 0 and v > hi else v
        return self._probe.fire(*words)


class Provider:
    def __init__(self, name):
        self._provider = dynprobe.Provider(name)
        self.name = name

    def add_probe(self, name, *arg_types):
        types = [_NAMES[ArgTypes(t)] for t in arg_types if ArgTypes(t) != ArgTypes.noarg]
        return Probe(self._provider.add_probe(name, *types))

    def load(self):
        self._provider.load()

    def unload(self):
        self._provider.unload()

    def destroy(self):
        self._provider.close()
