#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py - turn one benchmark run into report.md and SVG charts.

    report.py DIR            write DIR/report.md and DIR/charts/*.svg from
                             DIR/measurements.csv and DIR/sysinfo.txt
    report.py --check DIR    validate a run: files exist and parse, every
                             expected cell has numbers or an explicit n/a
                             with a reason; exit 1 listing what is wrong
    report.py --readme DIR   print the table README.md publishes for DIR

Only the Python standard library: meson already needs python3, and the
charts are plain SVG text written here (no plotting tool).

Statistics.  A cell's figure is the median of all its measurements (every
repetition, every thread) with the min-max range.  A ratio A/B is computed
per repetition from the two cells' values of that repetition (the mean of
the threads), because dpbench measures every cell of repetition r before
any cell of r+1: the two sides of a ratio are seconds apart, under the same
machine load.  The report gives the median of those per-repetition ratios
and their min-max.  Nothing is hard-coded but the issue's targets.
"""
import csv
import math
import os
import statistics
import sys
import xml.etree.ElementTree as ET

STATES = ["idle", "bpftrace", "lttng", "both"]
STATE_TEXT = {
    "idle": "nothing attached, no session",
    "bpftrace": "bpftrace count() attached to every USDT site",
    "lttng": "lttng session recording (snapshot mode, overwrite channel)",
    "both": "bpftrace count() and the lttng session together",
}
MECHS = ["empty", "sdt", "ust", "dp_usdt", "dp_lttng", "dp_both", "stapsdt_guard",
         "stapsdt_fire", "lsdt_guard", "lsdt_fire", "fprintf", "dp_usdt_1", "dp_usdt_10k",
         "dp_usdt_site", "dp_lttng_site"]
MECH_TEXT = {
    "empty": "empty loop (asm memory barrier only)",
    "sdt": "sys/sdt.h STAP_PROBEn guarded by its .probes semaphore",
    "ust": "static lttng-ust tracepoint, lttng_ust_tracepoint_enabled() guard",
    "dp_usdt": "DYNPROBE_FIRE, provider on USDT",
    "dp_lttng": "DYNPROBE_FIRE, provider on LTTng",
    "dp_both": "DYNPROBE_FIRE, provider on USDT and LTTng",
    "stapsdt_guard": "the real libstapsdt (DPBENCH_LIBSTAPSDT, dlopen()ed): "
                     "if (probeIsEnabled(p)) probeFire(p, ...)",
    "stapsdt_fire": "the real libstapsdt: probeFire(p, ...) without probeIsEnabled()",
    "lsdt_guard": "libstapsdt *stand-in* (not the library): an inlined 0xCC peek at a "
                  "90 90 90 90 c3 stub, then variadic fire; the real probeIsEnabled() is a call",
    "lsdt_fire": "libstapsdt *stand-in*: unguarded variadic fire of that stub",
    "fprintf": "fprintf of the same fields to a buffered file (one FILE shared by the threads)",
    "dp_usdt_1": "scaling: DYNPROBE_FIRE on a USDT provider with 1 probe",
    "dp_usdt_10k": "scaling: DYNPROBE_FIRE on probe #5000 of a USDT provider with 10,000 probes",
    "dp_usdt_site": "DYNPROBE_FIRE on a static struct dynprobe_site bound to the USDT probe (2 args)",
    "dp_lttng_site": "DYNPROBE_FIRE on a static struct dynprobe_site bound to the LTTng probe (2 args)",
}
SCALING = {"dp_usdt_1", "dp_usdt_10k", "dp_usdt_site", "dp_lttng_site"}  # 2-arg-only cells
NARGS = ["0", "2", "6"]
THREADS = ["1", "2"]
SETUP_EXPECTED = [("usdt", "10"), ("usdt", "1000"), ("lttng_rt", "10"), ("lttng_rt", "1000"),
                  ("lttng_cold", "10"),
                  ("lttng_cached", "10"), ("lttng_cold", "1000"), ("lttng_cached", "1000"),
                  ("usdt_memfd_first", "10"), ("usdt_file_first", "10"),
                  ("usdt_memfd_second", "10"), ("usdt_file_second", "10")]


def load_rows(d):
    with open(os.path.join(d, "measurements.csv"), newline="") as f:
        return list(csv.DictReader(f))


def load_sysinfo(d):
    info = {}
    try:
        with open(os.path.join(d, "sysinfo.txt")) as f:
            for line in f:
                k, _, v = line.partition(":")
                info[k.strip()] = v.strip()
    except OSError:
        pass
    return info


class Data:
    """Measurements indexed by cell; n/a reasons by cell."""

    def __init__(self, rows):
        self.vals, self.reps, self.na = {}, {}, {}
        for r in rows:
            key = (r["kind"], r["state"], r["mechanism"], r["nargs"], r["nprobes"], r["threads"])
            if r["status"] != "ok":
                self.na.setdefault(key, r["note"])
                continue
            v = float(r["value"])
            self.vals.setdefault(key, []).append(v)
            self.reps.setdefault(key, {}).setdefault(int(r["rep"]), []).append(v)

    def fire(self, state, mech, nargs="2", threads="1"):
        return ("fire", state, mech, nargs, "", threads)

    def stat(self, key):
        v = self.vals.get(key)
        if not v:
            return None
        return statistics.median(v), min(v), max(v), len(v)

    def ratio(self, a, b):
        """Per-repetition ratios a/b: (median, min, max, n) or None."""
        ra, rb = self.reps.get(a, {}), self.reps.get(b, {})
        rs = [statistics.mean(ra[k]) / statistics.mean(rb[k])
              for k in sorted(set(ra) & set(rb)) if statistics.mean(rb[k]) > 0]
        if not rs:
            return None
        return statistics.median(rs), min(rs), max(rs), len(rs)

    def net_ratio(self, a, b, e):
        """The check alone, net of the loop around it: per repetition the
        differences a - e and b - e (e the empty loop, measured interleaved
        with a and b), then median(a - e) / median(b - e), with the range of
        the per-repetition ratios when every b - e is positive.  A ratio of
        medians, because single differences of sub-nanosecond figures can be
        near zero."""
        ra, rb, re_ = self.reps.get(a, {}), self.reps.get(b, {}), self.reps.get(e, {})
        da, db = [], []
        for k in sorted(set(ra) & set(rb) & set(re_)):
            ee = statistics.mean(re_[k])
            da.append(statistics.mean(ra[k]) - ee)
            db.append(statistics.mean(rb[k]) - ee)
        if not da:
            return None
        ma, mb = statistics.median(da), statistics.median(db)
        if min(db) <= 0 or mb < NET_FLOOR_NS:  # nothing measurable: no ratio
            return None, None, None, len(da), ma, mb
        per = [x / y for x, y in zip(da, db)]
        return ma / mb, min(per), max(per), len(da), ma, mb

    def why(self, *keys):
        for k in keys:
            if k in self.na:
                return self.na[k]
        return "n/a (not measured in this run)"


def fmt(x):
    if x is None:
        return "–"
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 1:
        return "%.2f" % x
    return "%.3f" % x


def fmt_signed(x):
    """A small difference of two timings, with its sign (noise can make it
    negative)."""
    return ("−" if x < 0 else "+") + fmt(abs(x))


# Below this, what a check adds to the empty loop is not a measurable cost
# (a sixteenth of a cycle at 3 GHz), and a ratio to it means nothing.
NET_FLOOR_NS = 0.02


def fmt_stat(s, unit=""):
    if not s:
        return None
    return "%s%s [%s–%s]" % (fmt(s[0]), unit, fmt(s[1]), fmt(s[2]))


# ---- headline --------------------------------------------------------------

def headline_ratio(d, title, a, b, target, note, empty=None):
    """A/B per repetition.  With `empty` (the empty loop measured with A and
    B), also (A - empty)/(B - empty): the check alone, net of the loop."""
    r = d.ratio(a, b)
    if not r:
        return [title, d.why(a, b), "–", target, "n/a", note]
    sa, sb = d.stat(a), d.stat(b)
    # Noise only adds time: the fastest run of each side is a second,
    # noise-robust view of the same comparison.
    meas = "**%.2f×** [%.2f–%.2f] (%s vs %s ns); best vs best %.2f×" % (
        r[0], r[1], r[2], fmt(sa[0]), fmt(sb[0]), sa[1] / sb[1])
    net = "–"
    rn = d.net_ratio(a, b, empty) if empty else None
    if rn and rn[0] is not None:
        net = "**%.2f×** [%.2f–%.2f] (%s vs %s ns)" % (rn[0], rn[1], rn[2], fmt_signed(rn[4]),
                                                     fmt_signed(rn[5]))
    elif rn:
        net = "%s vs %s ns (no ratio: the reference adds less than %s ns to the loop)" % (
            fmt_signed(rn[4]), fmt_signed(rn[5]), NET_FLOOR_NS)
    verdict = "–"
    if target.startswith("≤"):
        verdict = "meets" if r[0] <= float(target[1:].rstrip("×")) else "**misses**"
    return [title, meas, net, target, verdict, note]


def setup_key(label, metric, nprobes):
    return ("setup", "idle", "%s.%s" % (label, metric), "2", nprobes, "1")


def headline_setup(d, title, label, metric, nprobes, scale, unit, target, note):
    key = setup_key(label, metric, nprobes)
    s = d.stat(key)
    if not s:
        return [title, d.why(key, setup_key(label + "_first", metric, nprobes)), "–", target,
                "n/a", note]
    s = tuple(x * scale for x in s[:3]) + (s[3],)
    meas = "**%s %s** [%s–%s] (n=%d)" % (fmt(s[0]), unit, fmt(s[1]), fmt(s[2]), s[3])
    verdict = "–"
    if target.startswith("≤"):
        verdict = "meets" if s[0] <= float(target[1:].split()[0]) else "**misses**"
    return [title, meas, "–", target, verdict, note]


def headline_setup_ratio(d, title, a, b, nprobes, target, note):
    """Per-repetition load ratio a/b of two set-up cells measured side by
    side (dpbench-publish alternates them in one process)."""
    ka, kb = setup_key(a, "load", nprobes), setup_key(b, "load", nprobes)
    r = d.ratio(ka, kb)
    if not r:
        return [title, d.why(ka, kb), target, "n/a", note]
    sa, sb = d.stat(ka), d.stat(kb)
    meas = "**%.2f×** [%.2f–%.2f] (%s vs %s µs, n=%d)" % (r[0], r[1], r[2], fmt(sa[0]),
                                                         fmt(sb[0]), r[3])
    verdict = "–"
    if target.startswith("≤"):
        verdict = "meets" if r[0] <= float(target[1:].rstrip("×")) else "**misses**"
    return [title, meas, target, verdict, note]


def headline_scale(d, title, label, small, big, target, note):
    """Median build time (new + probe_add x N) at `big` probes over `small`:
    O(1) amortized probe_add keeps it near big/small."""
    ks, kb = setup_key(label, "build", small), setup_key(label, "build", big)
    ss, sb = d.stat(ks), d.stat(kb)
    if not ss or not sb or ss[0] <= 0:
        return [title, d.why(kb, ks), target, "n/a", note]
    r = sb[0] / ss[0]
    meas = "**%.1f×** (%s vs %s µs, medians of %d and %d)" % (r, fmt(sb[0]), fmt(ss[0]), sb[3],
                                                            ss[3])
    verdict = "meets" if r <= float(target[1:].rstrip("×")) else "**misses**"
    return [title, meas, target, verdict, note]


def headline_net(d, title, mechs, note):
    """ns per call net of the empty loop (medians of the same run), for
    mechanisms whose ratio to a near-zero baseline says little."""
    e = d.stat(d.fire("idle", "empty"))
    parts = []
    for label, m in mechs:
        sm = d.stat(d.fire("idle", m))
        parts.append("%s %s" % (label, fmt(sm[0] - e[0]) if sm and e else "n/a"))
    return [title, "**" + "** · **".join(parts) + "** ns", "≤1.2× or the floor shown", "–", note]


def headline_per_probe(d, title, nprobes, note):
    """Resident bytes per probe (statm delta around build + load, divided
    by the probe count), dynprobe's USDT provider vs the real libstapsdt
    measured in the same run."""
    kd, kl = setup_key("usdt", "rss", nprobes), setup_key("lsdt", "rss", nprobes)
    sd, sl = d.stat(kd), d.stat(kl)
    n = int(nprobes)
    if not sd:
        return [title, d.why(kd), "below libstapsdt", "n/a", note]
    meas = "**%.0f B** [%.0f–%.0f]" % tuple(x * 1024 / n for x in sd[:3])
    if not sl:
        return [title, meas + "; libstapsdt: " + d.why(kl), "below libstapsdt", "n/a", note]
    meas += " vs libstapsdt %.0f B [%.0f–%.0f]" % tuple(x * 1024 / n for x in sl[:3])
    verdict = "meets" if sd[0] < sl[0] else "**misses**"
    return [title, meas, "below libstapsdt", verdict, note]


def cold_stat_rows(d, nprobes):
    """Cold compiles: the first-in-process one is a cold compile too."""
    for lab in ("lttng_cold", "lttng_cold_first"):
        k = setup_key(lab, "load", nprobes)
        if k in d.vals:
            d.vals.setdefault(setup_key("lttng_cold_all", "load", nprobes), []).extend(d.vals[k])
        elif k in d.na:
            d.na.setdefault(setup_key("lttng_cold_all", "load", nprobes), d.na[k])


def pair(d, name, a, b):
    """The interleaved measurement of a/b (and the empty loop with them)
    when this run has it, else the separate cells."""
    ka, kb = ("pair", "idle", a, "2", name, "1"), ("pair", "idle", b, "2", name, "1")
    ke = ("pair", "idle", "empty", "2", name, "1")
    if ka in d.reps and kb in d.reps:
        return ka, kb, "idle, 2 args, 1 thread; A, B and the empty loop interleaved in 20 bursts", \
            ke if ke in d.reps else None
    return d.fire("idle", a), d.fire("idle", b), "idle, 2 args, 1 thread", d.fire("idle", "empty")


def headline_rows(d):
    f = d.fire
    p_us, p_ls = pair(d, "usdt_site-sdt", "dp_usdt_site", "sdt"), pair(d, "lttng_site-ust", "dp_lttng_site", "ust")
    p_u, p_l = pair(d, "usdt-sdt", "dp_usdt", "sdt"), pair(d, "lttng-ust", "dp_lttng", "ust")
    p_b = pair(d, "both-sdt", "dp_both", "sdt")
    p_st = pair(d, "stapsdt-sdt", "stapsdt_guard", "sdt")
    p_ls2 = pair(d, "lsdt-sdt", "lsdt_guard", "sdt")
    cold_stat_rows(d, "10")
    cold_stat_rows(d, "1000")
    rows = [
        headline_ratio(d, "Disabled: DYNPROBE_FIRE on a static site (USDT) ÷ sys/sdt.h semaphore check",
                       p_us[0], p_us[1], "≤1.2×", p_us[2], p_us[3]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE on a static site (LTTng) ÷ static tracepoint check",
                       p_ls[0], p_ls[1], "≤1.2×", p_ls[2], p_ls[3]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle in a global (USDT) ÷ sys/sdt.h check",
                       p_u[0], p_u[1], "≤1.2×", p_u[2], p_u[3]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle in a global (LTTng) ÷ static tracepoint check",
                       p_l[0], p_l[1], "≤1.2×", p_l[2], p_l[3]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle, provider on both ÷ sys/sdt.h check",
                       p_b[0], p_b[1], "–", p_b[2], p_b[3]),
        headline_ratio(d, "Disabled: real libstapsdt probeIsEnabled() guard ÷ sys/sdt.h check",
                       p_st[0], p_st[1], "–", p_st[2], p_st[3]),
        headline_ratio(d, "Disabled: libstapsdt stand-in (inlined 0xCC peek) ÷ sys/sdt.h check",
                       p_ls2[0], p_ls2[1], "–", p_ls2[2], p_ls2[3]),
        headline_net(d, "Disabled, net of the empty loop: handle · site · sys/sdt.h (USDT)",
                     [("handle", "dp_usdt"), ("site", "dp_usdt_site"), ("sdt.h", "sdt")],
                     "loads per check: a handle 4 (the handle, its watch base, the two "
                     "compared words), a site 3, sdt.h 1. The words are the semaphore's "
                     "cell and the stub (a uprobe may patch it without the semaphore), in "
                     "different pages the kernel writes; a handle outlives the images it "
                     "points at, so it needs the base: one load more than a site is the floor"),
        headline_ratio(d, "Traced hit: dynprobe USDT ÷ sys/sdt.h, bpftrace count()",
                       f("bpftrace", "dp_usdt"), f("bpftrace", "sdt"), "≤1.05×", "2 args, 1 thread"),
        headline_ratio(d, "Recording: dynprobe LTTng ÷ static lttng-ust tracepoint",
                       f("lttng", "dp_lttng"), f("lttng", "ust"), "≤1.1×", "2 args, 1 thread"),
    ] + [
        headline_ratio(d, "Recording, LTTng runtime mode ÷ static tracepoint, same fields, %s args" % n,
                       f("lttng", "lttng_rt", n), f("lttng", "lttng_ust", n),
                       "≤1.1×" if n in ("2", "6") else "–",
                       "dpbench-lttng; %s; interleaved cells, ratio per repetition" % desc)
        for n, desc in (("0", "no field"), ("2", "i64 + string"), ("6", "i64, string, 4 integers"),
                        ("12", "6 + i8, u16, double, string, u8, i16"))
    ] + [
        headline_ratio(d, "Recording, LTTng compiled mode ÷ static tracepoint, 2 args",
                       f("lttng", "lttng_compiled", "2"), f("lttng", "lttng_ust", "2"), "–",
                       "dpbench-lttng, same run as the rows above"),
    ] + [
        headline_ratio(d, "Which path: dynprobe USDT hit ÷ dynprobe LTTng record",
                       f("bpftrace", "dp_usdt"), f("lttng", "dp_lttng"), "(choice)",
                       ">1 means a traced USDT hit costs more than an LTTng record"),
        headline_ratio(d, "Scaling: fire with 10,000 probes ÷ with 1 probe (disabled)",
                       f("idle", "dp_usdt_10k"), f("idle", "dp_usdt_1"), "≈1×", "should be flat"),
        headline_ratio(d, "Scaling: same, traced by bpftrace",
                       f("bpftrace", "dp_usdt_10k"), f("bpftrace", "dp_usdt_1"), "≈1×", "should be flat"),
        headline_setup(d, "USDT provider load, 10 probes", "usdt", "load", "10", 1, "µs",
                       "≤60 µs", "dynprobe_provider_load(); steady state, not first in process"),
        headline_setup(d, "USDT provider load, 10 probes, first in process", "usdt_first",
                       "load", "10", 1, "µs", "–", "one-time costs of the first provider"),
        headline_setup(d, "USDT provider load, 1,000 probes", "usdt", "load", "1000", 1, "µs",
                       "–", "steady state"),
        headline_setup_ratio(d, "USDT load, 10 probes: shared image file written ÷ memfd",
                             "usdt_file_first", "usdt_memfd_first", "10", "≤1.5×",
                             "first process: every file load writes its file; side by side, "
                             "alternating, in one process"),
        headline_setup_ratio(d, "USDT load, 10 probes: shared image file reused ÷ memfd",
                             "usdt_file_second", "usdt_memfd_second", "10", "≤1.0×",
                             "second process: opens, checks and maps the files the first wrote"),
        headline_setup(d, "LTTng runtime-mode load, 10 probes", "lttng_rt", "load", "10",
                       1e-3, "ms", "≤1 ms", "no compiler, no cache; liblttng-ust already loaded"),
        headline_setup(d, "LTTng runtime-mode load, 10 probes, first in process", "lttng_rt_first",
                       "load", "10", 1e-3, "ms", "–", "includes loading liblttng-ust"),
        headline_setup(d, "LTTng runtime-mode load, 1,000 probes", "lttng_rt", "load", "1000",
                       1e-3, "ms", "≤20 ms", ""),
        headline_setup(d, "LTTng compiled-mode cold compile + load, 10 probes", "lttng_cold_all", "load", "10",
                       1e-3, "ms", "≤500 ms", "fresh cache directory"),
        headline_setup(d, "LTTng compiled-mode cached load, 10 probes", "lttng_cached", "load", "10", 1e-3,
                       "ms", "≤2 ms", "liblttng-ust already initialised in the process"),
        headline_setup(d, "LTTng compiled-mode cached load, 10 probes, first in process", "lttng_cached_first",
                       "load", "10", 1e-3, "ms", "–", "includes loading liblttng-ust"),
        headline_setup(d, "LTTng compiled-mode cold compile + load, 1,000 probes", "lttng_cold_all", "load",
                       "1000", 1e-3, "ms", "–", ""),
        headline_setup(d, "Memory per USDT provider (10 probes): RSS", "usdt", "rss", "10", 1,
                       "KiB", "–", "statm delta around build + load"),
        headline_setup(d, "Memory per USDT provider (10 probes): mapped object", "usdt",
                       "mapped", "10", 1, "KiB", "–", "its memfd mappings in /proc/self/maps"),
        headline_setup(d, "Memory per USDT provider (10 probes): address space", "usdt",
                       "vsz", "10", 1, "KiB", "–", "statm size delta"),
        headline_setup(d, "Memory per USDT provider (1,000 probes): RSS", "usdt", "rss", "1000",
                       1, "KiB", "–", ""),
        headline_scale(d, "probe_add at scale: build 10,000 probes ÷ 1,000 (USDT)", "usdt",
                       "1000", "10000", "≤10×", "new + 10,000 vs 1,000 dynprobe_probe_add()"),
        headline_per_probe(d, "Memory per probe, 1,000 probes: dynprobe USDT vs libstapsdt",
                           "1000", "RSS delta around build + load ÷ probes; libstapsdt from "
                           "$DPBENCH_LIBSTAPSDT, same run"),
        headline_per_probe(d, "Memory per probe, 10,000 probes: dynprobe USDT vs libstapsdt",
                           "10000", "same"),
        headline_setup(d, "Memory per LTTng provider (10 probes, runtime mode): RSS", "lttng_rt",
                       "rss", "10", 1, "KiB", "–", "descriptors and records; no object mapped"),
        headline_setup(d, "Memory per LTTng provider (10 probes, runtime mode): address space",
                       "lttng_rt", "vsz", "10", 1, "KiB", "–",
                       "record slots come from shared 2 MiB mappings"),
        headline_setup(d, "Memory per LTTng provider (10 probes, compiled, cached): RSS", "lttng_cached",
                       "rss", "10", 1, "KiB", "–", ""),
        headline_setup(d, "Memory per LTTng provider (10 probes, compiled, cached): mapped object",
                       "lttng_cached", "mapped", "10", 1, "KiB", "–", "its .so in /proc/self/maps"),
        headline_setup(d, "Memory per LTTng provider (10 probes, compiled, cached): address space",
                       "lttng_cached", "vsz", "10", 1, "KiB", "–", ""),
    ]
    return rows


def headline(d, verdicts=True):
    rows = headline_rows(d)
    if not verdicts:  # a smoke run's figures judge nothing
        for r in rows:
            r[4] = "none (smoke run)"
    return table(["What", "Measured: median [min–max]", "Net of the empty loop", "Target",
                  "Verdict", "Conditions"], rows)


# The README's table: these headline rows, by title prefix, with the loop
# and net of it side by side.  tests/docs/test_bench_table.sh checks that
# README.md carries exactly this output for the one published run.
README_ROWS = [
    "Disabled: DYNPROBE_FIRE on a static site (USDT)",
    "Disabled: DYNPROBE_FIRE on a static site (LTTng)",
    "Disabled: DYNPROBE_FIRE through a handle in a global (USDT)",
    "Disabled: DYNPROBE_FIRE through a handle in a global (LTTng)",
    "Disabled: DYNPROBE_FIRE through a handle, provider on both",
    "Disabled: real libstapsdt",
    "Disabled: libstapsdt stand-in",
    "Traced hit: dynprobe USDT",
    "Recording: dynprobe LTTng",
    "Recording, LTTng runtime mode ÷ static tracepoint, same fields, 2 args",
    "Which path",
    "Scaling: fire with 10,000 probes",
    "Scaling: same, traced",
    "USDT provider load, 10 probes",
    "USDT provider load, 1,000 probes",
    "LTTng runtime-mode load, 10 probes",
    "LTTng compiled-mode cold compile + load, 10 probes",
    "LTTng compiled-mode cached load, 10 probes",
    "Memory per USDT provider (10 probes): RSS",
    "Memory per LTTng provider (10 probes, runtime mode): RSS",
]


def readme_table(d, info):
    rows, quick = [], info.get("mode", "").startswith("quick")
    by_title = {r[0]: r for r in headline_rows(d)}
    for prefix in README_ROWS:
        r = next((v for k, v in by_title.items() if k.startswith(prefix)), None)
        if r is None:
            sys.exit("report.py: no headline row '%s'" % prefix)
        meas = r[1].split("; best vs best")[0]
        verdict = "" if quick or r[4] in ("–", "n/a") else " — " + r[4].strip("*")
        rows.append([r[0], meas, r[2], r[3] + verdict])
    return table(["", "measured (median [min–max]), loop included", "net of the empty loop",
                  "target"], rows)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ---- detail tables -----------------------------------------------------------

def fire_cell(d, state, mech, nargs, threads):
    key = d.fire(state, mech, nargs, threads)
    s = d.stat(key)
    return fmt_stat(s) if s else d.why(key)


def state_table(d, state):
    rows = []
    for m in MECHS:
        for n in (["2"] if m in SCALING else NARGS):
            cells = [fire_cell(d, state, m, n, t) for t in THREADS]
            s1 = d.stat(d.fire(state, m, n, "1"))
            e1 = d.stat(d.fire(state, "empty", n, "1"))
            net = fmt(s1[0] - e1[0]) if s1 and e1 and m != "empty" else "–"
            rows.append(["`%s`" % m, n] + cells + [net])
    return table(["Mechanism", "Args", "1 thread: ns/call", "2 threads: ns/call per thread",
                  "1 thread, minus empty loop"], rows)


# The comparisons that mean something in each state.
RATIO_PAIRS = {
    "idle": [("dp_usdt", "sdt"), ("dp_lttng", "ust"), ("dp_both", "sdt"), ("lsdt_guard", "sdt"),
             ("fprintf", "dp_usdt")],
    "bpftrace": [("dp_usdt", "sdt"), ("dp_both", "sdt"), ("lsdt_guard", "sdt"),
                 ("lsdt_fire", "sdt"), ("fprintf", "dp_usdt")],
    "lttng": [("dp_lttng", "ust"), ("dp_both", "ust"), ("fprintf", "dp_lttng")],
    "both": [("dp_usdt", "sdt"), ("dp_lttng", "ust")],
}


def ratio_table(d):
    rows = []
    for state in STATES:
        for a, b in RATIO_PAIRS[state]:
            for n in NARGS:
                cells = []
                for t in THREADS:
                    r = d.ratio(d.fire(state, a, n, t), d.fire(state, b, n, t))
                    cells.append("%.2f× [%.2f–%.2f]" % r[:3] if r else "n/a")
                if cells != ["n/a", "n/a"]:
                    rows.append([state, "`%s` ÷ `%s`" % (a, b), n] + cells)
    return table(["State", "Ratio", "Args", "1 thread", "2 threads"], rows)


def setup_table(d):
    rows = []
    keys = sorted({k for k in list(d.vals) + list(d.na) if k[0] == "setup"},
                  key=lambda k: (k[2].split(".")[0], int(k[4]), k[2]))
    for k in keys:
        label, _, metric = k[2].partition(".")
        if label == "lttng_cold_all":
            continue
        s = d.stat(k)
        unit, scale = ("KiB", 1) if metric in ("rss", "vsz", "mapped") else ("µs", 1)
        if s and unit == "µs" and s[0] >= 10000:
            unit, scale = "ms", 1e-3
        if s:
            s = tuple(x * scale for x in s[:3]) + (s[3],)
        rows.append([label, k[4], metric, (fmt_stat(s, " " + unit) + " (n=%d)" % s[3]) if s
                     else d.na.get(k, "n/a")])
    return table(["Provider kind", "Probes", "Metric", "Median [min–max]"], rows)


def na_list(d):
    seen = {}
    for k, why in d.na.items():
        if k[2].startswith("lttng_cold_all."):  # synthetic, see cold_stat_rows
            continue
        seen.setdefault((k[2].split(".")[0], why), set()).add(k[1] if k[0] == "fire" else "set-up")
    if not seen:
        return "None: every cell produced numbers."
    return "\n".join("- `%s` (%s): %s" % (m, ", ".join(sorted(st)), why)
                     for (m, why), st in sorted(seen.items()))


# ---- SVG charts ----------------------------------------------------------------

COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"]


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def log_axis(items):
    lo = min(i[2] for i in items) / 1.6
    hi = max(i[3] for i in items) * 1.6
    return math.log10(lo), math.log10(hi)


def hbar_svg(title, items, unit, legend=()):
    """items: (label, median, min, max, colour index); log-scale x axis;
    legend: (colour index, text) pairs, drawn under the title."""
    items = [i for i in items if i[1] > 0 and i[2] > 0]
    x0, x1, rh = 300, 800, 20
    top = 46 + (22 if legend else 0)
    h = top + rh * max(len(items), 1) + 44
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="880" height="%d" '
           'font-family="sans-serif" font-size="11">' % h,
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">%s</text>' % esc(title),
           '<text x="10" y="36" fill="#555">bar: median; whiskers: min–max over every '
           'repetition; log scale, %s</text>' % esc(unit)]
    lx = 10
    for c, text in legend:
        out.append('<rect x="%d" y="46" width="12" height="12" fill="%s"/>'
                   % (lx, COLORS[c % len(COLORS)]))
        out.append('<text x="%d" y="56">%s</text>' % (lx + 16, esc(text)))
        lx += 16 + 7 * len(text) + 18
    if not items:
        out.append('<text x="10" y="60">no data (all cells n/a)</text></svg>')
        return "\n".join(out)
    l0, l1 = log_axis(items)
    xv = lambda v: x0 + (math.log10(v) - l0) / (l1 - l0) * (x1 - x0)
    ybot = top + rh * len(items)
    for e in range(math.floor(l0), math.ceil(l1) + 1):
        if l0 <= e <= l1:
            x = xv(10 ** e)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x, top - 4, x, ybot))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, ybot + 14, fmt(10 ** e)))
    for k, (label, med, lo, hi, c) in enumerate(items):
        y = top + rh * k
        out.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (x0 - 6, y + 14, esc(label)))
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                   % (x0, y + 3, max(xv(med) - x0, 1), rh - 6, COLORS[c % len(COLORS)]))
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>' % (xv(lo), y + 10, xv(hi), y + 10))
        for v in (lo, hi):
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black"/>' % (xv(v), y + 6, xv(v), y + 14))
        out.append('<text x="%.1f" y="%d">%s</text>' % (max(xv(hi), xv(med)) + 5, y + 14, fmt(med)))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (x0, top - 4, x0, ybot))
    out.append("</svg>")
    return "\n".join(out)


def fire_items(d, state, mechs, threads="1"):
    items = []
    for m in mechs:
        for ci, n in enumerate(NARGS):
            if m in SCALING and n != "2":
                continue
            s = d.stat(d.fire(state, m, n, threads))
            if s:
                items.append(("%s, %s args" % (m, n), s[0], s[1], s[2], ci))
    return items


NARGS_LEGEND = [(i, "%s arguments" % n) for i, n in enumerate(NARGS)]
# What the headline chart shows, in order: (state, mechanism, label, colour).
HEADLINE_BARS = [
    ("idle", "sdt", "sys/sdt.h semaphore check", 1),
    ("idle", "dp_usdt_site", "USDT: DYNPROBE_FIRE(&site)", 0),
    ("idle", "dp_usdt", "USDT: DYNPROBE_FIRE(handle)", 0),
    ("idle", "ust", "lttng-ust tracepoint check", 1),
    ("idle", "dp_lttng_site", "LTTng: DYNPROBE_FIRE(&site)", 0),
    ("idle", "dp_lttng", "LTTng: DYNPROBE_FIRE(handle)", 0),
    ("idle", "stapsdt_guard", "libstapsdt probeIsEnabled()", 2),
    ("idle", "empty", "the empty loop alone", 4),
    ("bpftrace", "sdt", "traced: sys/sdt.h, bpftrace count()", 1),
    ("bpftrace", "dp_usdt", "traced: DYNPROBE_FIRE(handle), bpftrace", 0),
    ("lttng", "ust", "recorded: lttng-ust tracepoint", 1),
    ("lttng", "dp_lttng", "recorded: DYNPROBE_FIRE(handle), LTTng", 0),
]


def charts(d, outdir):
    cdir = os.path.join(outdir, "charts")
    os.makedirs(cdir, exist_ok=True)
    made = []

    def write(name, svg, caption):
        with open(os.path.join(cdir, name), "w") as f:
            f.write(svg + "\n")
        made.append((name, caption))

    for st in STATES:
        write("fire-%s.svg" % st, hbar_svg("Cost per call of every mechanism, %s (1 thread)"
                                           % STATE_TEXT[st], fire_items(d, st, MECHS),
                                           "ns per call, loop included", NARGS_LEGEND),
              "Fire cost per call, state `%s`, 1 thread" % st)
    items = []
    for st, m, label, c in HEADLINE_BARS:
        s = d.stat(d.fire(st, m))
        if s:
            items.append((label, s[0], s[1], s[2], c))
    write("headline.svg", hbar_svg("Cost per call, 2 arguments, 1 thread: disabled (nothing "
                                   "attached), then traced", items, "ns per call, loop included",
                                   [(0, "dynprobe"), (1, "compiled-in native"),
                                    (2, "real libstapsdt"), (4, "empty loop")]),
          "Headline comparisons")
    items = []
    for label, n, c in (("usdt", "10", 0), ("usdt", "1000", 0), ("lttng_cached", "10", 1),
                        ("lttng_cached_first", "10", 1), ("lttng_cold_all", "10", 2),
                        ("lttng_cached", "1000", 1), ("lttng_cold_all", "1000", 2)):
        s = d.stat(setup_key(label, "load", n))
        if s:
            items.append(("%s, %s probes" % (label, n), s[0], s[1], s[2], c))
    write("setup.svg", hbar_svg("Provider load time (dynprobe_provider_load)", items, "µs",
                                [(0, "USDT"), (1, "LTTng, cached object"),
                                 (2, "LTTng, compiled cold")]), "Provider load time")
    return made


# ---- report.md -------------------------------------------------------------------

def machine_load(info):
    try:
        a = [int(x) for x in info["cpu_stat_start"].split()[1:]]
        b = [int(x) for x in info["cpu_stat_end"].split()[1:]]
    except (KeyError, ValueError):
        return "CPU use during the run: not recorded."
    dl = [y - x for x, y in zip(a, b)]
    total = sum(dl[:8]) or 1
    busy = 1 - (dl[3] + dl[4]) / total
    steal = dl[7] / total if len(dl) > 7 else 0
    return ("CPU busy during the run, all CPUs, all processes (this harness included): "
            "**%.0f%%**, steal %.1f%%; load average %s at start, %s at end."
            % (100 * busy, 100 * steal, info.get("loadavg_start", "?"), info.get("loadavg_end", "?")))


def tracer_evidence(outdir):
    """What the tracers saw: bpftrace's count() maps and the LTTng snapshot."""
    import re
    L, counts = [], {}
    try:
        with open(os.path.join(outdir, "raw", "bpftrace.log")) as f:
            for line in f:
                m = re.match(r"@\[usdt:.*?:([A-Za-z0-9_]+:[A-Za-z0-9_]+)\]: (\d+)", line)
                if m:
                    counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
    except OSError:
        pass
    if counts:
        L.append("bpftrace `count()` totals over the traced states (from `raw/bpftrace.log`): " +
                 ", ".join("`%s` %d" % kv for kv in sorted(counts.items())) + ".")
    else:
        L.append("bpftrace: no `count()` output recorded.")
    try:
        with open(os.path.join(outdir, "raw", "lttng.log")) as f:
            sizes = [l.split()[0] for l in f if l.strip().endswith("lttng-snapshot")]
        L.append("LTTng snapshots taken at the end of the recording states: %s bytes in total."
                 % (sizes[-1] if sizes else "none"))
    except OSError:
        L.append("LTTng: no log recorded.")
    return "\n\n".join(L)


METHOD = """\
- One binary (`dpbench`, C, -O2) holds every mechanism; each call site is its own
  noinline loop whose body starts with `asm volatile("" ::: "memory")`, so the
  check (semaphore, tracepoint state, dynprobe's watched words, the probe
  pointer) is re-loaded every iteration as in real code and cannot be hoisted
  or deleted; arguments depend on the loop counter.
- Loops are 32-byte aligned and the assembler keeps branches within 32-byte
  blocks (`-falign-loops=32 -Wa,-mbranches-within-32B-boundaries`): with the
  JCC-erratum microcode of Skylake-derived CPUs, a loop whose compare-and-branch
  straddles a boundary ran 2× slower than its identical neighbours.
- ns/call = CLOCK_MONOTONIC elapsed ÷ iterations over a loop calibrated to
  about `--target-ms` (one thread, first repetition), after a warm-up of 1/8
  of the iterations.  Thread t is pinned (sched_setaffinity) to the t-th CPU
  of the process's affinity mask; with 2 threads both run at once and each
  reports its own ns/call.
- Disabled-check ratios (the headline's first rows): in each idle repetition
  A, B and the empty loop run in turn in 20 bursts of ~2 ms on one pinned
  thread; each side's figure is its median burst (a burst in which the thread
  was preempted is an outlier, not a cost), and the thread runs SCHED_FIFO
  for those bursts when root (the CSV's note says which policy it got), so
  other processes on a shared machine do not preempt it mid-burst; "net of
  the empty loop" is median(A − empty) ÷ median(B − empty) over the
  repetitions.
- States run in the order idle, bpftrace, lttng, both; inside a state every
  cell is measured once per repetition, repetitions interleaved, so the two
  sides of every ratio are measured seconds apart.  Ratios are per repetition,
  then median [min–max].
- bpftrace: the harness starts `bpftrace -p PID` with `count()` on every USDT
  site, waits for "Attaching N probes" and then until every site reads attached
  (sdt.h semaphores, the libstapsdt stub's first byte, dynprobe_probe_listening()),
  measures, stops it by PID (SIGINT) and waits until every site reads detached.
  Its final `count()` maps are in `raw/bpftrace.log`.
- LTTng: a private lttng-sessiond (tests/lib/lttng-private.sh, own mount
  namespace); a snapshot-mode session, overwrite channel, 4 × 1 MiB sub-buffers
  per UID: every event is written to the ring buffer, none dropped for lack of
  space, and the consumer does no disk I/O during the measurement.  The harness
  waits until every tracepoint state reads enabled.  `raw/lttng.log` has the
  commands and the snapshot size proving events were recorded.
- Set-up: `dpbench-setup` links libdynprobe only (not liblttng-ust), like an
  application.  Load = `dynprobe_provider_load()`; build = new + probe_add.
  The first load in a process is reported apart (`*_first`).  Memory = statm
  RSS / size deltas around build + load; mapped = the provider's memfd lines in
  /proc/self/maps.  LTTng cold = fresh cache directory; cached = same
  directory and names in a new process.
- LTTng modes: `dpbench-lttng` runs in three processes of five repetitions
  (one process's address-space layout moves its ratios by about 1 %, more
  than its own repetitions spread); in each repetition every cell runs in 16
  short bursts, the cells taking turns, timed in thread CPU time.
- `fprintf` writes to a file truncated before each measurement; with 2 threads
  they share one FILE (its lock is part of the cost).
- Scaling: `dp_usdt_10k` fires probe #5000 of a 10,000-probe USDT provider that
  stays loaded for the whole run.  In `--quick` it is skipped: while that
  object is mapped, bpftrace 0.17 takes ~1.5 s per attached probe (it re-reads
  every USDT object of the process for each one), so attaching takes ~20 s.
"""


def write_report(d, info, outdir):
    made = charts(d, outdir)
    quick = info.get("mode", "").startswith("quick")
    L = ["# dynprobe overhead report — %s, %s" % (info.get("date", "?"), info.get("host", "?")), "",
         "Mode: %s.  " % info.get("mode", "?") + machine_load(info), ""]
    if quick:
        L += ["**Smoke run (`--quick`)**: two repetitions of about 2 ms per cell, to check "
              "that every cell runs.  Its timings mean nothing and it gives no verdict; "
              "quote only a full run.", ""]
    L += ["The machine is shared and noisy: compare ratios (each computed within this run), "
         "not absolute figures across runs.", "",
         "## Headline (all from this one run)", "", headline(d, not quick), "",
         "Ratios: median of the per-repetition ratios A/B [their min–max] (A and B "
         "measured seconds apart in each repetition; for the disabled checks, interleaved "
         "in 20 bursts of ~2 ms on one thread), then the two medians in ns, then "
         "the ratio of the fastest repetition of each side (noise only adds time). "
         "Net of the empty loop: what each check adds to the empty loop measured "
         "interleaved with it (median over the repetitions), and their ratio, i.e. what "
         "the check itself costs, when the reference adds at least %s ns (below that "
         "it is not a measurable cost and a ratio to it means nothing). " % NET_FLOOR_NS +
         "Set-up rows: median [min–max] over n loads.  Verdicts compare the median "
         "(with the loop, as the targets were set) with the issue's target.", "",
         "![headline](charts/headline.svg)", "",
         "## Fire cost by state", "",
         "ns per call, median [min–max] over all repetitions (and both threads for the "
         "2-thread column); the loop overhead is included (see `empty`).", ""]
    for st in STATES:
        L += ["### %s — %s" % (st, STATE_TEXT[st]), "", state_table(d, st), "",
              "![%s](charts/fire-%s.svg)" % (st, st), ""]
    L += ["## Ratios for every argument count and thread count", "", ratio_table(d), "",
          "## Set-up costs", "", setup_table(d), "", "![setup](charts/setup.svg)", "",
          "## Cells that are n/a", "", na_list(d), "",
          "## Mechanisms", ""]
    L += ["- `%s`: %s" % (m, MECH_TEXT[m]) for m in MECHS]
    L += ["", "## Tracer evidence", "", tracer_evidence(outdir), "",
          "## Method", "", METHOD, "## Environment", ""]
    L += ["- %s: %s" % (k, v) for k, v in info.items() if not k.startswith("cpu_stat")]
    L += ["", "## Files", "", "- `measurements.csv`: every measurement, every repetition, "
          "and one `na` row (with its reason) per cell that could not run",
          "- `charts/`: " + ", ".join("`%s`" % n for n, _ in made),
          "- `raw/` (not committed): bpftrace and lttng logs, build log, caches", ""]
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write("\n".join(L))


# ---- --check -----------------------------------------------------------------------

def check_rows(rows):
    errs = []
    for i, r in enumerate(rows, 2):
        if r["status"] == "ok":
            try:
                v = float(r["value"])
                ok = math.isfinite(v) and (v > 0 or r["kind"] == "setup")
            except (TypeError, ValueError):
                ok = False
            if not ok:
                errs.append("line %d: status ok but value %r" % (i, r["value"]))
        elif r["status"] == "na":
            if not (r["note"] or "").startswith("n/a (") or len(r["note"]) < 8:
                errs.append("line %d: n/a without a reason" % i)
        else:
            errs.append("line %d: unknown status %r" % (i, r["status"]))
    return errs


def check_cells(d):
    errs = []
    for st in STATES:
        for m in MECHS:
            for n in (["2"] if m in SCALING else NARGS):
                for t in THREADS:
                    k = d.fire(st, m, n, t)
                    if k not in d.vals and k not in d.na:
                        errs.append("missing fire cell %s/%s/%s args/%s threads" % (st, m, n, t))
    for label, n in SETUP_EXPECTED:
        ks = [setup_key(lab, "load", n) for lab in (label, label + "_first")]
        if not any(k in d.vals or k in d.na for k in ks):
            errs.append("missing set-up cell %s, %s probes" % (label, n))
    return errs


def check(outdir):
    errs = []
    for f in ("report.md", "measurements.csv", "sysinfo.txt"):
        p = os.path.join(outdir, f)
        if not os.path.isfile(p) or os.path.getsize(p) == 0:
            errs.append("missing or empty: " + f)
    cdir = os.path.join(outdir, "charts")
    svgs = [f for f in os.listdir(cdir) if f.endswith(".svg")] if os.path.isdir(cdir) else []
    if not svgs:
        errs.append("no SVG chart")
    for s in svgs:
        try:
            ET.parse(os.path.join(cdir, s))
        except ET.ParseError as e:
            errs.append("%s: not well-formed: %s" % (s, e))
    if not errs:
        rows = load_rows(outdir)
        errs += check_rows(rows) + check_cells(Data(rows))
    for e in errs:
        print("check: " + e, file=sys.stderr)
    print("check: %s" % ("FAILED" if errs else "ok"), file=sys.stderr)
    return 1 if errs else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        return check(argv[2])
    if len(argv) == 3 and argv[1] == "--readme":
        print(readme_table(Data(load_rows(argv[2])), load_sysinfo(argv[2])))
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    write_report(Data(load_rows(argv[1])), load_sysinfo(argv[1]), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
