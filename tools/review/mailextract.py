# SPDX-License-Identifier: GPL-2.0-only
"""Extract the functions a patch mail adds or rewrites whole (lusim review).

The input is a patch mail (mbox, .eml, git format-patch, plain text), a
review reply quoting such a mail with '> ' at any depth (reviewer comments
interleaved, leading tabs possibly lost), or a plain C file.  The result is
one override file per model file (tools/splice's input), with '#line'
directives naming the mail's lines, and a list of everything that was not
used, with the reason.  docs/review.md describes the rules.

    extract(text, mail_name, source_root, line_file=None) -> Extraction
"""

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'splice'))
import lusim_splice as ls  # noqa: E402

QUOTE_RE = re.compile(r'^((?:[ \t]{0,3}>)+) ?')
DIFF_GIT_RE = re.compile(r'^diff --git (?:"?a/)?(\S+?)"? (?:"?b/)?(\S+?)"?\s*$')
OLD_RE = re.compile(r'^--- (?:a/)?(\S+)')
NEW_RE = re.compile(r'^\+\+\+ (?:b/)?(\S+)')
HUNK_RE = re.compile(r'^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$')
SNIP_RE = re.compile(r'^\s*(\[\s*(\.\.\.|snip|snipped|\u2026)\s*\]|<\s*snip\s*>|'
                     r'\.\.\.|\u2026|\[\s*\.\.\.\s*\d*\s*lines?.*\])\s*$', re.I)
FUNC_HDR_RE = re.compile(r'([A-Za-z_]\w*)\s*\(')
COND_RE = re.compile(r'^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b')


@dataclass
class Skipped:
    """Something of the patch that is not used, and why."""
    what: str
    line: int           # mail line (0: none)
    reason: str


@dataclass
class Function:
    name: str
    path: str           # kernel path (drivers/iommu/iommufd/device.c)
    line: int           # mail line of its first line
    end_line: int
    how: str            # 'added whole' | 'rewritten, shown whole' | 'new helper'
    text: List[Tuple[int, str]]     # (mail line, source line)
    guards: List[str] = field(default_factory=list)
    static: bool = False
    tabs_lost: bool = False


@dataclass
class Target:
    path: str           # kernel path
    model: str          # model file (absolute)
    includes: List[Tuple[int, str]] = field(default_factory=list)
    decls: List[List[Tuple[int, str]]] = field(default_factory=list)
    functions: List[Function] = field(default_factory=list)


@dataclass
class Extraction:
    kind: str                   # 'patch' or 'c-file'
    targets: List[Target]
    skipped: List[Skipped]
    notes: List[str] = field(default_factory=list)


class ExtractError(Exception):
    pass


# --------------------------------------------------------------------------
# Lines, quoting, hunks

@dataclass
class MLine:
    no: int             # 1-based line in the mail
    depth: int          # quote depth
    text: str           # without the quote prefix and its space


def split_quotes(text):
    out = []
    for i, raw in enumerate(text.splitlines(), 1):
        raw = raw.rstrip('\r')
        m = QUOTE_RE.match(raw)
        if m:
            out.append(MLine(i, m.group(1).count('>'), raw[m.end():]))
        else:
            out.append(MLine(i, 0, raw))
    return out


@dataclass
class HLine:
    no: int
    kind: str           # '+', '-', ' ', 'gap'
    text: str


@dataclass
class Hunk:
    path: str
    old_path: str
    line: int           # mail line of the @@ header
    header_func: str
    lines: List[HLine]
    depth: int


def parse_hunks(mlines):
    """Every hunk of every unified diff in the mail, at whatever quote depth
    its header is; lines of other depths inside a hunk are comments."""
    hunks = []
    files = {}          # depth -> (old, new)
    pending_old = {}
    i = 0
    n = len(mlines)
    while i < n:
        ml = mlines[i]
        t = ml.text
        m = DIFF_GIT_RE.match(t)
        if m:
            files[ml.depth] = (m.group(1), m.group(2))
            i += 1
            continue
        m = OLD_RE.match(t)
        if m and i + 1 < n and NEW_RE.match(mlines[i + 1].text) and \
                mlines[i + 1].depth == ml.depth:
            old = m.group(1)
            new = NEW_RE.match(mlines[i + 1].text).group(1)
            files[ml.depth] = (old, new)
            pending_old[ml.depth] = old
            i += 2
            continue
        m = HUNK_RE.match(t)
        if not m or ml.depth not in files:
            i += 1
            continue
        depth = ml.depth
        old, new = files[depth]
        old_rem = int(m.group(2)) if m.group(2) is not None else 1
        new_rem = int(m.group(4)) if m.group(4) is not None else 1
        hk = Hunk(new, old, ml.no, '', [], depth)
        fm = FUNC_HDR_RE.search(m.group(5) or '')
        hk.header_func = fm.group(1) if fm else ''
        i += 1
        while i < n:
            ml = mlines[i]
            if ml.depth != depth:
                if ml.depth < depth or not ml.text.strip():
                    i += 1      # a comment (or a deeper quote) inside
                    continue
                i += 1
                continue
            t = ml.text
            if old_rem <= 0 and new_rem <= 0:
                break
            if HUNK_RE.match(t) or DIFF_GIT_RE.match(t):
                break
            if t.startswith('+'):
                hk.lines.append(HLine(ml.no, '+', t[1:]))
                new_rem -= 1
            elif t.startswith('-'):
                if t.startswith('--- ') and i + 1 < n and \
                        NEW_RE.match(mlines[i + 1].text):
                    break
                hk.lines.append(HLine(ml.no, '-', t[1:]))
                old_rem -= 1
            elif t.startswith(' '):
                hk.lines.append(HLine(ml.no, ' ', t[1:]))
                old_rem -= 1
                new_rem -= 1
            elif t.startswith('\\'):
                pass            # "\ No newline at end of file"
            elif SNIP_RE.match(t):
                hk.lines.append(HLine(ml.no, 'gap', t))
            elif t == '' or (old_rem > 0 and new_rem > 0):
                # a context line whose leading space the mailer ate
                hk.lines.append(HLine(ml.no, ' ', t))
                old_rem -= 1
                new_rem -= 1
            else:
                break
            i += 1
        # a quote that ends before the hunk does: the rest was cut
        if old_rem > 0 or new_rem > 0:
            hk.lines.append(HLine(0, 'gap', ''))
        hunks.append(hk)
    return hunks


# --------------------------------------------------------------------------
# C in a hunk

def _blank(s):
    return ''.join('\n' if c == '\n' else ' ' for c in s)


def _clean_partial_comments(text):
    """Blank a comment the hunk starts or ends inside of."""
    first_open = text.find('/*')
    first_close = text.find('*/')
    if first_close >= 0 and (first_open < 0 or first_close < first_open):
        text = _blank(text[:first_close + 2]) + text[first_close + 2:]
    last_open = text.rfind('/*')
    if last_open >= 0 and text.find('*/', last_open) < 0:
        text = text[:last_open] + _blank(text[last_open:])
    return text


def _tabs_lost(lines):
    """No line of the body starts with a tab and most start in column 0:
    the mailer dropped the leading tabs."""
    body = [t for t in lines[1:-1] if t.strip()]
    flush = sum(1 for t in body if t[:1] not in (' ', '\t'))
    return (len(body) >= 2 and not any(t.startswith('\t') for t in body)
            and 2 * flush >= len(body))


_STRIP_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|/\*.*?\*/|//.*$')


def reindent(lines):
    """Kernel-style indentation by brace depth, for code whose leading tabs
    the mailer dropped (cosmetic: C does not care)."""
    out = []
    depth = 0
    paren = 0
    in_comment = False
    for t in lines:
        s = t.strip()
        code = _STRIP_RE.sub('', s)
        if in_comment:
            out.append('\t' * depth + ' ' + s if s.startswith('*') else '\t' * depth + s)
            if '*/' in s:
                in_comment = False
            continue
        if not s:
            out.append('')
            continue
        if s.startswith('#') or re.match(r'^[A-Za-z_]\w*:\s*$', s) and \
                not s.startswith('default'):
            out.append(s)
        else:
            d = depth
            if code.startswith('}'):
                d -= 1
            if re.match(r'^(case\b.*|default\s*):', s):
                d -= 1
            if paren > 0:
                d += 1
            out.append('\t' * max(d, 0) + s)
        if s.startswith('/*') and '*/' not in s:
            in_comment = True
        depth += code.count('{') - code.count('}')
        paren += code.count('(') - code.count(')')
        paren = max(paren, 0)
    return out


def _segments(hk):
    """The new side of a hunk, split at gaps: lists of (HLine, removed_before)
    where removed_before counts '-' lines just before the line."""
    segs, cur, removed = [], [], 0
    for hl in hk.lines:
        if hl.kind == 'gap':
            if cur or removed:
                segs.append((cur, removed))
            cur, removed = [], 0
            continue
        if hl.kind == '-':
            removed += 1
            continue
        cur.append((hl, removed))
        removed = 0
    if cur or removed:
        segs.append((cur, removed))
    return segs


class _Model:
    def __init__(self, source_root):
        self.root = source_root
        self._cache = {}
        self._all = None

    def file_for(self, kpath):
        """(model path or None, why not)"""
        kpath = os.path.normpath(kpath)
        sim = os.path.join(self.root, 'sim', kpath)
        if kpath.split('/')[0] in ('hw', 'ops', 'check'):
            return None, 'not a kernel file'
        if os.path.isfile(sim):
            if kpath.endswith('.h'):
                return None, ('a header: functions in headers (static inline) '
                              'cannot be overridden')
            return sim, ''
        shim = os.path.join(self.root, 'kernel-shim', kpath)
        if os.path.isfile(shim):
            return None, ('modelled by the kernel shim (kernel-shim/%s), whose '
                          'files cannot be overridden yet' % kpath)
        return None, 'the model does not model this file'

    def functions(self, path):
        if path not in self._cache:
            cf = ls.CFile.from_path(path)
            self._cache[path] = {it.name for it in cf.functions}
        return self._cache[path]

    def anywhere(self, name):
        if self._all is None:
            self._all = {}
            sim = os.path.join(self.root, 'sim')
            for dp, dn, fns in os.walk(sim):
                dn[:] = [d for d in dn if d not in ('hw', 'ops', 'check')]
                for fn in fns:
                    if fn.endswith('.c'):
                        p = os.path.join(dp, fn)
                        for f in self.functions(p):
                            self._all.setdefault(f, []).append(
                                os.path.relpath(p, sim))
        return self._all.get(name, [])


def _hunk_units(hk, seg, removed_tail, inside, res, skipped):
    """Functions, includes and declarations of one segment of a hunk.
    inside: the function the segment starts in (the hunk header's, or the
    one a gap cut), if any.  Returns the function the segment ends in."""
    lines = [hl for hl, _ in seg]
    text = '\n'.join(hl.text for hl in lines) + '\n'
    text = _clean_partial_comments(text)
    cf = ls.parse_c(text, hk.path)
    unclosed = None
    last_unmatched = 0
    for d in cf.diagnostics:
        m = re.search(r"the '\{' of the body of '(\w+)' is never closed", d.message)
        if m:
            unclosed = (m.group(1), d.line)
        if "unmatched '}'" in d.message:
            last_unmatched = max(last_unmatched, d.line)
    # the part of the segment inside the function it starts in
    prefix_end = 0
    if inside:
        if last_unmatched:
            prefix_end = last_unmatched
        elif not cf.functions:
            prefix_end = len(lines)

    def changed(a, b):
        """('+' lines, '-' lines) in lines a..b (1-based, inclusive)"""
        plus = sum(1 for k in range(a - 1, b) if lines[k].kind == '+')
        minus = sum(seg[k][1] for k in range(a, b))     # removals inside
        return plus, minus

    covered = set()
    for it in cf.items:
        a, b = it.line, it.end_line
        if b <= prefix_end:
            continue            # statements of a function shown in part
        for k in range(a, b + 1):
            covered.add(k)
        if it.kind == 'include':
            d = it.directive
            res['includes'].append((lines[a - 1].no, d.text.strip()))
            continue
        if it.kind == 'decl':
            plus, minus = changed(a, b)
            if plus == b - a + 1 and not minus:
                res['decls'].append([(lines[k - 1].no, lines[k - 1].text)
                                     for k in range(a, b + 1)])
            continue
        plus, minus = changed(a, b)
        src = [lines[k - 1].text for k in range(a, b + 1)]
        if plus == 0 and minus == 0:
            skipped.append(Skipped('%s() in %s' % (it.name, hk.path), lines[a - 1].no,
                                   'not changed by the patch (shown as context only)'))
            continue
        how = 'added whole' if plus == b - a + 1 else 'rewritten, shown whole'
        fn = Function(it.name, hk.path, lines[a - 1].no, lines[b - 1].no, how,
                      [(lines[k - 1].no, lines[k - 1].text) for k in range(a, b + 1)],
                      static=it.is_static)
        fn.guards = [d.text.strip() for lv in it.guards for d in lv.directives]
        fn.tabs_lost = _tabs_lost(src)
        res['functions'].append(fn)

    # changes outside any whole definition: a function changed in part
    last_cov = max(covered) if covered else 0
    partial = {}
    for k, (hl, rem) in enumerate(seg, 1):
        if k in covered:
            continue
        if hl.kind == '+' or rem:
            if not rem and (not hl.text.strip() or COND_RE.match(hl.text)):
                continue
            if k <= prefix_end:
                name = inside
            elif unclosed and k > last_cov:
                name = unclosed[0]
            else:
                name = None
            partial.setdefault(name, hl.no)
    if removed_tail and not partial:
        name = unclosed[0] if unclosed else inside
        partial.setdefault(name, lines[-1].no if lines else hk.line)
    for name, no in partial.items():
        what = ('%s() in %s' % (name, hk.path)) if name else \
            'a change in %s' % hk.path
        skipped.append(Skipped(what, no,
                               'changed in part: the hunk does not show the whole '
                               'function from its signature to its closing brace, '
                               'so it cannot replace the model\'s version'
                               if name else
                               'outside any function definition the hunk shows whole'))
    return unclosed[0] if unclosed else (inside if prefix_end == len(lines) else None)


def extract_patch(text, source_root, hunks):
    model = _Model(source_root)
    skipped: List[Skipped] = []
    per_file: Dict[str, dict] = {}
    order = []
    for hk in hunks:
        if hk.path == '/dev/null':
            skipped.append(Skipped('file %s' % hk.old_path, hk.line,
                                   'deleted by the patch'))
            continue
        if not hk.path.endswith(('.c', '.h')):
            skipped.append(Skipped('file %s' % hk.path, hk.line, 'not C source'))
            continue
        if hk.path not in per_file:
            per_file[hk.path] = {'includes': [], 'decls': [], 'functions': [],
                                 'line': hk.line}
            order.append(hk.path)
        res = per_file[hk.path]
        inside = hk.header_func or None
        for seg, tail in _segments(hk):
            inside = _hunk_units(hk, seg, tail, inside, res, skipped)

    targets = []
    for path in order:
        res = per_file[path]
        mpath, why = model.file_for(path)
        if mpath is None:
            for fn in res['functions']:
                skipped.append(Skipped('%s() in %s' % (fn.name, path), fn.line,
                                       why))
            if not res['functions']:
                skipped.append(Skipped('file %s' % path, res['line'], why))
            continue
        known = model.functions(mpath)
        fns = res['functions']
        used = [f for f in fns if f.name in known]
        new = [f for f in fns if f.name not in known]
        # a new function stays when a used one calls it (a helper)
        changed = True
        while changed:
            changed = False
            body = '\n'.join(t for f in used for _, t in f.text)
            for f in list(new):
                if re.search(r'\b%s\s*\(' % re.escape(f.name), body):
                    f.how = 'new helper (called by the functions used)'
                    used.append(f)
                    new.remove(f)
                    changed = True
        for f in new:
            elsewhere = model.anywhere(f.name)
            if elsewhere:
                reason = ('the model defines it in %s, not in %s'
                          % (', '.join(elsewhere), path))
            else:
                reason = ('no model counterpart: the model has no function of '
                          'this name and nothing the fuzzer runs calls it')
            skipped.append(Skipped('%s() in %s' % (f.name, path), f.line, reason))
        if not used:
            continue
        used.sort(key=lambda f: f.line)
        t = Target(path, mpath)
        seen = set()
        for no, inc in res['includes']:
            key = re.sub(r'\s+', '', inc)
            if key not in seen:
                seen.add(key)
                t.includes.append((no, inc))
        t.decls = res['decls']
        t.functions = used
        targets.append(t)
    return targets, skipped


def extract(text, source_root, name='MAIL'):
    """Extraction of a mail or a C file's text."""
    if not text.strip():
        raise ExtractError('%s: empty input: no patch and no C code' % name)
    mlines = split_quotes(text)
    hunks = parse_hunks(mlines)
    if hunks:
        targets, skipped = extract_patch(text, source_root, hunks)
        ex = Extraction('patch', targets, skipped)
        depths = sorted({h.depth for h in hunks})
        nfiles = len({h.path for h in hunks})
        ex.notes.append('%d hunk%s in %d file%s, %s' % (
            len(hunks), '' if len(hunks) == 1 else 's', nfiles, '' if nfiles == 1 else 's',
            'not quoted' if depths == [0] else
            'quoted at depth %s' % '/'.join(str(d) for d in depths)))
        return ex
    # not a patch: a C file?
    cf = ls.parse_c(text, name)
    if cf.functions:
        return Extraction('c-file', [], [])
    raise ExtractError('%s: no unified diff (no "@@ -a,b +c,d @@" hunk) and no C '
                       'function definition found' % name)


def _cstr(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')


def render_override(t: Target, line_file, mail_name):
    """The override file of one target: '#line' directives name line_file
    (the mail's path as the compiler should see it)."""
    # nothing here depends on the mail's name or path: the build cache is
    # keyed by this text (same mail content, same build)
    out = ['/* lusim-target: %s */' % t.path,
           '/*',
           ' * Written by "lusim review" from a patch mail (%s): the functions' %
           os.path.basename(line_file),
           ' * the patch adds or rewrites whole in %s.  Edit it and rerun' % t.path,
           ' * "lusim review THIS-FILE"; the #line directives make errors and',
           ' * coverage point at the mail (delete them to point here).',
           ' */']

    def block(pairs, extra_before=(), extra_after=()):
        prev = None
        for x in extra_before:
            out.append(x)
            prev = None
        for no, s in pairs:
            if prev is None or no != prev + 1:
                out.append('#line %d "%s"' % (no, _cstr(line_file)))
            out.append(s)
            prev = no
        for x in extra_after:
            out.append(x)

    block(t.includes)
    for d in t.decls:
        block(d)
    for f in t.functions:
        src = [s for _, s in f.text]
        if f.tabs_lost:
            src = reindent(src)
        pairs = [(no, s) for (no, _), s in zip(f.text, src)]
        out.append('')
        block(pairs, extra_before=f.guards,
              extra_after=['#endif'] * sum(1 for g in f.guards
                                           if re.match(r'#\s*if', g)))
    return '\n'.join(out) + '\n'
