#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fail if the oracles know a reviewer bug.

AMENDMENTS.md, "General, provably": nothing under sim/check/ may refer to a
bug switch or an RB- id, so every oracle is a general invariant and no check
is written to fire for one known bug only.

    check_no_bug_refs.py DIR      scan every file under DIR; exit 1 on a hit
    check_no_bug_refs.py --selftest
                                  plant each forbidden form in a temporary
                                  tree and assert the scan catches it (and
                                  passes a clean tree that uses the shim's
                                  BUG() machinery, which is not a switch)
"""
import os
import re
import sys
import tempfile

# What a reference to a reviewer bug or its switch looks like.
FORBIDDEN = [
    (re.compile(r'\bRB[-_ ]?\d{1,3}\b'), 'a reviewer-bug id'),
    (re.compile(r'\bLUSIM_BUGS?(?:_\w+)?\b'), 'the bug-switch environment/config name'),
    (re.compile(r'\blusim_bugs\w*'), 'a bug-switch API'),
    (re.compile(r'\blusim_bug_(?:enabled|on|active|set|switch|is|mask|parse|get|list|from)\w*'),
     'a bug-switch API'),
    (re.compile(r'<lusim/bugs?\.h>|"bugs?\.h"'), 'the bug-switch header'),
    (re.compile(r'--bugs?\b'), 'the bug-switch option'),
    (re.compile(r'\bbug[ _-]switch', re.IGNORECASE), 'a bug switch'),
]


def scan(root):
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                with open(path, encoding='utf-8', errors='replace') as f:
                    lines = f.readlines()
            except OSError as e:
                hits.append(f'{path}: cannot read: {e}')
                continue
            for no, text in enumerate(lines, 1):
                for rx, what in FORBIDDEN:
                    m = rx.search(text)
                    if m:
                        hits.append(f'{path}:{no}: {what}: {m.group(0)!r}')
    return hits


def main_scan(root):
    if not os.path.isdir(root):
        print(f'check_no_bug_refs: no such directory: {root}', file=sys.stderr)
        return 1
    files = sum(len(f) for _, _, f in os.walk(root))
    if not files:
        print(f'check_no_bug_refs: {root} is empty', file=sys.stderr)
        return 1
    hits = scan(root)
    for h in hits:
        print(h, file=sys.stderr)
    if hits:
        print(f'check_no_bug_refs: {len(hits)} reference(s) to reviewer bugs under {root}',
              file=sys.stderr)
        return 1
    print(f'check_no_bug_refs: {files} files under {root}, no reviewer-bug references')
    return 0


CLEAN = '''// SPDX-License-Identifier: GPL-2.0-only
#include <linux/bug.h>
static void f(int x)
{
	BUG_ON(x > 3);		/* the shim's BUG(): lusim_bug() is not a switch */
	if (WARN_ON(x))
		lusim_bug(__FILE__, "debug: %d", x);
	/* a RBTREE, an RB_ROOT and rb_node are fine, as is "BRB-1" */
}
'''

PLANTED = [
    'if (lusim_bug_enabled(3)) return;\n',
    '/* catches RB-03 */\n',
    'static const int id = RB_12;\n',
    'getenv("LUSIM_BUGS");\n',
    '#include <lusim/bugs.h>\n',
    'lusim_bugs_parse(s);\n',
    'if (lusim_bug_enabled_nr(1)) return;\n',
    'char ids[LUSIM_BUG_MAX];\n',
    'n = lusim_bug_parse(s, &end);\n',
    '/* only with the bug switch on */\n',
    '/* run with --bug 2 */\n',
]


def selftest():
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, 'clean.c'), 'w') as f:
            f.write(CLEAN)
        hits = scan(d)
        if hits:
            print('selftest: false positives on a clean tree:', *hits, sep='\n  ')
            failures += 1
        for i, text in enumerate(PLANTED):
            path = os.path.join(d, 'sub', f'planted{i}.c')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(CLEAN + text)
            hits = scan(d)
            if len(hits) != 1 or f'planted{i}.c:' not in hits[0]:
                print(f'selftest: planted {text.strip()!r}: got {hits}')
                failures += 1
            os.unlink(path)
    if failures:
        return 1
    print(f'check_no_bug_refs selftest: clean tree passes, all {len(PLANTED)} planted references caught')
    return 0


if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == '--selftest':
        sys.exit(selftest())
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main_scan(sys.argv[1]))
