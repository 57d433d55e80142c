#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkman.py - the manual pages, generated from the sources they describe.

  mkman.py tool DYNPROBE_BINARY TEMPLATE README VERSION OUT  -> dynprobe(1)
  mkman.py api  DYNPROBE_H      TEMPLATE README VERSION OUT  -> libdynprobe(3)

Nothing in a page is written twice:

  dynprobe(1)      the command list is `dynprobe --help`; each COMMANDS
                   subsection is `dynprobe help CMD`, verbatim (the text
                   the command prints is the option reference);
  libdynprobe(3)   the API section is include/dynprobe.h: each comment and
                   the declarations under it, with the implementation
                   (macro bodies, inline function bodies, names with a
                   double underscore, the private inline-check ABI) left out.

  ENVIRONMENT      README.md's "## Environment" list, in both pages.

The templates (doc/*.in) hold only what has no other home: the page's
description, exit status and examples, with @COMMANDS@, @API@ and
@ENVIRONMENT@ where the generated parts go.  tests/docs/test_man.sh checks that
every exported symbol and every subcommand and option is in the pages.
"""
import re
import subprocess
import sys


def esc(text):
    """Escape text for roff: backslashes, leading dots and quotes, and '-'
    as \\- so options stay copy-pastable."""
    text = text.replace('\\', '\\e').replace('-', '\\-')
    # groff reads bytes: non-ASCII characters as named glyphs.
    text = ''.join(c if ord(c) < 128 else '\\[u%04X]' % ord(c) for c in text)
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def verbatim(lines):
    out = ['.PP', '.EX']
    out += [esc(l.expandtabs(8)) if l.strip() else '' for l in lines]
    out.append('.EE')
    return out


def prose(lines):
    """Comment text: blank lines separate paragraphs; indented lines are
    code, shown verbatim."""
    out, para, code = [], [], []

    def flush():
        if para:
            out.extend(['.PP', esc(' '.join(para))])
            para.clear()
        if code:
            out.extend(verbatim(code))
            code.clear()

    for line in lines:
        if not line.strip():
            flush()
        elif line.startswith(('\t', '  ')):
            if para:
                flush()
            code.append(line)
        else:
            if code:
                flush()
            para.append(line.strip())
    flush()
    return out


# ---- dynprobe(1) -------------------------------------------------------

def run_help(binary, *args):
    r = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, check=False)
    if r.returncode != 0:
        sys.exit(f'mkman: `{binary} {" ".join(args)}` exited {r.returncode}:\n{r.stdout}')
    return r.stdout.rstrip('\n').split('\n')


def tool_sections(binary):
    top = run_help(binary, '--help')
    commands = [m.group(1) for m in (re.match(r'^  ([a-z][a-z-]*)\s{2,}\S', l) for l in top) if m]
    if not commands:
        sys.exit('mkman: no commands in `dynprobe --help`')
    out = []
    for cmd in commands:
        summary = next(l.split(None, 1)[1] for l in top if l.startswith('  ' + cmd + ' '))
        out += ['.SS "dynprobe ' + cmd + '"', esc(summary.strip()) + '.']
        out += verbatim(run_help(binary, 'help', cmd))
    return out


# ---- libdynprobe(3) ----------------------------------------------------

PRIVATE = re.compile(r'\b(dynprobe__\w*|DYNPROBE__\w*)')


def read_comment(lines, i):
    """The comment starting at lines[i] ('/*' in column 0), its text
    without the comment marks, and the index after it."""
    comment = []
    while i < len(lines):
        body, end = lines[i], '*/' in lines[i]
        if end:
            body = body[:body.index('*/')]
        comment.append(re.sub(r'^(/\*+| \*)( (?=\S))?', '', body).rstrip())
        i += 1
        if end:
            break
    return comment, i


def header_chunks(text):
    """Split the header into (comment lines, code lines) pairs: blocks of
    non-blank lines, each with the comment that opens it (or none).  The
    licence line is not a chunk."""
    lines = text.split('\n')
    i, chunks = 0, []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        comment, code = [], []
        if lines[i].startswith('/*'):
            comment, i = read_comment(lines, i)
        while i < len(lines) and lines[i].strip() and not lines[i].startswith('/*'):
            code.append(lines[i])
            i += 1
        if not any(l.startswith('SPDX') for l in comment):
            chunks.append((comment, code))
    return chunks


def strip_implementation(text):
    """Remove what a user never writes: conditional blocks that select an
    implementation (C++ overloads, _Generic, compiler checks: their #if
    mentions a compiler macro or a private name), and function bodies
    ('{' in column 0 through the matching '}')."""
    out, skip, depth = [], 0, 0
    for line in text.split('\n'):
        if skip:
            if line.startswith('#if'):
                skip += 1
            elif line.startswith('#endif'):
                skip -= 1
            continue
        if line.startswith('#if') and (PRIVATE.search(line) or
                                       re.search(r'__cplusplus|__GNUC__|__STDC_VERSION__', line)):
            skip = 1
            continue
        if depth or line.startswith('{'):
            depth += line.count('{') - line.count('}')
            continue
        out.append(line)
    return '\n'.join(out)


def public_code(code):
    """The declarations of one chunk: macro signatures without their
    bodies, no private names, no include guards."""
    out, in_macro = [], False
    for line in code:
        if in_macro:
            in_macro = line.rstrip().endswith('\\')
            continue
        if line.startswith(('#ifndef', '#endif', '#include', '#else')):
            continue
        if line.startswith('#define'):
            name = line.split()[1]
            in_macro = line.rstrip().endswith('\\')
            if PRIVATE.search(name) or name in ('DYNPROBE_H', 'DYNPROBE_API'):
                continue
            if in_macro or PRIVATE.search(line):
                line = re.match(r'#define\s+[A-Z_0-9]+(\([^)]*\))?', line).group(0)
            out.append(line.rstrip())
            continue
        if PRIVATE.search(line):
            continue
        if line.startswith('static inline'):
            line += ';'
        out.append(line.replace('DYNPROBE_API ', ''))
    return out


def api_sections(header):
    chunks = header_chunks(strip_implementation(open(header).read()))
    out = []
    for comment, code in chunks[1:]:  # chunks[0]: the file's head, in DESCRIPTION
        first = next((l for l in comment if l.strip()), '')
        if first.startswith('Private ABI') or (code and PRIVATE.search(code[0])):
            continue
        m = re.match(r'^-+ (.*?) -+$', first.strip())
        if m:
            out.append('.SS "' + m.group(1) + '"')
            comment = comment[comment.index(first) + 1:]
        out += prose(comment)
        decl = public_code(code)
        if decl:
            out += verbatim(decl)
    return out


def environment(readme):
    """README.md's "## Environment" list (one source for the variables'
    meaning) as .TP entries: "- `NAME` ... text" items, continuation lines
    indented."""
    text = open(readme).read()
    m = re.search(r'^## Environment\n(.*?)(?=^## )', text, flags=re.M | re.S)
    if not m:
        sys.exit('mkman: no "## Environment" section in ' + readme)
    items, out = [], []
    for line in m.group(1).split('\n'):
        if line.startswith('- '):
            items.append(line[2:].strip())
        elif line.startswith('  ') and items:
            items[-1] += ' ' + line.strip()
    if not items:
        sys.exit('mkman: the Environment section of ' + readme + ' lists nothing')
    for item in items:
        m = re.match(r'((?:`[^`]+`(?:, | or | / )?)+)[:.]?\s*(?:[-\u2014:]\s*)?(.*)', item)
        if not m:
            sys.exit('mkman: cannot read Environment item: ' + item)
        names = ', '.join(re.findall(r'`([^`]+)`', m.group(1)))
        out += ['.TP', '.B ' + esc(names), esc(markdown_text(m.group(2)))]
    return out


def markdown_text(text):
    """Inline markdown to plain text: code spans lose their backquotes,
    links keep their text, emphasis marks go."""
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'`([^`]*)`', r'\1', text)
    return re.sub(r'\*\*?([^*]+)\*\*?', r'\1', text)


def head_comment(header):
    comment = header_chunks(open(header).read())[0][0]
    # Drop the "dynprobe.h - ..." title line: it is the page's NAME.
    return prose([l for l in comment if not l.startswith('dynprobe.h')])


def main(argv):
    if len(argv) != 7 or argv[1] not in ('tool', 'api'):
        sys.exit(__doc__)
    kind, source, template, readme, version, out = argv[1:]
    page = open(template).read().replace('@VERSION@', version)
    page = page.replace('@ENVIRONMENT@', '\n'.join(environment(readme)))
    if kind == 'tool':
        page = page.replace('@COMMANDS@', '\n'.join(tool_sections(source)))
    else:
        page = page.replace('@DESCRIPTION@', '\n'.join(head_comment(source)))
        page = page.replace('@API@', '\n'.join(api_sections(source)))
    if re.search(r'@[A-Z]+@', page):
        sys.exit('mkman: unreplaced placeholder in ' + template)
    with open(out, 'w') as f:
        f.write(page)


if __name__ == '__main__':
    main(sys.argv)
