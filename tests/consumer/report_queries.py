#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""report_queries.py DYNPROBE TRACE PLUGIN_DIR WORK - check `dynprobe report`
against answers computed here from babeltrace2's text output of TRACE.

Nothing here shares code with the consumer: events come from
`babeltrace2 --clock-seconds --no-delta TRACE`, one line each, parsed into
dicts; grouping, predicates, interval arithmetic, time ranges, pairing,
sorting and percentiles are plain Python.  Each check prints "ok: ..." or
raises.
"""
import json
import math
import os
import re
import subprocess
import sys

DYNPROBE, TRACE, PLUGIN_DIR, WORK = sys.argv[1:5]
# The sanitizer build's plugin needs its runtimes preloaded (report_common.sh).
BT_ENV = dict(os.environ, **({"LD_PRELOAD": os.environ["DP_BT_PRELOAD"]}
                             if os.environ.get("DP_BT_PRELOAD") else {}))
LINE = re.compile(r"^\[(\d+)\.(\d{9})\] \S+ ([\w:]+): (.*)$")
FIELD = re.compile(r'(\w+) = ("(?:[^"\\]|\\.)*"|[^,}]+)')


def value(text):
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return float(text)


def load_events():
    out = subprocess.run(["babeltrace2", "--clock-seconds", "--no-delta", TRACE],
                         check=True, capture_output=True, text=True).stdout
    events = []
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            raise AssertionError("unparsed babeltrace2 line: " + line)
        e = {"ts": int(m.group(1)) * 10**9 + int(m.group(2)), "event": m.group(3)}
        for name, v in FIELD.findall(m.group(4)):
            e[name] = value(v)
        events.append(e)
    return events


EV = load_events()
REQ = [e for e in EV if e["event"] == "dpgen:req"]
assert len({e["cpu_id"] for e in EV}) == 2, "events from both CPUs"
assert len({e["vpid"] for e in EV}) == 2 and len({e["vtid"] for e in EV}) == 4
assert len({e["procname"] for e in EV}) == 2
print("ok: reference: %d events, 2 CPUs, 2 processes, 4 threads" % len(EV))


def report(*args, fmt="--json"):
    cmd = [DYNPROBE, "report", TRACE] + list(args) + ([fmt] if fmt else [])
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr))
    return p.stdout


def report_json(*args):
    lines = report(*args).splitlines()
    return [json.loads(l) for l in lines]


def key_of(g):
    k = g["key"]
    return tuple(k) if isinstance(k, list) else (k,)


def groups(doc):
    return {key_of(g): g for g in doc["groups"]}


def expect(what, got, want):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))
    print("ok: %s" % what)


def stats(events, keyf, valf=None):
    """{key: (count, sum, min, max)} of events, the way bpftrace would."""
    out = {}
    for e in events:
        k = keyf(e)
        v = valf(e) if valf else 0
        c, s, lo, hi = out.get(k, (0, 0, None, None))
        out[k] = (c + 1, s + v, v if lo is None else min(lo, v), v if hi is None else max(hi, v))
    return out


def check_stats(what, doc, want, aggs=("count", "sum", "min", "max")):
    got = groups(doc)
    expect(what + ": keys", sorted(got), sorted(want))
    idx = {"count": 0, "sum": 1, "min": 2, "max": 3}
    for k, w in want.items():
        for a in aggs:
            if got[k][a] != w[idx[a]]:
                raise AssertionError("%s: %s%r = %r, want %r" % (what, a, k, got[k][a], w[idx[a]]))
    print("ok: %s: %s of %d keys" % (what, ",".join(aggs), len(want)))


# --- several keys, the built-ins -------------------------------------------
d = report_json("-b", "event,cpu_id")[0]
check_stats("-b event,cpu_id", d, stats(EV, lambda e: (e["event"], e["cpu_id"])), ("count",))
d = report_json("-b", "probe,cpu")[0]
check_stats("-b probe,cpu (bpftrace names)", d, stats(EV, lambda e: (e["event"], e["cpu_id"])),
            ("count",))
d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "comm,pid,tid", "-a", "stats")[0]
check_stats("-b comm,pid,tid -f arg1", d,
            stats(REQ, lambda e: (e["procname"], e["vpid"], e["vtid"]), lambda e: e["arg1"]))
d = report_json("-e", "dpgen:req", "-f", "arg2", "-b", "arg0,procname", "-a", "stats")[0]
check_stats("-b arg0,procname -f arg2 (signed)", d,
            stats(REQ, lambda e: (e["arg0"], e["procname"]), lambda e: e["arg2"]))
d = report_json("-e", "dpgen:tick", "-f", "arg0", "-b", "vtid", "-a", "count,sum")[0]
check_stats("tick -b vtid -f arg0", d, stats([e for e in EV if e["event"] == "dpgen:tick"],
                                             lambda e: (e["vtid"],), lambda e: e["arg0"]),
            ("count", "sum"))

# --- filters: &&, ||, !, parentheses, strings, globs, integers ---------------
pid_a = min(e["vpid"] for e in EV)
FILTERS = [
    ('vpid == %d && (arg0 == "GET" || arg0 == "P*") && !(arg1 < 1000)' % pid_a,
     lambda e: e["vpid"] == pid_a and (e["arg0"] == "GET" or e["arg0"].startswith("P"))
     and not e["arg1"] < 1000),
    ('procname == "gen_*" && cpu == 1 || arg2 <= -990',
     lambda e: (e["procname"].startswith("gen_") and e["cpu_id"] == 1) or e["arg2"] <= -990),
    ('str(arg0) != "DELETE" && arg1 >= 4096 && arg1 < 0x10000',
     lambda e: e["arg0"] != "DELETE" and 4096 <= e["arg1"] < 0x10000),
    ('!(tid == pid) && arg2 > -10 && arg2 < 10',
     lambda e: e["vtid"] != e["vpid"] and -10 < e["arg2"] < 10),
    ('comm == "gen_other" && event == "dpgen:r*"',
     lambda e: e["procname"] == "gen_other"),
]
for text, pred in FILTERS:
    d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "arg0", "-F", text, "-a", "stats")[0]
    sel = [e for e in REQ if pred(e)]
    check_stats("-F '%s'" % text, d, stats(sel, lambda e: (e["arg0"],), lambda e: e["arg1"]))
    expect("-F '%s': filtered out" % text, d["events_filtered"], len(REQ) - len(sel))
d = report_json("-F", 'event == "*tick" && cpu == 0 || event == "dpgen:req" && vtid == %d'
                % EV[-1]["vtid"])[0]
expect("-F on the built-in event, across classes", d["groups"][0]["count"],
       sum(1 for e in EV if (e["event"] == "dpgen:tick" and e["cpu_id"] == 0) or
           (e["event"] == "dpgen:req" and e["vtid"] == EV[-1]["vtid"])))

# --- top N and sort order ---------------------------------------------------
want = stats(REQ, lambda e: (e["vtid"], e["arg0"]), lambda e: e["arg1"])
d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "vtid,arg0", "-a", "sum", "--top", "3",
                "--sort", "sum", "--desc")[0]
order = sorted(want, key=lambda k: (-want[k][1], k))[:3]
expect("--top 3 --sort sum --desc", [key_of(g) for g in d["groups"]], order)
expect("--top 3: keys in all", (d["keys"], d["keys_shown"]), (len(want), 3))
d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "vtid,arg0", "-a", "count", "--top", "5")[0]
order = sorted(want, key=lambda k: (want[k][0], k))[-5:]
expect("--top 5 (bpftrace order: greatest last)", [key_of(g) for g in d["groups"]], order)
d = report_json("-e", "dpgen:req", "-b", "arg0,vtid", "--sort", "key")[0]
expect("--sort key", [key_of(g) for g in d["groups"]], sorted(stats(REQ, lambda e: (e["arg0"], e["vtid"]))))
text = report("-e", "dpgen:req", "-b", "arg0", "--top", "2", fmt=None)
expect("--top in text", len(re.findall(r"^@count\[", text, re.M)), 2)
if "(top 2 of 4 keys by count; 2 not shown)" not in text:
    raise AssertionError("text: no top-N note: " + text)

# --- percentiles within the stated bound ------------------------------------
d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "comm", "-a", "p50,p99")[0]
for k, g in groups(d).items():
    vals = sorted(e["arg1"] for e in REQ if e["procname"] == k[0])
    for p, name in ((50, "p50"), (99, "p99")):
        exact = vals[max(1, math.ceil(p / 100 * len(vals))) - 1]
        if abs(g[name] - exact) > exact / 256:
            raise AssertionError("%s[%s] = %s, exact %s" % (name, k[0], g[name], exact))
print("ok: p50, p99 per comm within 1/256 of nearest rank")

# --- key cap: kept keys exact, the rest in (other) -----------------------------
d = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "arg1,vtid", "--max-keys", "50",
                "-a", "count")[0]
want = stats(REQ, lambda e: (e["arg1"], e["vtid"]))
kept = [g for g in d["groups"] if not g["other"]]
other = [g for g in d["groups"] if g["other"]]
expect("--max-keys 50: kept", len(kept), 50)
for g in kept:
    if g["count"] != want[key_of(g)][0]:
        raise AssertionError("kept key %r: %d, want %d" % (key_of(g), g["count"], want[key_of(g)][0]))
expect("--max-keys 50: (other) holds the rest", other[0]["count"],
       len(REQ) - sum(g["count"] for g in kept))
expect("--max-keys 50: reported", d["other_key_events"], other[0]["count"])

# --- parallel readers give the very same answer ------------------------------
args = ("-e", "dpgen:req", "-f", "arg1", "-b", "arg0,vtid", "-a", "stats,pct,hist,lhist(0,100000,1000)")
one, two = report(*args, "--jobs", "1"), report(*args, "--jobs", "2")
expect("--jobs 2 == --jobs 1 (JSON)", two, one)

# --- intervals of trace time, JSON lines and text -----------------------------
I = 20_000_000
span = (EV[-1]["ts"] - EV[0]["ts"]) // I + 1
assert span >= 4, "trace too short for intervals: %d" % span
lines = report_json("-e", "dpgen:req", "-f", "arg1", "-b", "arg0", "-a", "count,sum", "-i", "20ms")
ivls, summary = lines[:-1], lines[-1]
want = {}
for e in REQ:
    b = e["ts"] // I * I
    want.setdefault(b, []).append(e)
first, last = EV[0]["ts"] // I * I, EV[-1]["ts"] // I * I
expect("--interval 20ms: intervals, clock-aligned, empty ones included",
       [(l["interval"]["begin_ns"], l["interval"]["end_ns"]) for l in ivls],
       [(b, b + I) for b in range(first, last + I, I)])
for l in ivls:
    b = l["interval"]["begin_ns"]
    w = stats(want.get(b, []), lambda e: (e["arg0"],), lambda e: e["arg1"])
    check_stats("interval %d" % l["interval"]["index"], l, w, ("count", "sum"))
    expect("interval %d: events read" % l["interval"]["index"], l["events_read"],
           sum(1 for e in EV if b <= e["ts"] < b + I))
expect("--interval: summary", (summary["summary"], summary["intervals"], summary["events_matched"]),
       (True, len(ivls), len(REQ)))
text = report("-e", "dpgen:req", "-a", "count", "-i", "20ms", fmt=None)
heads = re.findall(r"^(\d\d:\d\d:\d\d\.\d{9}) - (\d\d:\d\d:\d\d\.\d{9}): (\d+) read, (\d+) matched",
                   text, re.M)
expect("--interval text: one block per interval", len(heads), len(ivls))
expect("--interval text: matched per interval", [int(h[3]) for h in heads],
       [len(want.get(l["interval"]["begin_ns"], [])) for l in ivls])
tod = lambda ns: "%02d:%02d:%02d.%09d" % ((ns // 10**9) // 3600 % 24, (ns // 10**9) // 60 % 60,
                                          (ns // 10**9) % 60, ns % 10**9)
expect("--interval text: times (UTC)", (heads[0][0], heads[0][1]), (tod(first), tod(first + I)))
csv = report("-e", "dpgen:req", "-a", "count", "-i", "20ms", fmt="--csv").splitlines()
expect("--interval CSV header", csv[0], "interval_begin_ns,interval_end_ns,group,metric,bucket,low,high,value")
rows = [r.split(",") for r in csv[1:] if r.split(",")[3] == "count" and r.split(",")[0]]
expect("--interval CSV counts", [(int(r[0]), int(r[-1])) for r in rows],
       [(b, len(v)) for b, v in sorted(want.items())])

# --- --begin / --end -----------------------------------------------------------
t30, t70 = REQ[len(REQ) * 3 // 10]["ts"], REQ[len(REQ) * 7 // 10]["ts"]
secs = lambda ns: "%d.%09d" % (ns // 10**9, ns % 10**9)
d = report_json("-e", "dpgen:req", "-f", "arg1", "-a", "count,sum", "--begin", secs(t30),
                "--end", secs(t70))[0]
sel = [e for e in REQ if t30 <= e["ts"] < t70]
check_stats("--begin/--end (epoch seconds)", d, stats(sel, lambda e: (None,), lambda e: e["arg1"]),
            ("count", "sum"))
d = report_json("-e", "dpgen:req", "-a", "count", "--begin", "+30ms", "--end", "+90ms")[0]
t0 = EV[0]["ts"]
expect("--begin +30ms --end +90ms", d["groups"][0]["count"] if d["groups"] else 0,
       sum(1 for e in REQ if t0 + 30_000_000 <= e["ts"] < t0 + 90_000_000))
d = report_json("-e", "dpgen:req", "-a", "count", "--begin", tod(t30) + "Z")[0]
expect("--begin HH:MM:SS.NNNNNNNNNZ", d["groups"][0]["count"], sum(1 for e in REQ if e["ts"] >= t30))
lines = report_json("-e", "dpgen:req", "-a", "count", "-i", "10ms", "--begin", secs(t30),
                    "--end", secs(t70))
ivls = lines[:-1]
expect("--interval with --begin: starts there", ivls[0]["interval"]["begin_ns"], t30)
expect("--interval with --end: the last one cut there", ivls[-1]["interval"]["end_ns"], t70)
expect("--interval with --begin/--end: counts", sum(l["events_matched"] for l in ivls), len(sel))

# --- --pair START,END --key ----------------------------------------------------
def pairs(events, start, end, keyf):
    open_, durs, unmatched_starts, unmatched_ends = {}, [], 0, 0
    for e in events:                      # babeltrace2's time order
        if e["event"] == start:
            if keyf(e) in open_:
                unmatched_starts += 1
            open_[keyf(e)] = e["ts"]
        elif e["event"] == end:
            if keyf(e) in open_:
                durs.append((e, e["ts"] - open_.pop(keyf(e))))
            else:
                unmatched_ends += 1
    return durs, unmatched_starts + len(open_), len(open_), unmatched_ends


for key, keyf in (("vtid", lambda e: e["vtid"]), ("vpid", lambda e: e["vpid"])):
    d = report_json("--pair", "dpgen:req,dpgen:tick", "--key", key, "-b", "comm", "-a", "stats")[0]
    durs, us, op, ue = pairs(EV, "dpgen:req", "dpgen:tick", keyf)
    check_stats("--pair req,tick --key %s -b comm" % key, d,
                stats([x[0] for x in durs], lambda e: (e["procname"],),
                      lambda e, m={id(x[0]): x[1] for x in durs}: m[id(e)]))
    expect("--pair: unmatched starts, open, unmatched ends",
           (d["pairs"], d["unmatched_starts"], d["open_starts"], d["unmatched_ends"]),
           (len(durs), us, op, ue))
d = report_json("--pair", "dpgen:tick,dpgen:req", "--key", "vpid", "-a", "count,max")[0]
durs, us, op, ue = pairs(EV, "dpgen:tick", "dpgen:req", lambda e: e["vpid"])
expect("--pair tick,req --key vpid", (d["groups"][0]["count"], d["groups"][0]["max"], d["unmatched_ends"]),
       (len(durs), max(x[1] for x in durs), ue))
text = report("--pair", "dpgen:req,dpgen:tick", "-a", "count", fmt=None)
p = pairs(EV, "dpgen:req", "dpgen:tick", lambda e: e["vtid"])
line = "pairs: %d complete; unmatched: %d starts (%d still open at the end), %d ends" % (
    len(p[0]), p[1], p[2], p[3])
if line not in text:
    raise AssertionError("text: no '%s' in:\n%s" % (line, text))
print("ok: --pair text line")

# --- formats: CSV, SVG, and the babeltrace2 sink with the same options ----------
args = ("-e", "dpgen:req", "-f", "arg1", "-b", "arg0,cpu", "-F", 'arg2 > 0 || comm == "gen_other"')
j = groups(report_json(*args, "-a", "count,sum")[0])
csv = [r.split(",") for r in report(*args, "-a", "count,sum", fmt="--csv").splitlines()]
for r in csv:
    if len(r) == 7 and r[2] == "count":   # "GET, 1" is quoted: two cells
        k = (r[0].strip('"'), int(r[1].strip(' "')))
        expect("CSV count%r" % (k,), int(r[-1]), j[k]["count"])
svg = os.path.join(WORK, "one.svg")
once = stats(REQ, lambda e: (e["vtid"], e["arg1"]))
one = next(k for k, v in once.items() if v[0] == 1)
report("-e", "dpgen:req", "-f", "arg1", "-b", "vtid", "-F", "vtid == %d && arg1 == %d" % one,
       "--svg", svg, fmt=None)
body = open(svg).read()
if "(1 event)" not in body or "(1 events)" in body:
    raise AssertionError("SVG: want '(1 event)'")
width = int(re.search(r'<svg [^>]*width="(\d+)"', body).group(1))
for t in re.findall(r'<text x="10"[^>]*>([^<]*)</text>', body):
    if len(t) * 7.3 > width - 10:
        raise AssertionError("SVG: a %d-character line overflows %d px: %s" % (len(t), width, t))
print("ok: SVG: singular, no line wider than the picture")

plugin = subprocess.run(["babeltrace2", "--plugin-path", PLUGIN_DIR, TRACE, "-c", "sink.dynprobe.report",
                         "-p", 'event="dpgen:req",field="arg1",by="arg0,cpu",filter="arg2 > 0 || comm == '
                         '\\"gen_other\\"",agg="count,sum",format="json"'],
                        capture_output=True, text=True, check=True, env=BT_ENV).stdout
expect("plugin (by, filter) == CLI", groups(json.loads(plugin)), j)
plugin = subprocess.run(["babeltrace2", "--plugin-path", PLUGIN_DIR, TRACE, "-c", "sink.dynprobe.report",
                         "-p", 'pair="dpgen:req,dpgen:tick",key="vtid",agg="count,sum",interval="20ms",'
                         'format="json",top=2,sort="sum",descending=true'],
                        capture_output=True, text=True, check=True, env=BT_ENV).stdout.splitlines()
cli = report("--pair", "dpgen:req,dpgen:tick", "--key", "vtid", "-a", "count,sum", "-i", "20ms",
             "--top", "2", "--sort", "sum", "--desc").splitlines()
strip = lambda l: {k: v for k, v in json.loads(l).items() if k != "traces"}
expect("plugin (pair, key, interval, top, sort, descending) == CLI",
       [strip(l) for l in plugin], [strip(l) for l in cli])
print("PASS")
