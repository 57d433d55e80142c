#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_discovery_seeds.py TRACE_DIR OUT_DIR - seed inputs for
tests/fuzz/fuzz_report_discovery.c from a small real LTTng trace (one CTF
trace directory with metadata, ch_0, ch_1 and index/ch_0.idx), intact and
damaged the ways babeltrace2 2.0 hangs or aborts on.

Input layout (see the target): u16 LE lengths of metadata, ch_0 and its
index, a flags byte, the three files, then ch_1."""
import os
import struct
import sys


def seed(md, st, idx, rest=b"", flags=0):
    return struct.pack("<HHHB", len(md), len(st), len(idx), flags) + md + st + idx + rest


def main():
    src, out = sys.argv[1], sys.argv[2]
    rd = lambda name: open(os.path.join(src, name), "rb").read()
    md, st, idx, st1 = rd("metadata"), rd("ch_0"), rd("index/ch_0.idx"), rd("ch_1")
    text = b"/* CTF 1.8 */\n" + md[37:md.find(b"\0", 37)]
    bad_off = bytearray(idx)
    struct.pack_into(">Q", bad_off, 16 + 72, len(st) + 4096)     # entry 2 offset past the end
    big_pkt = bytearray(idx)
    struct.pack_into(">Q", big_pkt, 16 + 8, 1 << 40)              # packet size in bits
    bad_md = bytearray(md)
    struct.pack_into("<I", bad_md, 24, 0xFFFFFFF8)                # content size > packet size
    cases = {
        "intact": seed(md, st, idx, st1),
        "metadata-truncated": seed(md[:3000], st, idx, st1),
        "metadata-header-only": seed(md[:37], st, idx),
        "metadata-content-size": seed(bytes(bad_md), st, idx),
        "metadata-text": seed(text, st, idx),
        "metadata-empty": seed(b"", st, idx),
        "no-metadata": seed(b"", st, idx, b"", 1),
        "index-offset-past-end": seed(md, st, bytes(bad_off)),
        "index-huge-packet": seed(md, st, bytes(big_pkt)),
        "index-truncated": seed(md, st, idx[:50]),
        "stream-truncated": seed(md, st[:5000], idx),
        "no-index": seed(md, st, b"", st1),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in cases.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
