#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""blocks.py MARKDOWN OUTDIR - split a README into the shell blocks that
tests/docs/run-blocks.sh runs.

A fenced block whose info string is `sh` (or bash, shell) is a command
block: it must work as written.  Its text is dedented by the fence's own
indentation (blocks inside list items).  If its first line starts with
`# illustration`, it is not run (it is syntax-checked only): the reader
sees that line.  `<!-- docs-test expect: REGEX -->` lines just before a
block (nothing but blank lines or other such comments in between) are
regular expressions, each of which some line of the block's output must
match.

Writes OUTDIR/NNN.sh (the block), OUTDIR/NNN.expect (one regex per line),
OUTDIR/NNN.kind ("run" or "illustration") and OUTDIR/NNN.where
("README.md:LINE"), and prints how many blocks of each kind it found.
Other blocks (c, ruby, python, output) are not shell and are left to the
tests of what they show.
"""
import os
import re
import sys

FENCE = re.compile(r'^(\s*)(```+)\s*([\w+-]*)\s*$')
EXPECT = re.compile(r'^\s*<!-- docs-test expect: (.*) -->\s*$')
SHELLS = ('sh', 'bash', 'shell')


def blocks(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    expects, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        e = EXPECT.match(lines[i])
        if e:
            expects.append(e.group(1))
            i += 1
            continue
        if not m:
            if lines[i].strip():
                expects = []
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3)
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not re.match(r'^\s*' + fence + r'\s*$', lines[i]):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        if i >= len(lines):
            sys.exit(f'{path}:{start}: unterminated code block')
        i += 1
        if lang in SHELLS:
            yield start, '\n'.join(body) + '\n', list(expects)
        elif expects:
            sys.exit(f'{path}:{start}: docs-test expect lines before a block that is not sh')
        expects = []


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    counts = {'run': 0, 'illustration': 0}
    name = os.path.relpath(path, os.environ.get('DOCS_ROOT', os.path.dirname(path)))
    for n, (line, text, expects) in enumerate(blocks(path)):
        kind = 'illustration' if text.lstrip().startswith('# illustration') else 'run'
        if kind == 'illustration' and expects:
            sys.exit(f'{path}:{line}: an illustration has docs-test expect lines')
        counts[kind] += 1
        base = os.path.join(out, '%03d' % n)
        for ext, content in (('sh', text), ('expect', ''.join(e + '\n' for e in expects)),
                             ('kind', kind + '\n'), ('where', f'{name}:{line}\n')):
            with open(base + '.' + ext, 'w', encoding='utf-8') as f:
                f.write(content)
    print(f'{name}: {counts["run"]} blocks to run, {counts["illustration"]} illustrations')


if __name__ == '__main__':
    main()
