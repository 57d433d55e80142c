#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report.py - turn one benchmark run into report.md and SVG charts.

    report.py DIR            write DIR/report.md and DIR/charts/*.svg from
                             DIR/measurements.csv and DIR/sysinfo.txt
    report.py --check DIR    validate a run: files exist and parse, every
                             expected cell has numbers or an explicit n/a
                             with a reason; exit 1 listing what is wrong

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
MECHS = ["empty", "sdt", "ust", "dp_usdt", "dp_lttng", "dp_both", "lsdt_guard",
         "lsdt_fire", "fprintf", "dp_usdt_1", "dp_usdt_10k", "dp_usdt_site", "dp_lttng_site"]
MECH_TEXT = {
    "empty": "empty loop (asm memory barrier only)",
    "sdt": "sys/sdt.h STAP_PROBEn guarded by its .probes semaphore",
    "ust": "static lttng-ust tracepoint, lttng_ust_tracepoint_enabled() guard",
    "dp_usdt": "DYNPROBE_FIRE, provider on USDT",
    "dp_lttng": "DYNPROBE_FIRE, provider on LTTng",
    "dp_both": "DYNPROBE_FIRE, provider on USDT and LTTng",
    "lsdt_guard": "libstapsdt style: 0xCC peek at a 90 90 90 90 c3 stub, then variadic fire",
    "lsdt_fire": "libstapsdt style: unguarded variadic fire (probeFire without probeIsEnabled)",
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


def fmt_stat(s, unit=""):
    if not s:
        return None
    return "%s%s [%s–%s]" % (fmt(s[0]), unit, fmt(s[1]), fmt(s[2]))


# ---- headline --------------------------------------------------------------

def headline_ratio(d, title, a, b, target, note):
    r = d.ratio(a, b)
    if not r:
        return [title, d.why(a, b), target, "n/a", note]
    sa, sb = d.stat(a), d.stat(b)
    # Noise only adds time: the fastest run of each side is a second,
    # noise-robust view of the same comparison.
    meas = "**%.2f×** [%.2f–%.2f] (%s vs %s ns); best vs best %.2f×" % (
        r[0], r[1], r[2], fmt(sa[0]), fmt(sb[0]), sa[1] / sb[1])
    verdict = "–"
    if target.startswith("≤"):
        verdict = "meets" if r[0] <= float(target[1:].rstrip("×")) else "**misses**"
    return [title, meas, target, verdict, note]


def setup_key(label, metric, nprobes):
    return ("setup", "idle", "%s.%s" % (label, metric), "2", nprobes, "1")


def headline_setup(d, title, label, metric, nprobes, scale, unit, target, note):
    key = setup_key(label, metric, nprobes)
    s = d.stat(key)
    if not s:
        return [title, d.why(key, setup_key(label + "_first", metric, nprobes)), target, "n/a", note]
    s = tuple(x * scale for x in s[:3]) + (s[3],)
    meas = "**%s %s** [%s–%s] (n=%d)" % (fmt(s[0]), unit, fmt(s[1]), fmt(s[2]), s[3])
    verdict = "–"
    if target.startswith("≤"):
        verdict = "meets" if s[0] <= float(target[1:].split()[0]) else "**misses**"
    return [title, meas, target, verdict, note]


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


def cold_stat_rows(d, nprobes):
    """Cold compiles: the first-in-process one is a cold compile too."""
    for lab in ("lttng_cold", "lttng_cold_first"):
        k = setup_key(lab, "load", nprobes)
        if k in d.vals:
            d.vals.setdefault(setup_key("lttng_cold_all", "load", nprobes), []).extend(d.vals[k])
        elif k in d.na:
            d.na.setdefault(setup_key("lttng_cold_all", "load", nprobes), d.na[k])


def pair(d, name, a, b):
    """The interleaved measurement of a/b when this run has it, else the
    two separate cells."""
    ka, kb = ("pair", "idle", a, "2", name, "1"), ("pair", "idle", b, "2", name, "1")
    if ka in d.reps and kb in d.reps:
        return ka, kb, "idle, 2 args, 1 thread; A and B interleaved in 20 bursts"
    return d.fire("idle", a), d.fire("idle", b), "idle, 2 args, 1 thread"


def headline(d):
    f = d.fire
    p_us, p_ls = pair(d, "usdt_site-sdt", "dp_usdt_site", "sdt"), pair(d, "lttng_site-ust", "dp_lttng_site", "ust")
    p_u, p_l = pair(d, "usdt-sdt", "dp_usdt", "sdt"), pair(d, "lttng-ust", "dp_lttng", "ust")
    p_b = pair(d, "both-sdt", "dp_both", "sdt")
    cold_stat_rows(d, "10")
    cold_stat_rows(d, "1000")
    rows = [
        headline_ratio(d, "Disabled: DYNPROBE_FIRE on a static site (USDT) ÷ sys/sdt.h semaphore check",
                       p_us[0], p_us[1], "≤1.2×", p_us[2]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE on a static site (LTTng) ÷ static tracepoint check",
                       p_ls[0], p_ls[1], "≤1.2×", p_ls[2]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle in a global (USDT) ÷ sys/sdt.h check",
                       p_u[0], p_u[1], "≤1.2×", p_u[2]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle in a global (LTTng) ÷ static tracepoint check",
                       p_l[0], p_l[1], "≤1.2×", p_l[2]),
        headline_ratio(d, "Disabled: DYNPROBE_FIRE through a handle, provider on both ÷ sys/sdt.h check",
                       p_b[0], p_b[1], "–", p_b[2]),
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
    return table(["What", "Measured: median [min–max]", "Target", "Verdict", "Conditions"], rows)


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


def hbar_svg(title, items, unit):
    """items: (label, median, min, max, colour index); log-scale x axis."""
    items = [i for i in items if i[1] > 0 and i[2] > 0]
    x0, x1, top, rh = 300, 800, 46, 20
    h = top + rh * max(len(items), 1) + 44
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="880" height="%d" '
           'font-family="sans-serif" font-size="11">' % h,
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="20" font-size="14" font-weight="bold">%s</text>' % esc(title),
           '<text x="10" y="36" fill="#555">median, whiskers min–max; log scale (%s)</text>'
           % esc(unit)]
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
                items.append(("%s · %s args" % (m, n), s[0], s[1], s[2], ci))
    return items


def charts(d, outdir):
    cdir = os.path.join(outdir, "charts")
    os.makedirs(cdir, exist_ok=True)
    made = []

    def write(name, svg, caption):
        with open(os.path.join(cdir, name), "w") as f:
            f.write(svg + "\n")
        made.append((name, caption))

    for st in STATES:
        write("fire-%s.svg" % st, hbar_svg("Fire cost, %s (1 thread)" % STATE_TEXT[st],
                                           fire_items(d, st, MECHS), "ns per call"),
              "Fire cost per call, state `%s`, 1 thread" % st)
    pairs = [("idle", "sdt"), ("idle", "dp_usdt"), ("idle", "ust"), ("idle", "dp_lttng"),
             ("bpftrace", "sdt"), ("bpftrace", "dp_usdt"), ("lttng", "ust"), ("lttng", "dp_lttng"),
             ("both", "dp_both")]
    items = []
    for k, (st, m) in enumerate(pairs):
        s = d.stat(d.fire(st, m))
        if s:
            items.append(("%s, %s" % (m, st), s[0], s[1], s[2], 0 if m.startswith("dp_") else 1))
    write("headline.svg", hbar_svg("dynprobe (blue) vs native (orange), 2 args, 1 thread",
                                   items, "ns per call"), "Headline comparisons")
    items = []
    for label, n, c in (("usdt", "10", 0), ("usdt", "1000", 0), ("lttng_cached", "10", 1),
                        ("lttng_cached_first", "10", 1), ("lttng_cold_all", "10", 2),
                        ("lttng_cached", "1000", 1), ("lttng_cold_all", "1000", 2)):
        s = d.stat(setup_key(label, "load", n))
        if s:
            items.append(("%s, %s probes" % (label, n), s[0], s[1], s[2], c))
    write("setup.svg", hbar_svg("Provider load time", items, "µs"), "Provider load time")
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
- `fprintf` writes to a file truncated before each measurement; with 2 threads
  they share one FILE (its lock is part of the cost).
- Scaling: `dp_usdt_10k` fires probe #5000 of a 10,000-probe USDT provider that
  stays loaded for the whole run.  In `--quick` it is skipped: while that
  object is mapped, bpftrace 0.17 takes ~1.5 s per attached probe (it re-reads
  every USDT object of the process for each one), so attaching takes ~20 s.
"""


def write_report(d, info, outdir):
    made = charts(d, outdir)
    L = ["# dynprobe overhead report — %s, %s" % (info.get("date", "?"), info.get("host", "?")), "",
         "Mode: %s.  " % info.get("mode", "?") + machine_load(info), "",
         "The machine is shared and noisy: compare ratios (each computed within this run), "
         "not absolute figures across runs.", "",
         "## Headline (all from this one run)", "", headline(d), "",
         "Ratios: median of the per-repetition ratios A/B [their min–max] (A and B "
         "measured seconds apart in each repetition; for the disabled checks, interleaved "
         "in 20 bursts of ~2 ms on one thread), then the two medians in ns, then "
         "the ratio of the fastest repetition of each side (noise only adds time). "
         "Set-up rows: median [min–max] over n loads.  Verdicts compare the median "
         "with the issue's target.", "",
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
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    write_report(Data(load_rows(argv[1])), load_sysinfo(argv[1]), argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
