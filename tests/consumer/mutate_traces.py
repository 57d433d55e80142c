#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutate_traces.py - damage real CTF traces many ways and count what
`dynprobe report` does with each copy.

    mutate_traces.py [--seed S] [--count N] [--timeout SEC] [--keep DIR]
                     DYNPROBE TRACE_DIR [REPORT_ARGS...]

Every mutation is applied to a fresh copy of TRACE_DIR (an LTTng session's
output or one CTF trace): a bit flip, a random byte, a run of zeros or 0xff,
a truncation, an appended tail, or a deleted file, in the metadata, an index
file or a data stream file.  Each copy is read with
`DYNPROBE report COPY REPORT_ARGS...` under a timeout, and classified:

  hang      still running at the timeout (killed)
  crash     ended by a signal (abort, segfault)
  error     non-zero exit with a message on stderr that names a file of the copy
  error-anon  non-zero exit whose message names no file
  warning   exit 0 and the output carries a warning
  same      exit 0, no warning, output equal to the undamaged trace's
  silent    exit 0, no warning, a different result: a wrong answer nobody is told about

Prints one line per outcome with its count, then the damaged inputs that hung,
crashed or answered silently (mutation and file), one per line.  Exit status 0
always; the caller decides what counts (tests/consumer/report_corrupt.sh).
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile


def trace_files(root):
    files = []
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                files.append(os.path.relpath(p, root))
    return sorted(files)


def kind_of(rel):
    base = os.path.basename(rel)
    if base == "metadata":
        return "metadata"
    if base.endswith(".idx"):
        return "index"
    return "stream"


def mutate(path, rng):
    """Damage one file in place; returns a description."""
    size = os.path.getsize(path)
    op = rng.choice(["flip", "byte", "zeros", "ones", "truncate", "append", "delete",
                     "flip-header"])
    if op == "delete":
        os.unlink(path)
        return "delete"
    if op == "append":
        with open(path, "ab") as f:
            f.write(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))))
        return "append"
    if size == 0:
        return "noop (empty)"
    if op == "truncate":
        at = rng.randrange(size)
        os.truncate(path, at)
        return "truncate at %d of %d" % (at, size)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        # Headers (packet, index, metadata packet) are where readers trust
        # sizes and offsets: aim there half of the time.
        if op == "flip-header":
            off = rng.randrange(min(size, 128))
            data[off] ^= 1 << rng.randrange(8)
            desc = "flip bit at %d" % off
        elif op == "flip":
            off = rng.randrange(size)
            data[off] ^= 1 << rng.randrange(8)
            desc = "flip bit at %d" % off
        elif op == "byte":
            off = rng.randrange(size)
            data[off] = rng.randrange(256)
            desc = "byte %d at %d" % (data[off], off)
        else:
            off = rng.randrange(size)
            n = min(rng.randrange(1, 17), size - off)
            data[off:off + n] = (b"\0" if op == "zeros" else b"\xff") * n
            desc = "%s x%d at %d" % (op, n, off)
        f.seek(0)
        f.write(data)
    return desc


def run(cmd, timeout):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The report's own children end with it (they watch their parent).
        p.kill()
        p.communicate()
        return None, b"", b""
    return p.returncode, out, err


def classify(rc, out, err, copy, reference):
    if rc is None:
        return "hang"
    if rc < 0 or rc >= 128:
        return "crash"
    text = out.decode(errors="replace") + err.decode(errors="replace")
    if rc != 0:
        return "error" if copy in err.decode(errors="replace") else "error-anon"
    if "WARNING" in text or '"warnings":["' in text or ",warning," in text:
        return "warning"
    return "same" if out == reference else "silent"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--keep", help="copy inputs that hang, crash or answer silently here")
    ap.add_argument("--show", action="store_true", help="list every outcome, not only the bad ones")
    ap.add_argument("dynprobe")
    ap.add_argument("trace")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    files = trace_files(a.trace)
    if not files:
        sys.exit("%s: no files" % a.trace)
    work = tempfile.mkdtemp(prefix="dynprobe-mutate.")
    try:
        rc, reference, err = run([a.dynprobe, "report", a.trace] + a.args, a.timeout)
        if rc != 0:
            sys.exit("the undamaged trace does not read: %s" % err.decode(errors="replace"))
        counts = {}
        bad = []
        for i in range(a.count):
            copy = os.path.join(work, "t%d" % i)
            shutil.copytree(a.trace, copy, symlinks=True)
            # Stream files are most of the bytes but not most of the risk:
            # pick the kind of file first, then a file of that kind.
            kinds = sorted(set(kind_of(f) for f in files))
            k = rng.choice(kinds)
            rel = rng.choice([f for f in files if kind_of(f) == k])
            desc = mutate(os.path.join(copy, rel), rng)
            rc, out, err = run([a.dynprobe, "report", copy] + a.args, a.timeout)
            outcome = classify(rc, out, err, copy, reference)
            counts[outcome] = counts.get(outcome, 0) + 1
            if a.show or outcome in ("hang", "crash", "silent", "error-anon"):
                msg = err.decode(errors="replace").strip().splitlines()
                bad.append("%s: %s: %s (%s)" % (outcome, rel, desc, msg[-1] if msg else ""))
                if a.keep and outcome in ("hang", "crash", "silent", "error-anon"):
                    shutil.copytree(copy, os.path.join(a.keep, "%s-%d" % (outcome, i)),
                                    symlinks=True)
            shutil.rmtree(copy)
        for o in ("hang", "crash", "error", "error-anon", "warning", "same", "silent"):
            print("%-10s %d" % (o, counts.get(o, 0)))
        for b in bad:
            print(b)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
